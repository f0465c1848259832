/* pubsub_conn.c: Pub/Sub's connection side, above conn.c: (UN)SUBSCRIBE on an rd_conn (its
 * ps_client made at the first SUBSCRIBE), PUBLISH from a named connection, and the owner worker's
 * delivery, which writes the sockets and drops a subscriber over the pubsub output limit.
 *
 * The registry and every lock are pubsub.c's (pubsub_reg.h); this file holds none of them.
 */
#include "pubsub_reg.h"

#include <stdatomic.h>

/* c's subscriber, made at its first SUBSCRIBE (owner thread: the slot is the connection's). */
static ps_client *client_of(rd_conn *c, int fd, int c_writes) {
    ps_client **slot = conn_ps(c);
    if (!*slot) *slot = ps_client_new(c, conn_worker(c), conn_out(c), fd, c_writes, conn_resp(c));
    return *slot;
}

rd_status rd_ps_subscribe(rd_conn *c, int fd, int c_writes, int kind, const char *name, size_t n,
                          rd_buf *out) {
    if (!ps_kind_ok(kind)) return RD_NOT_FOUND;
    ps_client *s = client_of(c, fd, c_writes);
    return s ? ps_subscribe(s, kind, name, n, conn_resp(c), out) : RD_ERR_NOMEM;
}

rd_status rd_ps_unsubscribe(rd_conn *c, int kind, const char *name, size_t n, rd_buf *out) {
    if (!ps_kind_ok(kind)) return RD_NOT_FOUND;
    return ps_unsubscribe(*conn_ps(c), kind, name, n, conn_resp(c), out);
}

rd_status rd_ps_unsubscribe_all(rd_conn *c, int kind, rd_buf *out) {
    if (!ps_kind_ok(kind)) return RD_NOT_FOUND;
    return ps_unsubscribe_all(*conn_ps(c), kind, conn_resp(c), out);
}

int64_t rd_ps_client_count(rd_conn *c, int kind) {
    ps_client *s = *conn_ps(c);
    if (!s || !ps_kind_ok(kind)) return 0;
    return s->subs[kind].n; /* written only by this thread (the owner) */
}

int64_t rd_ps_publish(rd_conn *self, int shard, const char *ch, size_t n, const char *msg, size_t m,
                      rd_buf *self_out) {
    return ps_publish(shard, ch, n, msg, m, self ? conn_out(self) : NULL, self_out);
}

int rd_ps_over_limit(rd_conn *c) {
    ps_client *s = *conn_ps(c);
    if (!s || !ps_over_limits(s, conn_unsent(c))) return 0;
    ps_count_limit_drop();
    return 1;
}

/* The inbox moved into the output (owner thread): written, and judged against the limits. */
static int deliver_one(ps_client *s) {
    int st = s->doverflow ? RD_CLOSE : conn_send_pushed(s->c, s->c_writes ? s->fd : -1);
    if (s->doverflow || (st != RD_CLOSE && ps_over_limits(s, conn_unsent(s->c)))) {
        st = conn_drop_over_limit(s->c);
        ps_count_limit_drop();
    }
    atomic_store_explicit(&s->unsent, conn_unsent(s->c), memory_order_relaxed);
    return st;
}

int ps_worker_deliver(rd_worker *w, int *fds, int *status, int max) {
    int out = 0;
    for (ps_client *s = ps_worker_take(w, max), *next; s; s = next) {
        next = s->dnext;
        int st = deliver_one(s);
        if (st != RD_OK && out < max) {
            fds[out] = s->fd;
            status[out] = st;
            out++;
        }
    }
    return out;
}

int rd_worker_deliver(rd_worker *w, int *fds, int *status, int max) {
    return ps_worker_deliver(w, fds, status, max);
}
