/* t_hash.c: hash objects and the H* commands, each writing Redis 7.0's exact reply (errors included). */
#include "dict.h"
#include "ksapi.h"
#include "resp.h"
#include "strconv.h"
#include "types.h"

#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A hash: one dict of field -> value.  `big` is sticky, as Redis 7.0 never
 * converts a hashtable back to a listpack: it only decides OBJECT ENCODING. */
typedef dobj hobj;

/* Field TTLs (Redis 7.4's hash-field expiration).  A hash grows into a hash_ttl (ttls = 1) when a
 * field first gets a TTL, so a hash that never had one pays nothing: no bigger object, and one
 * test of `ttls` per command.  `ttl` maps a field to its expire time (8 bytes, ms since the
 * epoch); HSET, HDEL and HPERSIST of the field take it out, HINCRBY keeps it, as Redis 7.4.
 * A field whose time has passed is absent: a command naming it deletes it first (lazy expiry),
 * one reading the whole hash deletes all such fields, and the keyspace's active expiry steps
 * through `ttl` (hash_expire_items) while the stripe has hashes with TTLs. */
typedef struct hash_ttl {
    dobj h;          /* first: a hash_ttl is an hobj */
    rdict ttl;       /* field -> int64_t expire time */
    int64_t min;     /* no field expires before this (a lower bound; INT64_MAX: none known) */
    int64_t lapmin;  /* the least time the active sweep's current lap has seen */
    uint64_t cursor; /* the active sweep's place in ttl (dict_scan's cursor) */
} hash_ttl;

static hash_ttl *ttl_of(const hobj *h) { return h && h->ttls ? (hash_ttl *)h : NULL; }

static int hash_encoding(const void *o) {
    const dobj *h = o;
    return h->big ? RD_ENC_HASHTABLE : h->ttls ? RD_ENC_LISTPACKEX : RD_ENC_LISTPACK;
}

static void hash_free(void *o) {
    hash_ttl *t = ttl_of(o);
    if (t) dict_release(&t->ttl);
    dobj_free(o);
}

static void *hash_dup(const void *o) {
    const hash_ttl *t = ttl_of(o);
    hash_ttl *c;
    if (!t) return dobj_dup(o);
    if (!(c = malloc(sizeof *c))) return NULL;
    *c = *t;
    c->cursor = 0;
    if (dict_dup(&c->h.d, &t->h.d) != 0) {
        free(c);
        return NULL;
    }
    if (dict_dup(&c->ttl, &t->ttl) != 0) {
        dict_release(&c->h.d);
        free(c);
        return NULL;
    }
    return c;
}

static size_t hash_mem(const void *o) {
    const hash_ttl *t = ttl_of(o);
    return dobj_mem(o) + (t ? t->ttl.mem : 0);
}

static int hash_expire_items(void *o, int64_t now);

const ks_type_ops hash_type_ops = {"hash", hash_free, hash_dup, hash_mem, hash_encoding, dobj_len, dobj_each,
                                   NULL, hash_expire_items};

static int64_t field_ttl(const hash_ttl *t, const char *f, size_t fn) {
    dnode *n = t ? dict_find(&t->ttl, f, fn) : NULL;
    int64_t at = 0;
    if (n) memcpy(&at, dnode_val(n), sizeof at);
    return at;
}

/* The field leaves the hash, its TTL with it. */
static int field_del(hobj *h, const char *f, size_t fn) {
    hash_ttl *t = ttl_of(h);
    if (t) dict_del(&t->ttl, f, fn);
    return dict_del(&h->d, f, fn);
}

/* Lazy expiry of one field: 1 when its time had passed (it is deleted now). */
static int field_expire(hobj *h, const char *f, size_t fn, int64_t now) {
    hash_ttl *t = ttl_of(h);
    int64_t at;
    if (!t || now <= t->min || (at = field_ttl(t, f, fn)) == 0 || at >= now) return 0;
    field_del(h, f, fn);
    return 1;
}

/* A sweep over `ttl`: drops the fields whose time has passed (from the hash too), and notes the
 * least time of those that stay. */
