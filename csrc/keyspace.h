/* keyspace.h: the keyspace's private layout (entries, shards, the keyspace) and table operations,
 * shared by keyspace.c, ks_string.c, ks_keys.c and evict.c only.
 *
 * Rules: the locking rules of keyspace.c apply to every field here; evict.c
 * touches a shard's entries and eviction state only under that shard's lock.
 * docs/ARCHITECTURE.md shows the entry layout byte by byte: change both together.
 */
#ifndef REDISTILL_KEYSPACE_H
#define REDISTILL_KEYSPACE_H

#include "internal.h"
#include "tracking.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define KS_SHARD_BITS 10
#define KS_NSHARDS (1u << KS_SHARD_BITS) /* 1024 stripes: contention stays low at any thread count */

/* glibc's per-chunk header: a chunk costs malloc_usable_size + 8 bytes of heap. */
#define KS_MALLOC_OVERHEAD 8


/* One allocation per key: this 15-byte header (LP64), then a variable part
 * whose shape `flags` gives (see entry_key), then the key bytes, then the value
 * bytes.  access/evbits are the eviction metadata, owned by evict.c.  The 16
 * bytes of eviction-queue links are there only while the shard's queues exist
 * (E_LINKS: a memory limit with allkeys-lru or allkeys-s3fifo, see evict.c), so
 * the common case (no limit or a sampling policy, no TTL, key and value up to
 * 255 bytes) needs 17 bytes besides key and value: a 16-byte key with a 3-byte
 * value fits one 48-byte heap chunk (64 with links). */
typedef struct entry {
    struct entry *next;          /* bucket chain */
    uint32_t access;             /* LFU policies: minutes << 8 | log counter; others: ms clock */
    uint8_t type;                /* KS_TYPE_* (types.h): a collection's value is a typed_val */
    uint8_t evbits;              /* S3-FIFO: bits 0-1 frequency, bit 2 = in the small queue */
    uint8_t flags;               /* E_LINKS, E_TTL, E_WIDE: the variable part's shape */
    char data[];                 /* [qprev, qnext: 8+8 if E_LINKS] [expire: 8 if E_TTL]
                                    [klen, vlen: 4+4 if E_WIDE, else 1+1] key value */
} entry;

/* E_TTL: an 8-byte expire slot is present (it may hold 0 = no expiry: PERSIST
 * keeps the slot).  E_WIDE: 32-bit lengths, for a key or value over 255 bytes.
 * E_LINKS: the eviction-queue links are present (every entry of a shard whose
 * ev.linked is set has them; a shard without queues may hold some, unused). */
enum { E_TTL = 1, E_WIDE = 2, E_LINKS = 4 };
#define E_SHORT_MAX 255
#define E_LINKS_SIZE (2 * sizeof(entry *))

#define ENTRY_HDR offsetof(entry, data)

/* A FIFO/LRU queue threaded through the entries (head = newest). */
typedef struct ev_queue {
    entry *head, *tail;
    size_t bytes; /* entry_mem of its entries */
} ev_queue;

/* A shard's eviction state (evict.c). */
typedef struct ev_shard {
    ev_queue main;   /* LRU list; S3-FIFO's main FIFO */
    ev_queue small;  /* S3-FIFO's small FIFO (empty under other policies) */
    uint32_t *ghost; /* S3-FIFO ghost: 12-bit hash tag << 20 | 20-bit insertion stamp per slot */
    uint32_t gmask;  /* ghost slots - 1 (0 with no ghost table) */
    uint32_t gseq;   /* ghost insertions so far (wrapping, 20 bits used) */
    uint64_t rng;    /* sampling and LFU's random increments */
    int linked;      /* the queues are on: every entry has E_LINKS and is on one of them */
} ev_shard;

typedef struct shard {
    _Alignas(64) pthread_mutex_t lock; /* one cache line per shard start: no false sharing of locks */
    entry **table;
    size_t mask;          /* buckets - 1 */
    size_t count, expires;
    _Atomic size_t used;  /* bytes of entries and table; written under the lock, summed without it */
    uint64_t hits, misses, expired, evicted;
    uint64_t changes;     /* explicit key writes (watch_hook): INFO's rdb_changes_since_last_save */
    size_t cursor;        /* next bucket active expiry visits */
    uint8_t item_ttls;    /* some collection here may have items with a TTL (hash fields): the
                             active expiry steps through them; cleared after a lap that found none */
    uint8_t item_ttls_seen; /* one was seen (or given a TTL) in the current lap */
    watch_node *watched;  /* WATCH: keys of this shard some client watches (csrc/watch.c) */
    _Atomic int64_t *total; /* the keyspace's used-memory counter (rd_keyspace.used) */
    ev_shard ev;
} shard;

