/* keyspace.c: the one key table every thread shares: lock stripes, each owning a chained hash table, with lazy and active expiry.
 *
 * Layouts are in keyspace.h; eviction (evict.c) is reached only through the
 * ev_* hooks: queue upkeep under the lock, evicting before and after it; evict.c
 * reaches the table only through the ks_table_ops this file lends it (the gate
 * and WATCH's registry, below it too, call nothing here).
 * The string commands past GET/SET live in ks_string.c and the key commands
 * (RENAME, COPY, SCAN, KEYS, RANDOMKEY...) in ks_keys.c, on the table
 * operations keyspace.h declares; these rules bind them too.
 *
 * Rules:
 *  1. A shard's table, counters and entries are touched only under the shard's
 *     mutex.  Each shard resizes its own table, so growth never stalls the others.
 *  2. Several shards are locked only in ascending index order (MSET, MGET):
 *     no deadlock.  No other lock is ever taken while a shard lock is held, but the
 *     Pub/Sub registry's by a keyspace event (notify.c; docs/LOCKING.md), which never
 *     waits for a shard lock.
 *  3. Values are copied in before the lock is taken (a 100 MB SET holds no lock
 *     while copying) and copied out under it (through a ks_sink).
 *  4. Entries leave the table under the lock and are freed after it is released.
 *  5. An expired key behaves as absent on every access and is freed then
 *     (lazy expiry); rd_ks_active_expire reclaims the ones nobody reads.
 *  6. Tables are powers of two and a key's bucket is its hash bits above the
 *     shard bits, so a later SCAN can walk each shard with Redis's
 *     reverse-binary cursor across resizes.
 *  7. WATCH: every explicit change of a key goes through do_link, do_replace,
 *     do_unlink or calls watch_hook itself (in-place writes: do_store, EXPIRE,
 *     PERSIST).  Expiry unlinks with do_unlink_quiet: it is no change to WATCH
 *     (csrc/watch.c).  New write paths must keep this true.
 */
#include "keyspace.h"
#include "notify.h"

#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* The collection types (types.h): filled once at load by cmdtable.c; NULL for strings. */
const ks_type_ops *ks_types[KS_NTYPES];

#define KS_MIN_BUCKETS 4
#define KS_EXPIRE_BUCKETS 64 /* buckets one active-expiry visit of a shard scans */
#define KS_STACK_KEYS 32     /* multi-key calls up to this size need no heap scratch */
#define KS_APPEND_SLACK_MAX (1u << 20) /* sdsMakeRoomFor's greedy growth limit */

/* entry, shard and rd_keyspace are in keyspace.h (evict.c shares them). */

/* ---- entries -------------------------------------------------------------- */


/* Writes the variable part's lengths and expire for the shape `flags`. */
static inline void entry_set_shape(entry *e, uint8_t flags, size_t klen, size_t vlen, int64_t expire) {
    e->flags = flags;
    if (flags & E_TTL) entry_set_expire(e, expire);
    if (flags & E_WIDE) {
        uint32_t k = (uint32_t)klen;
        memcpy((char *)entry_lens(e), &k, 4);
    } else {
        ((char *)entry_lens(e))[0] = (char)(uint8_t)klen;
    }
    entry_set_vlen(e, vlen);
}

/* links: with the queue links (its shard has queues, or will have by the time it is linked). */
entry *entry_new(const char *key, size_t klen, const char *val, size_t vlen,
                 int64_t expire, int links, int64_t now) {
    uint8_t flags = (uint8_t)(entry_shape(klen, vlen, expire) | (links ? E_LINKS : 0));
    if (klen > UINT32_MAX || vlen > UINT32_MAX) return NULL;
    entry *e = malloc(ENTRY_HDR + entry_meta(flags) + klen + vlen);
    if (!e) return NULL;
    e->next = NULL;
    e->access = (uint32_t)now; /* ev_link sets the policy's own value */
    e->type = KS_TYPE_STRING;
    e->evbits = 0;
    entry_set_shape(e, flags, klen, vlen, expire);
    if (klen) memcpy(entry_key(e), key, klen);
    if (vlen && val) memcpy(entry_val(e), val, vlen); /* val NULL: the caller fills it */
    return e;
}

/* The shape of an entry built in an offered block: wide, with the expire slot
 * and the queue links whether used or not, so where the value goes does not
 * depend on the SET's options or on the eviction policy. */
#define ADOPT_FLAGS (E_WIDE | E_TTL | E_LINKS)

static _Thread_local struct {
    char *block;
    const char *val;
    size_t vlen;
    int taken;
} adopt;

size_t ks_adopt_room(size_t klen) { return ENTRY_HDR + entry_meta(ADOPT_FLAGS) + klen; }

void ks_adopt_offer(char *block, const char *val, size_t vlen) {
    adopt.block = block;
    adopt.val = val;
    adopt.vlen = vlen;
    adopt.taken = 0;
}

int ks_adopt_taken(void) {
    int taken = adopt.taken;
    ks_adopt_offer(NULL, NULL, 0);
    return taken;
}

/* entry_new without the copy: the entry built in the offered block when val is
 * the offered value at its place there; NULL otherwise.  The key's bytes may lie
 * where the header goes (the request's own header did), so they move first. */
entry *entry_adopt(const char *key, size_t klen, const char *val, size_t vlen,
                   int64_t expire, int64_t now) {
    entry *e = (entry *)adopt.block;
    if (!e || val != adopt.val || vlen != adopt.vlen || vlen > UINT32_MAX ||
        val != (char *)e + ks_adopt_room(klen))
        return NULL;
    memmove((char *)e + ks_adopt_room(0), key, klen);
    e->next = NULL;
    e->access = (uint32_t)now;
    e->type = KS_TYPE_STRING;
    e->evbits = 0;
    entry_set_shape(e, ADOPT_FLAGS, klen, vlen, expire);
    adopt.block = NULL;
    adopt.taken = 1;
    return e;
}

/* e reallocated to the shape `flags` (at least e's own) with room for a vroom-byte
 * value (at least its current one): the key and value move behind the larger variable
 * part.  For EXPIRE on a key without the slot and for values growing past 255 bytes.
 * NULL when the allocator fails (e is then unchanged); the caller relinks the result. */
static entry *entry_reshape(entry *e, uint8_t flags, size_t vroom) {
    size_t klen = entry_klen(e), vlen = entry_vlen(e), from = entry_meta(e->flags);
    int64_t expire = entry_expire(e);
    entry *ne;
    flags |= e->flags;
    if (!(ne = realloc(e, ENTRY_HDR + entry_meta(flags) + klen + vroom))) return NULL;
    if (entry_meta(flags) != from) memmove(ne->data + entry_meta(flags), ne->data + from, klen + vlen);
    entry_set_shape(ne, flags, klen, vlen, expire);
    return ne;
}

/* Whether an entry built before its shard's lock is taken should carry links: the
 * keyspace's flag, which entry_fit_links checks again under the lock. */
static inline int links_hint(rd_keyspace *ks) {
    return atomic_load_explicit(&ks->queues, memory_order_relaxed);
}

/* Shard lock held, *e not linked yet: gives *e the links the shard's queues need if
 * it was built without them (the queues came on meanwhile).  -1 when out of memory. */
static int entry_fit_links(shard *s, entry **e) {
    entry *ne;
    if (!s->ev.linked || ((*e)->flags & E_LINKS)) return 0;
    if (!(ne = entry_reshape(*e, E_LINKS, entry_vlen(*e)))) return -1;
    *e = ne;
    return 0;
}

/* e without its queue links, in a chunk of its own size (glibc's realloc would keep
 * the larger chunk); e itself when the allocator fails (a linked entry is valid anywhere). */
static entry *entry_drop_links(entry *e) {
    size_t rest = entry_meta(e->flags) - E_LINKS_SIZE + entry_klen(e) + entry_vlen(e);
    entry *ne = malloc(ENTRY_HDR + rest);
    if (!ne) return e;
    memcpy(ne, e, ENTRY_HDR);
    memcpy(ne->data, e->data + E_LINKS_SIZE, rest);
    ne->flags &= (uint8_t)~E_LINKS;
    free(e);
    return ne;
}

