/* tracking.h: client-side caching's hooks for the layers below the connections (the keyspace's
 * write and expiry paths, FLUSHALL, the gate's release), and what conn.c tells it.  The table,
 * the clients and the delivery live in tracking.c (docs/LOCKING.md).
 *
 * Rules: the keyspace only notes a changed key in this thread's list (trk_note, under its
 * shard lock: no lock taken, one relaxed load while nobody tracks); the list is turned into
 * invalidations when the thread's outermost gate hold ends (trk_after_gate), with no shard lock
 * held.  FLUSHALL's null invalidations and table reset run inside its exclusive hold.
 */
#ifndef REDISTILL_TRACKING_H
#define REDISTILL_TRACKING_H

#include "platform.h"

#include <stdatomic.h>
#include <stddef.h>
#include "redistill.h"

/* Nonzero while some client tracks (any mode): the only thing a write reads while none does. */
extern _Atomic int trk_live;
/* This thread noted changed keys not yet turned into invalidations. */
extern _Thread_local int trk_tl_pending;

__attribute__((cold)) void trk_note(const char *key, size_t klen, int expired);
void trk_flush(void);

/* A key expired (lazily or actively). */
static inline void trk_key_expired(const char *key, size_t klen) {
    if (__builtin_expect(atomic_load_explicit(&trk_live, memory_order_relaxed), 0)) trk_note(key, klen, 1);
}

/* The thread's outermost gate hold ended: its noted keys' invalidations go out. */
static inline void trk_after_gate(void) {
    if (trk_tl_pending) trk_flush();
}

/* FLUSHALL / FLUSHDB (under the gate exclusive): a null invalidation to every tracking client,
 * and the table emptied. */
void trk_flushed(void);

/* One client's record (tracking.c): made when its connection is (tracking_conn.c), in the id map
 * until trk_client_free, which conn.c calls before the connection's inbox (ps) goes. */
typedef struct trk_client trk_client;
struct ps_client;
trk_client *trk_client_new(uint64_t id, const rd_conn *c, struct ps_client *ps);
void trk_client_free(trk_client *t);
/* A reply was appended to the client's output: the invalidations of its own command follow it, as
 * Redis's pending keys.  0, or -1 when out of memory.  Owner thread. */
int trk_after_reply(trk_client *t, rd_buf *out);
/* rd_trk_enable / disable / flags / remember on a client's record. */
rd_status trk_enable(trk_client *t, int flags, uint64_t redirect, int n, const char **pfx, const size_t *plen);
void trk_disable(trk_client *t);
int trk_flags(trk_client *t);
rd_status trk_remember(trk_client *t, int n, const char **k, const size_t *klen);
/* The fast path's part: the key positions of read-only command i (rd_fast_command's order): 1 with
 * them (first -1: they follow a numkeys argument), 0 when it reads no key; and whether t tracks in
 * the plain mode (no BCAST, OPTIN, OPTOUT), which the fast path serves.  Owner thread. */
int trk_read_keys(int i, int *first, int *last, int *step);
int trk_plain(const trk_client *t);
/* conn.c's flag: c tracks in the plain mode (its fast reads remember their keys). */
void conn_set_trk_fast(rd_conn *c, int on);
/* conn.c's slot for the connection's record (owner thread). */
trk_client **conn_trk(rd_conn *c);

#endif
