/* ks_keys.c: key-level commands on the shared key table: DEL/EXISTS/TOUCH over
 * several keys, RENAME, COPY (typed_dup), key facts (TYPE, OBJECT, MEMORY USAGE),
 * SCAN, KEYS, RANDOMKEY and INFO's avg_ttl.
 *
 * Rules: keyspace.c's rules hold here unchanged.  In short: a shard's entries only
 * under its lock, several shards in ascending order (RENAME and COPY lock both
 * through a shardset), entries freed after the release, every explicit change seen
 * by WATCH; KEYS and RANDOMKEY's "no key" take the gate exclusive (whole_begin).
 */
#include "keyspace.h"
#include "notify.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

rd_status rd_ks_multi(rd_keyspace *ks, int op, int nkeys, const char **keys, const size_t *klens,
                      int64_t *count) {
    return ks_multi(ks, op, nkeys, keys, klens, rd_now_ms(), count);
}

/* COPY of a collection: ne (a byte copy of e) gets its own deep copy of the object. */
static int typed_dup(entry *ne, const entry *e) {
    const ks_type_ops *ops = ks_types[e->type];
    typed_val t = {ops->dup(tv_get(e).obj), 0};
    if (!t.obj) return -1;
    t.mem = ops->mem(t.obj);
    tv_put(ne, t);
    return 0;
}

/* RENAME and COPY.  dst is looked up before src: a lookup can unlink an
 * expired entry, which would invalidate the other's link, and only a live
 * src lets the code go on.  After src is unlinked dst is found again. */
static rd_status move_key(rd_keyspace *ks, const char *src, size_t slen, const char *dst,
                          size_t dlen, int keep_dst, int copy) {
    int64_t now = rd_now_ms();
    uint64_t hs = ks_key_hash(ks, src, slen), hd = ks_key_hash(ks, dst, dlen);
    shard *ss = shard_of(ks, hs), *sd = shard_of(ks, hd);
    entry *dead = NULL, **slink, **dlink, *e, *d, *ne;
    shardset set = {{0}};
    rd_status st = RD_OK;

    shardset_add(&set, hs);
    shardset_add(&set, hd);
    shardset_lock(ks, &set);
    d = do_lookup(sd, hd, dst, dlen, now, &dlink, &dead);
    e = do_lookup(ss, hs, src, slen, now, &slink, &dead);
    if (copy) { /* COPY reads its source as Redis's lookupKeyRead: a hit or a miss; RENAME writes */
        if (e)
            ss->hits++;
        else
            ss->misses++, notify(NOTIFY_KEY_MISS, "keymiss", src, slen);
    }
    if (!e) {
        st = RD_NOT_FOUND;
    } else if (slen == dlen && memcmp(src, dst, slen) == 0) {
        st = keep_dst ? RD_NOT_DONE : RD_OK; /* RENAME k k: nothing to do */
    } else if (d && keep_dst) {
        st = RD_NOT_DONE;
    } else if (!(ne = entry_new(dst, dlen, entry_val(e), entry_vlen(e), entry_expire(e), sd->ev.linked, now))) {
        st = RD_ERR_NOMEM;
    } else if (copy && is_typed(e) && typed_dup(ne, e) != 0) {
        free(ne);
        st = RD_ERR_NOMEM;
    } else {
        ne->type = e->type;
        if (!copy) {
            ne->access = e->access; /* RENAME moves the object, LRU clock and all */
            do_unlink(ss, slink, e);
            e->type = KS_TYPE_STRING; /* the object now belongs to ne: no double free */
            push_dead(&dead, e);
        }
        d = do_find(sd, hd, dst, dlen, &dlink);
        if (d) notify(NOTIFY_NEW, "new", dst, dlen); /* Redis deletes dst, then dbAdd */
        if (d)
            do_replace(ks, sd, dlink, d, ne, now, &dead);
        else
            do_link(ks, sd, hd, ne, now);
        if (is_typed(ne) && ks_types[ne->type]->expire_items) /* its items keep their TTLs */
            sd->item_ttls = sd->item_ttls_seen = 1;
    }
    shardset_release(ks, &set);
    free_chain(dead);
    return st;
}

