/* stress_threads.c: hammers one keyspace from several threads with every rd_ks_* call, for ThreadSanitizer
 * (test_core_tsan.py builds it with -fsanitize=thread straight from csrc/, without Python in the way). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "redistill.h"

#define THREADS 4
#define ROUNDS 20000

static rd_keyspace *ks;

static void *work(void *arg) {
    int id = (int)(long)arg;
    rd_buf *b = rd_buf_new();
    rd_worker *w = rd_worker_new(ks);
    rd_conn *c = rd_conn_new(w);
    char key[32], val[32];
    for (int i = 0; i < ROUNDS; i++) {
        int kl = snprintf(key, sizeof key, "k%d", i % 500);
        int vl = snprintf(val, sizeof val, "%d", i);
        int64_t r;
        uint64_t n, stats[RD_KS_NSTATS];
        switch ((i + id) % 10) {
        case 0: rd_ks_set(ks, key, kl, val, vl, 0, rd_now_ms() + (i % 3), b, NULL); break;
        case 1: rd_ks_get(ks, key, kl, b); break;
        case 2: rd_ks_incrby(ks, "ctr", 3, 1, &r); break;
        case 3: rd_ks_del(ks, key, kl); break;
        case 4: {
            const char *ks_[2] = {key, "other"}, *vs[2] = {val, val};
            size_t kls[2] = {(size_t)kl, 5}, vls[2] = {(size_t)vl, (size_t)vl};
            rd_ks_mset(ks, 2, ks_, kls, vs, vls);
            break;
        }
        case 5: rd_ks_active_expire(ks, 100, &n); break;
        case 6: if (i % 1000 == 6) rd_ks_stats(ks, stats, RD_KS_NSTATS); break;
        case 7: rd_ks_expire(ks, key, kl, rd_now_ms() + 5, 0); rd_ks_pttl(ks, key, kl, &r); break;
        case 8: {
            static const char frame[] = "*3\r\n$4\r\nMGET\r\n$5\r\nother\r\n$3\r\nctr\r\nSET a b\r\nINCR ctr2\r\n";
            const char *out;
            size_t len;
            rd_conn_feed(c, frame, sizeof frame - 1);
            rd_conn_run(c);
            rd_conn_output(c, &out, &len);
            rd_conn_consume_output(c, len);
            break;
        }
        default: rd_ks_exists(ks, key, kl); rd_ks_persist(ks, key, kl); break;
        }
        if (i % 50 == 0) { /* a transaction: WATCH, EXEC's exclusive gate and check, UNWATCH */
            uint64_t version;
            int live;
            rd_ks_watch(ks, key, kl, &version, &live);
            if (rd_ks_exclusive_begin(ks) == RD_OK) {
                if (rd_ks_watch_check(ks, key, kl, version, live) == RD_OK)
                    rd_ks_incrby(ks, "ctr", 3, 1, &r);
                rd_ks_exclusive_end(ks);
            }
            rd_ks_shared_begin(ks);
            rd_ks_get(ks, key, kl, b);
            rd_ks_shared_end(ks);
            rd_ks_unwatch(ks, key, kl);
        }
        if (i == ROUNDS / 2 && id == 0) rd_ks_flush(ks);
    }
    rd_conn_free(c);
    rd_worker_free(w);
    rd_buf_free(b);
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    ks = rd_keyspace_new(0);
    if (!ks) return 2;
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    rd_keyspace_free(ks);
    puts("ok");
    return 0;
}