/* Frees an entry and the object a collection entry owns. */
static void entry_free(entry *e) {
    if (is_typed(e)) {
        const ks_type_ops *ops = ks_types[e->type];
        if (ops->key_freed) ops->key_freed(entry_key(e), entry_klen(e));
        ops->free(tv_get(e).obj);
    }
    free(e);
}

void free_chain(entry *e) {
    while (e) {
        entry *next = e->next;
        entry_free(e);
        e = next;
    }
}

/* ---- shards ----------------------------------------------------------------- */

/* The hash of the key the fast path is about to run a command on, computed
 * earlier when the batch was prefetched (ks_set_hint), so it is not computed
 * twice.  One per thread, matched on the exact key bytes' address, length and
 * keyspace, and cleared after that one command. */
static _Thread_local struct {
    const rd_keyspace *ks;
    const char *key;
    size_t klen;
    uint64_t h;
} hint;

static inline uint64_t key_hash(const rd_keyspace *ks, const char *key, size_t klen) {
    if (key == hint.key && klen == hint.klen && ks == hint.ks) return hint.h;
    return siphash13(key, klen, ks->k0, ks->k1);
}

uint64_t ks_key_hash(const rd_keyspace *ks, const char *key, size_t klen) {
    return key_hash(ks, key, klen);
}

static inline size_t bucket_of(size_t mask, uint64_t h) {
    return (size_t)(h >> KS_SHARD_BITS) & mask;
}

static uint64_t used_total(rd_keyspace *ks) {
    int64_t used = atomic_load_explicit(&ks->used, memory_order_relaxed);
    return used > 0 ? (uint64_t)used : 0;
}

/* Peak memory is sampled (on table growth, stats, active expiry and flush)
 * rather than tracked per write: a global atomic on every SET would bounce a
 * cache line between all threads.  It can miss a short-lived peak. */