typedef struct sweep_ctx {
    hobj *h;
    int64_t now, min;
} sweep_ctx;

static int sweep_field(void *ctx, const dnode *n) {
    sweep_ctx *c = ctx;
    int64_t at;
    memcpy(&at, n->data + n->klen, sizeof at);
    if (at < c->now) {
        dict_del(&c->h->d, n->data, n->klen);
        return 1;
    }
    if (at < c->min) c->min = at;
    return 0;
}

/* Deletes every field whose time has passed (the reads of the whole hash): how many. */
static size_t hash_purge(hobj *h, int64_t now) {
    hash_ttl *t = ttl_of(h);
    sweep_ctx c = {h, now, INT64_MAX};
    size_t before = h ? h->d.count : 0;
    if (!t || now <= t->min) return 0;
    dict_sweep(&t->ttl, 0, SIZE_MAX, sweep_field, &c);
    t->min = c.min; /* exact again */
    if (c.min < t->lapmin) t->lapmin = c.min;
    return before - h->d.count;
}

#define HFE_SWEEP_BUCKETS 16 /* buckets of a hash's `ttl` one active-expiry step visits */

/* The keyspace's active expiry (ks_type_ops.expire_items): one bounded step of a lap over
 * `ttl`; at the lap's end `min` becomes the least time the lap saw. */
static int hash_expire_items(void *o, int64_t now) {
    hash_ttl *t = ttl_of(o);
    sweep_ctx c = {o, now, 0};
    if (!t || t->ttl.count == 0) return 0;
    if (now <= t->min) return 1;
    c.min = t->lapmin;
    t->cursor = dict_sweep(&t->ttl, t->cursor, HFE_SWEEP_BUCKETS, sweep_field, &c);
    t->lapmin = c.min;
    if (t->cursor == 0) {
        t->min = t->lapmin;
        t->lapmin = INT64_MAX;
    }
    return t->ttl.count > 0;
}

/* Sets field to value; Redis's listpack -> hashtable conversion rules. 1 new, 0 updated, -1 nomem. */
static int hash_set(hobj *h, const char *f, size_t fn, const char *v, size_t vn) {
    long long maxval = ks_type_config[RD_CFG_HASH_MAX_LISTPACK_VALUE];
    int rc = dict_set(&h->d, f, fn, v, vn);
    if ((long long)fn > maxval || (long long)vn > maxval ||
        (long long)h->d.count > ks_type_config[RD_CFG_HASH_MAX_LISTPACK_ENTRIES])
        h->big = 1;
    return rc;
}

/* ---- lookups --------------------------------------------------------------------- */

/* Opens a view of argv[1]; 0, or -1 after writing the error. */
static int open_key(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl) {
    return tx_open(x, v, argv + 1, argl + 1, 1);
}

/* The hash at key 0 for reading: 1 (*h may be NULL: absent), 0 after WRONGTYPE. */
static int hash_read(tx_ctx *x, ks_view *v, hobj **h) {
    void *o;
    if (!tx_get(x, v, 0, KS_TYPE_HASH, 1, &o)) return 0;
    *h = o;
    return 1;
}

/* Lazy expiry of the n fields named at f (the commands that name fields): the hash, or NULL when
 * its last fields expired and the key went (WATCH sees it, as Redis's signalModifiedKey). */
static hobj *expire_named(tx_ctx *x, ks_view *v, hobj *h, const char *const *f, const size_t *fl, int n,
                          int stride) {
    int dropped = 0;
    if (!ttl_of(h)) return h;
    for (int j = 0; j < n; j += stride) dropped |= field_expire(h, f[j], fl[j], x->now);
    if (!dropped) return h;
    ks_view_changed(v, 0);
    return h->d.count ? h : NULL;
}

/* The hash at key 0 for a read of all of it, its expired fields deleted first: as hash_read. */
static int hash_read_all(tx_ctx *x, ks_view *v, hobj **h) {
    if (!hash_read(x, v, h)) return 0;
    if (ttl_of(*h) && hash_purge(*h, x->now)) {
        ks_view_changed(v, 0);
        if (!(*h)->d.count) *h = NULL;
    }
    return 1;
}

