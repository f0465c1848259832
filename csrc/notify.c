/* notify.c: keyspace notifications (Redis's notify.c): `__keyspace@0__:<key>` with the event
 * and `__keyevent@0__:<event>` with the key, published through the Pub/Sub registry. */
#include "notify.h"

#include <stdlib.h>
#include <string.h>
#include "pubsub.h"

_Atomic int notify_classes;
_Thread_local rd_buf *notify_self;

void rd_notify_set_flags(int flags) {
    /* Without K or E no channel is ever written to: keep the hot-path test at 0. */
    int on = (flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) ? flags : 0;
    atomic_store_explicit(&notify_classes, on, memory_order_relaxed);
}

/* Publishes msg on prefix + name (a stack buffer when it fits). */
static void publish(const char *prefix, const char *name, size_t n, const char *msg, size_t m) {
    char stack[256], *ch = stack;
    size_t plen = strlen(prefix);
    if (plen + n > sizeof stack && !(ch = malloc(plen + n))) return;
    memcpy(ch, prefix, plen);
    memcpy(ch + plen, name, n);
    ps_publish(0, ch, plen + n, msg, m, notify_self, notify_self);
    if (ch != stack) free(ch);
}

void notify_fire(int type, const char *event, const char *key, size_t klen) {
    int on = atomic_load_explicit(&notify_classes, memory_order_relaxed);
    size_t elen = strlen(event);
    if (!(on & type)) return;
    if (on & NOTIFY_KEYSPACE) publish("__keyspace@0__:", key, klen, event, elen);
    if (on & NOTIFY_KEYEVENT) publish("__keyevent@0__:", event, elen, key, klen);
}

void rd_notify(int type, const char *event, const char *key, size_t klen) { notify(type, event, key, klen); }