static void note_peak(rd_keyspace *ks) {
    uint64_t cur = used_total(ks);
    uint64_t old = atomic_load_explicit(&ks->peak, memory_order_relaxed);
    while (cur > old &&
           !atomic_compare_exchange_weak_explicit(&ks->peak, &old, cur, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

/* Rehashes the whole shard (it holds 1/1024 of the keys, so this is short). */
static int do_resize(rd_keyspace *ks, shard *s, size_t buckets) {
    entry **t = calloc(buckets, sizeof *t);
    if (!t) return -1;
    size_t mask = buckets - 1;
    for (size_t i = 0; i <= s->mask; i++) {
        entry *e = s->table[i];
        while (e) {
            entry *next = e->next;
            size_t b = bucket_of(mask, key_hash(ks, entry_key(e), entry_klen(e)));
            e->next = t[b];
            t[b] = e;
            e = next;
        }
    }
    used_sub(s, malloc_usable_size(s->table) + KS_MALLOC_OVERHEAD);
    free(s->table);
    s->table = t;
    s->mask = mask;
    s->cursor &= mask;
    s->item_ttls_seen = s->item_ttls; /* the lap may skip buckets: do not end the visits on it */
    used_add(s, malloc_usable_size(t) + KS_MALLOC_OVERHEAD);
    return 0;
}

/* Unlock, first halving a table that has become mostly empty buckets (done
 * here, never mid-walk, so loops over buckets can unlink freely). */
void release(rd_keyspace *ks, shard *s) {
    size_t buckets = s->mask + 1;
    if (buckets > KS_MIN_BUCKETS && s->count * 8 < buckets) do_resize(ks, s, buckets / 2);
    pthread_mutex_unlock(&s->lock);
}

static void release_free(rd_keyspace *ks, shard *s, entry *dead) {
    release(ks, s);
    free_chain(dead);
}

/* ---- table operations (shard lock held) ----------------------------------- */

entry *do_find(shard *s, uint64_t h, const char *key, size_t klen, entry ***linkp) {
    entry **link = &s->table[bucket_of(s->mask, h)];
    for (entry *e; (e = *link) != NULL; link = &e->next) {
        if (entry_klen(e) == klen && memcmp(entry_key(e), key, klen) == 0) {
            *linkp = link;
            return e;
        }
    }
    return NULL;
}

/* Unlinks without touching WATCH: expiry only (rule 7). */
static void do_unlink_quiet(shard *s, entry **link, entry *e) {
    *link = e->next;
    s->count--;
    if (entry_expire(e)) s->expires--;
    used_sub(s, entry_mem(e));
    ev_unlink(s, e);
}

void ks_trk_changed(const entry *e) { trk_note(entry_key(e), entry_klen(e), 0); }

void do_unlink(shard *s, entry **link, entry *e) {
    watch_hook(s, e);
    do_unlink_quiet(s, link, e);
}

static void remove_entry(rd_keyspace *ks, shard *s, entry *e, entry **dead) {
    entry **link;
    if (do_find(s, key_hash(ks, entry_key(e), entry_klen(e)), entry_key(e), entry_klen(e), &link) != e) return;
    do_unlink(s, link, e);
    push_dead(dead, e);
}

static int reshape_links(shard *s, int links, entry **out) {
    size_t n = 0;
    for (size_t b = 0; b <= s->mask; b++) {
        for (entry **link = &s->table[b], *e; (e = *link) != NULL; link = &e->next) {
            if (!(e->flags & E_LINKS) != !links) {
                size_t mem = entry_mem(e); /* e is gone once reshaped */
                entry *ne = links ? entry_reshape(e, E_LINKS, entry_vlen(e)) : entry_drop_links(e);
                if (!ne) return -1;
                used_sub(s, mem);
                used_add(s, entry_mem(ne));
                *link = e = ne;
            }
            out[n++] = e;
        }
    }
    return 0;
}

/* CLIENT PAUSE (rd_ks_pause_expiry): expired keys read as absent but stay, as Redis keeps the
 * dataset still while clients are paused.  Read only on the expired branch and when linking. */
static _Atomic int expiry_paused;

void rd_ks_pause_expiry(int on) { atomic_store_explicit(&expiry_paused, on != 0, memory_order_relaxed); }

static inline int expiry_is_paused(void) { return atomic_load_explicit(&expiry_paused, memory_order_relaxed); }

/* Lazy expiry of e, linked at *link: unlinked onto *dead.  Out of line, so the hit path of
 * do_lookup keeps its registers. */
static __attribute__((noinline)) void lazy_expire(shard *s, entry **link, entry *e, entry **dead) {
    do_unlink_quiet(s, link, e);
    push_dead(dead, e);
    s->expired++;
    notify(NOTIFY_EXPIRED, "expired", entry_key(e), entry_klen(e));
    trk_key_expired(entry_key(e), entry_klen(e));
}

/* do_find plus lazy expiry: an expired entry is unlinked onto *dead. */
entry *do_lookup(shard *s, uint64_t h, const char *key, size_t klen, int64_t now,
                 entry ***linkp, entry **dead) {
    entry *e = do_find(s, h, key, klen, linkp);
    if (e && is_expired(e, now)) {
        if (!expiry_is_paused()) lazy_expire(s, *linkp, e, dead);
        return NULL;
    }
    return e;
}

/* A key written while expiry is paused may still have its expired entry in the chain (the
 * lookup left it there): it goes now, so a key is never in its chain twice.  Freed under the
 * lock, an exception to rule 4 that only a write during CLIENT PAUSE (inside the EXEC that
 * paused, a blocked client's late retry) can reach. */
static void drop_stale(shard *s, uint64_t h, const entry *e, int64_t now) {
    entry **link, *old = do_find(s, h, entry_key(e), entry_klen(e), &link);
    if (old && is_expired(old, now)) {
        do_unlink_quiet(s, link, old);
        s->expired++;
        entry_free(old);
    }
}

void do_link(rd_keyspace *ks, shard *s, uint64_t h, entry *e, int64_t now) {
    if (expiry_is_paused()) drop_stale(s, h, e, now);
    size_t b = bucket_of(s->mask, h);
    watch_hook(s, e);
    notify(NOTIFY_NEW, "new", entry_key(e), entry_klen(e));
    e->next = s->table[b];
    s->table[b] = e;
    s->count++;
    if (entry_expire(e)) s->expires++;
    used_add(s, entry_mem(e));
    ev_link(ks, s, e, h, now);
    /* Double at load factor 1.  If calloc fails the chains just get longer. */
    if (s->count > s->mask + 1 && do_resize(ks, s, (s->mask + 1) * 2) == 0) note_peak(ks);
}

/* Puts ne where old was; old goes onto *dead. */
void do_replace(rd_keyspace *ks, shard *s, entry **link, entry *old, entry *ne, int64_t now,
                entry **dead) {
    watch_hook(s, old);
    ne->next = old->next;
    *link = ne;
    if (entry_expire(old)) s->expires--;
    if (entry_expire(ne)) s->expires++;
    used_sub(s, entry_mem(old));
    used_add(s, entry_mem(ne));
    ev_replace(ks, s, old, ne, now);
    push_dead(dead, old);
}

/* e with the shape `flags` (added to its own) and room for an n-byte value, keeping its
 * bytes; a growing value gets slack as sdsMakeRoomFor gives, so repeated APPENDs stay
 * linear.  NULL when the allocator fails (e is then still valid). */
entry *entry_room(entry *e, uint8_t flags, size_t n) {
    size_t vlen = entry_vlen(e), slack = n <= vlen ? 0 : n < KS_APPEND_SLACK_MAX ? n : KS_APPEND_SLACK_MAX;
    entry *ne;
    if (n > UINT32_MAX) return NULL;
    flags = (uint8_t)(flags | e->flags | (n > E_SHORT_MAX ? E_WIDE : 0));
    if (flags == e->flags && entry_fits(e, n)) return e;
    ne = entry_reshape(e, flags, n + slack);
    return ne ? ne : entry_reshape(e, flags, n);
}

/* entry_room for e linked at *link: it leaves the accounting and its queue around the
 * realloc (which may move it) and comes back as an access.  NULL when out of memory
 * (e is then as before). */
entry *do_reshape(rd_keyspace *ks, shard *s, entry **link, entry *e, uint8_t flags, size_t n,
                  int64_t now) {
    entry *ne;
    used_sub(s, entry_mem(e));
    ev_unlink(s, e); /* its queue neighbours must not point at the old place */
    ne = entry_room(e, flags, n);
    *link = ne ? ne : e; /* the link lives outside the entry */
    used_add(s, entry_mem(*link));
    ev_requeue(ks, s, *link, now);
    return ne;
}

/* Rewrites e's value (and expiry) in its own chunk: no malloc or free, no
 * LRU neighbour links, no memory counters (the chunk's size is unchanged).
 * The caller has checked that the value fits (entry_fits) and that e has the
 * expire slot when expire is not 0. */
static void do_overwrite(rd_keyspace *ks, shard *s, entry *e, const char *v, size_t n,
                         int64_t expire, int64_t now) {
    watch_hook(s, e);
    if (entry_expire(e)) s->expires--;
    if (expire) s->expires++;
    if (e->flags & E_TTL) entry_set_expire(e, expire); /* a slot left at 0, as PERSIST leaves it */
    memcpy(entry_val(e), v, n);
    entry_set_vlen(e, n);
    ev_touch(ks, s, e, now);
}

/* Stores a new value for key, keeping the expiry (INCR semantics).  Rewrites
 * in place when the allocation has room, as counters usually do. */
rd_status do_store(rd_keyspace *ks, shard *s, uint64_t h, const char *key, size_t klen,
                   entry *e, entry **link, const char *v, size_t n, int64_t now,
                   entry **dead) {
    if (e && entry_fits(e, n)) {
        do_overwrite(ks, s, e, v, n, entry_expire(e), now);
        return RD_OK;
    }
    entry *ne = entry_new(key, klen, v, n, e ? entry_expire(e) : 0, s->ev.linked, now);
    if (!ne) return RD_ERR_NOMEM;
    if (e)
        do_replace(ks, s, link, e, ne, now, dead);
    else
        do_link(ks, s, h, ne, now);
    return RD_OK;
}

/* ---- several shards at once (ascending order) ------------------------------- */

void shardset_lock(rd_keyspace *ks, const shardset *set) {
    for (unsigned w = 0; w < KS_NSHARDS / 64; w++)
        for (uint64_t b = set->bits[w]; b; b &= b - 1)
            lock(&ks->shards[w * 64 + (unsigned)__builtin_ctzll(b)]);
}

void shardset_release(rd_keyspace *ks, const shardset *set) {
    for (unsigned w = 0; w < KS_NSHARDS / 64; w++)
        for (uint64_t b = set->bits[w]; b; b &= b - 1)
            release(ks, &ks->shards[w * 64 + (unsigned)__builtin_ctzll(b)]);
}

/* Hash array for a multi-key call: the stack one when it fits. */
static uint64_t *hashes_for(int n, uint64_t *stack) {
    return n <= KS_STACK_KEYS ? stack : malloc((size_t)n * sizeof(uint64_t));
}

/* ---- internal API (explicit now) -------------------------------------------- */

rd_status ks_get(rd_keyspace *ks, const char *key, size_t klen, int64_t now, ks_sink fn,
                 void *ctx) {
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    rd_status st = RD_OK;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (!e) {
        s->misses++;
        notify(NOTIFY_KEY_MISS, "keymiss", key, klen);
        st = RD_NOT_FOUND;
    } else {
        s->hits++;
        if (e->type != KS_TYPE_STRING) {
            st = RD_ERR_WRONGTYPE;
        } else {
            ev_touch(ks, s, e, now);
            if (fn(ctx, entry_val(e), entry_vlen(e)) != 0) st = RD_ERR_NOMEM;
        }
    }
    release(ks, s);
    free_chain(dead);
    return st;
}

/* A SET may rewrite an existing string in place (do_overwrite) when its chunk
 * and shape hold the new value (and its expiry) and the value fills at least
 * half of the chunk (a big chunk is not kept for a small value).  Small values
 * only: that copy is made under the shard lock, where every other write copies
 * its value in before the lock. */
#define KS_INPLACE_MAX 4096

static int fits_in_place(const entry *e, size_t vlen, int64_t expire_at) {
    if (is_typed(e) || vlen > KS_INPLACE_MAX || !entry_fits(e, vlen)) return 0;
    if (expire_at && !(e->flags & E_TTL)) return 0;
    size_t need = ENTRY_HDR + entry_meta(e->flags) + entry_klen(e) + vlen;
    return malloc_usable_size((void *)e) < 2 * need;
}

/* Whether this thread's last SET needed a new entry: the next one likely does
 * too (a load of new keys), so it allocates before the lock right away instead
 * of looking first; an overwrite that fits in place frees that allocation. */
static _Thread_local int set_wants_entry;

/* SET's checks in Redis's order (setGenericCommand): memory first (OOM),
 * then GET (WRONGTYPE aborts), then NX/XX, then the write.  An overwrite that
 * fits in place allocates nothing; otherwise the new entry is allocated
 * outside the lock and the key looked up again. */
rd_status ks_set(rd_keyspace *ks, const char *key, size_t klen, const char *val, size_t vlen,
                 int flags, int64_t expire_at, int64_t now, ks_sink old_fn, void *old_ctx,
                 int *old_found) {
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *ne = NULL, *spare = NULL, *dead = NULL, **link, *e;
    rd_status st = RD_OK;
    int found = 0, in_place;

    if (ev_admit(ks, now) != RD_OK) return RD_ERR_OOM;
    for (int pass = set_wants_entry;; pass++) {
        if (pass && !ne && (ne = entry_adopt(key, klen, val, vlen, expire_at, now)))
            key = entry_key(ne); /* the request's bytes are the entry's now */
        if (pass && !ne && !(ne = entry_new(key, klen, val, vlen, expire_at, links_hint(ks), now))) {
            free_chain(dead);
            return RD_ERR_NOMEM;
        }
        lock(s);
        e = do_lookup(s, h, key, klen, now, &link, &dead);
        in_place = e && fits_in_place(e, vlen, expire_at);
        if (in_place || ne) break;
        release(ks, s);
    }
    set_wants_entry = !in_place;
    if (in_place) spare = ne, ne = NULL;
    if (ne && entry_fit_links(s, &ne) != 0) {
        st = RD_ERR_NOMEM;
    } else if (ne && e && (flags & RD_SET_KEEPTTL) && expire_at == 0 && entry_expire(e)) {
        entry *t = entry_reshape(ne, E_TTL, vlen); /* ne is not linked yet: a plain realloc */
        if (t) entry_set_expire(ne = t, entry_expire(e));
        else st = RD_ERR_NOMEM;
    }
    if (st != RD_OK)
        ;
    else if (ne && ev_refuse(ks, (int64_t)entry_mem(ne) - (e ? (int64_t)entry_mem(e) : 0)))
        st = RD_ERR_OOM;
    else if (flags & RD_SET_GET) {
        if (!e) {
            s->misses++;
            notify(NOTIFY_KEY_MISS, "keymiss", key, klen);
        } else if (s->hits++, e->type != KS_TYPE_STRING) {
            st = RD_ERR_WRONGTYPE;
        } else {
            found = 1;
            if (old_fn && old_fn(old_ctx, entry_val(e), entry_vlen(e)) != 0) st = RD_ERR_NOMEM;
        }
    }
    if (st == RD_OK && (((flags & RD_SET_NX) && e) || ((flags & RD_SET_XX) && !e)))
        st = RD_NOT_DONE;
    if (st == RD_OK) {
        if (!ne)
            do_overwrite(ks, s, e, val, vlen,
                         (flags & RD_SET_KEEPTTL) && expire_at == 0 ? entry_expire(e) : expire_at, now);
        else if (e)
            do_replace(ks, s, link, e, ne, now, &dead);
        else
            do_link(ks, s, h, ne, now);
    }
    release(ks, s);
    free_chain(dead);
    free(spare);
    if (st == RD_OK) {
        entry *kept = ne ? ne : e; /* only compared, never read: it may be gone by now */
        ev_settle(ks, &kept, 1, now);
    } else {
        free(ne);
    }
    if (old_found) *old_found = found;
    return st;
}

rd_status ks_incrby(rd_keyspace *ks, const char *key, size_t klen, int64_t delta, int64_t now,
                    int64_t *result) {
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    long long old = 0;
    rd_status st;

    if (ev_admit(ks, now) != RD_OK) return RD_ERR_OOM;
    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e && e->type != KS_TYPE_STRING) {
        st = RD_ERR_WRONGTYPE;
    } else if (e && !str2ll(entry_val(e), entry_vlen(e), &old)) {
        st = RD_ERR_NOTINT;
    } else if ((delta < 0 && old < 0 && delta < LLONG_MIN - old) ||
               (delta > 0 && old > 0 && delta > LLONG_MAX - old)) {
        st = RD_ERR_OVERFLOW;
    } else {
        char digits[24];
        long long nv = old + delta;
        st = do_store(ks, s, h, key, klen, e, link, digits, ll2str(digits, nv), now, &dead);
        if (st == RD_OK) *result = nv;
    }
    e = st == RD_OK ? do_find(s, h, key, klen, &link) : NULL; /* the entry written */
    release(ks, s);
    free_chain(dead);
    if (e) ev_settle(ks, &e, 1, now);
    return st;
}

rd_status ks_del(rd_keyspace *ks, const char *key, size_t klen, int64_t now) {
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e) {
        do_unlink(s, link, e);
        push_dead(&dead, e);
        notify(NOTIFY_GENERIC, "del", key, klen);
    }
    release(ks, s);
    free_chain(dead);
    return e ? RD_OK : RD_NOT_FOUND;
}

/* EXISTS counts hits/misses but does not touch the LRU clock (LOOKUP_NOTOUCH); a miss is a keymiss. */
rd_status ks_exists(rd_keyspace *ks, const char *key, size_t klen, int64_t now) {
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e)
        s->hits++;
    else
        s->misses++, notify(NOTIFY_KEY_MISS, "keymiss", key, klen);
    release(ks, s);
    free_chain(dead);
    return e ? RD_OK : RD_NOT_FOUND;
}

