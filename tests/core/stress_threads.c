/* stress_threads.c: hammers one keyspace from many threads with every rd_ks_* call, for ThreadSanitizer and
 * ASan/UBSan (test_core_sanitizers.py builds it straight from csrc/, without Python in the way).
 *
 * Phase 1 (work): every call at once on a shared set of keys, with a FLUSHALL in the middle: no checks
 * beyond the sanitizers'.  Phase 2 (exact): each thread grows and empties its own 6,000 keys three times
 * (so the 1024 shard tables resize up and down under each other's feet), reads back every value it wrote,
 * sets short expiries and checks a key is either gone or holds its own value, and all threads INCR one
 * shared counter whose final value must be exact.  Prints "ok" or the first violation. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redistill.h"

#define THREADS 8
#define ROUNDS 20000
#define OWN_KEYS 6000
#define CYCLES 3

static rd_keyspace *ks;

/* A command C runs, through rd_exec (its arguments NUL-terminated strings). */
static void run(rd_buf *b, int argc, const char **argv) {
    size_t argl[8];
    for (int j = 0; j < argc; j++) argl[j] = strlen(argv[j]);
    rd_buf_clear(b);
    rd_exec(ks, argc, argv, argl, 2, b);
}

/* The string and key calls past GET/SET: read-modify-write, two-stripe moves, scans, key facts. */
static void more_ops(int i, const char *key, int kl, rd_buf *b) {
    const char *other = (i & 1) ? "k1" : "k2";
    int64_t r, info[RD_INFO_NFIELDS];
    uint64_t next;
    switch ((i / 10) % 8) {
    case 0: rd_ks_setrange(ks, key, kl, -1, "app", 3, 1 << 20, &r); break;
    case 1: rd_ks_setrange(ks, key, kl, i % 64, "xy", 2, 1 << 20, &r); break;
    case 2: run(b, 3, (const char *[]){"INCRBYFLOAT", "flt", "0.5"}); break;
    case 3: rd_ks_rename(ks, key, kl, other, 2, i & 2); break;
    case 4: rd_ks_copy(ks, key, kl, other, 2, 1); break;
    case 5: rd_ks_scan(ks, (uint64_t)i * 977, 20, (i & 1) ? "k1*" : NULL, 3, -1, &next, b); break;
    case 6: rd_ks_getex(ks, key, kl, i % 4, rd_now_ms() + 5, b); rd_ks_key_info(ks, key, kl, 3, info, RD_INFO_NFIELDS); break;
    default: {
        const char *ks_[2] = {key, other};
        size_t kls[2] = {(size_t)kl, 2};
        run(b, 5, (const char *[]){"MSETNX", key, key, other, other});
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
        default: rd_ks_exists(ks, key, kl); rd_ks_persist(ks, key, kl); more_ops(i, key, kl, b); break;
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

static _Atomic int failures;

static void fail(int id, const char *what, const char *key) {
    if (failures++ == 0) fprintf(stderr, "thread %d: %s (key %s)\n", id, what, key);
}

/* Own keys: written, read back, re-written with a short expiry, deleted: tables grow and shrink. */
static void exact_cycle(int id, int cycle, rd_buf *b) {
    char key[32], val[32];
    int64_t r;
    for (int j = 0; j < OWN_KEYS && !failures; j++) {
        int kl = snprintf(key, sizeof key, "p%d:%d", id, j);
        int vl = snprintf(val, sizeof val, "%d:%d", cycle, j);
        if (rd_ks_set(ks, key, kl, val, vl, 0, 0, b, NULL) != RD_OK) fail(id, "SET failed", key);
        if (rd_ks_get(ks, key, kl, b) != RD_OK || rd_buf_len(b) != (size_t)vl || memcmp(rd_buf_data(b), val, vl))
            fail(id, "GET did not return the value just written", key);
        if (j % 7 == 0 && rd_ks_incrby(ks, "shared", 6, 1, &r) != RD_OK) fail(id, "INCR failed", "shared");
        if (j % 5 == 0) rd_ks_expire(ks, key, kl, rd_now_ms() + 1 + j % 3, 0);
    }
    for (int j = 0; j < OWN_KEYS && !failures; j++) {
        int kl = snprintf(key, sizeof key, "p%d:%d", id, j);
        int vl = snprintf(val, sizeof val, "%d:%d", cycle, j);
        rd_status st = rd_ks_get(ks, key, kl, b);
        if (st == RD_OK && (rd_buf_len(b) != (size_t)vl || memcmp(rd_buf_data(b), val, vl)))
            fail(id, "a key holds a value its owner never wrote", key);
        if (st == RD_NOT_FOUND && j % 5 != 0) fail(id, "a key without expiry vanished", key);
        if (st == RD_OK && j % 5 != 0 && rd_ks_del(ks, key, kl) != RD_OK) fail(id, "DEL of a present key failed", key);
        if (j % 5 == 0) rd_ks_del(ks, key, kl);
        if (rd_ks_exists(ks, key, kl) != RD_NOT_FOUND) fail(id, "a deleted key still exists", key);
    }
}

static void *exact(void *arg) {
    int id = (int)(long)arg;
    rd_buf *b = rd_buf_new();
    uint64_t n;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
        exact_cycle(id, cycle, b);
        if (id == 0) rd_ks_active_expire(ks, 1000, &n);
    }
    rd_buf_free(b);
    return NULL;
}

static int run_phase(void *(*fn)(void *)) {
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, fn, (void *)i) != 0) return -1;
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    return 0;
}

int main(void) {
    ks = rd_keyspace_new(0);
    if (!ks) return 2;
    if (run_phase(work) < 0) return 2;
    rd_ks_flush(ks);
    if (run_phase(exact) < 0) return 2;
    int64_t total = 0;
    rd_ks_incrby(ks, "shared", 6, 0, &total);
    int64_t want = (int64_t)THREADS * CYCLES * ((OWN_KEYS + 6) / 7);
    if (total != want) {
        fprintf(stderr, "shared counter %lld, expected %lld\n", (long long)total, (long long)want);
        failures++;
    }
    uint64_t stats[RD_KS_NSTATS];
    rd_ks_stats(ks, stats, RD_KS_NSTATS);
    if (stats[RD_KS_KEYS] != 1) {
        fprintf(stderr, "%llu keys left, expected only the counter\n", (unsigned long long)stats[RD_KS_KEYS]);
        failures++;
    }
    rd_keyspace_free(ks);
    if (failures) return 1;
    puts("ok");
    return 0;
}
