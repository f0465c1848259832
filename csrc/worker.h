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

#include <stdatomic.h>

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
int worker_args(rd_worker *w, int argc);
/* After a frame wider than ARGS_KEEP the scratch is given back. */
void worker_args_shrink(rd_worker *w);

#endif