rd_status rd_ks_rename(rd_keyspace *ks, const char *src, size_t slen, const char *dst,
                       size_t dlen, int nx) {
    return move_key(ks, src, slen, dst, dlen, nx, 0);
}

rd_status rd_ks_copy(rd_keyspace *ks, const char *src, size_t slen, const char *dst,
                     size_t dlen, int replace) {
    return move_key(ks, src, slen, dst, dlen, !replace, 1);
}

rd_status ks_view_any(ks_view *v, int i, int read, int *type, void **obj, const char **val, size_t *len) {
    shard *s = shard_of(v->ks, v->hs[i]);
    entry **link, *e = do_lookup(s, v->hs[i], v->keys[i], v->klens[i], v->now, &link, (entry **)&v->dead);
    if (read) {
        if (e)
            s->hits++;
        else
            s->misses++;
    }
    if (!e) return RD_NOT_FOUND;
    ev_touch(v->ks, s, e, v->now);
    *type = e->type;
    if (is_typed(e)) {
        *obj = tv_get(e).obj;
    } else {
        *val = entry_val(e);
        *len = entry_vlen(e);
    }
    return RD_OK;
}

rd_status ks_view_restore(ks_view *v, int i, int type, void *obj, const char *str, size_t n, int64_t expire,
                          long long freq, long long idle_ms) {
    shard *s = shard_of(v->ks, v->hs[i]);
    entry *e;
    if (type == KS_TYPE_STRING) {
        e = entry_new(v->keys[i], v->klens[i], str, n, expire, s->ev.linked, v->now);
    } else {
        typed_val t = {obj, ks_types[type]->mem(obj)};
        if ((e = entry_new(v->keys[i], v->klens[i], (const char *)&t, sizeof t, expire, s->ev.linked, v->now)))
            e->type = (uint8_t)type;
        else
            ks_types[type]->free(obj);
    }
    if (!e) return RD_ERR_NOMEM;
    ks_view_delete(v, i);
    do_link(v->ks, s, v->hs[i], e, v->now);
    ev_set_access(v->ks, e, freq, idle_ms, v->now);
    return RD_OK;
}

/* Redis's tryObjectEncoding for a string value, and whether it would be one
 * of the shared integers 0..9999 (OBJ_SHARED_INTEGERS). */
static int string_encoding(const char *v, size_t n, int *shared) {
    long long ll;
    *shared = 0;
    if (n <= 20 && str2ll(v, n, &ll)) {
        *shared = ll >= 0 && ll < 10000;
        return RD_ENC_INT;
    }
    return n <= 44 ? RD_ENC_EMBSTR : RD_ENC_RAW;
}

rd_status rd_ks_key_info(rd_keyspace *ks, const char *key, size_t klen, int flags,
                         int64_t *out, size_t n) {
    int64_t now = rd_now_ms(), v[RD_INFO_NFIELDS] = {0};
    uint64_t h = ks_key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    int shared;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (flags & RD_INFO_STATS) {
        if (e)
            s->hits++;
        else
            s->misses++, notify((flags & RD_INFO_NONOTIFY) ? 0 : NOTIFY_KEY_MISS, "keymiss", key, klen);
    }
    if (e) {
        v[RD_INFO_TYPE] = e->type;
        v[RD_INFO_EXPIRE] = entry_expire(e);
        v[RD_INFO_IDLE_MS] = (int64_t)(uint32_t)((uint32_t)now - e->access); /* ms clock (not LFU) */
        v[RD_INFO_MEMORY] = (int64_t)entry_mem(e);
        v[RD_INFO_FREQ] = ev_lfu_freq(e, now);
        v[RD_INFO_ADDR] = (int64_t)(intptr_t)(is_typed(e) ? tv_get(e).obj : (void *)e);
        if (is_typed(e)) {
            const ks_type_ops *ops = ks_types[e->type];
            v[RD_INFO_LEN] = (int64_t)ops->len(tv_get(e).obj);
            v[RD_INFO_ENCODING] = ops->encoding(tv_get(e).obj);
        } else {
            v[RD_INFO_LEN] = (int64_t)entry_vlen(e);
            v[RD_INFO_ENCODING] = string_encoding(entry_val(e), entry_vlen(e), &shared);
            v[RD_INFO_SHARED_INT] = shared;
        }
        if (flags & RD_INFO_TOUCH) ev_touch(ks, s, e, now);
    }
    release(ks, s);
    free_chain(dead);
    for (size_t i = 0; i < n && i < RD_INFO_NFIELDS; i++) out[i] = v[i];
    return e ? RD_OK : RD_NOT_FOUND;
}

