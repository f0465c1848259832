/* dict.c: the string dictionary behind hash and set objects: chained power-of-two tables, SipHash, an exact byte count. */
#include "dict.h"
#include "hash.h"
#include "ksapi.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define DICT_MIN_BUCKETS 4

/* One process-wide SipHash key: collections are per key, so a per-object seed
 * would cost 16 bytes each for no gain over a secret random one. */
static uint64_t dict_k0, dict_k1;
static pthread_once_t dict_seeded = PTHREAD_ONCE_INIT;

static void dict_seed(void) {
    uint64_t k[2] = {0x736f6d6570736575ULL, 0x646f72616e646f6dULL};
    if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) k[0] ^= (uint64_t)(uintptr_t)&k;
    dict_k0 = k[0];
    dict_k1 = k[1];
}

static inline uint64_t dict_hash(const char *k, size_t n) {
    return siphash13(k, n, dict_k0, dict_k1);
}

void dict_init(rdict *d) {
    pthread_once(&dict_seeded, dict_seed);
    memset(d, 0, sizeof *d);
}

void dict_release(rdict *d) {
    for (size_t b = 0; d->table && b <= d->mask; b++) {
        for (dnode *n = d->table[b], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    }
    free(d->table);
    memset(d, 0, sizeof *d);
}

static dnode **dict_link(const rdict *d, const char *k, size_t kn) {
    dnode **link = &d->table[dict_hash(k, kn) & d->mask];
    for (dnode *n; (n = *link) != NULL; link = &n->next)
        if (n->klen == kn && memcmp(n->data, k, kn) == 0) return link;
    return link;
}

dnode *dict_find(const rdict *d, const char *k, size_t kn) {
    return d->table ? *dict_link(d, k, kn) : NULL;
}

/* Rehashes into `buckets` buckets; -1 (table unchanged) when calloc fails. */
static int dict_resize(rdict *d, size_t buckets) {
    dnode **t = calloc(buckets, sizeof *t);
    if (!t) return -1;
    for (size_t b = 0; d->table && b <= d->mask; b++) {
        for (dnode *n = d->table[b], *next; n; n = next) {
            size_t nb = dict_hash(n->data, n->klen) & (buckets - 1);
            next = n->next;
            n->next = t[nb];
            t[nb] = n;
        }
    }
    if (d->table) d->mem -= malloc_usable_size(d->table);
    free(d->table);
    d->table = t;
    d->mask = buckets - 1;
    d->mem += malloc_usable_size(t);
    return 0;
}

static dnode *node_new(const char *k, size_t kn, const char *v, size_t vn) {
    dnode *n;
    if (kn > UINT32_MAX || vn > UINT32_MAX) return NULL;
    n = malloc(sizeof *n + kn + vn);
    if (!n) return NULL;
    n->klen = (uint32_t)kn;
    n->vlen = (uint32_t)vn;
    if (kn) memcpy(n->data, k, kn);
    if (vn) memcpy(n->data + kn, v, vn);
    return n;
}

int dict_set(rdict *d, const char *k, size_t kn, const char *v, size_t vn) {
    dnode **link, *old, *n;
    if (!d->table && dict_resize(d, DICT_MIN_BUCKETS) != 0) return -1;
    link = dict_link(d, k, kn);
    old = *link;
    if (!(n = node_new(k, kn, v, vn))) return -1;
    d->mem += malloc_usable_size(n);
    if (old) { /* replace in place in the chain */
        n->next = old->next;
        *link = n;
        d->mem -= malloc_usable_size(old);
        free(old);
        return 0;
    }
    n->next = *link;
    *link = n;
    /* Double at load factor 1; if calloc fails the chains just get longer. */
    if (++d->count > d->mask + 1) dict_resize(d, (d->mask + 1) * 2);
    return 1;
}

/* Shrink a mostly empty table, so random picks find nodes quickly. */
static void dict_shrink(rdict *d) {
    if (d->count == 0) {
        d->mem -= malloc_usable_size(d->table);
        free(d->table);
        d->table = NULL;
        d->mask = 0;
    } else {
        while (d->mask + 1 > DICT_MIN_BUCKETS && d->count * 8 < d->mask + 1 &&
               dict_resize(d, (d->mask + 1) / 2) == 0) {
        }
    }
}

static void node_unlink(rdict *d, dnode **link) {
    dnode *n = *link;
    *link = n->next;
    d->mem -= malloc_usable_size(n);
    free(n);
    d->count--;
}

int dict_del(rdict *d, const char *k, size_t kn) {
    dnode **link;
    if (!d->table) return 0;
    link = dict_link(d, k, kn);
    if (!*link) return 0;
    node_unlink(d, link);
    dict_shrink(d);
    return 1;
}

/* A random node, fair enough for Redis's chi-square tests: a bucket then a chain
 * position would favour nodes alone in their bucket, so (as Redis's
 * dictGetFairRandomKey) gather up to DICT_FAIR_NODES nodes walking on from a
 * random bucket and pick one of them.  A dict that small is picked from whole:
 * exactly uniform. */
#define DICT_FAIR_NODES 20

dnode *dict_random(const rdict *d) {
    dnode *window[DICT_FAIR_NODES];
    size_t got = 0, steps = 0, b;
    if (!d->count) return NULL;
    b = ks_random64() & d->mask;
    /* Bounded walk (Redis's 10 buckets a node), but never give up empty-handed. */
    for (; got < DICT_FAIR_NODES && (steps <= d->mask && (steps < 10 * DICT_FAIR_NODES || !got));
         steps++, b = (b + 1) & d->mask)
        for (dnode *n = d->table[b]; n && got < DICT_FAIR_NODES; n = n->next) window[got++] = n;
    return window[ks_random64() % got];
}

int dict_dup(rdict *dst, const rdict *src) {
    size_t b;
    dict_init(dst);
    if (!src->count) return 0;
    if (dict_resize(dst, src->mask + 1) != 0) return -1;
    for (dnode *n = dict_first(src, &b); n; n = dict_next(src, n, &b)) {
        dnode *c = node_new(n->data, n->klen, dnode_val(n), n->vlen);
        if (!c) {
            dict_release(dst);
            return -1;
        }
        c->next = dst->table[b]; /* same table size and hash: same bucket */
        dst->table[b] = c;
        dst->count++;
        dst->mem += malloc_usable_size(c);
    }
    return 0;
}

dnode *dict_first(const rdict *d, size_t *b) {
    for (*b = 0; d->table && *b <= d->mask; (*b)++)
        if (d->table[*b]) return d->table[*b];
    return NULL;
}

dnode *dict_next(const rdict *d, dnode *n, size_t *b) {
    if (n->next) return n->next;
    while (++*b <= d->mask)
        if (d->table[*b]) return d->table[*b];
    return NULL;
}

static uint64_t rev64(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
}

uint64_t dict_scan(const rdict *d, uint64_t v, void (*fn)(void *ctx, dnode *n), void *ctx) {
    if (!d->table) return 0;
    for (dnode *n = d->table[v & d->mask]; n; n = n->next) fn(ctx, n);
    v |= ~(uint64_t)d->mask;
    return rev64(rev64(v) + 1);
}

/* The table keeps its size until the end, so the cursor stays valid for the whole walk. */
uint64_t dict_sweep(rdict *d, uint64_t v, size_t max_buckets, int (*drop)(void *ctx, const dnode *n),
                    void *ctx) {
    size_t before = d->count;
    if (!d->table) return 0;
    do {
        for (dnode **link = &d->table[v & d->mask]; *link;) {
            if (drop(ctx, *link))
                node_unlink(d, link);
            else
                link = &(*link)->next;
        }
        v |= ~(uint64_t)d->mask;
        v = rev64(rev64(v) + 1);
    } while (v != 0 && --max_buckets > 0);
    if (d->count != before) dict_shrink(d);
    return v;
}

/* ---- the object hashes and sets share --------------------------------------------- */

dobj *dobj_new(void) {
    dobj *o = malloc(sizeof *o);
    if (!o) return NULL;
    dict_init(&o->d);
    o->big = 0;
    o->ttls = 0;
    return o;
}

void dobj_free(void *o) {
    dict_release(&((dobj *)o)->d);
    free(o);
}

void *dobj_dup(const void *o) {
    const dobj *src = o;
    dobj *c = dobj_new();
    if (!c) return NULL;
    if (dict_dup(&c->d, &src->d) != 0) {
        free(c);
        return NULL;
    }
    c->big = src->big;
    return c;
}

size_t dobj_mem(const void *o) { return malloc_usable_size((void *)o) + ((const dobj *)o)->d.mem; }
size_t dobj_len(const void *o) { return ((const dobj *)o)->d.count; }

void dobj_each(const void *o, void (*fn)(void *ctx, const char *p, size_t n), void *ctx) {
    const rdict *d = &((const dobj *)o)->d;
    size_t b;
    for (dnode *n = dict_first(d, &b); n; n = dict_next(d, n, &b)) fn(ctx, n->data, n->klen);
}
