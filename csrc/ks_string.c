/* ks_string.c: the string commands past GET/SET on the shared key table: GETEX/GETDEL,
 * GETRANGE, SETRANGE/APPEND's write range, INCRBYFLOAT and MSETNX.
 *
 * GET, SET, MSET, MGET and INCRBY stay in keyspace.c beside the table operations, so
 * the hot path keeps them in one translation unit; these call them through keyspace.h.
 *
 * Rules: keyspace.c's rules hold here unchanged.  In short: a shard's entries only
 * under its lock, several shards in ascending order, values copied in before the
 * lock and out under it, entries freed after the release, every explicit change
 * seen by WATCH (do_link/do_replace/do_unlink, or watch_hook for in-place writes).
 */
#include "keyspace.h"
#include "notify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A read of key's string (lock held): counts the hit or miss and touches the
 * access clock.  NULL, with *st RD_NOT_FOUND or RD_ERR_WRONGTYPE, when there
 * is no string there. */
static entry *do_read_string(rd_keyspace *ks, shard *s, uint64_t h, const char *key, size_t klen, int64_t now,
                             entry ***linkp, entry **dead, rd_status *st) {
    entry *e = do_lookup(s, h, key, klen, now, linkp, dead);
    if (!e) {
        s->misses++;
        notify(NOTIFY_KEY_MISS, "keymiss", key, klen);
        *st = RD_NOT_FOUND;
        return NULL;
    }
    s->hits++;
    if (e->type != KS_TYPE_STRING) {
        *st = RD_ERR_WRONGTYPE;
        return NULL;
    }
    ev_touch(ks, s, e, now);
    *st = RD_OK;
    return e;
}

rd_status ks_getex(rd_keyspace *ks, const char *key, size_t klen, int mode, int64_t at_ms, int64_t now,
                   ks_sink fn, void *ctx) {
    uint64_t h = ks_key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    rd_status st = RD_OK;

    lock(s);
    e = do_read_string(ks, s, h, key, klen, now, &link, &dead, &st);
    if (e && fn && fn(ctx, entry_val(e), entry_vlen(e)) != 0) {
        st = RD_ERR_NOMEM;
    } else if (e) {
        if (mode == RD_GETEX_DEL) {
            do_unlink(s, link, e);
            push_dead(&dead, e);
            notify(NOTIFY_GENERIC, "del", key, klen);
        } else if (mode == RD_GETEX_AT) {
            do_expire(ks, s, link, e, at_ms, 0, now, &dead);
            notify(NOTIFY_GENERIC, at_ms <= now ? "del" : "expire", key, klen);
        } else if (mode == RD_GETEX_PERSIST && entry_expire(e)) {
            do_persist(s, e);
        }
    }
    release(ks, s);
    free_chain(dead);
    return st;
}

rd_status rd_ks_getex(rd_keyspace *ks, const char *key, size_t klen, int mode, int64_t at_ms,
                      rd_buf *out) {
    rd_buf_clear(out);
    return ks_getex(ks, key, klen, mode, at_ms, rd_now_ms(), copy_sink, out);
}

rd_status ks_getrange(rd_keyspace *ks, const char *key, size_t klen, int64_t start, int64_t end,
                      int64_t now, ks_sink fn, void *ctx) {
    uint64_t h = ks_key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    rd_status st = RD_OK;
    const char *from = "";
    size_t n = 0;

    lock(s);
    e = do_read_string(ks, s, h, key, klen, now, &link, &dead, &st);
    if (e) {
        /* getrangeCommand's arithmetic, step by step. */
        int64_t len = (int64_t)entry_vlen(e);
        if (!(start < 0 && end < 0 && start > end)) {
            if (start < 0) start += len;
            if (end < 0) end += len;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= len) end = len - 1;
            if (start <= end && len > 0) {
                from = entry_val(e) + start;
                n = (size_t)(end - start + 1);
            }
        }
        if (fn(ctx, from, n) != 0) st = RD_ERR_NOMEM;
    }
    release(ks, s);
    free_chain(dead);
    return st;
}

/* Writes v at off in key's string (e, or a new entry when e is NULL).  A new
 * string that is all of v (APPEND to a missing key) is built in v's block when
 * it is offered (ks_adopt_offer), as SET's; *key then points at the entry's key. */
