/* t_list.c: list objects and the L* commands, each writing Redis 7.0's exact reply (errors included). */
#include "buf.h"
#include "ksapi.h"
#include "resp.h"
#include "types.h"

#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* One element: its own allocation, so a push or pop moves one pointer. */
typedef struct lelem {
    uint32_t len;
    char data[];
} lelem;

/* A list: a ring buffer of element pointers (capacity a power of two), so
 * pushes and pops at both ends are O(1) and an index is one mask away.  `mem`
 * is the usable size of the ring and every element, kept current. */
typedef struct lobj {
    lelem **ring;
    size_t cap, head, count, mem;
} lobj;

enum { L_HEAD = 0, L_TAIL = 1 };

static lelem **lslot(const lobj *l, size_t i) { return &l->ring[(l->head + i) & (l->cap - 1)]; }
static lelem *lget(const lobj *l, size_t i) { return *lslot(l, i); }

static lobj *list_new(void) { return calloc(1, sizeof(lobj)); }

static void list_free(void *o) {
    lobj *l = o;
    for (size_t i = 0; i < l->count; i++) free(lget(l, i));
    free(l->ring);
    free(l);
}

static size_t list_mem(const void *o) { return malloc_usable_size((void *)o) + ((const lobj *)o)->mem; }
static size_t list_len(const void *o) { return ((const lobj *)o)->count; }
static int list_encoding(const void *o) { (void)o; return RD_ENC_QUICKLIST; } /* Redis 7.0: always */

/* Re-lays the ring out at capacity cap (>= count), oldest element first. */
static int list_resize(lobj *l, size_t cap) {
    lelem **r = malloc(cap * sizeof *r);
    if (!r) return -1;
    for (size_t i = 0; i < l->count; i++) r[i] = lget(l, i);
    if (l->ring) l->mem -= malloc_usable_size(l->ring);
    free(l->ring);
    l->ring = r;
    l->cap = cap;
    l->head = 0;
    l->mem += malloc_usable_size(r);
    return 0;
}

/* Room for one more element. */
static int list_grow(lobj *l) { return l->count < l->cap ? 0 : list_resize(l, l->cap ? l->cap * 2 : 4); }

/* Halves the ring while it is at most a quarter full (never below 4 slots). */
static void list_shrink(lobj *l) {
    size_t cap = l->cap;
    while (cap > 4 && l->count <= cap / 4) cap /= 2;
    if (cap != l->cap) list_resize(l, cap); /* on failure the bigger ring stays */
}

static lelem *elem_new(lobj *l, const char *p, size_t n) {
    lelem *e = malloc(sizeof *e + n);
    if (!e) return NULL;
    e->len = (uint32_t)n;
    memcpy(e->data, p, n);
    l->mem += malloc_usable_size(e);
    return e;
}

static void elem_free(lobj *l, lelem *e) {
    l->mem -= malloc_usable_size(e);
    free(e);
}

static int elem_eq(const lelem *e, const char *p, size_t n) { return e->len == n && memcmp(e->data, p, n) == 0; }

/* Links e at one end (room made by list_grow). */
static void link_end(lobj *l, lelem *e, int where) {
    if (where == L_HEAD) {
        l->head = (l->head - 1) & (l->cap - 1);
        l->ring[l->head] = e;
    } else {
        *lslot(l, l->count) = e;
    }
    l->count++;
}

/* listTypePush: 0, or -1 out of memory. */
static int list_push(lobj *l, const char *p, size_t n, int where) {
    lelem *e;
    if (list_grow(l) != 0 || !(e = elem_new(l, p, n))) return -1;
    link_end(l, e, where);
    return 0;
}

/* Unlinks the element at one end (the list is not empty); the caller frees it. */
static lelem *list_pop(lobj *l, int where) {
    lelem *e;
    if (where == L_HEAD) {
        e = l->ring[l->head];
        l->head = (l->head + 1) & (l->cap - 1);
    } else {
        e = lget(l, l->count - 1);
    }
    l->count--;
    return e;
}

