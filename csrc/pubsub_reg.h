/* pubsub_reg.h: what the registry (pubsub.c) lends the connection side (pubsub_conn.c), which sits
 * above conn.c while the registry sits below the command handlers.  Only these two files and
 * tracking.c (client-side caching's delivery) include it.
 *
 * Every lock (reg_lock, a worker's ps_mu) is taken inside pubsub.c; pubsub_conn.c only maps a
 * connection to its ps_client and writes the sockets (docs/LOCKING.md).
 */
#ifndef REDISTILL_PUBSUB_REG_H
#define REDISTILL_PUBSUB_REG_H

#include "pubsub.h"

enum { K_CHANNEL, K_PATTERN, K_SHARD, K_KINDS };

typedef struct ps_list {
    struct ps_chan **v;
    int n, cap;
} ps_list;

struct ps_client {
    rd_conn *c;
    rd_worker *w;
    rd_buf *out; /* the connection's output buffer: identifies the publisher itself */
    int fd;      /* the socket (Python's selector key) */
    int c_writes; /* C writes the socket itself (not TLS) */
    _Atomic int resp;
    ps_list subs[K_KINDS]; /* under reg_lock */
    /* under w->ps_mu */
    rd_buf inbox;
    ps_client *next;  /* on w->ps_pending */
    int queued;
    int overflow;     /* over the hard limit: closes at delivery */
    /* owner thread */
    ps_client *dnext; /* the delivery walk */
    int doverflow;    /* overflow, as the walk took it */
    _Atomic size_t unsent; /* the output still unsent after the last delivery */
    int64_t soft_since;    /* the second the output went over the soft limit, 0 = under it */
};

/* Client-side caching (tracking.c, whose trk_lock keeps s alive): a message queued for s's
 * worker to deliver, and whether s is in Pub/Sub mode (any subscription).  Any thread. */
void ps_push(ps_client *s, const rd_buf *msg);
int ps_subscribed(ps_client *s);
static inline int ps_kind_ok(int kind) { return kind >= 0 && kind < K_KINDS; }

/* A new subscriber for connection c (not yet in any table); NULL when out of memory. */
ps_client *ps_client_new(rd_conn *c, rd_worker *w, rd_buf *out, int fd, int c_writes, int resp);
/* (UN)SUBSCRIBE on the registry, each confirmation written to out in protocol resp; s may be NULL
 * (never subscribed) for the unsubscribes.  RD_ERR_NOMEM when out of memory. */
rd_status ps_subscribe(ps_client *s, int kind, const char *name, size_t n, int resp, rd_buf *out);
rd_status ps_unsubscribe(ps_client *s, int kind, const char *name, size_t n, int resp, rd_buf *out);
rd_status ps_unsubscribe_all(ps_client *s, int kind, int resp, rd_buf *out);
/* Owner thread: takes up to max of w's pending subscribers under ps_mu, each inbox moved into its
 * output (the walk, through dnext); wakes w again when some are left. */
ps_client *ps_worker_take(rd_worker *w, int max);
/* The pubsub class's limits on what a delivery left unsent (owner thread), and one drop counted. */
int ps_over_limits(ps_client *s, size_t unsent);
void ps_count_limit_drop(void);

#endif