static rd_status do_write_range(rd_keyspace *ks, shard *s, uint64_t h, const char **key,
                                size_t klen, entry *e, entry **link, size_t off, const char *v,
                                size_t n, int64_t now) {
    size_t olen = e ? entry_vlen(e) : 0, nlen = off + n > olen ? off + n : olen;
    int fresh = e == NULL;
    entry *ne;

    if (fresh && off == 0 && (ne = entry_adopt(*key, klen, v, n, 0, now))) {
        *key = entry_key(ne);
        do_link(ks, s, h, ne, now);
        return RD_OK;
    }
    if (fresh) {
        if (!(e = entry_new(*key, klen, NULL, 0, 0, s->ev.linked, now))) return RD_ERR_NOMEM;
        if (!(ne = entry_room(e, 0, nlen))) {
            free(e);
            return RD_ERR_NOMEM;
        }
    } else {
        watch_hook(s, e); /* an in-place write (rule 7) */
        if (!(ne = do_reshape(ks, s, link, e, 0, nlen, now))) return RD_ERR_NOMEM;
    }
    if (off > olen) memset(entry_val(ne) + olen, 0, off - olen);
    if (n) memcpy(entry_val(ne) + off, v, n);
    entry_set_vlen(ne, nlen);
    if (fresh) do_link(ks, s, h, ne, now);
    return RD_OK;
}

rd_status ks_setrange(rd_keyspace *ks, const char *key, size_t klen, int64_t offset, const char *val,
                      size_t vlen, uint64_t max_len, int64_t now, int64_t *newlen) {
    uint64_t h = ks_key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    rd_status st = RD_OK;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    if (e && e->type != KS_TYPE_STRING) {
        st = RD_ERR_WRONGTYPE;
    } else {
        uint64_t olen = e ? entry_vlen(e) : 0, off = offset < 0 ? olen : (uint64_t)offset;
        *newlen = (int64_t)olen;
        if (offset >= 0 && vlen == 0) {
            /* SETRANGE of nothing: no write, not even a new key */
        } else if ((e || offset >= 0) && off + vlen > max_len) { /* APPEND to no key: no check, as Redis */
            st = RD_ERR_TOOBIG;
        } else {
            st = do_write_range(ks, s, h, &key, klen, e, link, off, val, vlen, now);
            if (st == RD_OK) *newlen = (int64_t)(off + vlen > olen ? off + vlen : olen);
        }
    }
    e = st == RD_OK ? do_find(s, h, key, klen, &link) : NULL; /* the entry written */
    release(ks, s);
    free_chain(dead);
    if (e) ev_settle(ks, &e, 1, now); /* growth past maxmemory: evict others (the dispatcher admitted it) */
    return st;
}

rd_status rd_ks_setrange(rd_keyspace *ks, const char *key, size_t klen, int64_t offset,
                         const char *val, size_t vlen, uint64_t max_len, int64_t *newlen) {
    return ks_setrange(ks, key, klen, offset, val, vlen, max_len, rd_now_ms(), newlen);
}

rd_status ks_incrbyfloat(rd_keyspace *ks, const char *key, size_t klen, const char *incr, size_t ilen,
                         int64_t now, char *text, size_t *tlen) {
    uint64_t h = ks_key_hash(ks, key, klen);
    shard *s = shard_of(ks, h);
    entry *dead = NULL, **link, *e;
    long double value = 0, by;
    size_t n = 0;
    rd_status st;

    lock(s);
    e = do_lookup(s, h, key, klen, now, &link, &dead);
    /* incrbyfloatCommand's order: type, the stored value, then the increment. */
    if (e && e->type != KS_TYPE_STRING)
        st = RD_ERR_WRONGTYPE;
    else if ((e && !parse_long_double(entry_val(e), entry_vlen(e), &value)) ||
             !parse_long_double(incr, ilen, &by))
        st = RD_ERR_NOTFLOAT;
    else if (value += by, isnan(value) || isinf(value))
        st = RD_ERR_NANINF;
    else if ((n = format_long_double(text, KS_MAX_FLOAT_CHARS, value)) == 0)
        st = RD_ERR_NOMEM;
    else
        st = do_store(ks, s, h, key, klen, e, link, text, n, now, &dead);
    e = st == RD_OK ? do_find(s, h, key, klen, &link) : NULL; /* the entry written */
    release(ks, s);
    free_chain(dead);
    if (e) ev_settle(ks, &e, 1, now);
    *tlen = n;
    return st;
}