/* DEL/UNLINK, EXISTS, TOUCH of several keys: every stripe involved is locked
 * (ascending) for the whole command, so it is one instant (never half of an MSET,
 * never half done for KEYS or FLUSHALL).  Keys are handled in order: a key named
 * twice is deleted once and counted twice by EXISTS, as in Redis.  EXISTS counts
 * hits and misses without touching the access clock; TOUCH touches it. */
rd_status ks_multi(rd_keyspace *ks, int op, int nkeys, const char *const *keys, const size_t *klens,
                   int64_t now, int64_t *count) {
    uint64_t hstack[KS_STACK_KEYS];
    uint64_t *hs = hashes_for(nkeys, hstack);
    entry *dead = NULL, **link;
    shardset set = {{0}};
    int64_t n = 0;

    if (!hs) return RD_ERR_NOMEM;
    for (int i = 0; i < nkeys; i++) {
        hs[i] = key_hash(ks, keys[i], klens[i]);
        shardset_add(&set, hs[i]);
    }
    shardset_lock(ks, &set);
    for (int i = 0; i < nkeys; i++) {
        shard *s = shard_of(ks, hs[i]);
        entry *e = do_lookup(s, hs[i], keys[i], klens[i], now, &link, &dead);
        if (!e) {
            if (op != RD_MULTI_DEL) s->misses++;
            if (op != RD_MULTI_DEL) notify(NOTIFY_KEY_MISS, "keymiss", keys[i], klens[i]);
            continue;
        }
        n++;
        if (op == RD_MULTI_DEL) {
            do_unlink(s, link, e);
            push_dead(&dead, e);
            notify(NOTIFY_GENERIC, "del", keys[i], klens[i]);
        } else {
            s->hits++;
            if (op == RD_MULTI_TOUCH) ev_touch(ks, s, e, now);
        }
    }
    shardset_release(ks, &set);
    free_chain(dead);
    if (hs != hstack) free(hs);
    *count = n;
    return RD_OK;
}

static void free_entries(entry **es, int n) {
    for (int i = 0; i < n; i++) free(es[i]);
}

/* Bytes an MSET adds (new entries minus the ones they replace), for noeviction's check. */
static int64_t mset_growth(rd_keyspace *ks, int npairs, const char *const *keys,
                           const size_t *klens, size_t stride, const uint64_t *hs, entry **es) {
    int64_t grow = 0;
    entry **link;
    if (!atomic_load_explicit(&ks->maxmemory, memory_order_relaxed)) return 0;
    for (int j = 0; j < npairs; j++) {
        size_t i = (size_t)j * stride;
        entry *e = do_find(shard_of(ks, hs[j]), hs[j], keys[i], klens[i], &link);
        grow += (int64_t)entry_mem(es[j]) - (e ? (int64_t)entry_mem(e) : 0);
    }
    return grow;
}

/* Entries are built before any lock; then every involved shard is locked
 * (ascending) so all pairs appear at once.  Later duplicates win, as in Redis.
 * nx (MSETNX): nothing is written, RD_NOT_DONE, when any of the keys exists. */
