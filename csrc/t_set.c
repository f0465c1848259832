/* t_set.c: set objects and the S* commands, each writing Redis 7.0's exact reply (errors included). */
#include "dict.h"
#include "ksapi.h"
#include "resp.h"
#include "strconv.h"
#include "types.h"

#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* A set: a dict of members without values.  `big` is sticky (Redis 7.0 never
 * converts a hashtable back to an intset): it only decides OBJECT ENCODING. */
typedef dobj sobj;

static int set_encoding(const void *o) { return ((const dobj *)o)->big ? RD_ENC_HASHTABLE : RD_ENC_INTSET; }

const ks_type_ops set_type_ops = {"set", dobj_free, dobj_dup, dobj_mem, set_encoding, dobj_len, dobj_each, NULL, NULL};

/* setTypeAdd: 1 added, 0 present, -1 nomem.  An intset holds only integers
 * (string2ll) and at most set-max-intset-entries of them. */
static int set_add(sobj *s, const char *m, size_t n) {
    long long ll;
    int rc;
    if (dict_find(&s->d, m, n)) return 0;
    rc = dict_set(&s->d, m, n, NULL, 0);
    if (!str2ll(m, n, &ll) || (long long)s->d.count > ks_type_config[RD_CFG_SET_MAX_INTSET_ENTRIES])
        s->big = 1;
    return rc;
}

static int set_has(const sobj *s, const char *m, size_t n) { return s && dict_find(&s->d, m, n); }

/* ---- lookups --------------------------------------------------------------------- */

/* Opens a view of n keys from argv + first; 0, or -1 after writing the error. */
static int open_keys(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl, int first,
                     int n) {
    return tx_open(x, v, argv + first, argl + first, n);
}

/* View key i as a set: 1 (*s NULL when absent), 0 after writing WRONGTYPE. */
static int set_read(tx_ctx *x, ks_view *v, int i, int read, sobj **s) {
    void *o;
    if (!tx_get(x, v, i, KS_TYPE_SET, read, &o)) return 0;
    *s = o;
    return 1;
}

/* Key i's set, created (empty) when absent; NULL after writing an error. */
static sobj *set_write(tx_ctx *x, ks_view *v, int i) {
    sobj *s;
    if (!set_read(x, v, i, 0, &s)) return NULL;
    if (!s && (!(s = dobj_new()) || ks_view_put(v, i, KS_TYPE_SET, s) != RD_OK)) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return NULL;
    }
    return s;
}

static void emit_members(tx_ctx *x, const sobj *s) {
    size_t b;
    reply_set_len(x->out, x->resp, s ? (long long)s->d.count : 0);
    for (dnode *n = s ? dict_first(&s->d, &b) : NULL; n; n = dict_next(&s->d, n, &b))
        resp_add_bulk(x->out, n->data, n->klen);
}

/* ---- commands -------------------------------------------------------------------- */

/* SADD key member [member ...] */
void tx_sadd(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    long long added = 0;
    int rc = 0;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if ((s = set_write(x, &v, 0)) != NULL) {
        for (int j = 2; j < argc && rc >= 0; j++) added += (rc = set_add(s, argv[j], argl[j])) == 1;
        if (added) notify(NOTIFY_SET, "sadd", argv[1], argl[1]);
        if (added || rc < 0) ks_view_changed(&v, 0); /* Redis signals WATCH only when it added */
        if (rc < 0)
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        else
            resp_add_int(x->out, added);
    }
    ks_view_close(&v);
}

/* SREM key member [member ...] */
void tx_srem(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 0, &s)) {
        long long n = 0;
        for (int j = 2; s && j < argc; j++) n += dict_del(&s->d, argv[j], argl[j]);
        if (n) notify(NOTIFY_SET, "srem", argv[1], argl[1]);
        if (n) ks_view_changed(&v, 0);
        resp_add_int(x->out, n);
    }
    ks_view_close(&v);
}

/* SMEMBERS key   (a RESP3 set) */
void tx_smembers(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    (void)argc;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 1, &s)) emit_members(x, s);
    ks_view_close(&v);
}

/* SISMEMBER key member / SCARD key / SMISMEMBER key member [member ...] */
void tx_sismember(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    (void)argc;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 1, &s)) resp_add_int(x->out, set_has(s, argv[2], argl[2]));
    ks_view_close(&v);
}

void tx_smismember(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 1, &s)) {
        resp_add_array_len(x->out, argc - 2);
        for (int j = 2; j < argc; j++) resp_add_int(x->out, set_has(s, argv[j], argl[j]));
    }
    ks_view_close(&v);
}

void tx_scard(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    (void)argc;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 1, &s)) resp_add_int(x->out, s ? (long long)s->d.count : 0);
    ks_view_close(&v);
}