/* hashTypeLookupWriteOrCreate: the hash at key 0, created (empty) when absent; NULL after an error. */
static hobj *hash_write(tx_ctx *x, ks_view *v) {
    void *o;
    if (!tx_get(x, v, 0, KS_TYPE_HASH, 0, &o)) return NULL;
    if (!o && (!(o = dobj_new()) || ks_view_put(v, 0, KS_TYPE_HASH, o) != RD_OK)) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return NULL;
    }
    return o;
}

/* hash_write, then the lazy expiry of the fields a write names (every stride-th of n at f): a hash
 * whose last fields expired is gone, and a new one takes its place. */
static hobj *hash_write_named(tx_ctx *x, ks_view *v, const char *const *f, const size_t *fl, int n, int stride) {
    hobj *h = hash_write(x, v);
    if (h && !expire_named(x, v, h, f, fl, n, stride)) h = hash_write(x, v);
    return h;
}

static void add_field_or_nil(tx_ctx *x, hobj *h, const char *f, size_t fn) {
    dnode *n = h ? dict_find(&h->d, f, fn) : NULL;
    if (n)
        resp_add_bulk(x->out, dnode_val(n), n->vlen);
    else
        resp_add_nil(x->out, x->resp);
}

/* ---- commands -------------------------------------------------------------------- */

/* HSET key field value [field value ...] / HMSET: one helper, `ok_reply` for HMSET's +OK. */
static void hset_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl,
                         const char *name, int ok_reply) {
    ks_view v;
    hobj *h;
    long long added = 0;
    if (argc % 2 == 1) {
        resp_add_status_errorf(x->out, RD_ERR_ARITY, name);
        return;
    }
    if (open_key(x, &v, argv, argl) != 0) return;
    if ((h = hash_write_named(x, &v, argv + 2, argl + 2, argc - 2, 2)) != NULL) {
        hash_ttl *t = ttl_of(h);
        int rc = 0;
        for (int j = 2; j < argc && rc >= 0; j += 2) {
            rc = hash_set(h, argv[j], argl[j], argv[j + 1], argl[j + 1]);
            added += rc == 1;
            if (t) dict_del(&t->ttl, argv[j], argl[j]); /* a new value has no TTL (Redis 7.4) */
        }
        ks_view_changed(&v, 0);
        if (rc < 0)
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        else if (ok_reply)
            resp_add_raw(x->out, "+OK\r\n", 5);
        else
            resp_add_int(x->out, added);
        notify(NOTIFY_HASH, "hset", argv[1], argl[1]); /* after the reply, as hsetCommand */
    }
    ks_view_close(&v);
}

void tx_hset(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hset_generic(x, argc, argv, argl, "hset", 0);
}

void tx_hmset(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hset_generic(x, argc, argv, argl, "hmset", 1);
}

/* HSETNX key field value */
void tx_hsetnx(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    (void)argc;
    if (open_key(x, &v, argv, argl) != 0) return;
    if ((h = hash_write_named(x, &v, argv + 2, argl + 2, 1, 1)) != NULL) {
        if (dict_find(&h->d, argv[2], argl[2])) {
            resp_add_int(x->out, 0);
        } else if (hash_set(h, argv[2], argl[2], argv[3], argl[3]) < 0) {
            ks_view_changed(&v, 0);
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else {
            ks_view_changed(&v, 0);
            resp_add_int(x->out, 1);
            notify(NOTIFY_HASH, "hset", argv[1], argl[1]);
        }
    }
    ks_view_close(&v);
}

/* HGET key field */
void tx_hget(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    (void)argc;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read(x, &v, &h)) add_field_or_nil(x, expire_named(x, &v, h, argv + 2, argl + 2, 1, 1), argv[2], argl[2]);
    ks_view_close(&v);
}

