/* t_sort.c: SORT and SORT_RO, as Redis 7.0's sort.c runs them.
 *
 * Rules:
 *  1. BY and GET patterns may name any key, so these two never run on the fast
 *     path (fp_type_dispatch hands them to Python) and the dispatcher holds the
 *     keyspace gate exclusive around them: no other command interleaves.
 *  2. One stripe lock at a time: the input is copied out under its own view, and
 *     each pattern lookup opens and closes a view of its own.
 */
#include "buf.h"
#include "dict.h"
#include "ksapi.h"
#include "resp.h"
#include "script_state.h"
#include "types.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NO_WEIGHT SIZE_MAX /* sort_item.by_len of an ALPHA BY weight whose key is missing */

typedef struct sort_item {
    size_t off, len;       /* the element, in the job's arena */
    size_t by_off, by_len; /* ALPHA BY: the weight, in the arena */
    double score;          /* numeric sort: the weight */
} sort_item;

typedef struct sort_job {
    rd_buf arena; /* the bytes of every element and weight (offsets: it may move) */
    sort_item *items;
    size_t n, cap;
    int desc, alpha, by, store, failed;
} sort_job;

static const char *item_bytes(const sort_job *j, size_t off) { return j->arena.data + off; }

static void collect(void *ctx, const char *p, size_t n) {
    sort_job *j = ctx;
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        sort_item *it = realloc(j->items, cap * sizeof *it);
        if (!it) {
            j->failed = 1;
            return;
        }
        j->items = it;
        j->cap = cap;
    }
    j->items[j->n] = (sort_item){j->arena.len, n, 0, NO_WEIGHT, 0};
    if (buf_append(&j->arena, p, n) != 0) j->failed = 1;
    j->n++;
}

/* Redis's lookupKeyByPattern: "#" is the element itself; the first '*' takes the element;
 * "key->field" after the '*' reads a hash field, otherwise a string key.  Patterns are
 * C strings there, so a NUL ends them.  1 with the value in val, 0 when there is none. */
static int pattern_value(rd_keyspace *ks, const char *pat, size_t plen, const char *sub, size_t slen,
                         rd_buf *val) {
    size_t clen = strnlen(pat, plen), pre, field = 0, post, klen;
    const char *star, *arrow = NULL;
    char *key;
    int found = 0;
    buf_reset(val, 1 << 16);
    if (plen == 1 && pat[0] == '#') return buf_append(val, sub, slen) == 0;
    if (!(star = memchr(pat, '*', clen))) return 0;
    for (const char *f = star + 1; f + 2 <= pat + clen; f++)
        if (f[0] == '-' && f[1] == '>') {
            arrow = f;
            break;
        }
    if (arrow && arrow + 2 < pat + clen) field = plen - (size_t)(arrow - pat) - 2;
    pre = (size_t)(star - pat);
    post = plen - pre - 1 - (field ? field + 2 : 0);
    klen = pre + slen + post;
    if (!(key = malloc(klen ? klen : 1))) return 0;
    memcpy(key, pat, pre);
    memcpy(key + pre, sub, slen);
    memcpy(key + pre + slen, star + 1, post);
    if (!field) {
        found = rd_ks_get(ks, key, klen, val) == RD_OK;
    } else {
        const char *keys[1] = {key};
        size_t klens[1] = {klen};
        ks_view v;
        void *h;
        if (ks_view_open(&v, ks, 1, keys, klens) == RD_OK) {
            if (ks_view_get(&v, 0, KS_TYPE_HASH, 1, &h) == RD_OK) {
                dnode *n = dict_find(&((dobj *)h)->d, arrow + 2, field);
                found = n && buf_append(val, dnode_val(n), n->vlen) == 0;
            }
            ks_view_close(&v);
        }
    }
    free(key);
    return found;
}

/* strtod over the text before any NUL, as Redis reads an sds. */
static int parse_weight(const char *p, size_t n, double *out) {
    char tmp[64], *heap = NULL, *s = tmp, *end;
    size_t len = strnlen(p, n);
    int ok;
    if (len >= sizeof tmp && !(s = heap = malloc(len + 1))) return 0;
    memcpy(s, p, len);
    s[len] = '\0';
    errno = 0;
    *out = strtod(s, &end);
    ok = *end == '\0' && errno != ERANGE && !isnan(*out);
    free(heap);
    return ok;
}

/* compareStringObjects (binary) or, without STORE, strcoll in the C locale: C strings. */
static int compare_bytes(const char *a, size_t an, const char *b, size_t bn, int binary) {
    int cmp;
    if (!binary) {
        an = strnlen(a, an);
        bn = strnlen(b, bn);
    }
    cmp = memcmp(a, b, an < bn ? an : bn);
    return cmp ? cmp : (an > bn) - (an < bn);
}