/* Inserts e at index i (0..count), shifting the shorter side. */
static void link_at(lobj *l, size_t i, lelem *e) {
    if (i < l->count / 2) {
        link_end(l, e, L_HEAD); /* slot 0 is the new one: shift [1, i] down */
        for (size_t j = 0; j < i; j++) *lslot(l, j) = lget(l, j + 1);
    } else {
        l->count++;
        for (size_t j = l->count - 1; j > i; j--) *lslot(l, j) = lget(l, j - 1);
    }
    *lslot(l, i) = e;
}

static void *list_dup(const void *o) {
    const lobj *src = o;
    lobj *c = list_new();
    if (!c) return NULL;
    if (src->count && list_resize(c, src->cap) != 0) goto fail;
    for (size_t i = 0; i < src->count; i++) {
        const lelem *e = lget(src, i);
        if (list_push(c, e->data, e->len, L_TAIL) != 0) goto fail;
    }
    return c;
fail:
    list_free(c);
    return NULL;
}

static void list_each(const void *o, void (*fn)(void *ctx, const char *p, size_t n), void *ctx) {
    const lobj *l = o;
    for (size_t i = 0; i < l->count; i++) fn(ctx, lget(l, i)->data, lget(l, i)->len);
}

const ks_type_ops list_type_ops = {"list", list_free, list_dup, list_mem, list_encoding, list_len, list_each, NULL, NULL};

void *list_obj_new(void) { return list_new(); }

int list_obj_push_tail(void *l, const char *p, size_t n) { return list_push(l, p, n, L_TAIL); }

/* ---- lookups and argument parsing ------------------------------------------------ */

static int open_keys(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl, int n) {
    return tx_open(x, v, argv + 1, argl + 1, n);
}

/* View key i as a list: 1 (*l NULL when absent), 0 after writing WRONGTYPE. */
static int list_read(tx_ctx *x, ks_view *v, int i, int read, lobj **l) {
    void *o;
    if (!tx_get(x, v, i, KS_TYPE_LIST, read, &o)) return 0;
    *l = o;
    return 1;
}

/* open_keys + list_read of argv[1]: 1 (*l NULL when absent), 0 after an error (view closed). */
static int open_list(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl, int read, lobj **l) {
    if (open_keys(x, v, argv, argl, 1) != 0) return 0;
    if (list_read(x, v, 0, read, l)) return 1;
    ks_view_close(v);
    return 0;
}

/* A new empty list linked as key i; NULL after writing the error. */
static lobj *list_create(tx_ctx *x, ks_view *v, int i) {
    lobj *l = list_new();
    if (!l || ks_view_put(v, i, KS_TYPE_LIST, l) != RD_OK) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return NULL;
    }
    return l;
}

/* getPositiveLongFromObjectOrReply: one message for "not a number" and "negative". */
static int arg_positive(tx_ctx *x, const char *a, size_t n, rd_status err, long long *out) {
    if (arg_ll(a, n, out) && *out >= 0) return 1;
    resp_add_status_error(x->out, err);
    return 0;
}

static void reply_elem(tx_ctx *x, const lelem *e) { resp_add_bulk(x->out, e->data, e->len); }

/* Normalises [start, end] as Redis's LRANGE/LTRIM; 0 when the range is empty. */
static int clamp_range(long long len, long long *start, long long *end) {
    if (*start < 0) *start += len;
    if (*end < 0) *end += len;
    if (*start < 0) *start = 0;
    if (*start > *end || *start >= len) return 0;
    if (*end >= len) *end = len - 1;
    return 1;
}

/* ---- push / pop ------------------------------------------------------------------ */