const char *rd_type_name(int type) {
    if (type == KS_TYPE_STRING) return "string";
    return type > 0 && type < KS_NTYPES && ks_types[type] ? ks_types[type]->name : "";
}

const char *rd_encoding_name(int enc) {
    static const char *const names[] = {
        [RD_ENC_INT] = "int",           [RD_ENC_EMBSTR] = "embstr",   [RD_ENC_RAW] = "raw",
        [RD_ENC_LISTPACK] = "listpack", [RD_ENC_HASHTABLE] = "hashtable", [RD_ENC_INTSET] = "intset",
        [RD_ENC_SKIPLIST] = "skiplist", [RD_ENC_QUICKLIST] = "quicklist", [RD_ENC_STREAM] = "stream",
        [RD_ENC_LISTPACKEX] = "listpackex",
    };
    return enc >= 0 && enc < (int)(sizeof names / sizeof names[0]) && names[enc] ? names[enc] : "";
}

static uint64_t rev64(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
}

/* What one SCAN call keeps: filters, output, and its budgets. */
typedef struct scan_state {
    const char *pattern; /* NULL = every key */
    size_t plen;
    int type;            /* -1 = any */
    int64_t now;
    uint64_t seen, count, buckets_left;
    rd_buf *out;
} scan_state;

/* Emits bucket v of s (shard lock held) and returns the next cursor: Redis's
 * dictScan step for one table, incrementing the reversed masked bits. */
static uint64_t scan_bucket(shard *s, uint64_t v, scan_state *x) {
    for (entry *e = s->table[v & s->mask]; e; e = e->next) {
        uint64_t len = entry_klen(e);
        x->seen++;
        if (is_expired(e, x->now) || (x->type >= 0 && e->type != x->type) ||
            (x->pattern && !rd_glob_match(x->pattern, x->plen, entry_key(e), entry_klen(e), 0)))
            continue;
        buf_append(x->out, &len, sizeof len);
        buf_append(x->out, entry_key(e), entry_klen(e));
    }
    v |= ~(uint64_t)s->mask;
    return rev64(rev64(v) + 1);
}

static int shard_empty(shard *s) {
    int empty;
    lock(s);
    empty = s->count == 0;
    pthread_mutex_unlock(&s->lock);
    return empty;
}

/* One stripe at a time: SCAN promises only what Redis's cursor does over a whole
 * iteration (every key present throughout is returned), not one instant per call. */