/* What the eviction driver (evict.c) does to the table, lent by keyspace.c through rd_keyspace's
 * `table` (set once, in rd_keyspace_new): keyspace.c calls evict.c's ev_* hooks on every write,
 * and evict.c reaches the table only through these, so the two do not call each other in a
 * circle.  Eviction is the slow path: the indirection costs nothing on the hot one. */
typedef struct ks_table_ops {
    /* Shard lock held: unlinks e from its shard (table, counters, queue), pushes it onto *dead. */
    void (*remove)(rd_keyspace *ks, shard *s, entry *e, entry **dead);
    /* Unlocks s as every keyspace write does, then frees the entries on dead (remove's list)
     * and the collections they own: the one way a removed entry is freed (rule 4). */
    void (*release_free)(rd_keyspace *ks, shard *s, entry *dead);
    /* Shard lock held: every entry of s reallocated with (links = 1) or without its queue
     * links and put back in its chain, used_memory following; out[] receives the s->count
     * entries.  -1 when the allocator fails adding links (the entries done keep them: a
     * shard without queues accepts that). */
    int (*reshape_links)(shard *s, int links, entry **out);
} ks_table_ops;

struct rd_keyspace {
    uint64_t k0, k1;                /* SipHash key */
    shard *shards;
    _Atomic uint64_t peak;          /* sampled, see note_peak */
    _Atomic uint32_t next_shard;    /* active expiry round robin, shared by all callers */
    ks_gate gate;                   /* transactions (csrc/gate.c) */
    _Atomic int64_t used;           /* bytes held (all shards + fixed structures): the limit's gauge */
    _Atomic uint64_t maxmemory;     /* 0 = unlimited */
    _Atomic int policy;             /* EV_* */
    _Atomic int queues;             /* the policy needs queues: new entries get links (evict.c) */
    const ks_table_ops *table;      /* for evict.c */
};

/* Bytes of the variable part before the key. */
static inline size_t entry_meta(unsigned flags) {
    return (flags & E_LINKS ? E_LINKS_SIZE : 0u) + (flags & E_TTL ? 8u : 0u) + (flags & E_WIDE ? 8u : 2u);
}

/* Where the expire slot (or, without one, the lengths) starts: after the links. */
static inline char *entry_after_links(const entry *e) {
    return (char *)e->data + (e->flags & E_LINKS ? E_LINKS_SIZE : 0);
}

/* The queue links (E_LINKS only; the variable part is not aligned, hence memcpy). */
static inline entry *entry_qprev(const entry *e) {
    entry *p;
    memcpy(&p, e->data, sizeof p);
    return p;
}

static inline entry *entry_qnext(const entry *e) {
    entry *p;
    memcpy(&p, e->data + sizeof p, sizeof p);
    return p;
}

static inline void entry_set_qprev(entry *e, entry *p) { memcpy(e->data, &p, sizeof p); }
static inline void entry_set_qnext(entry *e, entry *p) { memcpy(e->data + sizeof p, &p, sizeof p); }

/* The shape an entry for these lengths needs (expire != 0: with a slot). */
static inline uint8_t entry_shape(size_t klen, size_t vlen, int64_t expire) {
    return (uint8_t)((expire ? E_TTL : 0) | (klen > E_SHORT_MAX || vlen > E_SHORT_MAX ? E_WIDE : 0));
}

static inline const char *entry_lens(const entry *e) { return entry_after_links(e) + (e->flags & E_TTL ? 8 : 0); }

static inline size_t entry_klen(const entry *e) {
    uint32_t n;
    if (!(e->flags & E_WIDE)) return (uint8_t)entry_lens(e)[0];
    memcpy(&n, entry_lens(e), 4); /* the variable part is not aligned */
    return n;
}

static inline size_t entry_vlen(const entry *e) {
    uint32_t n;
    if (!(e->flags & E_WIDE)) return (uint8_t)entry_lens(e)[1];
    memcpy(&n, entry_lens(e) + 4, 4);
    return n;
}

/* The caller has checked that n fits the entry's shape (entry_fits). */
static inline void entry_set_vlen(entry *e, size_t n) {
    char *p = (char *)entry_lens(e);
    uint32_t n32 = (uint32_t)n;
    if (e->flags & E_WIDE)
        memcpy(p + 4, &n32, 4);
    else
        p[1] = (char)(uint8_t)n;
}

static inline char *entry_key(const entry *e) { return (char *)e->data + entry_meta(e->flags); }
static inline char *entry_val(const entry *e) { return entry_key(e) + entry_klen(e); }

static inline int64_t entry_expire(const entry *e) {
    int64_t t;
    if (!(e->flags & E_TTL)) return 0;
    memcpy(&t, entry_after_links(e), 8);
    return t;
}