/* pushGenericCommand: LPUSH/RPUSH, and LPUSHX/RPUSHX (xx: only onto an existing list). */
static void push_command(tx_ctx *x, int argc, const char **argv, const size_t *argl, int where, int xx) {
    ks_view v;
    lobj *l;
    int rc = 0;
    if (!open_list(x, &v, argv, argl, 0, &l)) return;
    if (!l) {
        if (xx) {
            resp_add_int(x->out, 0);
            goto done;
        }
        if (!(l = list_create(x, &v, 0))) goto done;
    }
    for (int j = 2; j < argc && rc == 0; j++) rc = list_push(l, argv[j], argl[j], where);
    ks_view_changed(&v, 0);
    if (rc != 0)
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    else
        resp_add_int(x->out, (long long)l->count);
    notify(NOTIFY_LIST, where == L_HEAD ? "lpush" : "rpush", argv[1], argl[1]); /* after the reply */
done:
    ks_view_close(&v);
}

void tx_lpush(tx_ctx *x, int argc, const char **argv, const size_t *argl) { push_command(x, argc, argv, argl, L_HEAD, 0); }
void tx_rpush(tx_ctx *x, int argc, const char **argv, const size_t *argl) { push_command(x, argc, argv, argl, L_TAIL, 0); }
void tx_lpushx(tx_ctx *x, int argc, const char **argv, const size_t *argl) { push_command(x, argc, argv, argl, L_HEAD, 1); }
void tx_rpushx(tx_ctx *x, int argc, const char **argv, const size_t *argl) { push_command(x, argc, argv, argl, L_TAIL, 1); }

/* Pops up to count elements from the `where` end of l at view key i: their array (`counted`, the
 * COUNT forms), else the one element alone; the key goes when emptied. */
static void pop_elements(tx_ctx *x, ks_view *v, int i, lobj *l, long long count, int where, int counted) {
    long long n = count < (long long)l->count ? count : (long long)l->count;
    if (counted) resp_add_array_len(x->out, n);
    for (long long j = 0; j < n; j++) {
        lelem *e = list_pop(l, where);
        reply_elem(x, e);
        elem_free(l, e);
    }
    list_shrink(l);
    notify(NOTIFY_LIST, where == L_HEAD ? "lpop" : "rpop", v->keys[i], v->klens[i]);
    ks_view_changed(v, i);
}

/* popGenericCommand: LPOP/RPOP key [count] */
static void pop_command(tx_ctx *x, int argc, const char **argv, const size_t *argl, int where) {
    ks_view v;
    lobj *l;
    long long count = 0;
    if (argc > 3) {
        resp_add_status_errorf(x->out, RD_ERR_ARITY, where == L_HEAD ? "lpop" : "rpop");
        return;
    }
    if (argc == 3 && !arg_positive(x, argv[2], argl[2], RD_ERR_NOTPOSITIVE, &count))
        return;
    if (!open_list(x, &v, argv, argl, 0, &l)) return;
    if (!l) {
        if (argc == 3)
            reply_null_array(x->out, x->resp);
        else
            resp_add_nil(x->out, x->resp);
    } else if (argc == 3 && count == 0) {
        resp_add_array_len(x->out, 0); /* Redis 7.0's fast exit: an empty array */
    } else {
        pop_elements(x, &v, 0, l, argc == 2 ? 1 : count, where, argc == 3);
    }
    ks_view_close(&v);
}

void tx_lpop(tx_ctx *x, int argc, const char **argv, const size_t *argl) { pop_command(x, argc, argv, argl, L_HEAD); }
void tx_rpop(tx_ctx *x, int argc, const char **argv, const size_t *argl) { pop_command(x, argc, argv, argl, L_TAIL); }

/* mpopGenericCommand / blockingPopGenericCommand's attempt: [key, elements] (`counted`: LMPOP,
 * BLMPOP) or [key, element] (BLPOP, BRPOP) from the first non-empty list of keys[0..n); a null
 * array when none has any.  All the keys are opened together, so a push to an earlier key can never
 * be passed over for a later one: the choice and the pop are one instant. */
