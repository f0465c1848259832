/* notify.h: keyspace notifications (notify.c), Redis's notifyKeyspaceEvent.
 *
 * A write calls notify() where Redis calls notifyKeyspaceEvent, with the same class and event
 * name, in the same order.  With notify-keyspace-events off (the default) that is one relaxed
 * load and a branch; the message goes through the Pub/Sub registry (ps_publish), so subscribers
 * on every worker get it (docs/LOCKING.md: it may run under shard locks).
 */
#ifndef REDISTILL_NOTIFY_H
#define REDISTILL_NOTIFY_H

#include "platform.h"

#include <stdatomic.h>
#include <stddef.h>
#include "buf.h"
#include "redistill.h"

/* The classes: Redis's NOTIFY_* bits (server.h), also what rd_notify_set_flags takes. */
enum {
    NOTIFY_KEYSPACE = 1 << 0, /* K */
    NOTIFY_KEYEVENT = 1 << 1, /* E */
    NOTIFY_GENERIC = 1 << 2,  /* g */
    NOTIFY_STRING = 1 << 3,   /* $ */
    NOTIFY_LIST = 1 << 4,     /* l */
    NOTIFY_SET = 1 << 5,      /* s */
    NOTIFY_HASH = 1 << 6,     /* h */
    NOTIFY_ZSET = 1 << 7,     /* z */
    NOTIFY_EXPIRED = 1 << 8,  /* x */
    NOTIFY_EVICTED = 1 << 9,  /* e */
    NOTIFY_STREAM = 1 << 10,  /* t */
    NOTIFY_KEY_MISS = 1 << 11, /* m */
    NOTIFY_MODULE = 1 << 13,  /* d (no modules here: never fired) */
    NOTIFY_NEW = 1 << 14      /* n */
};

/* The classes on, with K and/or E (0 when neither: nothing can be published). */
extern _Atomic int notify_classes;

/* The output of the client whose command runs on this thread: its own events go there at once,
 * before its reply, as Redis writes them (a subscribed RESP3 client, or rd_ps_enter's).  Set by
 * the outermost entry that runs commands (a fast-path batch, rd_exec, a script) and kept by the
 * nested ones (a script's redis.call must not get pushes in its reply). */
extern _Thread_local rd_buf *notify_self;

static inline rd_buf *notify_self_enter(rd_buf *out) {
    rd_buf *prev = notify_self;
    if (!prev) notify_self = out;
    return prev;
}

static inline void notify_self_leave(rd_buf *prev) { notify_self = prev; }

/* Cold: off the hot paths' straight line, so a call site costs them a load and a branch. */
void notify_fire(int type, const char *event, const char *key, size_t klen) __attribute__((cold));

/* Any class on: a hot call site that fires several events tests this once. */
static inline int notify_enabled(void) {
    return __builtin_expect(atomic_load_explicit(&notify_classes, memory_order_relaxed) != 0, 0);
}

/* notifyKeyspaceEvent(type, event, key): publishes when the class is on.  Any thread, any lock. */
static inline void notify(int type, const char *event, const char *key, size_t klen) {
    if (__builtin_expect(atomic_load_explicit(&notify_classes, memory_order_relaxed) & type, 0))
        notify_fire(type, event, key, klen);
}

#endif