static int sort_compare(const void *pa, const void *pb, void *ctx) {
    const sort_job *j = ctx;
    const sort_item *a = pa, *b = pb;
    int cmp;
    if (!j->alpha) {
        cmp = a->score > b->score ? 1 : a->score < b->score ? -1 :
              compare_bytes(item_bytes(j, a->off), a->len, item_bytes(j, b->off), b->len, 1);
    } else if (j->by) {
        if (a->by_len == NO_WEIGHT || b->by_len == NO_WEIGHT)
            cmp = (a->by_len == NO_WEIGHT) == (b->by_len == NO_WEIGHT) ? 0 : a->by_len == NO_WEIGHT ? -1 : 1;
        else
            cmp = compare_bytes(item_bytes(j, a->by_off), a->by_len, item_bytes(j, b->by_off), b->by_len,
                                j->store);
    } else {
        cmp = compare_bytes(item_bytes(j, a->off), a->len, item_bytes(j, b->off), b->len, j->store);
    }
    return j->desc ? -cmp : cmp;
}

/* Weights for every item, then the sort; 0, or -1 when a numeric weight is not a number. */
static int sort_items(rd_keyspace *ks, sort_job *j, const char *by, size_t bylen) {
    rd_buf w;
    int bad = 0;
    buf_init(&w);
    for (size_t i = 0; i < j->n && !j->failed; i++) {
        sort_item *it = &j->items[i];
        const char *p = item_bytes(j, it->off);
        size_t n = it->len;
        if (by) {
            if (!pattern_value(ks, by, bylen, p, n, &w)) continue; /* weight 0 / missing */
            p = w.data;
            n = w.len;
        }
        if (!j->alpha) {
            if (!parse_weight(p, n, &it->score)) bad = 1;
        } else if (by) {
            it->by_off = j->arena.len;
            it->by_len = n;
            if (buf_append(&j->arena, p, n) != 0) j->failed = 1;
        }
    }
    buf_release(&w);
    if (bad) return -1;
    if (j->n > 1) qsort_r(j->items, j->n, sizeof *j->items, sort_compare, j); /* an empty SORT has no array */
    return 0;
}

/* The key's elements into j; its type in *type (KS_TYPE_LIST when missing, as Redis
 * sorts an empty list).  0, or -1 after writing WRONGTYPE / OOM. */
static int load_input(tx_ctx *x, const char *key, size_t klen, sort_job *j, int *type) {
    static const int sortable[] = {KS_TYPE_LIST, KS_TYPE_SET, KS_TYPE_ZSET};
    const char *keys[1] = {key};
    size_t klens[1] = {klen};
    rd_status st = RD_ERR_WRONGTYPE;
    ks_view v;
    void *obj = NULL;
    if (tx_open(x, &v, keys, klens, 1) != 0) return -1;
    *type = KS_TYPE_LIST;
    for (int i = 0; i < 3 && st == RD_ERR_WRONGTYPE; i++) {
        st = ks_view_get(&v, 0, sortable[i], i == 0, &obj); /* one hit or miss counted */
        *type = sortable[i];
    }
    if (st == RD_OK) ks_types[*type]->each(obj, collect, j);
    if (st == RD_NOT_FOUND) *type = KS_TYPE_LIST;
    ks_view_close(&v);
    if (st == RD_ERR_WRONGTYPE || j->failed) {
        resp_add_status_error(x->out, st == RD_ERR_WRONGTYPE ? RD_ERR_WRONGTYPE : RD_ERR_NOMEM);
        return -1;
    }
    return 0;
}

typedef struct sort_args {
    long long limit_start, limit_count;
    int desc, alpha, dontsort, ngets;
    const char *by, *store;
    size_t bylen, storelen;
    int gets[]; /* argv positions of GET patterns */
} sort_args;

/* sortCommandGeneric's option loop; NULL after writing the error (or OOM). */
static sort_args *parse_args(tx_ctx *x, int argc, const char **argv, const size_t *argl, int readonly) {
    sort_args *a = calloc(1, sizeof *a + (size_t)argc * sizeof(int));
    if (!a) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return NULL;
    }
    a->limit_count = -1;
    for (int j = 2; j < argc; j++) {
        int left = argc - j - 1;
        if (arg_is(argv[j], argl[j], "asc")) {
            a->desc = 0;
        } else if (arg_is(argv[j], argl[j], "desc")) {
            a->desc = 1;
        } else if (arg_is(argv[j], argl[j], "alpha")) {
            a->alpha = 1;
        } else if (arg_is(argv[j], argl[j], "limit") && left >= 2) {
            if (!arg_ll(argv[j + 1], argl[j + 1], &a->limit_start) ||
                !arg_ll(argv[j + 2], argl[j + 2], &a->limit_count)) {
                resp_add_status_error(x->out, RD_ERR_NOTINT);
                free(a);
                return NULL;
            }
            j += 2;
        } else if (!readonly && arg_is(argv[j], argl[j], "store") && left >= 1) {
            a->store = argv[++j];
            a->storelen = argl[j];
        } else if (arg_is(argv[j], argl[j], "by") && left >= 1) {
            a->by = argv[++j];
            a->bylen = argl[j];
            /* A constant pattern (no '*' before any NUL) means "don't sort". */
            a->dontsort = memchr(a->by, '*', strnlen(a->by, a->bylen)) == NULL;
        } else if (arg_is(argv[j], argl[j], "get") && left >= 1) {
            a->gets[a->ngets++] = ++j;
        } else {
            reply_syntax(x->out);
            free(a);
            return NULL;
        }
    }
    return a;
}