/* HMGET key field [field ...]: nils for a missing key too */
void tx_hmget(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read(x, &v, &h)) {
        h = expire_named(x, &v, h, argv + 2, argl + 2, argc - 2, 1);
        resp_add_array_len(x->out, argc - 2);
        for (int j = 2; j < argc; j++) add_field_or_nil(x, h, argv[j], argl[j]);
    }
    ks_view_close(&v);
}

/* HGETALL / HKEYS / HVALS: what = 3 (pairs, a map), 1 (fields), 2 (values). */
static void hgetall_generic(tx_ctx *x, const char **argv, const size_t *argl, int what) {
    ks_view v;
    hobj *h;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read_all(x, &v, &h)) {
        long long n = h ? (long long)h->d.count : 0;
        size_t b;
        if (what == 3)
            reply_map_len(x->out, x->resp, n);
        else
            resp_add_array_len(x->out, n);
        for (dnode *d = h ? dict_first(&h->d, &b) : NULL; d; d = dict_next(&h->d, d, &b)) {
            if (what & 1) resp_add_bulk(x->out, d->data, d->klen);
            if (what & 2) resp_add_bulk(x->out, dnode_val(d), d->vlen);
        }
    }
    ks_view_close(&v);
}

void tx_hgetall(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    hgetall_generic(x, argv, argl, 3);
}

void tx_hkeys(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    hgetall_generic(x, argv, argl, 1);
}

void tx_hvals(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    hgetall_generic(x, argv, argl, 2);
}

/* HDEL key field [field ...] */
void tx_hdel(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read(x, &v, &h)) {
        long long n = 0;
        h = expire_named(x, &v, h, argv + 2, argl + 2, argc - 2, 1);
        for (int j = 2; h && j < argc; j++) n += field_del(h, argv[j], argl[j]);
        if (n) notify(NOTIFY_HASH, "hdel", argv[1], argl[1]);
        if (n) ks_view_changed(&v, 0);
        resp_add_int(x->out, n);
    }
    ks_view_close(&v);
}

/* HEXISTS key field / HSTRLEN key field / HLEN key: one-number replies */
static void hash_number(tx_ctx *x, int argc, const char **argv, const size_t *argl, int what) {
    ks_view v;
    hobj *h;
    (void)argc;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (what == 0 ? hash_read_all(x, &v, &h) : hash_read(x, &v, &h)) {
        dnode *n;
        if (what != 0) h = expire_named(x, &v, h, argv + 2, argl + 2, 1, 1);
        n = h && what != 0 ? dict_find(&h->d, argv[2], argl[2]) : NULL;
        if (what == 0)
            resp_add_int(x->out, h ? (long long)h->d.count : 0);
        else if (what == 1)
            resp_add_int(x->out, n != NULL);
        else
            resp_add_int(x->out, n ? n->vlen : 0);
    }
    ks_view_close(&v);
}

void tx_hlen(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hash_number(x, argc, argv, argl, 0);
}

void tx_hexists(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hash_number(x, argc, argv, argl, 1);
}

void tx_hstrlen(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hash_number(x, argc, argv, argl, 2);
}

/* HINCRBY key field increment */
void tx_hincrby(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    long long incr, value = 0;
    (void)argc;
    if (!arg_ll(argv[3], argl[3], &incr)) {
        resp_add_status_error(x->out, RD_ERR_NOTINT);
        return;
    }
    if (open_key(x, &v, argv, argl) != 0) return;
    if ((h = hash_write_named(x, &v, argv + 2, argl + 2, 1, 1)) != NULL) {
        dnode *n = dict_find(&h->d, argv[2], argl[2]);
        char digits[24];
        int wrote = 0;
        if (n && !str2ll(dnode_val(n), n->vlen, &value)) {
            resp_add_status_error(x->out, RD_ERR_HASH_NOTINT);
        } else if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
                   (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
            resp_add_status_error(x->out, RD_ERR_OVERFLOW);
        } else if (value += incr,
                   hash_set(h, argv[2], argl[2], digits, ll2str(digits, value)) < 0) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else {
            wrote = 1;
            resp_add_int(x->out, value);
            notify(NOTIFY_HASH, "hincrby", argv[1], argl[1]);
        }
        if (wrote || h->d.count == 0) ks_view_changed(&v, 0); /* drops a hash left empty */
    }
    ks_view_close(&v);
}

