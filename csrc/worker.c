/* worker.c: a worker's lifetime, counters and argv scratch, and the event loop's fast lane
 * (rd_worker_poll serves readable connections in C so Python wakes only when it has work).
 *
 * Rules:
 *  1. A worker and its connections belong to one thread; only its counters are
 *     read from elsewhere (relaxed atomics, one writer).
 *  2. An fd is attached to at most one connection; rd_worker_detach before the fd closes.
 */
#include "worker.h"

#include "ksapi.h"
#include "pubsub.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

/* ---- workers ---------------------------------------------------------------- */

rd_worker *rd_worker_new(rd_keyspace *ks) {
    rd_worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->ks = ks;
    w->gate = ks_gate_of(ks);
    if (ps_worker_init(w) < 0) {
        free(w);
        return NULL;
    }
    for (int i = 0; i < RD_W_NSTATS; i++) atomic_init(&w->stats[i], 0);
    for (int i = 0; i < FP_MAX_COMMANDS; i++) {
        atomic_init(&w->calls[i], 0);
        atomic_init(&w->failed[i], 0);
    }
    for (int i = 0; i < RD_STATUS_COUNT; i++) atomic_init(&w->errors[i], 0);
    return w;
}

void rd_worker_free(rd_worker *w) {
    if (!w) return;
    ps_worker_destroy(w);
    free(w->by_fd);
    free(w->argv);
    free(w->argl);
    free(w);
}

rd_status rd_worker_stats(rd_worker *w, uint64_t *out, size_t n) {
    for (size_t i = 0; i < n && i < RD_W_NSTATS; i++)
        out[i] = atomic_load_explicit(&w->stats[i], memory_order_relaxed);
    return RD_OK;
}

static uint64_t load(_Atomic uint64_t *counter) {
    return atomic_load_explicit(counter, memory_order_relaxed);
}

rd_status rd_worker_command_calls(rd_worker *w, uint64_t *calls, uint64_t *failed, size_t n) {
    for (size_t i = 0; i < n; i++) {
        calls[i] = i < FP_MAX_COMMANDS ? load(&w->calls[i]) : 0;
        failed[i] = i < FP_MAX_COMMANDS ? load(&w->failed[i]) : 0;
    }
    return RD_OK;
}

rd_status rd_worker_error_counts(rd_worker *w, uint64_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = i < RD_STATUS_COUNT ? load(&w->errors[i]) : 0;
    return RD_OK;
}

/* ---- the event loop's fast lane ---------------------------------------------- */

#define POLL_MAX 256 /* events taken per epoll_wait */

rd_status rd_worker_attach(rd_worker *w, int fd, rd_conn *c) {
    if (fd < 0) return RD_NOT_FOUND;
    if (fd >= w->nfds) {
        int n = fd + 1 > w->nfds * 2 ? fd + 1 : w->nfds * 2;
        rd_conn **t = realloc(w->by_fd, (size_t)n * sizeof *t);
        if (!t) return RD_ERR_NOMEM;
        memset(t + w->nfds, 0, (size_t)(n - w->nfds) * sizeof *t);
        w->by_fd = t;
        w->nfds = n;
    }
    w->by_fd[fd] = c;
    return RD_OK;
}

void rd_worker_detach(rd_worker *w, int fd, rd_conn *c) {
    if (fd >= 0 && fd < w->nfds && w->by_fd[fd] == c) w->by_fd[fd] = NULL;
}

/* A readable attached connection is served right here (rd_conn_io); only what
 * Python must see is reported: other fds, write events, and connections whose
 * io did not end in RD_OK (with that status, so Python does not read again). */
static int64_t mono_ms(void) { return clock_mono_us() / 1000; }

/* Serves one epoll_wait's events; returns those left for Python. */
static int poll_once(rd_worker *w, int epfd, int timeout_ms, int *fds, uint32_t *events,
                     int *status, int max) {
    struct epoll_event evs[POLL_MAX];
    int n = epoll_wait(epfd, evs, max, timeout_ms), out = 0;
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        uint32_t ev = evs[i].events;
        rd_conn *c = fd >= 0 && fd < w->nfds ? w->by_fd[fd] : NULL;
        int st = -1;
        if (fd == w->ps_fd) { /* Pub/Sub messages from any thread: delivered here, in C */
            int got = ps_worker_deliver(w, fds + out, status + out, max - out - (n - i - 1));
            for (int j = out; j < out + got; j++) events[j] = EPOLLIN;
            out += got;
            continue;
        }
        if (c && (ev & EPOLLIN) && !(ev & EPOLLOUT)) {
            st = (int)rd_conn_io(c, fd, 1);
            if (st == RD_OK) continue;
        }
        fds[out] = fd;
        events[out] = ev;
        status[out] = st;
        out++;
    }
    /* All served here: -2 asks the caller to wait again (0 would read as a timeout). */
    return n > 0 && out == 0 ? -2 : out;
}

/* Waits again while every event was served in C, so Python (the GIL, its loop,
 * its timers) runs only when it has something to do or the timeout is up. */

int rd_worker_poll(rd_worker *w, int epfd, int timeout_ms, int *fds, uint32_t *events, int *status,
                   int max) {
    int64_t deadline = timeout_ms > 0 ? mono_ms() + timeout_ms : 0;
    if (max > POLL_MAX) max = POLL_MAX;
    worker_here = w;
    w->epfd = epfd;
    if (w->nlater) { /* served while a script was busy (conn.c: worker_serve_busy) */
        int n = w->nlater < max ? w->nlater : max;
        for (int i = 0; i < n; i++) fds[i] = w->later_fd[i], events[i] = w->later_ev[i], status[i] = w->later_st[i];
        memmove(w->later_fd, w->later_fd + n, (size_t)(w->nlater - n) * sizeof w->later_fd[0]);
        memmove(w->later_ev, w->later_ev + n, (size_t)(w->nlater - n) * sizeof w->later_ev[0]);
        memmove(w->later_st, w->later_st + n, (size_t)(w->nlater - n) * sizeof w->later_st[0]);
        w->nlater -= n;
        return n;
    }
    for (;;) {
        int out = poll_once(w, epfd, timeout_ms, fds, events, status, max);
        if (out != -2) return out;
        if (timeout_ms == 0) return 0;
        if (timeout_ms > 0 && (timeout_ms = (int)(deadline - mono_ms())) <= 0) return 0;
    }
}