rd_status ks_msetnx(rd_keyspace *ks, int npairs, const char *const *keys, const size_t *klens,
                    const char *const *vals, const size_t *vlens, size_t stride, int64_t now) {
    return mset_generic(ks, npairs, keys, klens, vals, vlens, stride, now, 1);
}

/* ---- the bit commands' access to a view's strings (t_bitops.c; the view's locks held) ---- */

static entry *view_string(ks_view *v, int i, entry ***link, shard **s) {
    *s = shard_of(v->ks, v->hs[i]);
    return do_lookup(*s, v->hs[i], v->keys[i], v->klens[i], v->now, link, (entry **)&v->dead);
}

rd_status ks_view_str(ks_view *v, int i, int read, const char **val, size_t *len) {
    rd_status st;
    entry *e = view_entry(v, i, KS_TYPE_STRING, read, &st);
    if (e) {
        *val = entry_val(e);
        *len = entry_vlen(e);
    }
    return st;
}

rd_status ks_view_str_room(ks_view *v, int i, size_t n, char **val, size_t *len, int *grown) {
    shard *s;
    entry **link, *e = view_string(v, i, &link, &s), *ne;
    size_t olen = e ? entry_vlen(e) : 0;
    *grown = 0;
    if (e && e->type != KS_TYPE_STRING) return RD_ERR_WRONGTYPE;
    if (!e) { /* exactly n bytes, as Redis's sdsnewlen for a new bitmap */
        if (!(ne = entry_new(v->keys[i], v->klens[i], NULL, n, 0, s->ev.linked, v->now))) return RD_ERR_NOMEM;
        memset(entry_val(ne), 0, n);
        /* Redis's dbAdd here signals no WATCH: only a write that follows does (BITFIELD with every
         * write stopped by FAIL creates the key and leaves the watch intact). */
        watch_node *watched = s->watched;
        s->watched = NULL;
        do_link(v->ks, s, v->hs[i], ne, v->now);
        s->watched = watched;
        *grown = 1;
    } else if (n > olen) { /* sdsgrowzero: greedy room, so bit-by-bit growth stays linear */
        if (!(ne = do_reshape(v->ks, s, link, e, 0, n, v->now))) return RD_ERR_NOMEM;
        memset(entry_val(ne) + olen, 0, n - olen);
        entry_set_vlen(ne, n);
        *grown = 1;
    } else {
        ev_touch(v->ks, s, e, v->now);
        ne = e;
    }
    *val = entry_val(ne);
    *len = entry_vlen(ne);
    return RD_OK;
}

void ks_view_str_changed(ks_view *v, int i) {
    shard *s;
    entry **link, *e = view_string(v, i, &link, &s);
    if (e) watch_hook(s, e); /* an in-place write (rule 7) */
}

rd_status ks_view_str_new(ks_view *v, int i, size_t n, char **val) {
    shard *s;
    entry **link, *old = view_string(v, i, &link, &s);
    entry *e = entry_new(v->keys[i], v->klens[i], NULL, n, 0, s->ev.linked, v->now);
    if (!e) return RD_ERR_NOMEM;
    if (old)
        do_replace(v->ks, s, link, old, e, v->now, (entry **)&v->dead);
    else
        do_link(v->ks, s, v->hs[i], e, v->now);
    *val = entry_val(e);
    return RD_OK;
}

rd_status ks_view_str_set(ks_view *v, int i, const char *val, size_t n, int exact) {
    shard *s;
    entry **link, *e = view_string(v, i, &link, &s), *ne;
    if (!e) return RD_NOT_FOUND;
    if (e->type != KS_TYPE_STRING) return RD_ERR_WRONGTYPE;
    if (exact && !entry_fits(e, n)) { /* a chunk of the value's size, not the doubled room of growth */
        if (!(ne = entry_new(v->keys[i], v->klens[i], val, n, entry_expire(e), s->ev.linked, v->now)))
            return RD_ERR_NOMEM;
        watch_node *watched = s->watched; /* the caller signals a change Redis signals */
        s->watched = NULL;
        do_replace(v->ks, s, link, e, ne, v->now, (entry **)&v->dead);
        s->watched = watched;
        return RD_OK;
    }
    if (!entry_fits(e, n) && !(e = do_reshape(v->ks, s, link, e, 0, n, v->now))) return RD_ERR_NOMEM;
    memmove(entry_val(e), val, n);
    entry_set_vlen(e, n);
    return RD_OK;
}