rd_status mset_generic(rd_keyspace *ks, int npairs, const char *const *keys,
                       const size_t *klens, const char *const *vals, const size_t *vlens,
                       size_t stride, int64_t now, int nx) {
    uint64_t hstack[KS_STACK_KEYS];
    entry *estack[KS_STACK_KEYS];
    uint64_t *hs;
    entry **es, *dead = NULL, **link;
    shardset set = {{0}};
    rd_status st = RD_OK;
    int built = 0;

    if (npairs <= 0) return RD_OK;
    if (ev_admit(ks, now) != RD_OK) return RD_ERR_OOM;
    hs = hashes_for(npairs, hstack);
    es = npairs <= KS_STACK_KEYS ? estack : malloc((size_t)npairs * sizeof *es);
    if (!hs || !es) {
        st = RD_ERR_NOMEM;
        goto out;
    }
    for (; built < npairs; built++) {
        size_t i = (size_t)built * stride;
        hs[built] = key_hash(ks, keys[i], klens[i]);
        es[built] = entry_new(keys[i], klens[i], vals[i], vlens[i], 0, links_hint(ks), now);
        if (!es[built]) {
            free_entries(es, built);
            st = RD_ERR_NOMEM;
            goto out;
        }
        shardset_add(&set, hs[built]);
    }
    shardset_lock(ks, &set);
    for (int j = 0; j < npairs && st == RD_OK; j++)
        if (entry_fit_links(shard_of(ks, hs[j]), &es[j]) != 0) st = RD_ERR_NOMEM;
    if (st == RD_OK && ev_refuse(ks, mset_growth(ks, npairs, keys, klens, stride, hs, es))) st = RD_ERR_OOM;
    if (st != RD_OK) {
        shardset_release(ks, &set);
        free_entries(es, npairs);
        goto out;
    }
    for (int j = 0; nx && j < npairs && st == RD_OK; j++) {
        size_t i = (size_t)j * stride;
        if (do_lookup(shard_of(ks, hs[j]), hs[j], keys[i], klens[i], now, &link, &dead))
            st = RD_NOT_DONE;
    }
    for (int j = 0; j < npairs && st == RD_OK; j++) {
        size_t i = (size_t)j * stride;
        shard *s = shard_of(ks, hs[j]);
        entry *e = do_lookup(s, hs[j], keys[i], klens[i], now, &link, &dead);
        if (e)
            do_replace(ks, s, link, e, es[j], now, &dead);
        else
            do_link(ks, s, hs[j], es[j], now);
        notify(NOTIFY_STRING, "set", keys[i], klens[i]); /* after each key's "new", as Redis */
    }
    shardset_release(ks, &set);
    free_chain(dead);
    if (st == RD_NOT_DONE)
        free_entries(es, npairs);
    else
        ev_settle(ks, es, npairs, now);
out:
    if (hs != hstack) free(hs);
    if (es != estack) free(es);
    return st;
}

rd_status ks_mset(rd_keyspace *ks, int npairs, const char *const *keys, const size_t *klens,
                  const char *const *vals, const size_t *vlens, size_t stride, int64_t now) {
    return mset_generic(ks, npairs, keys, klens, vals, vlens, stride, now, 0);
}

/* All involved shards stay locked while the values are copied, so an MGET
 * never sees half of a concurrent MSET. */
rd_status ks_mget(rd_keyspace *ks, int nkeys, const char *const *keys, const size_t *klens,
                  int64_t now, ks_sink fn, void *ctx) {
    uint64_t hstack[KS_STACK_KEYS];
    uint64_t *hs = hashes_for(nkeys, hstack);
    entry *dead = NULL, **link;
    shardset set = {{0}};
    rd_status st = RD_OK;

    if (!hs) return RD_ERR_NOMEM;
    for (int i = 0; i < nkeys; i++) {
        hs[i] = key_hash(ks, keys[i], klens[i]);
        shardset_add(&set, hs[i]);
    }
    shardset_lock(ks, &set);
    for (int i = 0; i < nkeys && st == RD_OK; i++) {
        shard *s = shard_of(ks, hs[i]);
        entry *e = do_lookup(s, hs[i], keys[i], klens[i], now, &link, &dead);
        int rc;
        if (!e) {
            s->misses++;
            notify(NOTIFY_KEY_MISS, "keymiss", keys[i], klens[i]);
            rc = fn(ctx, NULL, 0);
        } else if (s->hits++, e->type != KS_TYPE_STRING) {
            rc = fn(ctx, NULL, 1);
        } else {
            ev_touch(ks, s, e, now);
            rc = fn(ctx, entry_val(e), entry_vlen(e));
        }
        if (rc != 0) st = RD_ERR_NOMEM;
    }
    shardset_release(ks, &set);
    free_chain(dead);
    if (hs != hstack) free(hs);
    return st;
}

/* ---- prefetching for the fast path ------------------------------------------------ */

/* conn.c hashes the keys of a pipelined batch before running it, so the cache
 * misses of many lookups overlap instead of coming one after another. */

uint64_t ks_hash(rd_keyspace *ks, const char *key, size_t klen) {
    return siphash13(key, klen, ks->k0, ks->k1);
}

void ks_set_hint(rd_keyspace *ks, const char *key, size_t klen, uint64_t h) {
    hint.ks = ks;
    hint.key = key;
    hint.klen = klen;
    hint.h = h;
}

/* A hint only: the shard's table and mask are read without the lock, and the
 * address is only prefetched (never dereferenced), so a stale value during a
 * resize costs one useless prefetch.  Off under ThreadSanitizer, which would
 * rightly call the unlocked read a race. */
void ks_prefetch_bucket(rd_keyspace *ks, uint64_t h) {
    shard *s = shard_of(ks, h);
    __builtin_prefetch(s, 1);
#ifndef __SANITIZE_THREAD__
    entry **table = __atomic_load_n(&s->table, __ATOMIC_RELAXED);
    size_t mask = __atomic_load_n(&s->mask, __ATOMIC_RELAXED);
    __builtin_prefetch(&table[bucket_of(mask, h)]);
#endif
}

/* Prefetches the first entry of the key's chain, read under the lock (the
 * table may be freed by a concurrent resize otherwise). */
void ks_prefetch_entry(rd_keyspace *ks, uint64_t h) {
    shard *s = shard_of(ks, h);
    lock(s);
    const char *e = (const char *)s->table[bucket_of(s->mask, h)];
    if (e) {
        /* A chunk is 16-byte aligned, so a small entry (header, key, value: up to
         * 64 bytes) usually spans two cache lines: the key and value sit in the
         * second one as often as not. */
        __builtin_prefetch(e);
        __builtin_prefetch(e + 63);
    }
    pthread_mutex_unlock(&s->lock);
}

/* ---- public API ---------------------------------------------------------------- */

static void seed_keys(rd_keyspace *ks, uint64_t seed) {
    uint64_t k[2];
    if (seed == 0 && getrandom(k, sizeof k, 0) == (ssize_t)sizeof k) {
        ks->k0 = k[0];
        ks->k1 = k[1];
        return;
    }
    /* A given seed (or no getrandom): stretch 64 bits into the 128-bit key. */
    if (seed == 0) seed = (uint64_t)clock_mono_us() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)ks;
    ks->k0 = splitmix64(&seed);
    ks->k1 = splitmix64(&seed);
}

static void free_table(entry **table, size_t buckets) {
    for (size_t i = 0; i < buckets; i++) free_chain(table[i]);
    free(table);
}

static void ks_lazyfree(void); /* the gate's after_release hook (rule 8 of gate.c) */

static const ks_table_ops table_ops = {remove_entry, release_free, reshape_links};

rd_keyspace *rd_keyspace_new(uint64_t seed) {
    rd_keyspace *ks = calloc(1, sizeof *ks);
    if (!ks) return NULL;
    ks->shards = aligned_alloc(64, KS_NSHARDS * sizeof(shard));
    if (!ks->shards) {
        free(ks);
        return NULL;
    }
    memset(ks->shards, 0, KS_NSHARDS * sizeof(shard));
    if (gate_init(&ks->gate, ks_lazyfree) != 0) {
        free(ks->shards);
        free(ks);
        return NULL;
    }
    seed_keys(ks, seed);
    ks->table = &table_ops;
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        s->table = calloc(KS_MIN_BUCKETS, sizeof *s->table);
        if (!s->table) {
            while (i--) {
                pthread_mutex_destroy(&ks->shards[i].lock);
                free(ks->shards[i].table);
            }
            gate_destroy(&ks->gate);
            free(ks->shards);
            free(ks);
            return NULL;
        }
        s->mask = KS_MIN_BUCKETS - 1;
        pthread_mutex_init(&s->lock, NULL);
        s->total = &ks->used;
        s->ev.rng = splitmix64(&seed) | 1;
        used_add(s, malloc_usable_size(s->table) + KS_MALLOC_OVERHEAD);
    }
    /* The fixed structures count too: the limit covers what the keyspace holds. */
    atomic_fetch_add(&ks->used, (int64_t)(malloc_usable_size(ks) + malloc_usable_size(ks->shards) +
                                          2 * KS_MALLOC_OVERHEAD));
    return ks;
}

