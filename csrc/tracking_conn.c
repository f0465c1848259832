/* tracking_conn.c: client-side caching's connection side, above conn.c: a connection's record made
 * at its creation (with the inbox its invalidations arrive through) and the rd_trk_* calls Python
 * makes for CLIENT TRACKING and a tracking client's reads.  The tables and every lock are
 * tracking.c's (docs/LOCKING.md); this file only maps a connection to its record.
 */
#include "pubsub_reg.h"
#include "tracking.h"

rd_status rd_trk_attach(rd_conn *c, uint64_t id, int fd, int c_writes) {
    ps_client **slot = conn_ps(c);
    if (!*slot) *slot = ps_client_new(c, conn_worker(c), conn_out(c), fd, c_writes, conn_resp(c));
    if (!*slot) return RD_ERR_NOMEM;
    trk_client *t = trk_client_new(id, c, *slot);
    if (!t) return RD_ERR_NOMEM;
    *conn_trk(c) = t;
    return RD_OK;
}

rd_status rd_trk_enable(rd_conn *c, int flags, uint64_t redirect, int n, const char **prefixes,
                        const size_t *plens) {
    trk_client *t = *conn_trk(c);
    if (!t) return RD_ERR_NOMEM;
    rd_status st = trk_enable(t, flags, redirect, n, prefixes, plens);
    conn_set_trk_fast(c, trk_plain(t));
    return st;
}

void rd_trk_disable(rd_conn *c) {
    trk_client *t = *conn_trk(c);
    conn_set_trk_fast(c, 0);
    if (t) trk_disable(t);
}

int rd_trk_flags(rd_conn *c) {
    trk_client *t = *conn_trk(c);
    return t ? trk_flags(t) : 0;
}

rd_status rd_trk_flush_self(rd_conn *c) {
    trk_client *t = *conn_trk(c);
    return t && trk_after_reply(t, conn_out(c)) < 0 ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_trk_remember(rd_conn *c, int n, const char **keys, const size_t *klens) {
    trk_client *t = *conn_trk(c);
    return t ? trk_remember(t, n, keys, klens) : RD_ERR_NOMEM;
}