/* HINCRBYFLOAT key field increment: INCRBYFLOAT's parsing and formatting */
void tx_hincrbyfloat(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    long double incr, value = 0;
    (void)argc;
    if (!parse_long_double(argv[3], argl[3], &incr)) {
        resp_add_status_error(x->out, RD_ERR_NOTFLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        resp_add_status_error(x->out, RD_ERR_ISNANINF);
        return;
    }
    if (open_key(x, &v, argv, argl) != 0) return;
    if ((h = hash_write_named(x, &v, argv + 2, argl + 2, 1, 1)) != NULL) {
        dnode *n = dict_find(&h->d, argv[2], argl[2]);
        char text[KS_MAX_FLOAT_CHARS];
        size_t len = 0;
        int wrote = 0;
        if (n && !parse_long_double(dnode_val(n), n->vlen, &value)) {
            resp_add_status_error(x->out, RD_ERR_HASH_NOTFLOAT);
        } else if (value += incr, isnan(value) || isinf(value)) {
            resp_add_status_error(x->out, RD_ERR_NANINF);
        } else if ((len = format_long_double(text, sizeof text, value)) == 0 ||
                   hash_set(h, argv[2], argl[2], text, len) < 0) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else {
            wrote = 1;
            resp_add_bulk(x->out, text, len);
            notify(NOTIFY_HASH, "hincrbyfloat", argv[1], argl[1]);
        }
        if (wrote || h->d.count == 0) ks_view_changed(&v, 0);
    }
    ks_view_close(&v);
}

/* HRANDFIELD key [count [WITHVALUES]] */
void tx_hrandfield(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    long long l = 0;
    int withvalues = 0;
    if (argc >= 3) {
        if (arg_random_count(x->out, argv[2], argl[2], &l) != 0) return;
        if (argc > 4 || (argc == 4 && !arg_is(argv[3], argl[3], "withvalues"))) {
            reply_syntax(x->out);
            return;
        }
        withvalues = argc == 4;
        if (withvalues && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
            resp_add_status_error(x->out, RD_ERR_OUTOFRANGE);
            return;
        }
    }
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read_all(x, &v, &h)) {
        if (argc >= 3)
            reply_random(x, h ? &h->d : NULL, l, withvalues);
        else if (!h)
            resp_add_nil(x->out, x->resp);
        else
            reply_node(x, dict_random(&h->d), 0);
    }
    ks_view_close(&v);
}

/* HSCAN key cursor [MATCH pattern] [COUNT count] */
void tx_hscan(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    uint64_t cursor;
    scan_opts o;
    if (scan_cursor(x->out, argv[2], argl[2], &cursor) != 0) return;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read_all(x, &v, &h)) {
        if (!h)
            reply_empty_scan(x->out);
        else if (scan_opts_parse(x->out, argc, argv, argl, 3, &o, NULL) == 0)
            scan_reply(x->out, &h->d, cursor, &o, !h->big, 1);
    }
    ks_view_close(&v);
}

/* ---- hash-field expiration: HEXPIRE ... HPERSIST (Redis 7.4) ------------------------------ */

#define HFE_MAX_ABS_TIME_MS ((1LL << 46) - 1) /* Redis's HFE_MAX_ABS_TIME_MSEC */

/* The FIELDS numfields field... tail from argv[at] (FIELDS): Redis's checks and texts in its order.
 * 0 with *first (the first field's index), or -1 after writing the error. */