rd_status rd_ks_scan(rd_keyspace *ks, uint64_t cursor, uint64_t count, const char *pattern,
                     size_t plen, int type, uint64_t *next, rd_buf *out) {
    scan_state x = {pattern, plen, type, rd_now_ms(), 0, count,
                    count > UINT64_MAX / 10 ? UINT64_MAX : count * 10, out};
    unsigned si = (unsigned)(cursor & (KS_NSHARDS - 1));
    uint64_t v = cursor >> KS_SHARD_BITS;

    rd_buf_clear(out);
    if (pattern && plen == 1 && pattern[0] == '*') x.pattern = NULL;
    while (si < KS_NSHARDS && x.seen < x.count && x.buckets_left && !out->failed) {
        shard *s = &ks->shards[si];
        lock(s);
        if (s->count == 0) {
            v = 0; /* an empty stripe holds nothing a scan must return */
        } else {
            do {
                v = scan_bucket(s, v, &x);
                x.buckets_left--;
            } while (v != 0 && x.seen < x.count && x.buckets_left);
        }
        release(ks, s);
        if (v == 0) si++;
    }
    /* Skipping the empty stripes that follow lets small scans end in one call. */
    while (v == 0 && si < KS_NSHARDS && shard_empty(&ks->shards[si])) si++;
    *next = si >= KS_NSHARDS ? 0 : (v << KS_SHARD_BITS) | si;
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

/* KEYS: one instant, the whole scan under the gate exclusive. */
rd_status rd_ks_keys(rd_keyspace *ks, const char *pattern, size_t plen, rd_buf *out) {
    uint64_t next;
    rd_status st;
    whole_begin(ks);
    st = rd_ks_scan(ks, 0, UINT64_MAX, pattern, plen, -1, &next, out);
    whole_end(ks);
    return st;
}

static _Thread_local uint64_t rng_state;

static uint64_t rng_next(void) {
    if (rng_state == 0) rng_state = (uint64_t)clock_mono_us() ^ (uintptr_t)&rng_state;
    return splitmix64(&rng_state);
}

/* A random live key of s into out (shard lock held): a few random buckets,
 * a random entry of the chain, then a walk when the stripe is mostly expired. */
static int random_in_shard(shard *s, int64_t now, rd_buf *out) {
    for (int tries = 0; tries < 16; tries++) {
        entry *e = s->table[rng_next() & s->mask];
        size_t n = 0;
        for (entry *x = e; x; x = x->next) n++;
        if (n == 0) continue;
        for (size_t k = rng_next() % n; k; k--) e = e->next;
        if (!is_expired(e, now)) return buf_append(out, entry_key(e), entry_klen(e)), 1;
    }
    for (size_t b = 0; b <= s->mask; b++)
        for (entry *e = s->table[b]; e; e = e->next)
            if (!is_expired(e, now)) return buf_append(out, entry_key(e), entry_klen(e)), 1;
    return 0;
}

/* Looks in stripe i (mod the stripes) for a random live key; 1 when one went to out. */
static int random_at(rd_keyspace *ks, unsigned i, int64_t now, rd_buf *out) {
    shard *s = &ks->shards[i & (KS_NSHARDS - 1)];
    int found;
    lock(s);
    found = s->count && random_in_shard(s, now, out);
    pthread_mutex_unlock(&s->lock);
    return found;
}

static int random_walk(rd_keyspace *ks, unsigned start, int64_t now, rd_buf *out) {
    for (unsigned i = 0; i < KS_NSHARDS; i++)
        if (random_at(ks, start + i, now, out)) return 1;
    return 0;
}

#define KS_RANDOM_PROBES 8

/* A few random stripes first (in a dense keyspace every stripe holds about as many keys, so the
 * pick is about uniform); when they are empty, a stripe drawn by weight (its key count), so that
 * in a sparse keyspace the key after the widest run of empty stripes is not the usual answer. */
static int random_fair(rd_keyspace *ks, int64_t now, rd_buf *out) {
    size_t counts[KS_NSHARDS];
    uint64_t total = 0, r;
    for (int i = 0; i < KS_RANDOM_PROBES; i++)
        if (random_at(ks, (unsigned)rng_next(), now, out)) return 1;
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        lock(s);
        counts[i] = s->count;
        pthread_mutex_unlock(&s->lock);
        total += counts[i];
    }
    if (!total) return 0;
    r = rng_next() % total;
    for (unsigned i = 0; i < KS_NSHARDS; r -= counts[i++])
        if (r < counts[i]) return random_at(ks, i, now, out); /* 0 if it emptied meanwhile: walk */
    return 0;
}

