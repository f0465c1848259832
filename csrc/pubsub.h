/* pubsub.h: the Pub/Sub registry (pubsub.c, below the command handlers), its delivery
 * (pubsub_conn.c, above conn.c), and what the delivery needs of a connection (conn.c).
 *
 * Rules: the registry is under pubsub.c's reg_lock; a subscriber's inbox under its worker's ps_mu,
 * always taken inside reg_lock (docs/LOCKING.md).  Only the owner worker moves an inbox into its
 * connection's output (ps_worker_deliver).
 */
#ifndef REDISTILL_PUBSUB_H
#define REDISTILL_PUBSUB_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "redistill.h"

typedef struct ps_client ps_client;

/* PUBLISH / SPUBLISH: the message to every subscriber (and, not shard, every matching pattern);
 * the number of receivers.  A receiver whose output buffer is self_key (the publishing connection
 * on the fast path) gets its push in self_out at once, before the reply, as Redis writes it. */
long long ps_publish(int shard, const char *ch, size_t n, const char *msg, size_t m,
                     const rd_buf *self_key, rd_buf *self_out);
/* A connection is freed: out of the registry and off its worker's pending list. */
void ps_client_free(ps_client *s);
/* HELLO changed the connection's protocol: its next messages follow it. */
void ps_client_set_resp(ps_client *s, int resp);
/* The worker's eventfd fired: moves its subscribers' inboxes into their outputs (at most max of
 * them; the rest wait for the next wake-up) and writes them; those Python must see (output
 * still pending, or closed over the pubsub output limit) go to fds/status.  Owner thread. */
int ps_worker_deliver(rd_worker *w, int *fds, int *status, int max);
int ps_worker_init(rd_worker *w);
void ps_worker_destroy(rd_worker *w);

/* conn.c's side, for pubsub_conn.c (owner thread). */
ps_client **conn_ps(rd_conn *c);
rd_worker *conn_worker(rd_conn *c);
rd_buf *conn_out(rd_conn *c);
int conn_resp(const rd_conn *c);
/* Unsent output bytes. */
size_t conn_unsent(const rd_conn *c);
/* Output just appended outside a batch: written when fd >= 0 (C owns the socket); RD_OK when all
 * of it is out, RD_NEED_MORE when some is still pending, RD_CLOSE when the connection broke. */
int conn_send_pushed(rd_conn *c, int fd);
/* Over the pubsub output limit: the output is dropped and the connection closes (RD_CLOSE). */
int conn_drop_over_limit(rd_conn *c);

#endif