/* Removes a random member of s after appending it as a bulk. */
static void pop_one(tx_ctx *x, sobj *s) {
    dnode *n = dict_random(&s->d);
    resp_add_bulk(x->out, n->data, n->klen);
    dict_del(&s->d, n->data, n->klen);
}

/* SPOP key [count] */
void tx_spop(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    long long count = 1;
    if (arg_pop_count(x->out, argc, argv, argl, &count) != 0) return;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 0, &s)) {
        if (argc == 2) {
            if (!s) {
                resp_add_nil(x->out, x->resp);
            } else {
                notify(NOTIFY_SET, "spop", argv[1], argl[1]); /* before the reply, as spopCommand */
                pop_one(x, s);
                ks_view_changed(&v, 0);
            }
        } else if (!s || count == 0) {
            reply_set_len(x->out, x->resp, 0);
        } else if ((unsigned long long)count >= s->d.count) {
            notify(NOTIFY_SET, "spop", argv[1], argl[1]);
            emit_members(x, s); /* the whole set, then the key goes */
            ks_view_delete(&v, 0);
            notify(NOTIFY_GENERIC, "del", argv[1], argl[1]);
        } else {
            notify(NOTIFY_SET, "spop", argv[1], argl[1]);
            reply_set_len(x->out, x->resp, count);
            for (long long i = 0; i < count; i++) pop_one(x, s);
            ks_view_changed(&v, 0);
        }
    }
    ks_view_close(&v);
}

/* SRANDMEMBER key [count]: negative count repeats, positive is distinct */
void tx_srandmember(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    long long l = 0;
    if (argc > 3) {
        reply_syntax(x->out);
        return;
    }
    if (argc == 3 && arg_random_count(x->out, argv[2], argl[2], &l) != 0) return;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 1, &s)) {
        if (argc == 3)
            reply_random(x, s ? &s->d : NULL, l, 0);
        else if (!s)
            resp_add_nil(x->out, x->resp);
        else
            reply_node(x, dict_random(&s->d), 0);
    }
    ks_view_close(&v);
}

/* SMOVE source destination member */
void tx_smove(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *src, *dst;
    (void)argc;
    if (open_keys(x, &v, argv, argl, 1, 2) != 0) return;
    if (!set_read(x, &v, 0, 0, &src)) goto done;
    if (!src) { /* a missing source answers 0 before the destination's type is checked */
        resp_add_int(x->out, 0);
        goto done;
    }
    if (!set_read(x, &v, 1, 0, &dst)) goto done;
    if (src == dst) {
        resp_add_int(x->out, set_has(src, argv[3], argl[3]));
    } else if (!dict_del(&src->d, argv[3], argl[3])) {
        resp_add_int(x->out, 0);
    } else {
        notify(NOTIFY_SET, "srem", argv[1], argl[1]);
        ks_view_changed(&v, 0);
        if ((dst = set_write(x, &v, 1)) != NULL) {
            int rc = set_add(dst, argv[3], argl[3]);
            if (rc == 1) notify(NOTIFY_SET, "sadd", argv[2], argl[2]);
            /* As Redis: the destination changed only if the member was new there (a WATCH on it
             * survives a move of a member it already had). */
            if (rc != 0) ks_view_changed(&v, 1);
            if (rc < 0)
                resp_add_status_error(x->out, RD_ERR_NOMEM);
            else
                resp_add_int(x->out, 1);
        }
    }
done:
    ks_view_close(&v);
}

/* ---- SINTER / SUNION / SDIFF (+STORE), SINTERCARD ----------------------------------- */

enum { OP_INTER, OP_UNION, OP_DIFF };

/* Looks every key up as a set (absent = NULL = empty); 0 after WRONGTYPE. */
static int read_sets(tx_ctx *x, ks_view *v, int first, int n, int read, sobj **sets) {
    for (int i = 0; i < n; i++)
        if (!set_read(x, v, first + i, read, &sets[i])) return 0;
    return 1;
}

/* The result of op over sets[0..n) as a new set (never NULL unless out of
 * memory); `limit` stops an intersection early (SINTERCARD, 0 = none). */
static sobj *set_op(sobj **sets, int n, int op, long long limit) {
    sobj *r = dobj_new();
    size_t b;
    if (!r) return NULL;
    if (op == OP_UNION) {
        for (int i = 0; i < n; i++)
            for (dnode *m = sets[i] ? dict_first(&sets[i]->d, &b) : NULL; m; m = dict_next(&sets[i]->d, m, &b))
                if (set_add(r, m->data, m->klen) < 0) goto fail;
        return r;
    }
    if (!sets[0]) return r;
    if (op == OP_INTER) /* any empty set empties the intersection */
        for (int i = 1; i < n; i++)
            if (!sets[i]) return r;
    for (dnode *m = dict_first(&sets[0]->d, &b); m; m = dict_next(&sets[0]->d, m, &b)) {
        int keep = 1;
        for (int i = 1; i < n && keep; i++) {
            int in = set_has(sets[i], m->data, m->klen);
            keep = op == OP_INTER ? in : !in;
        }
        if (keep && set_add(r, m->data, m->klen) < 0) goto fail;
        if (limit && (long long)r->d.count >= limit) break;
    }
    return r;
fail:
    dobj_free(r);
    return NULL;
}

