/* keyspace_bench.c: the C core alone, without sockets or Python: where the time of a request goes.
 *
 * Built straight from the csrc/ sources by `make bench-core`.  Loads KEYS keys (key:NNNNNNNNNNNN, 3-byte values,
 * as redis-benchmark -r uses them), then for 1, 2 and 4 threads runs each test for SECONDS and prints
 * ops/s per thread and in total, and ops per CPU-second of the threads (steadier on a busy machine):
 *   hash       SipHash-1-3 of the key only
 *   get        ks_get of a random existing key, value copied into a reply buffer
 *   set        ks_set overwriting a random existing key (allocates the new entry, frees the old)
 *   conn-get   a 64-command pipelined GET batch through rd_conn_feed + rd_conn_run: framing, dispatch,
 *              keyspace and reply encoding, as the server runs it minus the socket calls
 *   conn-set   the same with SET
 * Usage: keyspace_bench [seconds] [keys] [tests] [max-threads]
 *   defaults 1.0, 1000000, all tests (comma-separated names), 4; e.g. `keyspace_bench 0.5 100000 conn-get 1`
 *   under valgrind --tool=callgrind counts instructions per request without the machine's noise.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define PIPELINE 64
#define BATCHES 512 /* distinct pre-built batches per thread, so keys stay random */

static rd_keyspace *ks;
static long nkeys = 1000000;
static double seconds = 1.0;
static atomic_int stop_flag;
static volatile uint64_t hash_sink;

typedef enum { T_HASH, T_GET, T_SET, T_CONN_GET, T_CONN_SET, T_COUNT } test_id;
static const char *test_names[T_COUNT] = {"hash", "get", "set", "conn-get", "conn-set"};

typedef struct {
    test_id test;
    unsigned seed;
    uint64_t ops;
    double cpu; /* the thread's own CPU seconds: less sensitive to a busy machine than wall time */
} job;

static inline uint64_t xorshift(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* "key:%012ld" without sprintf, so the key costs little next to what is measured. */
static int make_key(char *dst, long i) {
    memcpy(dst, "key:", 4);
    for (int d = 15; d >= 4; d--, i /= 10) dst[d] = (char)('0' + i % 10);
    dst[16] = '\0';
    return 16;
}

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* BATCHES pipelined batches of PIPELINE GETs or SETs over random keys, back to back. */
static char *build_batches(uint64_t *rng, int set, size_t **offsets) {
    size_t cap = (size_t)BATCHES * PIPELINE * 64, len = 0;
    char *buf = malloc(cap);
    *offsets = malloc((BATCHES + 1) * sizeof **offsets);
    for (int b = 0; b < BATCHES; b++) {
        (*offsets)[b] = len;
        for (int i = 0; i < PIPELINE; i++) {
            char key[32];
            int kl = make_key(key, (long)(xorshift(rng) % (uint64_t)nkeys));
            len += (size_t)(set ? sprintf(buf + len, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n", kl, key)
                                : sprintf(buf + len, "*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", kl, key));
        }
    }
    (*offsets)[BATCHES] = len;
    return buf;
}

static uint64_t run_conn(job *j, uint64_t *rng) {
    size_t *off;
    char *batches = build_batches(rng, j->test == T_CONN_SET, &off);
    rd_worker *w = rd_worker_new(ks);
    rd_conn *c = rd_conn_new(w);
    uint64_t ops = 0;
    for (int b = 0; !atomic_load_explicit(&stop_flag, memory_order_relaxed); b = (b + 1) % BATCHES) {
        const char *out;
        size_t len;
        rd_conn_feed(c, batches + off[b], off[b + 1] - off[b]);
        if (rd_conn_run(c) != RD_OK) {
            fprintf(stderr, "rd_conn_run failed\n");
            exit(1);
        }
        rd_conn_output(c, &out, &len);
        rd_conn_consume_output(c, len);
        ops += PIPELINE;
    }
    rd_conn_free(c);
    rd_worker_free(w);
    free(batches);
    free(off);
    return ops;
}

static void *worker(void *arg) {
    job *j = arg;
    uint64_t rng = 0x9e3779b97f4a7c15ULL * (j->seed + 1), ops = 0, sink = 0;
    rd_buf *out = rd_buf_new();
    char key[32];
    double cpu0 = thread_cpu_s();
    if (j->test == T_CONN_GET || j->test == T_CONN_SET) {
        j->ops = run_conn(j, &rng);
        j->cpu = thread_cpu_s() - cpu0;
        rd_buf_free(out);
        return NULL;
    }
    while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
        int64_t now = rd_now_ms();
        for (int i = 0; i < 1024; i++) {
            int kl = make_key(key, (long)(xorshift(&rng) % (uint64_t)nkeys));
            switch (j->test) {
            case T_HASH: sink += siphash13(key, (size_t)kl, 1, 2); break;
            case T_GET:
                rd_buf_clear(out);
                ks_get(ks, key, (size_t)kl, now, resp_bulk_sink, out);
                break;
            default:
                ks_set(ks, key, (size_t)kl, "xxx", 3, 0, 0, now, NULL, NULL, NULL);
                break;
            }
        }
        ops += 1024;
    }
    j->ops = ops;
    j->cpu = thread_cpu_s() - cpu0;
    hash_sink += sink; /* keeps the hash loop from being optimised away */
    rd_buf_free(out);
    return NULL;
}

static void run(test_id t, int threads) {
    pthread_t tid[16];
    job jobs[16];
    atomic_store(&stop_flag, 0);
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        jobs[i] = (job){t, (unsigned)i, 0, 0};
        pthread_create(&tid[i], NULL, worker, &jobs[i]);
    }
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&stop_flag, 1);
    uint64_t total = 0;
    double cpu = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        total += jobs[i].ops;
        cpu += jobs[i].cpu;
    }
    double el = now_s() - t0;
    printf("%-9s %d thread%s  %11.0f ops/s per thread  %11.0f ops/s total  %11.0f ops per CPU-second"
           "  (%llu ops)\n", test_names[t], threads, threads == 1 ? " " : "s", (double)total / el / threads,
           (double)total / el, cpu > 0 ? (double)total / cpu : 0.0, (unsigned long long)total);
    fflush(stdout);
}

/* Is name one of the comma-separated names in list? */
static int name_listed(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1) seconds = atof(argv[1]);
    if (argc > 2) nkeys = atol(argv[2]);
    const char *only = argc > 3 ? argv[3] : NULL;
    int max_threads = argc > 4 ? atoi(argv[4]) : 4;
    if (max_threads < 1 || max_threads > 16) max_threads = 4;
    ks = rd_keyspace_new(0);
    double t0 = now_s();
    char key[32];
    for (long i = 0; i < nkeys; i++) {
        int kl = make_key(key, i);
        rd_ks_set(ks, key, (size_t)kl, "xxx", 3, 0, 0, NULL, NULL);
    }
    uint64_t st[RD_KS_NSTATS];
    rd_ks_stats(ks, st, RD_KS_NSTATS);
    printf("loaded %ld keys in %.2f s; used_memory %.1f B/key\n", nkeys, now_s() - t0,
           (double)st[RD_KS_USED_MEMORY] / (double)nkeys);
    for (test_id t = 0; t < T_COUNT; t++) {
        if (only && !name_listed(only, test_names[t])) continue;
        for (int threads = 1; threads <= max_threads; threads *= 2) run(t, threads);
    }
    rd_keyspace_free(ks);
    return 0;
}
