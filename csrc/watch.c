/* watch.c: WATCH's registry: per-shard lists of watched keys, each with a version every write to the key bumps.
 *
 * Rules:
 *  1. A key's node lives in the list of the key's own shard and is touched
 *     only under that shard's lock, so a write that already holds the lock
 *     pays one pointer test ("is anything in this shard watched?") and, only
 *     when something is, a walk of the shard's few watched keys.
 *  2. Every explicit change of a key (SET, INCR, DEL, EXPIRE, PERSIST, MSET...)
 *     bumps its node's version (the keyspace calls watch_touch from the
 *     primitives that change entries).  Expiry (lazy or active) and FLUSHALL
 *     do not: Redis 7.0 fails an EXEC for those only when the key was live at
 *     WATCH time, and rd_ks_watch_check tests exactly that (live then, absent
 *     or expired now), which also keeps "an already expired key got reclaimed"
 *     from counting as a change.
 *  3. A node exists while at least one registration holds it, so a version is
 *     never compared across two lives of a node.
 *  4. The registry calls nothing in the keyspace: the keyspace runs these
 *     operations under its locks (ks_watch_locked), never the other way.
 *  Limitation: the per-shard list is linear; thousands of watched keys in one
 *  shard make writes to that shard walk them all.
 */
#include "watch.h"

#include <stdlib.h>
#include <string.h>

struct watch_node {
    watch_node *next;
    uint64_t version; /* bumped by every explicit write of the key */
    uint32_t refs;    /* rd_ks_watch registrations not yet dropped */
    uint32_t klen;
    char key[];
};

static watch_node **find_link(watch_node **list, const char *key, size_t klen) {
    for (; *list; list = &(*list)->next)
        if ((*list)->klen == klen && memcmp((*list)->key, key, klen) == 0) return list;
    return NULL;
}

void watch_touch(watch_node *list, const char *key, size_t klen) {
    for (; list; list = list->next) {
        if (list->klen == klen && memcmp(list->key, key, klen) == 0) {
            list->version++;
            return;
        }
    }
}

void watch_free_all(watch_node *list) {
    while (list) {
        watch_node *next = list->next;
        free(list);
        list = next;
    }
}

/* ---- the three operations, each run under the key's shard lock (keyspace.c's
 * rd_ks_watch, rd_ks_unwatch and rd_ks_watch_check run them through ks_watch_locked) --- */

int watch_add(void *ctx, watch_node **list, int state) {
    watch_op *op = ctx;
    watch_node **link = find_link(list, op->key, op->klen);
    watch_node *n;
    if (link) {
        n = *link;
    } else {
        n = op->spare;
        op->spare = NULL;
        n->next = *list;
        *list = n;
    }
    n->refs++;
    op->version = n->version;
    op->live = state == KS_LIVE;
    return 0;
}

int watch_drop(void *ctx, watch_node **list, int state) {
    watch_op *op = ctx;
    watch_node **link = find_link(list, op->key, op->klen);
    (void)state;
    if (!link) return -1;
    watch_node *n = *link;
    if (--n->refs == 0) {
        *link = n->next;
        op->spare = n; /* freed after the lock */
    }
    return 0;
}

int watch_check(void *ctx, watch_node **list, int state) {
    watch_op *op = ctx;
    watch_node **link = find_link(list, op->key, op->klen);
    if (!link) return -1;
    if ((*link)->version != op->version) return 1;
    return op->live && state != KS_LIVE ? 1 : 0;
}

int watch_op_init(watch_op *op, const char *key, size_t klen) {
    if (klen > UINT32_MAX || !(op->spare = malloc(sizeof(watch_node) + klen))) return -1;
    op->spare->version = 0;
    op->spare->refs = 0;
    op->spare->klen = (uint32_t)klen;
    if (klen) memcpy(op->spare->key, key, klen);
    return 0;
}
