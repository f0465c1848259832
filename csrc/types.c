/* types.c: what the C command handlers share: argument, reply, random-pick and SCAN helpers, the
 * typed key lookups (tx_open: deferred while clients block) and the encoding thresholds.  The
 * command table that names every handler is cmdtable.c, above them all. */
#include "buf.h"
#include "dict.h"
#include "fastpath.h"
#include "ksapi.h"
#include "resp.h"
#include "strconv.h"
#include "types.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redis 7.0's defaults (as CONFIG GET shows them). */
_Atomic long long ks_type_config[RD_CFG_COUNT] = {
    [RD_CFG_HASH_MAX_LISTPACK_ENTRIES] = 512, [RD_CFG_HASH_MAX_LISTPACK_VALUE] = 64,
    [RD_CFG_SET_MAX_INTSET_ENTRIES] = 512,    [RD_CFG_ZSET_MAX_LISTPACK_ENTRIES] = 128,
    [RD_CFG_ZSET_MAX_LISTPACK_VALUE] = 64,    [RD_CFG_LIST_MAX_LISTPACK_SIZE] = -2,
    [RD_CFG_STREAM_NODE_MAX_BYTES] = 4096,    [RD_CFG_STREAM_NODE_MAX_ENTRIES] = 100,
    [RD_CFG_HLL_SPARSE_MAX_BYTES] = 3000,
};

rd_status rd_type_config(int which, int64_t value) {
    if (which < 0 || which >= RD_CFG_COUNT) return RD_NOT_FOUND;
    ks_type_config[which] = value;
    return RD_OK;
}

/* ---- replies ----------------------------------------------------------------- */

void reply_map_len(rd_buf *b, int resp, long long pairs) {
    if (resp == 3)
        resp_add_header(b, '%', pairs);
    else
        resp_add_header(b, '*', pairs * 2);
}

void reply_set_len(rd_buf *b, int resp, long long n) {
    resp_add_header(b, resp == 3 ? '~' : '*', n);
}

void reply_empty_scan(rd_buf *b) {
    static const char empty[] = "*2\r\n$1\r\n0\r\n*0\r\n"; /* shared.emptyscan */
    resp_add_raw(b, empty, sizeof empty - 1);
}

void reply_syntax(rd_buf *b) { resp_add_status_error(b, RD_ERR_SYNTAX); }

int arg_ll(const char *a, size_t n, long long *out) { return str2ll(a, n, out); }

int arg_long(tx_ctx *x, const char *a, size_t n, long long *out) {
    if (arg_ll(a, n, out)) return 1;
    resp_add_status_error(x->out, RD_ERR_NOTINT);
    return 0;
}

static _Atomic int list_waiters;

void rd_set_list_waiters(int n) { list_waiters = n; }

int clients_blocked(void) { return list_waiters; }

int tx_open(tx_ctx *x, ks_view *v, const char *const *keys, const size_t *klens, int n) {
    if (ks_view_open(v, x->ks, n, keys, klens) != RD_OK) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return -1;
    }
    /* A waiter registers (the store) only under the gate exclusive, and the
     * fast path's batch holds it shared: either the waiter's attempt comes after
     * this write and sees it, or this write sees the waiter and goes to Python,
     * which runs it and serves the waiter in one exclusive hold.  The error is
     * never sent: fp_type_dispatch drops it and hands the command over. */
    if (x->defer && clients_blocked()) {
        ks_view_close(v);
        resp_add_status_error(x->out, RD_ERR_DEFERRED);
        return -1;
    }
    return 0;
}

int tx_get(tx_ctx *x, ks_view *v, int i, int type, int read, void **obj) {
    rd_status st;
    *obj = NULL;
    st = ks_view_get(v, i, type, read, obj);
    if (st != RD_ERR_WRONGTYPE) return 1;
    resp_add_status_error(x->out, st);
    return 0;
}

int tx_first(tx_ctx *x, ks_view *v, int n, int type, void **obj) {
    for (int i = 0; i < n; i++) {
        if (!tx_get(x, v, i, type, 0, obj)) return -1;
        if (*obj) return i;
    }
    return n;
}

int arg_pop_count(rd_buf *out, int argc, const char **argv, const size_t *argl, long long *count) {
    if (argc > 3) {
        reply_syntax(out);
        return -1;
    }
    if (argc == 3 && (!arg_ll(argv[2], argl[2], count) || *count < 0)) {
        resp_add_status_error(out, RD_ERR_NOTPOSITIVE);
        return -1;
    }
    return 0;
}