static void mpop_command(tx_ctx *x, const char **keys, const size_t *keyl, int n, long long count,
                         int where, int counted) {
    ks_view v;
    void *l;
    int i;
    if (tx_open(x, &v, keys, keyl, n) != 0) return;
    i = tx_first(x, &v, n, KS_TYPE_LIST, &l);
    if (i == n) {
        reply_null_array(x->out, x->resp);
    } else if (i >= 0) {
        resp_add_array_len(x->out, 2);
        resp_add_bulk(x->out, keys[i], keyl[i]);
        pop_elements(x, &v, i, l, count, where, counted);
    }
    ks_view_close(&v);
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
void tx_lmpop(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int numkeys, right;
    long long count;
    if (mpop_args(x->out, argc, argv, argl, "left", "right", &numkeys, &right, &count) == 0)
        mpop_command(x, argv + 2, argl + 2, numkeys, count, right ? L_TAIL : L_HEAD, 1);
}

/* BLPOP / BRPOP key [key ...] timeout: the attempt before blocking (EXEC_COMMANDS) */
void tx_blpop(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    mpop_command(x, argv + 1, argl + 1, argc - 2, 1, L_HEAD, 0);
}
void tx_brpop(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    mpop_command(x, argv + 1, argl + 1, argc - 2, 1, L_TAIL, 0);
}

/* ---- reads ----------------------------------------------------------------------- */

/* LLEN key */
void tx_llen(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    (void)argc;
    if (open_keys(x, &v, argv, argl, 1) != 0) return;
    if (list_read(x, &v, 0, 1, &l)) resp_add_int(x->out, l ? (long long)l->count : 0);
    ks_view_close(&v);
}

/* LINDEX key index: the key is looked up before the index is parsed, as Redis. */
void tx_lindex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    long long i;
    (void)argc;
    if (!open_list(x, &v, argv, argl, 1, &l)) return;
    if (!l) {
        resp_add_nil(x->out, x->resp);
    } else if (arg_long(x, argv[2], argl[2], &i)) {
        if (i < 0) i += (long long)l->count;
        if (i < 0 || i >= (long long)l->count)
            resp_add_nil(x->out, x->resp);
        else
            reply_elem(x, lget(l, (size_t)i));
    }
    ks_view_close(&v);
}

/* LRANGE key start stop */
void tx_lrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    long long start, end;
    (void)argc;
    if (!arg_long(x, argv[2], argl[2], &start) || !arg_long(x, argv[3], argl[3], &end)) return;
    if (open_keys(x, &v, argv, argl, 1) != 0) return;
    if (list_read(x, &v, 0, 1, &l)) {
        if (!l || !clamp_range((long long)l->count, &start, &end)) {
            resp_add_array_len(x->out, 0);
        } else {
            resp_add_array_len(x->out, end - start + 1);
            for (long long i = start; i <= end && !x->out->failed; i++) reply_elem(x, lget(l, (size_t)i));
        }
    }
    ks_view_close(&v);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