static int fields_tail(tx_ctx *x, int argc, const char **argv, const size_t *argl, int at, rd_status range_err,
                       int *first) {
    long long n;
    if (!arg_is(argv[at], argl[at], "fields")) {
        resp_add_status_error(x->out, RD_ERR_HFE_FIELDS);
        return -1;
    }
    if (!arg_ll(argv[at + 1], argl[at + 1], &n) || n < 1 || n > LONG_MAX) {
        resp_add_status_error(x->out, range_err);
        return -1;
    }
    if (n != argc - at - 2) {
        resp_add_status_error(x->out, RD_ERR_HFE_NUMFIELDS_ARGS);
        return -1;
    }
    *first = at + 2;
    return 0;
}

/* The key is absent: each field is "no such field". */
static void reply_no_fields(tx_ctx *x, int n) {
    resp_add_array_len(x->out, n);
    for (int j = 0; j < n; j++) resp_add_int(x->out, -2);
}

/* The hash at key 0 as one that can hold TTLs: grown into a hash_ttl the first time (the entry
 * takes the new pointer).  NULL when the allocator fails (h is then unchanged). */
static hash_ttl *hash_ttl_of(ks_view *v, hobj *h) {
    hash_ttl *t = ttl_of(h);
    if (t) return t;
    if (!(t = realloc(h, sizeof *t))) return NULL;
    t->h.ttls = 1;
    dict_init(&t->ttl);
    t->min = t->lapmin = INT64_MAX;
    t->cursor = 0;
    ks_view_set_obj(v, 0, t);
    return t;
}

/* hashTypeSetEx for one field (already expired lazily): -2 no such field, 0 condition not met,
 * 1 set, 2 deleted (a time not after now); -1 when the allocator failed (answered as 0: the TTL
 * was not set).  *h follows the object when it grows. */
static int field_set_ttl(tx_ctx *x, ks_view *v, hobj **h, const char *f, size_t fn, int64_t at, int cond) {
    int64_t prev;
    hash_ttl *t;
    if (!dict_find(&(*h)->d, f, fn)) return -2;
    prev = field_ttl(ttl_of(*h), f, fn);
    if (!prev ? cond & (RD_EXP_XX | RD_EXP_GT)  /* no TTL: an infinite one for GT and LT */
              : cond & RD_EXP_NX || (cond & RD_EXP_GT && prev >= at) || (cond & RD_EXP_LT && prev <= at))
        return 0;
    if (at <= x->now) {
        field_del(*h, f, fn);
        return 2;
    }
    if (!(t = hash_ttl_of(v, *h))) return -1;
    *h = &t->h;
    if (dict_set(&t->ttl, f, fn, (const char *)&at, sizeof at) < 0) return -1;
    if (at < t->min) t->min = at;
    if (at < t->lapmin) t->lapmin = at;
    ks_view_item_ttls(v, 0);
    return 1;
}

/* HEXPIRE/HPEXPIRE/HEXPIREAT/HPEXPIREAT key time [NX|XX|GT|LT] FIELDS numfields field [field ...]:
 * hexpireGenericCommand (base: now for a relative time, 0 for an absolute one). */
static void hexpire_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int64_t base, int ms,
                            const char *name) {
    static const char *const conds[] = {"nx", "xx", "gt", "lt"};
    ks_view v;
    hobj *h;
    void *o;
    long long at;
    int cond = 0, first, changed = 0, failed = 0;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (!tx_get(x, &v, 0, KS_TYPE_HASH, 0, &o)) goto done;
    h = o;
    if (!arg_ll(argv[2], argl[2], &at)) {
        resp_add_status_error(x->out, RD_ERR_NOTINT);
        goto done;
    }
    if (at < 0) {
        resp_add_status_error(x->out, RD_ERR_HFE_NEGATIVE);
        goto done;
    }
    if (!ms && at <= HFE_MAX_ABS_TIME_MS / 1000) at *= 1000;
    else if (!ms) at = HFE_MAX_ABS_TIME_MS + 1; /* too far in seconds already */
    if (at > HFE_MAX_ABS_TIME_MS - base) {
        resp_add_status_errorf(x->out, RD_ERR_EXPIRE, name);
        goto done;
    }
    at += base;
    for (int c = 0; c < 4; c++)
        if (arg_is(argv[3], argl[3], conds[c])) cond = 1 << c; /* RD_EXP_NX, _XX, _GT, _LT */
    if (fields_tail(x, argc, argv, argl, cond ? 4 : 3, RD_ERR_HFE_NUMFIELDS, &first) != 0) goto done;
    if (!(h = expire_named(x, &v, h, argv + first, argl + first, argc - first, 1))) {
        reply_no_fields(x, argc - first);
        goto done;
    }
    resp_add_array_len(x->out, argc - first);
    for (int j = first; j < argc; j++) {
        int rc = failed ? -1 : field_set_ttl(x, &v, &h, argv[j], argl[j], at, cond);
        failed |= rc == -1;
        changed |= rc >= 1;
        resp_add_int(x->out, rc == -1 ? 0 : rc);
    }
    if (changed || failed) ks_view_changed(&v, 0);
done:
    ks_view_close(&v);
}

