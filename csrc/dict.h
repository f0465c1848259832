/* dict.h: the small string dictionary behind hash and set objects (dict.c; the random picks in types.c). */
#ifndef REDISTILL_DICT_H
#define REDISTILL_DICT_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>

typedef struct dnode {
    struct dnode *next;
    uint32_t klen, vlen;
    char data[]; /* key bytes, then value bytes (none for sets) */
} dnode;

static inline char *dnode_val(dnode *d) { return d->data + d->klen; }

typedef struct rdict {
    dnode **table; /* NULL while empty */
    size_t mask;   /* buckets - 1 */
    size_t count;
    size_t mem;    /* bytes of the nodes and the table (malloc_usable_size) */
} rdict;

void dict_init(rdict *d);
void dict_release(rdict *d);
dnode *dict_find(const rdict *d, const char *k, size_t kn);
/* 1 added, 0 replaced the value, -1 allocation failure. */
int dict_set(rdict *d, const char *k, size_t kn, const char *v, size_t vn);
/* 1 removed, 0 absent. */
int dict_del(rdict *d, const char *k, size_t kn);
/* Visits up to max_buckets buckets from cursor, in dict_scan's order, unlinking and freeing every
 * node drop() returns 1 for (drop must not change d; it may change another dict), then shrinks a
 * mostly empty table.  Returns the next cursor, 0 after the last bucket. */
uint64_t dict_sweep(rdict *d, uint64_t cursor, size_t max_buckets, int (*drop)(void *ctx, const dnode *n),
                    void *ctx);
/* A random node (random non-empty bucket, random chain position); NULL if empty. */
dnode *dict_random(const rdict *d);
/* Deep copy into dst; -1 on allocation failure (dst left empty). */
int dict_dup(rdict *dst, const rdict *src);
/* Calls fn on the nodes of the bucket at cursor; returns the next cursor
 * (Redis's reverse-binary dictScan over one table), 0 when done. */
uint64_t dict_scan(const rdict *d, uint64_t cursor, void (*fn)(void *ctx, dnode *n), void *ctx);
/* for (dnode *n = dict_first(d, &b); n; n = dict_next(d, n, &b)) */
dnode *dict_first(const rdict *d, size_t *b);
dnode *dict_next(const rdict *d, dnode *n, size_t *b);

/* A hash or set object: one dict, and `big`, sticky as Redis 7.0 never converts a
 * hashtable back: it only decides OBJECT ENCODING (listpack/intset vs hashtable). */
typedef struct dobj {
    rdict d;
    int big;
    int ttls; /* hashes: 1 when this is t_hash.c's hash_ttl (its fields may have TTLs); in the padding */
} dobj;

/* The type ops hashes and sets share (dict.c). */
dobj *dobj_new(void);
void dobj_free(void *o);
void *dobj_dup(const void *o);
size_t dobj_mem(const void *o);
size_t dobj_len(const void *o);
void dobj_each(const void *o, void (*fn)(void *ctx, const char *p, size_t n), void *ctx);

/* Fills picks[0..count) with distinct random nodes of d (count < d->count): a
 * partial Fisher-Yates shuffle.  -1 on allocation failure; else free(*picks) after. */
int dict_pick_distinct(const rdict *d, size_t count, dnode ***picks);

#endif