void tx_lpos(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long rank = 1, count = -1, maxlen = 0, matches = 0, found = 0, match = -1;
    int tail_first = 0;
    ks_view v;
    lobj *l;
    for (int j = 3; j < argc; j++) {
        int more = j + 1 < argc, k = j + 1;
        if (more && arg_is(argv[j], argl[j], "rank")) {
            j++;
            if (!arg_long(x, argv[k], argl[k], &rank)) return;
            if (rank == 0) {
                resp_add_status_error(x->out, RD_ERR_RANK_ZERO);
                return;
            }
        } else if (more && arg_is(argv[j], argl[j], "count")) {
            j++;
            if (!arg_positive(x, argv[k], argl[k], RD_ERR_COUNT_NEGATIVE, &count)) return;
        } else if (more && arg_is(argv[j], argl[j], "maxlen")) {
            j++;
            if (!arg_positive(x, argv[k], argl[k], RD_ERR_MAXLEN_NEGATIVE, &maxlen)) return;
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (rank < 0) { /* Redis negates LLONG_MIN into itself: then any match counts */
        rank = (long long)(0 - (unsigned long long)rank);
        tail_first = 1;
    }
    if (!open_list(x, &v, argv, argl, 1, &l)) return;
    if (!l) {
        if (count != -1)
            resp_add_array_len(x->out, 0);
        else
            resp_add_nil(x->out, x->resp);
        goto done;
    }
    {
        long long len = (long long)l->count;
        rd_buf items;
        buf_init(&items);
        for (long long k = 0; k < len && (maxlen == 0 || k < maxlen); k++) {
            long long i = tail_first ? len - 1 - k : k;
            if (!elem_eq(lget(l, (size_t)i), argv[2], argl[2]) || ++matches < rank) continue;
            match = i;
            if (count == -1) break;
            resp_add_int(&items, i);
            found++;
            /* Redis's test, matches - rank + 1 >= count, wrapping as it does: with RANK
             * LLONG_MIN it is never true, so COUNT does not stop the walk. */
            if (count && (long long)((unsigned long long)matches - (unsigned long long)rank + 1) >= count) break;
        }
        if (count != -1) {
            resp_add_array_len(x->out, found);
            buf_append(x->out, items.data, items.len);
        } else if (match != -1) {
            resp_add_int(x->out, match);
        } else {
            resp_add_nil(x->out, x->resp);
        }
        buf_release(&items);
    }
done:
    ks_view_close(&v);
}

/* ---- in-place changes ------------------------------------------------------------ */

/* LSET key index element */
void tx_lset(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    long long i;
    (void)argc;
    if (!open_list(x, &v, argv, argl, 0, &l)) return;
    if (!l) {
        resp_add_status_error(x->out, RD_ERR_NOSUCHKEY);
    } else if (arg_long(x, argv[2], argl[2], &i)) {
        lelem *e;
        if (i < 0) i += (long long)l->count;
        if (i < 0 || i >= (long long)l->count) {
            resp_add_status_error(x->out, RD_ERR_INDEX);
        } else if (!(e = elem_new(l, argv[3], argl[3]))) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else {
            elem_free(l, lget(l, (size_t)i));
            *lslot(l, (size_t)i) = e;
            ks_view_changed(&v, 0);
            resp_add_raw(x->out, "+OK\r\n", 5);
            notify(NOTIFY_LIST, "lset", argv[1], argl[1]); /* after the reply, as lsetCommand */
        }
    }
    ks_view_close(&v);
}

/* LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
void tx_lrem(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    long long count, removed = 0;
    (void)argc;
    if (!arg_long(x, argv[2], argl[2], &count)) return;
    if (!open_list(x, &v, argv, argl, 0, &l)) return;
    if (l) {
        size_t n = l->count, kept = 0;
        /* |count| in unsigned arithmetic: -LLONG_MIN overflows a long long (Redis's own
         * negation wraps to a limit no list reaches, so it removes every match). */
        unsigned long long limit = count < 0 ? 0 - (unsigned long long)count : (unsigned long long)count;
        /* Compact toward the end the scan starts from, keeping the order. */
        for (size_t k = 0; k < n; k++) {
            size_t i = count < 0 ? n - 1 - k : k;
            lelem *e = lget(l, i);
            if ((limit == 0 || (unsigned long long)removed < limit) && elem_eq(e, argv[3], argl[3])) {
                elem_free(l, e);
                removed++;
            } else {
                *lslot(l, count < 0 ? n - 1 - kept : kept) = e;
                kept++;
            }
        }
        if (count < 0) l->head = (l->head + (n - kept)) & (l->cap - 1);
        l->count = kept;
        if (removed) {
            list_shrink(l);
            notify(NOTIFY_LIST, "lrem", argv[1], argl[1]);
            ks_view_changed(&v, 0);
        }
    }
    resp_add_int(x->out, removed);
    ks_view_close(&v);
}

