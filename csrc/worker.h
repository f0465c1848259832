/* worker.h: a worker's shared state (counters, argv scratch, fd table), for conn.c and worker.c.
 *
 * Rules: a worker belongs to one thread; other threads only read its counters
 * (relaxed atomics, one writer: counter_add).
 */
#ifndef REDISTILL_WORKER_H
#define REDISTILL_WORKER_H

#include "fastpath.h"
#include "gate.h"
#include "redistill.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define ARGS_KEEP 1024 /* argv scratch kept by a worker between frames */

struct rd_worker {
    rd_keyspace *ks;
    ks_gate *gate;
    _Atomic uint64_t stats[RD_W_NSTATS];
    _Atomic uint64_t calls[FP_MAX_COMMANDS]; /* fast-path calls per command (INFO commandstats) */
    _Atomic uint64_t failed[FP_MAX_COMMANDS]; /* ... of which replied an error (WRONGTYPE, OOM...) */
    _Atomic uint64_t errors[RD_STATUS_COUNT]; /* fast-path error replies per status (errorstats) */
    const char **argv; /* fast-path scratch shared by the worker's connections */
    size_t *argl;
    int argcap;
    rd_conn **by_fd;   /* rd_worker_poll: the attached connection of each fd, or NULL */
    int nfds;
    /* Pub/Sub delivery (pubsub.c): other threads queue messages under ps_mu and write ps_fd,
     * an eventfd in this worker's epoll set, once per burst (ps_signalled). */
    int ps_fd;
    pthread_mutex_t ps_mu;
    struct ps_client *ps_pending; /* subscribers with a non-empty inbox (or over the limit) */
    int ps_signalled;
    int epfd;          /* the last rd_worker_poll's: a busy script's hook serves it (conn.c) */
    int nlater;        /* events served during a busy script that Python must still see */
    int later_fd[64];
    uint32_t later_ev[64];
    int later_st[64];
};

/* The worker whose rd_worker_poll runs on this thread (NULL on other threads). */
extern _Thread_local rd_worker *worker_here;

/* Owner thread only: a plain add published with a relaxed store (one writer, no RMW cost). */
static inline void counter_add(_Atomic uint64_t *counter, uint64_t n) {
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline void stat_add(rd_worker *w, int i, uint64_t n) {
    if (n) counter_add(&w->stats[i], n);
}

/* w->argv/argl hold at least argc entries: 0, or -1 when out of memory. */
static inline int worker_args(rd_worker *w, int argc) {
    if (argc <= w->argcap) return 0;
    int cap = argc < 16 ? 16 : argc;
    const char **v = realloc(w->argv, (size_t)cap * sizeof *v);
    if (v) w->argv = v;
    size_t *l = realloc(w->argl, (size_t)cap * sizeof *l);
    if (l) w->argl = l;
    if (!v || !l) return -1;
    w->argcap = cap;
    return 0;
}

/* After a frame wider than ARGS_KEEP the scratch is given back, as the parser
 * gives back its argv: one 3M-argument DEL must not pin 48 MB per worker. */
static inline void worker_args_shrink(rd_worker *w) {
    if (w->argcap <= ARGS_KEEP) return;
    free(w->argv);
    free(w->argl);
    w->argv = NULL;
    w->argl = NULL;
    w->argcap = 0;
}

#endif
