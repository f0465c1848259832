/* zadd_cost.c: redis-benchmark's ZADD cell (-P 16, -r 10000: a random score for a random one of 10,000
 * members, so nearly every ZADD re-scores a member) fed to rd_conn_feed/rd_conn_run; no sockets, no
 * Python.  Its cost is memory behaviour (skiplist searches), so price it with cachegrind, twice, and
 * subtract (warm-up only, then warm-up + measured batches):
 *
 *   gcc -O2 -g -std=c11 -D_GNU_SOURCE -Icsrc perf/zadd_cost.c $(ls csrc/[a-z]*.c) -lpthread -lm -o /tmp/zc
 *   valgrind --tool=cachegrind --cache-sim=yes --LL=524288,8,64 /tmp/zc 2000 0
 *   valgrind --tool=cachegrind --cache-sim=yes --LL=524288,8,64 /tmp/zc 2000 4000
 *
 * (difference / (4000 * 16) = per ZADD; --LL=512 KB stands in for this machine's per-core L2.)
 */
#include <stdio.h>
#include <stdlib.h>

#include "redistill.h"

#define NB 4096 /* distinct pre-built batches, so building them costs nothing while measuring */

static char bufs[NB][1400];
static size_t lens[NB];
static unsigned long long seed = 88172645463325252ULL;

static unsigned rnd10000(void) { /* xorshift64: the same batches on every run */
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % 10000);
}

int main(int argc, char **argv) {
    long warm = argc > 1 ? atol(argv[1]) : 2000, batches = argc > 2 ? atol(argv[2]) : 2000;
    for (int b = 0; b < NB; b++)
        for (int i = 0; i < 16; i++)
            lens[b] += (size_t)sprintf(bufs[b] + lens[b],
                                       "*4\r\n$4\r\nZADD\r\n$6\r\nmyzset\r\n$12\r\n%012u\r\n$20\r\nelement:%012u\r\n",
                                       rnd10000(), rnd10000());
    rd_keyspace *ks = rd_keyspace_new(1);
    if (!ks) return 1;
    rd_worker *w = rd_worker_new(ks);
    rd_conn *c = rd_conn_new(w);
    for (long i = 0; i < warm + batches; i++) {
        const char *out;
        size_t n;
        rd_conn_feed(c, bufs[i % NB], lens[i % NB]);
        rd_conn_run(c);
        rd_conn_output(c, &out, &n);
        rd_conn_consume_output(c, n);
    }
    rd_conn_free(c);
    rd_worker_free(w);
    rd_keyspace_free(ks);
    return 0;
}