/* LTRIM key start stop */
void tx_ltrim(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    long long start, end;
    (void)argc;
    if (!arg_long(x, argv[2], argl[2], &start) || !arg_long(x, argv[3], argl[3], &end)) return;
    if (!open_list(x, &v, argv, argl, 0, &l)) return;
    if (l) {
        long long len = (long long)l->count, keep_from = 0, keep = 0;
        if (clamp_range(len, &start, &end)) {
            keep_from = start;
            keep = end - start + 1;
        }
        for (long long i = 0; i < len; i++)
            if (i < keep_from || i >= keep_from + keep) elem_free(l, lget(l, (size_t)i));
        l->head = (l->head + (size_t)keep_from) & (l->cap - 1);
        l->count = (size_t)keep;
        list_shrink(l);
        notify(NOTIFY_LIST, "ltrim", argv[1], argl[1]);
        ks_view_changed(&v, 0); /* Redis signals the key even when nothing went */
    }
    resp_add_raw(x->out, "+OK\r\n", 5);
    ks_view_close(&v);
}

/* LINSERT key BEFORE|AFTER pivot element */
void tx_linsert(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    lobj *l;
    int after;
    (void)argc;
    if (arg_is(argv[2], argl[2], "after"))
        after = 1;
    else if (arg_is(argv[2], argl[2], "before"))
        after = 0;
    else {
        reply_syntax(x->out);
        return;
    }
    if (!open_list(x, &v, argv, argl, 0, &l)) return;
    if (!l) {
        resp_add_int(x->out, 0);
        goto done;
    }
    for (size_t i = 0; i < l->count; i++) {
        lelem *e;
        if (!elem_eq(lget(l, i), argv[3], argl[3])) continue;
        if (list_grow(l) != 0 || !(e = elem_new(l, argv[4], argl[4]))) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else {
            link_at(l, i + (size_t)after, e);
            notify(NOTIFY_LIST, "linsert", argv[1], argl[1]);
            ks_view_changed(&v, 0);
            resp_add_int(x->out, (long long)l->count);
        }
        goto done;
    }
    resp_add_int(x->out, -1);
done:
    ks_view_close(&v);
}

/* ---- LMOVE / RPOPLPUSH ----------------------------------------------------------- */

/* lmoveGenericCommand: pops from key 0's `from` end onto key 1's `to` end. */
static void move_command(tx_ctx *x, const char **argv, const size_t *argl, int from, int to) {
    ks_view v;
    lobj *src, *dst;
    lelem *e;
    if (open_keys(x, &v, argv, argl, 2) != 0) return;
    if (!list_read(x, &v, 0, 0, &src)) goto done;
    if (!src) {
        resp_add_nil(x->out, x->resp);
        goto done;
    }
    if (!list_read(x, &v, 1, 0, &dst)) goto done;
    if (!dst && !(dst = list_create(x, &v, 1))) goto done;
    if (list_grow(dst) != 0) {
        ks_view_changed(&v, 1); /* a destination just created empty goes again */
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        goto done;
    }
    /* The element changes owner: move its bytes in the counts too. */
    e = list_pop(src, from);
    src->mem -= malloc_usable_size(e);
    dst->mem += malloc_usable_size(e);
    link_end(dst, e, to);
    notify(NOTIFY_LIST, to == L_HEAD ? "lpush" : "rpush", argv[2], argl[2]); /* lmoveHandlePush: before the reply */
    reply_elem(x, e);
    if (src != dst) list_shrink(src);
    notify(NOTIFY_LIST, from == L_HEAD ? "lpop" : "rpop", argv[1], argl[1]);
    ks_view_changed(&v, 1);
    ks_view_changed(&v, 0);
done:
    ks_view_close(&v);
}

/* getListPositionFromObjectOrReply: 1, or 0 after the syntax error. */
static int arg_end(tx_ctx *x, const char *a, size_t n, int *where) {
    if (arg_is(a, n, "left"))
        *where = L_HEAD;
    else if (arg_is(a, n, "right"))
        *where = L_TAIL;
    else {
        reply_syntax(x->out);
        return 0;
    }
    return 1;
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
void tx_lmove(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int from, to;
    (void)argc;
    if (arg_end(x, argv[3], argl[3], &from) && arg_end(x, argv[4], argl[4], &to))
        move_command(x, argv, argl, from, to);
}

/* RPOPLPUSH source destination */
void tx_rpoplpush(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    move_command(x, argv, argl, L_TAIL, L_HEAD);
}

/* ---- blocked clients ------------------------------------------------------------- */

