/* stress_evict.c: several threads write, read and delete through a small memory limit while another
 * switches the eviction policy and the limit (on, halved, off: the shards' queues come and go while the
 * others write), for ThreadSanitizer and AddressSanitizer with LeakSanitizer (test_core_sanitizers.py).
 * Strings and collections (lists, sets, hashes, zsets) are written and evicted alike.
 * Checks that the limit holds once the writers stop and that every value read is one that was written. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "redistill.h"

#define THREADS 4
#define ROUNDS 30000
#define LIMIT (2u << 20)

static rd_keyspace *ks;
static const char *const policies[] = {"allkeys-lru", "allkeys-s3fifo", "allkeys-lfu", "allkeys-random",
                                       "volatile-lru", "volatile-ttl", "volatile-lfu", "volatile-random"};

static void *work(void *arg) {
    int id = (int)(long)arg, bad = 0;
    rd_buf *b = rd_buf_new();
    char key[32], val[600];
    memset(val, 'a' + id, sizeof val);
    for (int i = 0; i < ROUNDS; i++) {
        int kl = snprintf(key, sizeof key, "k%d:%d", id, i % 4000);
        int64_t r, at = i % 2 ? rd_now_ms() + 60000 : 0;
        uint64_t n;
        switch (i % 8) {
        case 0: case 1: case 2: rd_ks_set(ks, key, kl, val, 100 + (size_t)(i % 500), 0, at, b, NULL); break;
        case 3: case 4:
            if (rd_ks_get(ks, key, kl, b) == RD_OK && rd_buf_data(b)[0] != 'a' + id) bad = 1;
            break;
        case 5:
            if (i % 2)
                rd_ks_incrby(ks, "ctr", 3, 1, &r);
            else /* APPEND: reallocs the entry in place */
                rd_ks_setrange(ks, key, kl, -1, val, 50, 1u << 20, &r);
            break;
        case 6:
            if (i % 64 == 6) {
                rd_ks_del(ks, key, kl);
            } else if (i % 64 == 14) { /* MSET and RENAME build entries before taking their shards' locks */
                const char *ks2[2] = {key, "shared"};
                size_t kls[2] = {(size_t)kl, 6}, vls[2] = {3, 3};
                const char *vs[2] = {val, val};
                rd_ks_mset(ks, 2, ks2, kls, vs, vls);
                rd_ks_rename(ks, key, kl, "shared", 6, 0);
            } else if (i % 16 == 6) { /* a collection, evicted (and freed) like any key */
                static const char *const cmds[4] = {"RPUSH", "SADD", "HSET", "ZADD"};
                char ck[32];
                int cl = snprintf(ck, sizeof ck, "c%d:%d", id, i % 500);
                const char *argv[6] = {cmds[(i / 16) % 4], ck, "1", val, "2", val + 1};
                size_t argl[6] = {strlen(argv[0]), (size_t)cl, 1, 300, 1, 300};
                rd_buf_clear(b);
                rd_exec(ks, 6, argv, argl, 2, b);
            } else {
                rd_ks_admit(ks);
            }
            break;
        default:
            if (id == 0 && i % 2000 == 7) rd_ks_set_policy(ks, policies[(i / 2000) % 8]);
            if (id == 1 && i % 5000 == 7) /* the limit: halved, off once mid-run, back */
                rd_ks_set_maxmemory(ks, i / 5000 == 2 ? 0 : LIMIT / (1 + (i / 5000) % 2));
            if (id == 2 && i % 1000 == 7) rd_ks_evict(ks, 100, &n);
            if (id == 3 && i == ROUNDS / 2) rd_ks_flush(ks);
            break;
        }
    }
    rd_buf_free(b);
    return (void *)(long)bad;
}

int main(void) {
    pthread_t t[THREADS];
    uint64_t st[RD_KS_NSTATS];
    void *bad;
    int failed = 0;
    ks = rd_keyspace_new(0);
    if (!ks) return 2;
    rd_ks_set_policy(ks, "allkeys-lru");
    rd_ks_set_maxmemory(ks, LIMIT);
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], &bad);
        failed |= bad != NULL;
    }
    /* Writers are done: one more write under an allkeys policy must leave used <= limit. */
    rd_ks_set_policy(ks, "allkeys-lru");
    rd_ks_set_maxmemory(ks, LIMIT);
    rd_buf *b = rd_buf_new();
    rd_ks_set(ks, "last", 4, "v", 1, 0, 0, b, NULL);
    rd_buf_free(b);
    rd_ks_stats(ks, st, RD_KS_NSTATS);
    if (failed) puts("a value read back belonged to another writer");
    else if (st[RD_KS_USED_MEMORY] > LIMIT) printf("used %llu > limit\n", (unsigned long long)st[RD_KS_USED_MEMORY]);
    else if (st[RD_KS_EVICTED] == 0) puts("nothing was evicted");
    else puts("ok");
    rd_keyspace_free(ks);
    return 0;
}