void rd_keyspace_free(rd_keyspace *ks) {
    if (!ks) return;
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        free_table(ks->shards[i].table, ks->shards[i].mask + 1);
        ev_shard_free(&ks->shards[i]);
        watch_free_all(ks->shards[i].watched);
        pthread_mutex_destroy(&ks->shards[i].lock);
    }
    gate_destroy(&ks->gate);
    free(ks->shards);
    free(ks);
}

int copy_sink(void *ctx, const char *v, size_t n) {
    return buf_append(ctx, v, n);
}

rd_status rd_ks_get(rd_keyspace *ks, const char *key, size_t klen, rd_buf *out) {
    rd_buf_clear(out);
    return ks_get(ks, key, klen, rd_now_ms(), copy_sink, out);
}

rd_status rd_ks_set(rd_keyspace *ks, const char *key, size_t klen, const char *val, size_t vlen,
                    int flags, int64_t expire_at_ms, rd_buf *old, int *old_found) {
    if (old) rd_buf_clear(old);
    return ks_set(ks, key, klen, val, vlen, flags, expire_at_ms, rd_now_ms(),
                  old ? copy_sink : NULL, old, old_found);
}

void rd_block_offer(char *block, const char *val, size_t vlen) { ks_adopt_offer(block, val, vlen); }

int rd_block_taken(void) { return ks_adopt_taken(); }

void rd_block_free(char *block) { free(block); }

rd_status rd_ks_mset(rd_keyspace *ks, int npairs, const char **keys, const size_t *klens,
                     const char **vals, const size_t *vlens) {
    return ks_mset(ks, npairs, keys, klens, vals, vlens, 1, rd_now_ms());
}

/* rd_ks_mget's record format: an 8-byte native length, UINT64_MAX for "no
 * string here", then the bytes. */
static int mget_record_sink(void *ctx, const char *v, size_t n) {
    rd_buf *out = ctx;
    uint64_t len = v ? (uint64_t)n : n ? UINT64_MAX - 1 : UINT64_MAX;
    if (buf_append(out, &len, sizeof len) < 0) return -1;
    return v ? buf_append(out, v, n) : 0;
}

rd_status rd_ks_mget(rd_keyspace *ks, int nkeys, const char **keys, const size_t *klens,
                     rd_buf *out) {
    rd_buf_clear(out);
    rd_status st = ks_mget(ks, nkeys, keys, klens, rd_now_ms(), mget_record_sink, out);
    return out->failed ? RD_ERR_NOMEM : st;
}

rd_status rd_ks_incrby(rd_keyspace *ks, const char *key, size_t klen, int64_t delta,
                       int64_t *result) {
    return ks_incrby(ks, key, klen, delta, rd_now_ms(), result);
}

rd_status rd_ks_del(rd_keyspace *ks, const char *key, size_t klen) {
    return ks_del(ks, key, klen, rd_now_ms());
}

rd_status rd_ks_exists(rd_keyspace *ks, const char *key, size_t klen) {
    return ks_exists(ks, key, klen, rd_now_ms());
}

/* EXPIRE's conditions as Redis 7.0 expireGenericCommand: a key without a TTL
 * counts as an infinite TTL for GT/LT; a time not in the future deletes. */
rd_status do_expire(rd_keyspace *ks, shard *s, entry **link, entry *e, int64_t at, int flags,
                    int64_t now, entry **dead) {
    int64_t cur = entry_expire(e);
    if ((flags & RD_EXP_NX) && cur) return RD_NOT_DONE;
    if ((flags & RD_EXP_XX) && !cur) return RD_NOT_DONE;
    if ((flags & RD_EXP_GT) && (!cur || at <= cur)) return RD_NOT_DONE;
    if ((flags & RD_EXP_LT) && cur && at >= cur) return RD_NOT_DONE;
    if (at <= now) {
        do_unlink(s, link, e);
        push_dead(dead, e);
        return RD_OK;
    }
    if (!(e->flags & E_TTL) && !(e = do_reshape(ks, s, link, e, E_TTL, entry_vlen(e), now)))
        return RD_ERR_NOMEM; /* only keys given a TTL carry the 8-byte slot */
    if (!cur) s->expires++;
    watch_hook(s, e);
    entry_set_expire(e, at);
    return RD_OK;
}

rd_status rd_ks_expire(rd_keyspace *ks, const char *key, size_t klen, int64_t at_ms, int flags) {
    int64_t now = rd_now_ms();
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    rd_status st = RD_NOT_FOUND;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e) st = do_expire(ks, s, link, e, at_ms, flags, now, &dead);
    release(ks, s);
    free_chain(dead);
    return st;
}

rd_status rd_ks_pttl(rd_keyspace *ks, const char *key, size_t klen, int64_t *ms) {
    int64_t now = rd_now_ms();
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e) {
        s->hits++;
        int64_t at = entry_expire(e);
        *ms = at ? at - now : -1; /* never negative: expired keys are absent */
    } else {
        s->misses++;
        notify(NOTIFY_KEY_MISS, "keymiss", key, klen);
    }
    release(ks, s);
    free_chain(dead);
    return e ? RD_OK : RD_NOT_FOUND;
}

/* Removes e's expiry (it has one): PERSIST, GETEX PERSIST. */
void do_persist(shard *s, entry *e) {
    watch_hook(s, e);
    notify(NOTIFY_GENERIC, "persist", entry_key(e), entry_klen(e));
    entry_set_expire(e, 0); /* the slot stays: a later EXPIRE needs no realloc */
    s->expires--;
}

rd_status rd_ks_persist(rd_keyspace *ks, const char *key, size_t klen) {
    int64_t now = rd_now_ms();
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    rd_status st = RD_NOT_FOUND;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e && !entry_expire(e)) {
        st = RD_NOT_DONE;
    } else if (e) {
        do_persist(s, e);
        st = RD_OK;
    }
    release(ks, s);
    free_chain(dead);
    return st;
}

/* Tables a FLUSHALL detached, freed once its thread leaves the gate (lazyfree). */
typedef struct detached {
    struct detached *next;
    int async; /* FLUSHALL ASYNC: freed by a thread of its own */
    entry **table[KS_NSHARDS];
    size_t buckets[KS_NSHARDS];
} detached;

static _Thread_local detached *to_free; /* this thread's, pending its gate release */

static void free_detached(detached *d) {
    while (d) {
        detached *next = d->next;
        for (unsigned i = 0; i < KS_NSHARDS; i++) free_table(d->table[i], d->buckets[i]);
        free(d);
        d = next;
    }
}

static void *free_in_background(void *arg) {
    free_detached(arg);
    return NULL;
}

/* With a FLUSHALL ASYNC among them, the tables go to a detached thread, as Redis's
 * lazyfree does, so not even this thread's clients wait; without a thread to be
 * had they are freed here. */
static void ks_lazyfree(void) {
    detached *d = to_free;
    pthread_t t;
    pthread_attr_t attr;
    int started = 0, async = 0;
    trk_after_gate(); /* the invalidations of what this hold changed */
    to_free = NULL;
    if (!d) return;
    for (detached *x = d; x; x = x->next) async |= x->async;
    if (async && pthread_attr_init(&attr) == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&t, &attr, free_in_background, d) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) free_detached(d);
}