/* GET values of one element, as replies or list elements (an empty string for a
 * missing one when storing, as Redis). */
static void emit_gets(tx_ctx *x, const sort_args *a, const char **argv, const size_t *argl,
                      const char *p, size_t n, void *list, rd_buf *val, int *failed) {
    for (int g = 0; g < a->ngets; g++) {
        int found = pattern_value(x->ks, argv[a->gets[g]], argl[a->gets[g]], p, n, val);
        if (list)
            *failed |= list_obj_push_tail(list, found ? val->data : "", found ? val->len : 0) != 0;
        else if (found)
            resp_add_bulk(x->out, val->data, val->len);
        else
            resp_add_nil(x->out, x->resp);
    }
}

/* STORE: the result replaces the destination (any type, TTL dropped), or deletes it when empty. */
static void store_result(tx_ctx *x, const sort_args *a, void *list, long long outlen) {
    const char *keys[1] = {a->store};
    size_t klens[1] = {a->storelen};
    ks_view v;
    if (tx_open(x, &v, keys, klens, 1) != 0) {
        ks_types[KS_TYPE_LIST]->free(list);
        return;
    }
    if (outlen) {
        if (ks_view_put(&v, 0, KS_TYPE_LIST, list) != RD_OK) {
            ks_view_close(&v);
            resp_add_status_error(x->out, RD_ERR_NOMEM);
            return;
        }
        notify(NOTIFY_LIST, "sortstore", keys[0], klens[0]);
    } else {
        ks_types[KS_TYPE_LIST]->free(list);
        if (ks_view_delete(&v, 0)) notify(NOTIFY_GENERIC, "del", keys[0], klens[0]);
    }
    ks_view_close(&v);
    resp_add_int(x->out, outlen);
}

static void sort_output(tx_ctx *x, const sort_args *a, const char **argv, const size_t *argl,
                        sort_job *j, long long start, long long end) {
    long long outlen = (a->ngets ? a->ngets : 1) * (end - start + 1);
    void *list = a->store ? list_obj_new() : NULL;
    int failed = a->store && !list;
    rd_buf val;
    buf_init(&val);
    if (!a->store) resp_add_array_len(x->out, outlen);
    for (long long i = start; i <= end && !failed && !x->out->failed; i++) {
        const sort_item *it = &j->items[i];
        const char *p = item_bytes(j, it->off);
        if (a->ngets)
            emit_gets(x, a, argv, argl, p, it->len, list, &val, &failed);
        else if (list)
            failed |= list_obj_push_tail(list, p, it->len) != 0;
        else
            resp_add_bulk(x->out, p, it->len);
    }
    buf_release(&val);
    if (failed) {
        if (list) ks_types[KS_TYPE_LIST]->free(list);
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    } else if (a->store) {
        store_result(x, a, list, outlen);
    }
}

static void sort_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int readonly) {
    sort_args *a = parse_args(x, argc, argv, argl, readonly);
    sort_job j = {0};
    long long len, start, count, end;
    int type;
    if (!a) return;
    buf_init(&j.arena);
    if (load_input(x, argv[1], argl[1], &j, &type) != 0) goto done;
    /* A stored set, or one a script reads, must come out in a deterministic order (Redis). */
    if (a->dontsort && type == KS_TYPE_SET && (a->store || script_running_here())) {
        a->dontsort = 0;
        a->alpha = 1;
        a->by = NULL;
    }
    len = (long long)j.n;
    start = a->limit_start < 0 ? 0 : a->limit_start < len ? a->limit_start : len;
    count = a->limit_count < -1 ? -1 : a->limit_count < len ? a->limit_count : len;
    end = count < 0 ? len - 1 : start + count - 1;
    if (start >= len) {
        start = len - 1;
        end = len - 2;
    }
    if (end >= len) end = len - 1;
    j.desc = a->desc;
    j.alpha = a->alpha;
    j.by = a->by != NULL;
    j.store = a->store != NULL;
    if (a->dontsort) {
        /* Lists and zsets keep their own order, reversed by DESC; a set its table order. */
        if (a->desc && type != KS_TYPE_SET)
            for (size_t i = 0; i < j.n / 2; i++) {
                sort_item t = j.items[i];
                j.items[i] = j.items[j.n - 1 - i];
                j.items[j.n - 1 - i] = t;
            }
    } else if (sort_items(x->ks, &j, a->by, a->bylen) != 0) {
        resp_add_status_error(x->out, RD_ERR_SORT_NOTDOUBLE);
        goto done;
    }
    if (j.failed)
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    else
        sort_output(x, a, argv, argl, &j, start, end);
done:
    buf_release(&j.arena);
    free(j.items);
    free(a);
}

/* SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
void tx_sort(tx_ctx *x, int argc, const char **argv, const size_t *argl) { sort_generic(x, argc, argv, argl, 0); }

/* SORT_RO: the same without STORE. */
void tx_sort_ro(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    sort_generic(x, argc, argv, argl, 1);
}
