/* stress_threads.c: hammers one keyspace from several threads with every rd_ks_* call, for ThreadSanitizer
 * (test_core_tsan.py builds it with -fsanitize=thread straight from csrc/, without Python in the way). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "redistill.h"

#define THREADS 4
#define ROUNDS 20000

static rd_keyspace *ks;

/* The issue-3 calls: read-modify-write, two-stripe moves, scans, key facts. */
static void issue3_ops(int i, const char *key, int kl, rd_buf *b) {
    const char *other = (i & 1) ? "k1" : "k2";
    int64_t r, info[RD_INFO_NFIELDS];
    uint64_t next;
    switch ((i / 10) % 8) {
    case 0: rd_ks_setrange(ks, key, kl, -1, "app", 3, 1 << 20, &r); break;
    case 1: rd_ks_setrange(ks, key, kl, i % 64, "xy", 2, 1 << 20, &r); break;
    case 2: rd_ks_incrbyfloat(ks, "flt", 3, "0.5", 3, b); break;
    case 3: rd_ks_rename(ks, key, kl, other, 2, i & 2); break;
    case 4: rd_ks_copy(ks, key, kl, other, 2, 1); break;
    case 5: rd_ks_scan(ks, (uint64_t)i * 977, 20, (i & 1) ? "k1*" : NULL, 3, -1, &next, b); break;
    case 6: rd_ks_getex(ks, key, kl, i % 4, rd_now_ms() + 5, b); rd_ks_key_info(ks, key, kl, 3, info, RD_INFO_NFIELDS); break;
    default: {
        const char *ks_[2] = {key, other};
        size_t kls[2] = {(size_t)kl, 2};
        rd_ks_msetnx(ks, 2, ks_, kls, ks_, kls);
        rd_ks_multi(ks, i % 3, 2, ks_, kls, &r);
        rd_ks_randomkey(ks, b);
        break;
    }
    }
}

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
        default: rd_ks_exists(ks, key, kl); rd_ks_persist(ks, key, kl); issue3_ops(i, key, kl, b); break;
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