/* The whole keyspace (FLUSHALL, KEYS, DBSIZE...): the gate exclusive, so no other
 * command is in the middle of anything (gate.c).  A thread that already holds the
 * gate shared cannot upgrade: it goes on under that hold, stripe by stripe, which
 * is not one instant, so the dispatcher runs these commands without its hold. */
void whole_begin(rd_keyspace *ks) { gate_enter_whole(&ks->gate); }
void whole_end(rd_keyspace *ks) { gate_leave(&ks->gate); }

/* One instant for every other command: under the gate exclusive the tables are
 * swapped for empty ones (O(stripes), each stripe's lock held for its swap); the
 * old tables are freed once this thread leaves the gate (gate.c calls
 * ks_lazyfree), so the others wait for the swap, never for the free. */
static rd_status flush(rd_keyspace *ks, int async) {
    detached *d = malloc(sizeof *d);
    unsigned made = 0;

    if (d) /* the empty tables, made before the gate: d->table[i] swaps with shard i's */
        for (; made < KS_NSHARDS; made++)
            if (!(d->table[made] = calloc(KS_MIN_BUCKETS, sizeof *d->table[made]))) break;
    if (!d || made < KS_NSHARDS) {
        while (made) free(d->table[--made]);
        free(d);
        return RD_ERR_NOMEM;
    }
    whole_begin(ks);
    note_peak(ks);
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        entry **fresh = d->table[i];
        lock(s);
        d->table[i] = s->table;
        d->buckets[i] = s->mask + 1;
        s->table = fresh;
        s->mask = KS_MIN_BUCKETS - 1;
        s->count = s->expires = 0;
        s->cursor = 0;
        used_sub(s, atomic_load_explicit(&s->used, memory_order_relaxed));
        used_add(s, malloc_usable_size(fresh) + KS_MALLOC_OVERHEAD);
        ev_shard_reset(s);
        pthread_mutex_unlock(&s->lock);
    }
    trk_flushed();
    d->async = async;
    d->next = to_free;
    to_free = d;
    whole_end(ks); /* frees d, unless this thread still holds the gate (an EXEC) */
    return RD_OK;
}

rd_status rd_ks_flush(rd_keyspace *ks) { return flush(ks, 0); }
rd_status rd_ks_flush_async(rd_keyspace *ks) { return flush(ks, 1); }

/* e's collection changed in place (shard lock held): its memory is counted again, through its
 * eviction queue; a collection left empty is unlinked onto *dead, as Redis deletes such a key. */
static int typed_recount(rd_keyspace *ks, shard *s, entry **link, entry *e, int64_t now, entry **dead) {
    typed_val t;
    ev_unlink(s, e); /* its eviction queue counts entry_mem, which changes now */
    t = tv_get(e);
    used_sub(s, t.mem);
    t.mem = ks_types[e->type]->mem(t.obj);
    used_add(s, t.mem);
    tv_put(e, t);
    ev_requeue(ks, s, e, now);
    if (ks_types[e->type]->len(t.obj) != 0) return 0;
    do_unlink_quiet(s, link, e);
    push_dead(dead, e);
    return 1;
}

/* One active-expiry step through the items with a TTL of e's collection (a hash's fields), shard
 * lock held: the items reclaimed; e may be gone after it (emptied: *link is then its successor).
 * No WATCH signal, as for keys (rule 7). */
static uint64_t expire_items(rd_keyspace *ks, shard *s, entry **link, entry *e, int64_t now, entry **dead) {
    const ks_type_ops *ops = ks_types[e->type];
    size_t before, after;
    if (!ops || !ops->expire_items) return 0;
    before = ops->len(tv_get(e).obj);
    if (ops->expire_items(tv_get(e).obj, now)) s->item_ttls_seen = 1;
    after = ops->len(tv_get(e).obj);
    if (after != before) typed_recount(ks, s, link, e, now, dead);
    return before - after;
}

/* One active-expiry visit: up to KS_EXPIRE_BUCKETS buckets from the shard's cursor. */
static uint64_t expire_visit(rd_keyspace *ks, shard *s, int64_t now) {
    entry *dead = NULL;
    uint64_t n = 0;

    lock(s);
    if (s->expires || s->item_ttls) {
        size_t todo = s->mask + 1 < KS_EXPIRE_BUCKETS ? s->mask + 1 : KS_EXPIRE_BUCKETS;
        uint64_t items = 0;
        for (; todo; todo--) {
            entry **link = &s->table[s->cursor];
            while (*link) {
                entry *e = *link;
                if (is_expired(e, now)) {
                    trk_key_expired(entry_key(e), entry_klen(e));
                    do_unlink_quiet(s, link, e);
                    notify(NOTIFY_EXPIRED, "expired", entry_key(e), entry_klen(e));
                    push_dead(&dead, e);
                    n++;
                } else if (s->item_ttls && is_typed(e) && (items += expire_items(ks, s, link, e, now, &dead), *link != e)) {
                    /* emptied by its items' expiry and unlinked: *link is its successor */
                } else {
                    link = &e->next;
                }
            }
            s->cursor = (s->cursor + 1) & s->mask;
            if (s->cursor == 0) { /* a lap ends: stop visiting a stripe where no item has a TTL */
                s->item_ttls = s->item_ttls_seen;
                s->item_ttls_seen = 0;
            }
        }
        s->expired += n;
        n += items;
    }
    release(ks, s);
    free_chain(dead);
    return n;
}

/* Visits shards round robin (the shared cursor spreads concurrent callers
 * over different shards) until the budget is spent or a whole lap of all
 * shards reclaimed nothing.  Not measured yet: the per-visit bucket count. */
rd_status rd_ks_active_expire(rd_keyspace *ks, int64_t budget_us, uint64_t *reclaimed) {
    int64_t start, now;
    uint64_t total = 0, lap_start = 0;

    /* Shared gate: never inside an EXEC, whose clock stands still (csrc/gate.c). */
    gate_enter_shared(&ks->gate);
    start = clock_mono_us();
    now = rd_now_ms();

    for (unsigned visited = 1;; visited++) {
        uint32_t i = atomic_fetch_add_explicit(&ks->next_shard, 1, memory_order_relaxed);
        total += expire_visit(ks, &ks->shards[i & (KS_NSHARDS - 1)], now);
        if (visited % KS_NSHARDS == 0) {
            if (total == lap_start) break;
            lap_start = total;
        }
        if (clock_mono_us() - start >= budget_us) break;
    }
    gate_leave(&ks->gate);
    note_peak(ks);
    if (reclaimed) *reclaimed = total;
    return RD_OK;
}

/* Under the gate exclusive (whole_begin), so DBSIZE, INFO keyspace and
 * used_memory are one instant: never half of an MSET or of a FLUSHALL, nor the
 * middle of an EXEC; also when /metrics asks from outside any command. */
rd_status rd_ks_stats(rd_keyspace *ks, uint64_t *out, size_t n) {
    uint64_t v[RD_KS_NSTATS] = {0};
    whole_begin(ks);
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        lock(s);
        v[RD_KS_KEYS] += s->count;
        v[RD_KS_EXPIRES] += s->expires;
        v[RD_KS_EXPIRED] += s->expired;
        v[RD_KS_EVICTED] += s->evicted;
        v[RD_KS_HITS] += s->hits;
        v[RD_KS_MISSES] += s->misses;
        pthread_mutex_unlock(&s->lock);
    }
    v[RD_KS_USED_MEMORY] = used_total(ks);
    whole_end(ks);
    note_peak(ks);
    v[RD_KS_PEAK_MEMORY] = atomic_load_explicit(&ks->peak, memory_order_relaxed);
    if (v[RD_KS_PEAK_MEMORY] < v[RD_KS_USED_MEMORY]) v[RD_KS_PEAK_MEMORY] = v[RD_KS_USED_MEMORY];
    for (size_t i = 0; i < n && i < RD_KS_NSTATS; i++) out[i] = v[i];
    return RD_OK;
}