/* The entry has the slot (E_TTL). */
static inline void entry_set_expire(entry *e, int64_t t) { memcpy(entry_after_links(e), &t, 8); }

/* An n-byte value fits in e's allocation and shape (rewrite in place). */
static inline int entry_fits(const entry *e, size_t n) {
    return ((e->flags & E_WIDE) || n <= E_SHORT_MAX) &&
           ENTRY_HDR + entry_meta(e->flags) + entry_klen(e) + n <= malloc_usable_size((void *)e);
}

static inline int is_typed(const entry *e) { return e->type != KS_TYPE_STRING; }

/* A collection entry's value: its object and the bytes last counted for it in
 * the shard's `used` (so used_sub always takes back exactly what was added). */
typedef struct typed_val {
    void *obj;
    size_t mem;
} typed_val;

static inline typed_val tv_get(const entry *e) {
    typed_val t;
    memcpy(&t, entry_val(e), sizeof t); /* the value bytes need not be aligned */
    return t;
}

static inline void tv_put(entry *e, typed_val t) { memcpy(entry_val(e), &t, sizeof t); }

/* The heap chunk of the entry, and a collection's object as its type counts it. */
static inline size_t entry_mem(entry *e) {
    return malloc_usable_size(e) + KS_MALLOC_OVERHEAD + (is_typed(e) ? tv_get(e).mem : 0);
}

/* Only the lock holder writes a shard's `used`, so load+store is enough there;
 * the keyspace total is shared by all shards and needs a real atomic add. */
static inline void used_add(shard *s, size_t n) {
    atomic_store_explicit(&s->used, atomic_load_explicit(&s->used, memory_order_relaxed) + n,
                          memory_order_relaxed);
    atomic_fetch_add_explicit(s->total, (int64_t)n, memory_order_relaxed);
}

static inline void used_sub(shard *s, size_t n) {
    atomic_store_explicit(&s->used, atomic_load_explicit(&s->used, memory_order_relaxed) - n,
                          memory_order_relaxed);
    atomic_fetch_sub_explicit(s->total, (int64_t)n, memory_order_relaxed);
}

uint64_t ks_key_hash(const rd_keyspace *ks, const char *key, size_t klen);

/* ---- keyspace.c's table operations, for ks_string.c and ks_keys.c ---------------------------- */

/* Hidden: not exported from the library, so not interposable, and calls from keyspace.c's own
 * GET/SET path stay direct (and inlinable) as when these were static. */
#define KS_PRIVATE __attribute__((visibility("hidden")))

/* Redis: a key is expired once now is past its time (equal is still alive). */
static inline int is_expired(const entry *e, int64_t now) {
    int64_t at = entry_expire(e);
    return at != 0 && now > at;
}

static inline shard *shard_of(rd_keyspace *ks, uint64_t h) {
    return &ks->shards[h & (KS_NSHARDS - 1)];
}

static inline void lock(shard *s) { pthread_mutex_lock(&s->lock); }

/* WATCH (csrc/watch.c) and client-side caching (csrc/tracking.c) hooks: a pointer test and a relaxed
 * load while no key of the shard is watched and nobody tracks.  Always inlined: as a call it cost each
 * write ~20 instructions. */
/* A key changed (a write, an eviction): Redis's signalModifiedKey's tracking half (tracking.h),
 * out of line so that a write pays only the load of trk_live. */
__attribute__((cold)) void ks_trk_changed(const entry *e);
__attribute__((always_inline)) static inline void watch_hook(shard *s, const entry *e) {
    s->changes++;
    if (s->watched) watch_touch(s->watched, entry_key(e), entry_klen(e));
    if (__builtin_expect(atomic_load_explicit(&trk_live, memory_order_relaxed), 0)) ks_trk_changed(e);
}

static inline void push_dead(entry **dead, entry *e) {
    e->next = *dead;
    *dead = e;
}

typedef struct shardset {
    uint64_t bits[KS_NSHARDS / 64];
} shardset;

static inline void shardset_add(shardset *set, uint64_t h) {
    unsigned i = (unsigned)(h & (KS_NSHARDS - 1));
    set->bits[i / 64] |= 1ULL << (i % 64);
}

static inline uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Shard lock held (rules 1, 4 and 7 of keyspace.c); release unlocks it: */
KS_PRIVATE entry *do_find(shard *s, uint64_t h, const char *key, size_t klen, entry ***linkp);
KS_PRIVATE entry *do_lookup(shard *s, uint64_t h, const char *key, size_t klen, int64_t now,
                            entry ***linkp, entry **dead);
KS_PRIVATE void do_link(rd_keyspace *ks, shard *s, uint64_t h, entry *e, int64_t now);
KS_PRIVATE void do_unlink(shard *s, entry **link, entry *e);
KS_PRIVATE void do_replace(rd_keyspace *ks, shard *s, entry **link, entry *old, entry *ne, int64_t now,
                           entry **dead);