/* SINTER/SUNION/SDIFF key [key ...] and their STORE forms (dst = argv[1]). */
static void setop_command(tx_ctx *x, int argc, const char **argv, const size_t *argl, int op,
                          int store) {
    int first = store ? 2 : 1, n = argc - first;
    ks_view v;
    sobj **sets, *r;
    if (!(sets = calloc((size_t)n, sizeof *sets))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    /* The view's key 0 is the destination (STORE) or the first source. */
    if (open_keys(x, &v, argv, argl, 1, argc - 1) != 0) {
        free(sets);
        return;
    }
    if (read_sets(x, &v, store, n, 1, sets)) { /* lookupKeyRead, STORE too: hits, misses, keymiss */
        if (!(r = set_op(sets, n, op, 0))) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else if (!store) {
            emit_members(x, r);
            dobj_free(r);
        } else if (r->d.count == 0) {
            dobj_free(r);
            resp_add_int(x->out, 0);
            if (ks_view_delete(&v, 0)) notify(NOTIFY_GENERIC, "del", argv[1], argl[1]);
        } else {
            long long card = (long long)r->d.count;
            if (ks_view_put(&v, 0, KS_TYPE_SET, r) != RD_OK) {
                resp_add_status_error(x->out, RD_ERR_NOMEM);
            } else {
                resp_add_int(x->out, card);
                notify(NOTIFY_SET, op == OP_INTER ? "sinterstore" : op == OP_UNION ? "sunionstore" : "sdiffstore",
                       argv[1], argl[1]);
            }
        }
    }
    ks_view_close(&v);
    free(sets);
}

void tx_sinter(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    setop_command(x, argc, argv, argl, OP_INTER, 0);
}
void tx_sinterstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    setop_command(x, argc, argv, argl, OP_INTER, 1);
}
void tx_sunion(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    setop_command(x, argc, argv, argl, OP_UNION, 0);
}
void tx_sunionstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    setop_command(x, argc, argv, argl, OP_UNION, 1);
}
void tx_sdiff(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    setop_command(x, argc, argv, argl, OP_DIFF, 0);
}
void tx_sdiffstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    setop_command(x, argc, argv, argl, OP_DIFF, 1);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
void tx_sintercard(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long numkeys, limit = 0;
    ks_view v;
    sobj **sets, *r;
    if (!arg_ll(argv[1], argl[1], &numkeys) || numkeys < 1) {
        resp_add_status_error(x->out, RD_ERR_NUMKEYS);
        return;
    }
    if (numkeys > argc - 2) {
        resp_add_status_error(x->out, RD_ERR_NUMKEYS_ARGS);
        return;
    }
    for (int j = 2 + (int)numkeys; j < argc; j++) {
        if (arg_is(argv[j], argl[j], "limit") && j + 1 < argc) {
            j++;
            if (!arg_ll(argv[j], argl[j], &limit) || limit < 0) {
                resp_add_status_error(x->out, RD_ERR_LIMIT_NEGATIVE);
                return;
            }
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (!(sets = calloc((size_t)numkeys, sizeof *sets))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    if (open_keys(x, &v, argv, argl, 2, (int)numkeys) == 0) {
        if (read_sets(x, &v, 0, (int)numkeys, 1, sets)) {
            if (!(r = set_op(sets, (int)numkeys, OP_INTER, limit))) {
                resp_add_status_error(x->out, RD_ERR_NOMEM);
            } else {
                resp_add_int(x->out, (long long)r->d.count);
                dobj_free(r);
            }
        }
        ks_view_close(&v);
    }
    free(sets);
}

/* SSCAN key cursor [MATCH pattern] [COUNT count] */
void tx_sscan(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    sobj *s;
    uint64_t cursor;
    scan_opts o;
    if (scan_cursor(x->out, argv[2], argl[2], &cursor) != 0) return;
    if (open_keys(x, &v, argv, argl, 1, 1) != 0) return;
    if (set_read(x, &v, 0, 1, &s)) {
        if (!s)
            reply_empty_scan(x->out);
        else if (scan_opts_parse(x->out, argc, argv, argl, 3, &o, NULL) == 0)
            scan_reply(x->out, &s->d, cursor, &o, !s->big, 0);
    }
    ks_view_close(&v);
}