int mpop_args(rd_buf *out, int argc, const char **argv, const size_t *argl, const char *end0,
              const char *end1, int *numkeys, int *end, long long *count) {
    long long n, where;
    *count = -1;
    if (!arg_ll(argv[1], argl[1], &n) || n < 1) {
        resp_add_status_error(out, RD_ERR_NUMKEYS);
        return -1;
    }
    where = n < argc ? 2 + n : argc; /* no overflow for a huge numkeys */
    if (where >= argc || !(arg_is(argv[where], argl[where], end0) || arg_is(argv[where], argl[where], end1))) {
        reply_syntax(out);
        return -1;
    }
    *end = arg_is(argv[where], argl[where], end1);
    for (long long j = where + 1; j < argc; j++) {
        if (*count == -1 && arg_is(argv[j], argl[j], "count") && j + 1 < argc) {
            j++;
            if (!arg_ll(argv[j], argl[j], count) || *count < 1) {
                resp_add_status_error(out, RD_ERR_COUNT);
                return -1;
            }
        } else {
            reply_syntax(out);
            return -1;
        }
    }
    if (*count == -1) *count = 1;
    *numkeys = (int)n;
    return 0;
}

void reply_null_array(rd_buf *out, int resp) {
    if (resp == 3)
        resp_add_nil(out, 3);
    else
        resp_add_raw(out, "*-1\r\n", 5);
}

/* Case-insensitive whole-word match, binary safe ("GET\0" is not GET); an ASCII fold,
 * as Redis's strcasecmp in the C locale, without tolower's locale lookup per byte. */

/* ---- HRANDFIELD / SRANDMEMBER ------------------------------------------------------ */

/* Every node of d in an array (NULL when malloc fails); the caller frees it. */
static dnode **dict_nodes(const rdict *d) {
    dnode **all = malloc((d->count ? d->count : 1) * sizeof *all);
    size_t i = 0, b;
    if (all)
        for (dnode *n = dict_first(d, &b); n; n = dict_next(d, n, &b)) all[i++] = n;
    return all;
}

/* Fills picks[0..count) with distinct random nodes of d (count < d->count): a
 * partial Fisher-Yates shuffle of every node.  -1 on allocation failure. */
int dict_pick_distinct(const rdict *d, size_t count, dnode ***picks) {
    dnode **all = dict_nodes(d);
    if (!all) return -1;
    for (size_t i = 0; i < count; i++) {
        size_t j = i + ks_random64() % (d->count - i);
        dnode *t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    *picks = all;
    return 0;
}

void reply_node(tx_ctx *x, dnode *n, int withvalues) {
    if (withvalues && x->resp == 3) resp_add_array_len(x->out, 2);
    resp_add_bulk(x->out, n->data, n->klen);
    if (withvalues) resp_add_bulk(x->out, dnode_val(n), n->vlen);
}

void reply_random(tx_ctx *x, const rdict *d, long long l, int withvalues) {
    unsigned long long count = l < 0 ? (unsigned long long)-l : (unsigned long long)l;
    size_t size = d ? d->count : 0;
    int per = withvalues && x->resp == 2 ? 2 : 1;
    dnode **picks;
    if (!d || count == 0) {
        resp_add_array_len(x->out, 0);
    } else if (l < 0 && count * 2 >= size && (picks = dict_nodes(d)) != NULL) {
        /* Many picks: index every node once, so each pick is exactly uniform. */
        resp_add_array_len(x->out, (long long)count * per);
        for (unsigned long long i = 0; i < count && !x->out->failed; i++)
            reply_node(x, picks[ks_random64() % size], withvalues);
        free(picks);
    } else if (l < 0 || count == 1) {
        resp_add_array_len(x->out, (long long)count * per);
        for (unsigned long long i = 0; i < count && !x->out->failed; i++)
            reply_node(x, dict_random(d), withvalues);
    } else if (count >= size) {
        size_t b;
        resp_add_array_len(x->out, (long long)size * per);
        for (dnode *n = dict_first(d, &b); n; n = dict_next(d, n, &b)) reply_node(x, n, withvalues);
    } else if (dict_pick_distinct(d, count, &picks) != 0) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    } else {
        resp_add_array_len(x->out, (long long)count * per);
        for (size_t i = 0; i < count; i++) reply_node(x, picks[i], withvalues);
        free(picks);
    }
}