KS_PRIVATE entry *do_reshape(rd_keyspace *ks, shard *s, entry **link, entry *e, uint8_t flags, size_t n,
                             int64_t now);
KS_PRIVATE rd_status do_store(rd_keyspace *ks, shard *s, uint64_t h, const char *key, size_t klen,
                              entry *e, entry **link, const char *v, size_t n, int64_t now,
                              entry **dead);
KS_PRIVATE rd_status do_expire(rd_keyspace *ks, shard *s, entry **link, entry *e, int64_t at, int flags,
                               int64_t now, entry **dead);
KS_PRIVATE void do_persist(shard *s, entry *e);
KS_PRIVATE void release(rd_keyspace *ks, shard *s);
/* A view's key i as `type` (lock held by the view): the entry, touched, or NULL with *st
 * RD_NOT_FOUND or RD_ERR_WRONGTYPE; counts a hit or miss when `read`. */
KS_PRIVATE entry *view_entry(ks_view *v, int i, int type, int read, rd_status *st);

/* No lock involved (allocation, copying out; free_chain after the release, rule 4): */
KS_PRIVATE entry *entry_new(const char *key, size_t klen, const char *val, size_t vlen,
                            int64_t expire, int links, int64_t now);
KS_PRIVATE entry *entry_adopt(const char *key, size_t klen, const char *val, size_t vlen,
                              int64_t expire, int64_t now);
KS_PRIVATE entry *entry_room(entry *e, uint8_t flags, size_t n);
KS_PRIVATE int copy_sink(void *ctx, const char *v, size_t n);
KS_PRIVATE void free_chain(entry *e);

/* Several shards in ascending order (rule 2), or the whole keyspace under the gate: */
KS_PRIVATE void shardset_lock(rd_keyspace *ks, const shardset *set);
KS_PRIVATE void shardset_release(rd_keyspace *ks, const shardset *set);
KS_PRIVATE rd_status mset_generic(rd_keyspace *ks, int npairs, const char *const *keys,
                                  const size_t *klens, const char *const *vals, const size_t *vlens,
                                  size_t stride, int64_t now, int nx);
KS_PRIVATE void whole_begin(rd_keyspace *ks);
KS_PRIVATE void whole_end(rd_keyspace *ks);

/* ---- eviction (evict.c) ---------------------------------------------------------------------- */

enum {
    EV_NOEVICTION = 0,
    EV_ALLKEYS_LRU,
    EV_ALLKEYS_LFU,
    EV_ALLKEYS_RANDOM,
    EV_VOLATILE_LRU,
    EV_VOLATILE_LFU,
    EV_VOLATILE_RANDOM,
    EV_VOLATILE_TTL,
    EV_ALLKEYS_S3FIFO,
    EV_NPOLICIES
};

/* Shard lock held: */
void ev_link(rd_keyspace *ks, shard *s, entry *e, uint64_t h, int64_t now); /* new key */
void ev_unlink(shard *s, entry *e);                                         /* key leaves */
void ev_replace(rd_keyspace *ks, shard *s, entry *old, entry *ne, int64_t now); /* new value */
void ev_touch(rd_keyspace *ks, shard *s, entry *e, int64_t now);            /* read or update */
unsigned ev_lfu_freq(const entry *e, int64_t now); /* OBJECT FREQ: the decayed LFU counter (LFU policies) */
void ev_set_access(rd_keyspace *ks, entry *e, long long freq, long long idle_ms, int64_t now); /* RESTORE */
/* Puts back an entry taken out with ev_unlink (realloc'd in place: APPEND, SETRANGE), as an access. */
void ev_requeue(rd_keyspace *ks, shard *s, entry *e, int64_t now);
void ev_shard_reset(shard *s);  /* FLUSHALL emptied the shard and zeroed its used: queues and ghost go */
void ev_shard_free(shard *s);
/* noeviction: 1 when growing by delta bytes would pass the limit (the write must be refused). */
int ev_refuse(rd_keyspace *ks, int64_t delta);

/* No lock held: */
/* Before a write: RD_OK, or RD_ERR_OOM when over the limit and eviction cannot make progress. */
rd_status ev_admit(rd_keyspace *ks, int64_t now);
/* After a write: evicts (never the `nkeep` entries in keep[]) while over the limit, within a budget. */
void ev_settle(rd_keyspace *ks, entry *const *keep, int nkeep, int64_t now);

static inline int ev_over(rd_keyspace *ks) {
    uint64_t max = atomic_load_explicit(&ks->maxmemory, memory_order_relaxed);
    return max && atomic_load_explicit(&ks->used, memory_order_relaxed) > (int64_t)max;
}

#endif