void tx_hexpire(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hexpire_generic(x, argc, argv, argl, x->now, 0, "hexpire");
}

void tx_hpexpire(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hexpire_generic(x, argc, argv, argl, x->now, 1, "hpexpire");
}

void tx_hexpireat(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hexpire_generic(x, argc, argv, argl, 0, 0, "hexpireat");
}

void tx_hpexpireat(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    hexpire_generic(x, argc, argv, argl, 0, 1, "hpexpireat");
}

/* HTTL/HPTTL/HEXPIRETIME/HPEXPIRETIME key FIELDS numfields field [field ...]: httlGenericCommand
 * (-2 no such field, -1 no TTL; seconds round up).  A read: an expired field reads as absent. */
static void httl_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int64_t base, int ms) {
    ks_view v;
    hobj *h;
    int first;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (!hash_read(x, &v, &h) ||
        fields_tail(x, argc, argv, argl, 2, RD_ERR_HFE_NUMFIELDS_POSITIVE, &first) != 0)
        goto done;
    if (!h) {
        reply_no_fields(x, argc - first);
        goto done;
    }
    resp_add_array_len(x->out, argc - first);
    for (int j = first; j < argc; j++) {
        int64_t at = field_ttl(ttl_of(h), argv[j], argl[j]);
        if (!dict_find(&h->d, argv[j], argl[j]) || (at && at < x->now))
            resp_add_int(x->out, -2);
        else if (!at)
            resp_add_int(x->out, -1);
        else
            resp_add_int(x->out, ms ? at - base : (at + 999 - base) / 1000);
    }
done:
    ks_view_close(&v);
}

void tx_httl(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    httl_generic(x, argc, argv, argl, x->now, 0);
}

void tx_hpttl(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    httl_generic(x, argc, argv, argl, x->now, 1);
}

void tx_hexpiretime(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    httl_generic(x, argc, argv, argl, 0, 0);
}

void tx_hpexpiretime(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    httl_generic(x, argc, argv, argl, 0, 1);
}

/* HPERSIST key FIELDS numfields field [field ...]: -2 no such field, -1 no TTL, 1 TTL removed. */
void tx_hpersist(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    void *o;
    int first, changed = 0;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (!tx_get(x, &v, 0, KS_TYPE_HASH, 0, &o) ||
        fields_tail(x, argc, argv, argl, 2, RD_ERR_HFE_NUMFIELDS_POSITIVE, &first) != 0)
        goto done;
    if (!(h = o)) {
        reply_no_fields(x, argc - first);
        goto done;
    }
    resp_add_array_len(x->out, argc - first);
    for (int j = first; j < argc; j++) {
        int64_t at = field_ttl(ttl_of(h), argv[j], argl[j]);
        if (!dict_find(&h->d, argv[j], argl[j]) || (at && at < x->now)) {
            resp_add_int(x->out, -2);
        } else if (!at) {
            resp_add_int(x->out, -1);
        } else {
            dict_del(&ttl_of(h)->ttl, argv[j], argl[j]);
            changed = 1;
            resp_add_int(x->out, 1);
        }
    }
    if (changed) ks_view_changed(&v, 0);
done:
    ks_view_close(&v);
}
