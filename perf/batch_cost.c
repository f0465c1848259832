/* batch_cost.c: CPU cost of one fast-path batch (16 pipelined SET or GET through rd_conn_feed/rd_conn_run),
 * on 1 and on 2 threads sharing one keyspace; no sockets, no Python, so the number moves only with the C.
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Icsrc perf/batch_cost.c $(ls csrc/[a-z]*.c) -lpthread -o /tmp/bc
 *   /tmp/bc
 *
 * Prints the best of 7 rounds (thread CPU time per batch).  To price a change to the batch loop (the
 * transactions gate, say), build it from both trees and run them one after the other.
 *
 *   /tmp/bc acl      the same batches, the connection's user limited to ~key:* +get +set (the fast
 *                    path's ACL check: a bit and a key pattern per command, csrc/acl.c)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "redistill.h"

#define ROUNDS 7
#define BATCHES 200000

static rd_keyspace *ks;
static rd_acl *acl; /* "acl" mode: the restricted user's handle, else NULL (the open default) */

static double cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* 16 SETs (or GETs) of keys of this thread's own range. */
static size_t make_batch(char *buf, int get, int id) {
    size_t n = 0;
    for (int i = 0; i < 16; i++)
        n += (size_t)(get ? sprintf(buf + n, "*2\r\n$3\r\nGET\r\n$8\r\nkey:%04d\r\n", i + 16 * id)
                          : sprintf(buf + n, "*3\r\n$3\r\nSET\r\n$8\r\nkey:%04d\r\n$3\r\nxxx\r\n",
                                    i + 16 * id));
    return n;
}

static void *run(void *arg) {
    int id = (int)(long)arg;
    rd_worker *w = rd_worker_new(ks);
    rd_conn *c = rd_conn_new(w);
    char buf[2048];
    if (acl) rd_conn_set_acl(c, acl);
    for (int get = 0; get < 2; get++) {
        size_t len = make_batch(buf, get, id);
        double best = 1e18;
        for (int r = 0; r < ROUNDS; r++) {
            double t0 = cpu_ns();
            for (int i = 0; i < BATCHES; i++) {
                const char *out;
                size_t n;
                rd_conn_feed(c, buf, len);
                rd_conn_run(c);
                rd_conn_output(c, &out, &n);
                rd_conn_consume_output(c, n);
            }
            double per = (cpu_ns() - t0) / BATCHES;
            if (per < best) best = per;
        }
        printf("thread %d: %s %.0f ns per batch of 16\n", id, get ? "GET" : "SET", best);
    }
    rd_conn_free(c);
    rd_worker_free(w);
    return NULL;
}

/* The user of `~key:*` `+get` `+set`: their bits, and their key positions (Python sets them at start). */
static rd_acl *restricted_user(void) {
    unsigned char bits[20] = {0};
    const char *name;
    int arity;
    for (int i = 0; rd_fast_command(i, &name, &arity) == RD_OK; i++) {
        if (strcmp(name, "get") && strcmp(name, "set")) continue;
        bits[i / 8] |= (unsigned char)(1u << (i % 8));
        rd_cluster_command_keys(i, 1, 1, 1);
    }
    rd_acl *a = rd_acl_new();
    if (a) rd_acl_update(a, 0, bits, sizeof bits, 0, "key:*", 6);
    return a;
}

int main(int argc, char **argv) {
    pthread_t t[2];
    ks = rd_keyspace_new(1);
    if (!ks) return 1;
    if (argc > 1 && !strcmp(argv[1], "acl")) {
        acl = restricted_user();
        puts("(user limited to ~key:* +get +set)");
    }
    puts("-- 1 thread");
    run((void *)0);
    puts("-- 2 threads");
    for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, run, (void *)i);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    rd_acl_release(acl);
    rd_keyspace_free(ks);
    return 0;
}