/* ---- transactions: the gate and WATCH ----------------------------------------------- */

ks_gate *ks_gate_of(rd_keyspace *ks) { return &ks->gate; }

void rd_ks_shared_begin(rd_keyspace *ks) { gate_enter_shared(&ks->gate); }
void rd_ks_shared_end(rd_keyspace *ks) { gate_leave(&ks->gate); }

rd_status rd_ks_exclusive_begin(rd_keyspace *ks) {
    return gate_enter_exclusive(&ks->gate) == 0 ? RD_OK : RD_NOT_DONE;
}

void rd_ks_exclusive_end(rd_keyspace *ks) { gate_leave(&ks->gate); }

rd_status rd_ks_gate_begin_unless_busy(rd_keyspace *ks, int excl) {
    int rc = excl ? gate_enter_exclusive_or_busy(&ks->gate) : gate_enter_shared_or_busy(&ks->gate);
    return rc == 0 ? RD_OK : rc == -1 && excl ? RD_NOT_DONE : RD_ERR_BUSY;
}

rd_status rd_ks_watch(rd_keyspace *ks, const char *key, size_t klen, uint64_t *version, int *live) {
    watch_op op = {key, klen, 0, 0, NULL};
    if (watch_op_init(&op, key, klen) != 0) return RD_ERR_NOMEM;
    ks_watch_locked(ks, key, klen, rd_now_ms(), watch_add, &op);
    free(op.spare); /* NULL when it became the key's node */
    *version = op.version;
    *live = op.live;
    return RD_OK;
}

rd_status rd_ks_unwatch(rd_keyspace *ks, const char *key, size_t klen) {
    watch_op op = {key, klen, 0, 0, NULL};
    int rc = ks_watch_locked(ks, key, klen, rd_now_ms(), watch_drop, &op);
    free(op.spare);
    return rc == 0 ? RD_OK : RD_NOT_FOUND;
}

rd_status rd_ks_watch_check(rd_keyspace *ks, const char *key, size_t klen, uint64_t version, int live) {
    watch_op op = {key, klen, version, live != 0, NULL};
    int rc = ks_watch_locked(ks, key, klen, rd_now_ms(), watch_check, &op);
    return rc < 0 ? RD_NOT_FOUND : rc == 0 ? RD_OK : RD_NOT_DONE;
}

/* The key's state is read without lazy expiry (Redis's keyIsExpired): an
 * expired key stays until a normal access reclaims it. */
int ks_watch_locked(rd_keyspace *ks, const char *key, size_t klen, int64_t now, ks_watch_fn fn,
                    void *ctx) {
    uint64_t h = key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry **link, *e;
    int rc;

    lock(s);
    e = do_find(s, h, key, klen, &link);
    rc = fn(ctx, &s->watched, !e ? KS_ABSENT : is_expired(e, now) ? KS_EXPIRED : KS_LIVE);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- type commands' view of their keys (csrc/types.c's tx_open; rules 1, 2, 4 and 7) -- */

_Static_assert(sizeof(((ks_view *)0)->set) == sizeof(shardset), "ks_view.set is a shardset");

rd_status ks_view_open(ks_view *v, rd_keyspace *ks, int n, const char *const *keys,
                       const size_t *klens) {
    v->ks = ks;
    v->now = rd_now_ms();
    v->n = n;
    v->keys = keys;
    v->klens = klens;
    v->dead = NULL;
    v->hs = n <= (int)(sizeof v->hstack / sizeof v->hstack[0]) ? v->hstack
                                                                 : malloc((size_t)n * sizeof *v->hs);
    if (!v->hs) return RD_ERR_NOMEM;
    if (n == 1) { /* most type commands: one stripe, no set to clear and scan (~300 instructions) */
        v->hs[0] = key_hash(ks, keys[0], klens[0]);
        lock(shard_of(ks, v->hs[0]));
        return RD_OK;
    }
    memset(v->set, 0, sizeof v->set);
    for (int i = 0; i < n; i++) {
        v->hs[i] = key_hash(ks, keys[i], klens[i]);
        shardset_add((shardset *)v->set, v->hs[i]);
    }
    shardset_lock(ks, (shardset *)v->set);
    return RD_OK;
}

void ks_view_close(ks_view *v) {
    if (v->n == 1)
        release(v->ks, shard_of(v->ks, v->hs[0]));
    else
        shardset_release(v->ks, (shardset *)v->set);
    free_chain(v->dead);
    if (v->hs != v->hstack) free(v->hs);
}

static entry *view_lookup(ks_view *v, int i, entry ***link) {
    shard *s = shard_of(v->ks, v->hs[i]);
    return do_lookup(s, v->hs[i], v->keys[i], v->klens[i], v->now, link, (entry **)&v->dead);
}

entry *view_entry(ks_view *v, int i, int type, int read, rd_status *st) {
    shard *s = shard_of(v->ks, v->hs[i]);
    entry **link, *e = view_lookup(v, i, &link);
    *st = !e ? RD_NOT_FOUND : e->type != type ? RD_ERR_WRONGTYPE : RD_OK;
    if (read) {
        if (e)
            s->hits++;
        else
            s->misses++, notify(NOTIFY_KEY_MISS, "keymiss", v->keys[i], v->klens[i]);
    }
    if (*st != RD_OK) return NULL;
    ev_touch(v->ks, s, e, v->now);
    return e;
}

rd_status ks_view_get(ks_view *v, int i, int type, int read, void **obj) {
    rd_status st;
    entry *e = view_entry(v, i, type, read, &st);
    if (e) *obj = tv_get(e).obj;
    return st;
}

rd_status ks_view_put(ks_view *v, int i, int type, void *obj) {
    const ks_type_ops *ops = ks_types[type];
    shard *s = shard_of(v->ks, v->hs[i]);
    typed_val t = {obj, ops->mem(obj)};
    entry **link, *old, *e = entry_new(v->keys[i], v->klens[i], (const char *)&t, sizeof t, 0, s->ev.linked, v->now);
    if (!e) {
        ops->free(obj);
        return RD_ERR_NOMEM;
    }
    e->type = (uint8_t)type;
    old = view_lookup(v, i, &link);
    if (old)
        do_replace(v->ks, s, link, old, e, v->now, (entry **)&v->dead);
    else
        do_link(v->ks, s, v->hs[i], e, v->now);
    return RD_OK;
}

static void view_changed(ks_view *v, int i, int watched) {
    shard *s = shard_of(v->ks, v->hs[i]);
    entry **link, *e = do_find(s, v->hs[i], v->keys[i], v->klens[i], &link);
    if (!e || !is_typed(e)) return;
    if (watched) watch_hook(s, e); /* an in-place write (rule 7) */
    if (typed_recount(v->ks, s, link, e, v->now, (entry **)&v->dead)) /* Redis deletes a key whose collection empties */
        notify(NOTIFY_GENERIC, "del", v->keys[i], v->klens[i]);
}

void ks_view_changed(ks_view *v, int i) { view_changed(v, i, 1); }

void ks_view_set_obj(ks_view *v, int i, void *obj) {
    shard *s = shard_of(v->ks, v->hs[i]);
    entry **link, *e = do_find(s, v->hs[i], v->keys[i], v->klens[i], &link);
    typed_val t;
    if (!e || !is_typed(e)) return;
    t = tv_get(e);
    t.obj = obj;
    tv_put(e, t);
}

void ks_view_item_ttls(ks_view *v, int i) {
    shard *s = shard_of(v->ks, v->hs[i]);
    s->item_ttls = s->item_ttls_seen = 1;
}

void ks_view_resized(ks_view *v, int i) { view_changed(v, i, 0); }

int ks_over_maxmemory(rd_keyspace *ks) { return ev_over(ks); }

int ks_view_delete(ks_view *v, int i) {
    shard *s = shard_of(v->ks, v->hs[i]);
    entry **link, *e = view_lookup(v, i, &link);
    if (!e) return 0;
    do_unlink(s, link, e);
    push_dead((entry **)&v->dead, e);
    return 1;
}

