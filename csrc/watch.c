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

/* ---- the three operations, each run under the key's shard lock --------------- */

typedef struct watch_op {
    const char *key;
    size_t klen;
    uint64_t version;
    int live;
    watch_node *spare; /* WATCH: allocated before the lock, used when the key has no node yet */
} watch_op;

static int do_watch(void *ctx, watch_node **list, int state) {
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

static int do_unwatch(void *ctx, watch_node **list, int state) {
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

static int do_check(void *ctx, watch_node **list, int state) {
    watch_op *op = ctx;
    watch_node **link = find_link(list, op->key, op->klen);
    if (!link) return -1;
    if ((*link)->version != op->version) return 1;
    return op->live && state != KS_LIVE ? 1 : 0;
}

/* ---- public API ------------------------------------------------------------- */

rd_status rd_ks_watch(rd_keyspace *ks, const char *key, size_t klen, uint64_t *version,
                      int *live) {
    watch_op op = {key, klen, 0, 0, NULL};
    if (klen > UINT32_MAX) return RD_ERR_NOMEM;
    op.spare = malloc(sizeof(watch_node) + klen);
    if (!op.spare) return RD_ERR_NOMEM;
    op.spare->version = 0;
    op.spare->refs = 0;
    op.spare->klen = (uint32_t)klen;
    if (klen) memcpy(op.spare->key, key, klen);
    ks_watch_locked(ks, key, klen, rd_now_ms(), do_watch, &op);
    free(op.spare); /* NULL when it became the key's node */
    *version = op.version;
    *live = op.live;
    return RD_OK;
}

rd_status rd_ks_unwatch(rd_keyspace *ks, const char *key, size_t klen) {
    watch_op op = {key, klen, 0, 0, NULL};
    int rc = ks_watch_locked(ks, key, klen, rd_now_ms(), do_unwatch, &op);
    free(op.spare);
    return rc == 0 ? RD_OK : RD_NOT_FOUND;
}

rd_status rd_ks_watch_check(rd_keyspace *ks, const char *key, size_t klen, uint64_t version,
                            int live) {
    watch_op op = {key, klen, version, live != 0, NULL};
    int rc = ks_watch_locked(ks, key, klen, rd_now_ms(), do_check, &op);
    return rc < 0 ? RD_NOT_FOUND : rc == 0 ? RD_OK : RD_NOT_DONE;
}