/* A key found under its own stripe's lock existed at that instant: a valid answer.
 * "No key" is true only of one instant, so it is given only after a second walk
 * under the gate exclusive (the keyspace is empty, or nearly). */
rd_status rd_ks_randomkey(rd_keyspace *ks, rd_buf *out) {
    int64_t now = rd_now_ms();
    unsigned start = (unsigned)rng_next();
    int found;

    rd_buf_clear(out);
    found = random_fair(ks, now, out) || random_walk(ks, start, now, out);
    if (!found) {
        whole_begin(ks);
        found = random_walk(ks, start, now, out);
        whole_end(ks);
    }
    if (!found) return RD_NOT_FOUND;
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

/* ---- INFO keyspace avg_ttl ---------------------------------------------------- */

#define KS_TTL_SAMPLE_BUCKETS 16

/* Mean remaining TTL of the keys with an expiry in up to KS_TTL_SAMPLE_BUCKETS
 * buckets from the active-expiry cursor (which moves, so samples vary). */
static int ttl_sample(shard *s, int64_t now, double *mean) {
    double sum = 0;
    uint64_t n = 0;
    size_t buckets = s->mask + 1 < KS_TTL_SAMPLE_BUCKETS ? s->mask + 1 : KS_TTL_SAMPLE_BUCKETS;
    for (size_t i = 0; i < buckets; i++) {
        for (entry *e = s->table[(s->cursor + i) & s->mask]; e; e = e->next) {
            int64_t at = entry_expire(e);
            if (at && at > now) {
                sum += (double)(at - now);
                n++;
            }
        }
    }
    if (!n) return 0;
    *mean = sum / (double)n;
    return 1;
}

rd_status rd_ks_avg_ttl(rd_keyspace *ks, int64_t *avg_ms) {
    int64_t now = rd_now_ms();
    double total = 0, weight = 0;
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        double mean;
        lock(s);
        if (s->expires && ttl_sample(s, now, &mean)) {
            total += mean * (double)s->expires;
            weight += (double)s->expires;
        }
        pthread_mutex_unlock(&s->lock);
    }
    *avg_ms = weight > 0 ? (int64_t)(total / weight) : 0;
    return RD_OK;
}

uint64_t ks_random64(void) { return rng_next(); }

int ks_walk_shard(rd_keyspace *ks, unsigned si, int64_t now, ks_walk_fn fn, void *ctx) {
    shard *s = &ks->shards[si & (KS_NSHARDS - 1)];
    int rc = 0;
    gate_enter_shared(&ks->gate);
    lock(s);
    for (size_t b = 0; s->count && b <= s->mask && rc == 0; b++)
        for (entry *e = s->table[b]; e && rc == 0; e = e->next) {
            ks_item it;
            if (is_expired(e, now)) continue;
            it.key = entry_key(e);
            it.klen = entry_klen(e);
            it.type = e->type;
            it.obj = is_typed(e) ? tv_get(e).obj : NULL;
            it.val = is_typed(e) ? NULL : entry_val(e);
            it.vlen = is_typed(e) ? 0 : entry_vlen(e);
            it.expire = entry_expire(e);
            it.idle_ms = (int64_t)(uint32_t)((uint32_t)now - e->access);
            it.freq = ev_lfu_freq(e, now);
            rc = fn(ctx, &it);
        }
    pthread_mutex_unlock(&s->lock);
    gate_leave(&ks->gate);
    return rc;
}

rd_status rd_ks_totals(rd_keyspace *ks, uint64_t *out, size_t n) {
    uint64_t v[3] = {0, 0, 0};
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        lock(s);
        v[0] += s->count;
        v[1] += s->expires;
        v[2] += s->changes;
        pthread_mutex_unlock(&s->lock);
    }
    for (size_t i = 0; i < n && i < 3; i++) out[i] = v[i];
    return RD_OK;
}
