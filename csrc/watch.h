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

/* The key's state as WATCH and EXEC see it. */
enum { KS_ABSENT = 0, KS_LIVE, KS_EXPIRED };
/* Calls fn under the lock of key's shard with the shard's watch list and the key's state. */
typedef int (*ks_watch_fn)(void *ctx, watch_node **list, int state);
int ks_watch_locked(rd_keyspace *ks, const char *key, size_t klen, int64_t now, ks_watch_fn fn,
                    void *ctx);

#endif