int arg_random_count(rd_buf *out, const char *a, size_t n, long long *l) {
    if (!arg_ll(a, n, l)) {
        resp_add_status_error(out, RD_ERR_NOTINT);
        return -1;
    }
    if (*l < -LONG_MAX) { /* getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) */
        resp_add_status_errorf(out, RD_ERR_LONGRANGE, -LONG_MAX, LONG_MAX);
        return -1;
    }
    return 0;
}

/* ---- HSCAN / SSCAN ------------------------------------------------------------- */

/* strtoul over the C string (the argument to its first NUL), as parseScanCursorOrReply reads it: no
 * leading space, an optional sign ("-1" wraps to 2^64 - 1), then digits to the end; "" is 0. */
int scan_cursor(rd_buf *out, const char *a, size_t n, uint64_t *cursor) {
    const char *nul = memchr(a, '\0', n);
    size_t end = nul ? (size_t)(nul - a) : n, i = 0;
    int neg = end && a[0] == '-';
    uint64_t v = 0;
    if (end && (a[0] == '+' || a[0] == '-') && ++i == end) goto bad; /* a sign alone: no number read */
    for (; i < end; i++) {
        unsigned d = (unsigned)((unsigned char)a[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10) goto bad; /* not a digit, or ERANGE */
        v = v * 10 + d;
    }
    *cursor = neg ? 0 - v : v;
    return 0;
bad:
    resp_add_status_error(out, RD_ERR_CURSOR);
    return -1;
}

/* SCAN's TYPE name as a type code, compared as Redis 7.0 does (strcasecmp); a name that is no
 * type's matches no key (KS_NTYPES). */
static int scan_type(const char *a, size_t n) {
    int t = 0;
    while (t < KS_NTYPES && !arg_is(a, n, rd_type_name(t))) t++;
    return t;
}

int scan_opts_parse(rd_buf *out, int argc, const char **argv, const size_t *argl, int from,
                    scan_opts *o, int *type) {
    o->count = 10;
    o->pat = NULL;
    o->plen = 0;
    for (int j = from; j < argc; j += 2) {
        if (arg_is(argv[j], argl[j], "count") && j + 1 < argc) {
            if (!arg_ll(argv[j + 1], argl[j + 1], &o->count)) {
                resp_add_status_error(out, RD_ERR_NOTINT);
                return -1;
            }
            if (o->count < 1) {
                reply_syntax(out);
                return -1;
            }
        } else if (arg_is(argv[j], argl[j], "match") && j + 1 < argc) {
            o->pat = argv[j + 1];
            o->plen = argl[j + 1];
            if (o->plen == 1 && o->pat[0] == '*') o->pat = NULL; /* Redis's use_pattern shortcut */
        } else if (type && arg_is(argv[j], argl[j], "type") && j + 1 < argc) {
            *type = scan_type(argv[j + 1], argl[j + 1]);
        } else {
            reply_syntax(out);
            return -1;
        }
    }
    return 0;
}

typedef struct scan_acc {
    const scan_opts *o;
    rd_buf items; /* encoded elements */
    long long n;
    int with_values;
} scan_acc;

static void scan_take(void *ctx, dnode *node) {
    scan_acc *a = ctx;
    if (a->o->pat && !rd_glob_match(a->o->pat, a->o->plen, node->data, node->klen, 0)) return;
    resp_add_bulk(&a->items, node->data, node->klen);
    if (a->with_values) resp_add_bulk(&a->items, dnode_val(node), node->vlen);
    a->n += 1 + a->with_values;
}

void scan_reply(rd_buf *out, const rdict *d, uint64_t cursor, const scan_opts *o, int all,
                int with_values) {
    scan_acc a = {o, {0}, 0, with_values};
    char digits[24];
    buf_init(&a.items);
    if (all) { /* listpack / intset: everything at once, cursor 0 */
        size_t b;
        for (dnode *n = dict_first(d, &b); n; n = dict_next(d, n, &b)) scan_take(&a, n);
        cursor = 0;
    } else {
        /* Redis's dictScan loop: about count buckets, at most 10 * count steps (a product
         * that wraps, as Redis's long does, rather than overflow a long long). */
        unsigned long long maxiter = (unsigned long long)o->count * 10;
        do {
            cursor = dict_scan(d, cursor, scan_take, &a);
        } while (cursor && maxiter-- && a.n < o->count);
    }
    resp_add_array_len(out, 2);
    resp_add_bulk(out, digits, (size_t)snprintf(digits, sizeof digits, "%llu", (unsigned long long)cursor));
    resp_add_array_len(out, a.n);
    buf_append(out, a.items.data, a.items.len);
    buf_release(&a.items);
}
