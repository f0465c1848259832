/* watch.h: WATCH's registry of watched keys (watch.c) and the keyspace hook it runs under. */
#ifndef REDISTILL_WATCH_H
#define REDISTILL_WATCH_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>
#include "redistill.h"

/* A watched key: one node per key some client WATCHes, in its shard's list,
 * guarded by the shard lock like the entries. */
typedef struct watch_node watch_node;

/* Bumps the version of key's node in `list`, if it has one (shard lock held). */
void watch_touch(watch_node *list, const char *key, size_t klen);
void watch_free_all(watch_node *list);

/* One WATCH operation on a key, run under its shard's lock: watch_add registers it (returns 0;
 * op->version and op->live then hold what EXEC compares), watch_drop unregisters it (-1 when it
 * was not registered), watch_check compares (0 intact, 1 changed, -1 not registered). */
typedef struct watch_op {
    const char *key;
    size_t klen;
    uint64_t version;
    int live;
    watch_node *spare; /* watch_add: allocated before the lock, used when the key has no node yet */
} watch_op;
int watch_add(void *op, watch_node **list, int state);
int watch_drop(void *op, watch_node **list, int state);
int watch_check(void *op, watch_node **list, int state);
/* watch_add's spare node for key, made before the lock: 0, or -1 when out of memory.  The caller
 * frees op->spare afterwards (NULL when it became the key's node; watch_drop leaves the node it
 * unlinked there). */
int watch_op_init(watch_op *op, const char *key, size_t klen);

/* The key's state as WATCH and EXEC see it. */
enum { KS_ABSENT = 0, KS_LIVE, KS_EXPIRED };
/* Calls fn under the lock of key's shard with the shard's watch list and the key's state. */
typedef int (*ks_watch_fn)(void *ctx, watch_node **list, int state);
int ks_watch_locked(rd_keyspace *ks, const char *key, size_t klen, int64_t now, ks_watch_fn fn,
                    void *ctx);

#endif
