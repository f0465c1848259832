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

static int hash_encoding(const void *o) { return ((const dobj *)o)->big ? RD_ENC_HASHTABLE : RD_ENC_LISTPACK; }

const ks_type_ops hash_type_ops = {"hash", dobj_free, dobj_dup, dobj_mem, hash_encoding, dobj_len, dobj_each, NULL};

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
    if ((h = hash_write(x, &v)) != NULL) {
        int rc = 0;
        for (int j = 2; j < argc && rc >= 0; j += 2) {
            rc = hash_set(h, argv[j], argl[j], argv[j + 1], argl[j + 1]);
            added += rc == 1;
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
    if ((h = hash_write(x, &v)) != NULL) {
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
    if (hash_read(x, &v, &h)) add_field_or_nil(x, h, argv[2], argl[2]);
    ks_view_close(&v);
}

/* HMGET key field [field ...]: nils for a missing key too */
void tx_hmget(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    hobj *h;
    if (open_key(x, &v, argv, argl) != 0) return;
    if (hash_read(x, &v, &h)) {
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
    if (hash_read(x, &v, &h)) {
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
        for (int j = 2; h && j < argc; j++) n += dict_del(&h->d, argv[j], argl[j]);
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
    if (hash_read(x, &v, &h)) {
        dnode *n = h && what != 0 ? dict_find(&h->d, argv[2], argl[2]) : NULL;
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
    if ((h = hash_write(x, &v)) != NULL) {
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
    if ((h = hash_write(x, &v)) != NULL) {
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
    if (hash_read(x, &v, &h)) {
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
    if (hash_read(x, &v, &h)) {
        if (!h)
            reply_empty_scan(x->out);
        else if (scan_opts_parse(x->out, argc, argv, argl, 3, &o, NULL) == 0)
            scan_reply(x->out, &h->d, cursor, &o, !h->big, 1);
    }
    ks_view_close(&v);
}
