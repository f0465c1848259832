/* t_zset.c: sorted-set objects (skiplist + member index) and the Z* commands, each writing Redis 7.0's exact reply. */
#include "buf.h"
#include "dict.h"
#include "ksapi.h"
#include "resp.h"
#include "strconv.h"
#include "types.h"
#include "zset.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the skiplist (Redis's zskiplist: score, then member bytes; spans give ranks) ---- */

#define ZSL_MAXLEVEL 32

typedef struct zsl_level {
    struct znode *forward;
    uint32_t span; /* nodes skipped by this link (rank arithmetic; zinsert caps the length) */
    float fscore;  /* forward->score rounded: a search decides from here, without reading the node
                    * it stops before (a cache miss per level on a large set), unless they round equal */
} zsl_level;

typedef struct znode {
    double score;
    struct znode *backward;
    uint32_t mlen;
    int level;
    zsl_level lv[]; /* `level` links, then the member bytes */
} znode;

static inline char *zn_member(const znode *n) { return (char *)(n->lv + n->level); }

/* A sorted set: the skiplist ordered by (score, member) and a dict member ->
 * node pointer (O(1) ZSCORE).  `big` is sticky, as Redis 7.0 keeps a skiplist
 * once converted: it only decides OBJECT ENCODING (listpack / skiplist). */
typedef struct zobj {
    rdict d;
    znode *header, *tail;
    unsigned long length;
    int level;
    int big;
    size_t zmem; /* malloc_usable_size of the skiplist nodes, header included */
} zobj;

static znode *znode_new(zobj *z, int level, double score, const char *m, size_t mlen) {
    znode *n = malloc(sizeof *n + (size_t)level * sizeof(zsl_level) + mlen);
    if (!n) return NULL;
    n->score = score;
    n->backward = NULL;
    n->mlen = (uint32_t)mlen;
    n->level = level;
    memset(n->lv, 0, (size_t)level * sizeof(zsl_level));
    if (mlen) memcpy(zn_member(n), m, mlen);
    z->zmem += malloc_usable_size(n);
    return n;
}

static void znode_free(zobj *z, znode *n) {
    z->zmem -= malloc_usable_size(n);
    free(n);
}

static zobj *zobj_new(void) {
    zobj *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    dict_init(&z->d);
    z->level = 1;
    /* The header starts with 2 links and grows with the tallest node (zsl_reserve):
     * a 32-link header would cost ~540 bytes in every small sorted set. */
    if (!(z->header = znode_new(z, 2, 0, NULL, 0))) {
        free(z);
        return NULL;
    }
    return z;
}

static void zobj_free(void *o) {
    zobj *z = o;
    for (znode *n = z->header, *next; n; n = next) {
        next = n->lv[0].forward;
        free(n);
    }
    dict_release(&z->d);
    free(z);
}

static size_t zobj_mem(const void *o) {
    const zobj *z = o;
    return malloc_usable_size((void *)z) + z->d.mem + z->zmem;
}

static size_t zobj_len(const void *o) { return ((const zobj *)o)->length; }

static int zobj_encoding(const void *o) { return ((const zobj *)o)->big ? RD_ENC_SKIPLIST : RD_ENC_LISTPACK; }

/* Redis's zslRandomLevel: each extra level with probability 1/4. */
static int zsl_random_level(void) {
    int level = 1;
    uint64_t r = ks_random64();
    while ((r & 3) == 0 && level < ZSL_MAXLEVEL) {
        level++;
        r >>= 2;
        if (!r) r = ks_random64();
    }
    return level;
}

/* Room in the header for a node of `level` links; the level to use (lower if realloc fails). */
static int zsl_reserve(zobj *z, int level) {
    znode *h = z->header;
    int old = h->level;
    if (level <= old) return level;
    z->zmem -= malloc_usable_size(h);
    h = realloc(h, sizeof *h + (size_t)level * sizeof(zsl_level));
    if (!h) {
        z->zmem += malloc_usable_size(z->header);
        return old;
    }
    memset(h->lv + old, 0, (size_t)(level - old) * sizeof(zsl_level));
    h->level = level;
    z->header = h;
    z->zmem += malloc_usable_size(h);
    return level;
}

/* sdscmp order of members. */
static int mcmp(const char *a, size_t an, const char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* Does node n sort before (score, m)? */
static int zn_before(const znode *n, double score, const char *m, size_t mlen) {
    return n->score < score || (n->score == score && mcmp(zn_member(n), n->mlen, m, mlen) < 0);
}

/* A score rounded to float, out-of-range ones to +-inf (a plain cast of those is undefined). */
static inline float fkey(double d) { return d > FLT_MAX ? INFINITY : d < -FLT_MAX ? -INFINITY : (float)d; }

/* Does link l's forward node sort before (score, m)?  fs = fkey(score).  Rounding to float keeps
 * order (a < b gives fa <= fb), so only equal rounded scores need the node itself. */
static int link_before(const zsl_level *l, double score, float fs, const char *m, size_t mlen) {
    if (!l->forward || l->fscore > fs) return 0;
    return l->fscore < fs || zn_before(l->forward, score, m, mlen);
}

/* Links node n (its level and score set) at its place; Redis's zslInsert. */
static void zsl_link(zobj *z, znode *n) {
    znode *update[ZSL_MAXLEVEL], *x = z->header;
    unsigned long rank[ZSL_MAXLEVEL];
    float fs = fkey(n->score);
    for (int i = z->level - 1; i >= 0; i--) {
        rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
        while (link_before(&x->lv[i], n->score, fs, zn_member(n), n->mlen)) {
            rank[i] += x->lv[i].span;
            x = x->lv[i].forward;
        }
        update[i] = x;
    }
    if (n->level > z->level) {
        for (int i = z->level; i < n->level; i++) {
            rank[i] = 0;
            update[i] = z->header;
            update[i]->lv[i].span = z->length;
        }
        z->level = n->level;
    }
    for (int i = 0; i < n->level; i++) {
        n->lv[i].forward = update[i]->lv[i].forward;
        n->lv[i].fscore = update[i]->lv[i].fscore;
        update[i]->lv[i].forward = n;
        update[i]->lv[i].fscore = fkey(n->score);
        n->lv[i].span = update[i]->lv[i].span - (rank[0] - rank[i]);
        update[i]->lv[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = n->level; i < z->level; i++) update[i]->lv[i].span++;
    n->backward = update[0] == z->header ? NULL : update[0];
    if (n->lv[0].forward)
        n->lv[0].forward->backward = n;
    else
        z->tail = n;
    z->length++;
}

/* update[i] = the last node before n on level i (Redis's search in zslDelete). */
static void zsl_path(const zobj *z, const znode *n, znode **update) {
    znode *x = z->header;
    float fs = fkey(n->score);
    for (int i = z->level - 1; i >= 0; i--) {
        while (link_before(&x->lv[i], n->score, fs, zn_member(n), n->mlen)) x = x->lv[i].forward;
        update[i] = x;
    }
}

/* Unlinks node n (not freed) given its zsl_path; Redis's zslDeleteNode. */
static void zsl_cut(zobj *z, znode *n, znode **update) {
    for (int i = 0; i < z->level; i++) {
        if (update[i]->lv[i].forward == n) {
            update[i]->lv[i].span += n->lv[i].span - 1;
            update[i]->lv[i].forward = n->lv[i].forward;
            update[i]->lv[i].fscore = n->lv[i].fscore;
        } else {
            update[i]->lv[i].span--;
        }
    }
    if (n->lv[0].forward)
        n->lv[0].forward->backward = n->backward;
    else
        z->tail = n->backward;
    while (z->level > 1 && z->header->lv[z->level - 1].forward == NULL) z->level--;
    z->length--;
}

static void zsl_unlink(zobj *z, znode *n) {
    znode *update[ZSL_MAXLEVEL];
    zsl_path(z, n, update);
    zsl_cut(z, n, update);
}

/* 1-based rank of node n (Redis's zslGetRank). */
static unsigned long zsl_rank(const zobj *z, const znode *n) {
    const znode *x = z->header;
    unsigned long rank = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->lv[i].forward && (x->lv[i].forward == n ||
                                    zn_before(x->lv[i].forward, n->score, zn_member(n), n->mlen))) {
            rank += x->lv[i].span;
            x = x->lv[i].forward;
        }
        if (x == n) return rank;
    }
    return 0;
}

/* The node at 1-based rank (zslGetElementByRank); NULL out of range. */
static znode *zsl_at(const zobj *z, unsigned long rank) {
    znode *x = z->header;
    unsigned long traversed = 0;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->lv[i].forward && traversed + x->lv[i].span <= rank) {
            traversed += x->lv[i].span;
            x = x->lv[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

/* ---- members ---------------------------------------------------------------------- */

static znode *zfind(const zobj *z, const char *m, size_t mlen) {
    dnode *d = z ? dict_find(&z->d, m, mlen) : NULL;
    znode *n;
    if (!d) return NULL;
    memcpy(&n, dnode_val(d), sizeof n);
    return n;
}

/* A listpack keeps scores as text (d2string), where -0 is "0": a small set never holds -0. */
static double lp_score(const zobj *z, double score) { return !z->big && score == 0 ? 0.0 : score; }

/* Adds a member known to be absent: 0, or -1 on allocation failure. */
static int zinsert(zobj *z, double score, const char *m, size_t mlen) {
    znode *n;
    if (z->length >= UINT32_MAX) return -1; /* spans are 32-bit: 4G members would need ~400 GB anyway */
    /* zsetAdd converts to a skiplist before inserting an element that would not fit. */
    if ((long long)z->length + 1 > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_ENTRIES] ||
        (long long)mlen > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_VALUE])
        z->big = 1;
    if (!(n = znode_new(z, zsl_reserve(z, zsl_random_level()), lp_score(z, score), m, mlen))) return -1;
    if (dict_set(&z->d, m, mlen, (const char *)&n, sizeof n) < 0) {
        znode_free(z, n);
        return -1;
    }
    zsl_link(z, n);
    return 0;
}

/* Moves node n to a new score, keeping the node (the dict's pointer stays valid); as
 * Redis's zslUpdateScore, a node whose neighbours still bracket it only changes its score. */
static void zmove(zobj *z, znode *n, double score) {
    znode *update[ZSL_MAXLEVEL];
    score = lp_score(z, score);
    zsl_path(z, n, update);
    /* The next node's score from n's link: reading that node would be one more cache miss. */
    if ((!n->backward || n->backward->score < score) &&
        (!n->lv[0].forward || n->lv[0].fscore > fkey(score) || n->lv[0].forward->score > score)) {
        n->score = score;
        for (int i = 0; i < n->level; i++) update[i]->lv[i].fscore = fkey(score); /* their forward is n */
        return;
    }
    zsl_cut(z, n, update);
    n->score = score;
    zsl_link(z, n);
}

static void zremove(zobj *z, znode *n) {
    zsl_unlink(z, n);
    dict_del(&z->d, zn_member(n), n->mlen);
    znode_free(z, n);
}

static void *zobj_dup(const void *o) {
    const zobj *src = o;
    zobj *z = zobj_new();
    if (!z) return NULL;
    for (znode *n = src->header->lv[0].forward; n; n = n->lv[0].forward) {
        if (zinsert(z, n->score, zn_member(n), n->mlen) != 0) {
            zobj_free(z);
            return NULL;
        }
    }
    z->big = src->big;
    return z;
}

static void zobj_each(const void *o, void (*fn)(void *ctx, const char *p, size_t n), void *ctx) {
    for (const znode *n = ((const zobj *)o)->header->lv[0].forward; n; n = n->lv[0].forward)
        fn(ctx, zn_member(n), n->mlen);
}

const ks_type_ops zset_type_ops = {"zset", zobj_free, zobj_dup, zobj_mem, zobj_encoding, zobj_len, zobj_each, NULL, NULL};

/* ---- the RDB loader's and writer's access (rdb.c) ---------------------------------------- */

void *zset_obj_new(void) {
    zobj *z = zobj_new();
    if (z) z->big = 1; /* raw scores while loading: zset_obj_settle decides the encoding */
    return z;
}

int zset_obj_add(void *o, double score, const char *m, size_t n) {
    zobj *z = o;
    int big = z->big;
    if (zfind(z, m, n)) return 1;
    if (zinsert(z, score, m, n) != 0) return -1;
    z->big = big;
    return 0;
}

void zset_obj_settle(void *o, int big) {
    zobj *z = o;
    z->big = big;
    if (!big) /* a listpack's text score: -0 is stored as 0, as zinsert does */
        for (znode *n = z->header->lv[0].forward; n; n = n->lv[0].forward) n->score = lp_score(z, n->score);
}

void zset_obj_walk(const void *o, int rev, void (*fn)(void *ctx, const char *m, size_t n, double score),
                   void *ctx) {
    const zobj *z = o;
    for (const znode *n = rev ? z->tail : z->header->lv[0].forward; n; n = rev ? n->backward : n->lv[0].forward)
        fn(ctx, zn_member(n), n->mlen, n->score);
}

/* ---- scores: Redis's parsing and formatting ------------------------------------------ */

/* A plain integer of at most 15 digits (the usual score) is exact as a double, so it
 * converts without strtod (~450 instructions per ZADD); -0 stays negative, as strtod's. */
static int small_integer(const char *a, size_t n, double *v) {
    size_t i = a[0] == '-' || a[0] == '+';
    unsigned long long u = 0;
    if (n == i || n - i > 15) return 0;
    for (; i < n; i++) {
        if (a[i] < '0' || a[i] > '9') return 0;
        u = u * 10 + (unsigned)(a[i] - '0');
    }
    *v = a[0] == '-' ? -(double)u : (double)u;
    return 1;
}

/* strtod over a NUL-terminated copy; *end gets the offset where it stopped. */
static double zstrtod(const char *a, size_t n, size_t *end, int *erange) {
    char stack[128], *buf;
    char *e;
    double v;
    if (n && small_integer(a, n, &v)) {
        *end = n;
        *erange = 0;
        return v;
    }
    buf = n < sizeof stack ? stack : malloc(n + 1);
    if (!buf) {
        *end = (size_t)-1;
        return 0;
    }
    memcpy(buf, a, n);
    buf[n] = '\0';
    errno = 0;
    v = strtod(buf, &e);
    *erange = errno == ERANGE;
    *end = (size_t)(e - buf);
    if (buf != stack) free(buf);
    return v;
}

/* getDoubleFromObject: 1 = ok. */
static int arg_double(const char *a, size_t n, double *out) {
    size_t end;
    int erange;
    double v;
    if (n == 0 || isspace((unsigned char)a[0])) return 0;
    v = zstrtod(a, n, &end, &erange);
    if (end != n || (erange && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) || isnan(v))
        return 0;
    *out = v;
    return 1;
}

/* snprintf "%.17g" (finite d): integral scores below 1e15 (the usual case) print as their
 * digits, which is what "%.17g" gives them, without printf's multi-precision path (~1,000
 * instructions per score, as much as the rest of a ZPOPMIN).  -0 keeps printf for its sign. */
static int fmt_score(char *buf, size_t size, double d) {
    if (d > -1e15 && d < 1e15 && (double)(long long)d == d && !(d == 0 && signbit(d)))
        return (int)ll2str(buf, (long long)d);
    return snprintf(buf, size, "%.17g", d);
}

/* addReplyDouble (7.0): RESP2 "%.17g" as a bulk, RESP3 a double; inf spelled out. */
static void reply_double(tx_ctx *x, double d) {
    char buf[64];
    int n;
    if (isinf(d)) {
        if (x->resp == 2)
            resp_add_bulk(x->out, d > 0 ? "inf" : "-inf", d > 0 ? 3 : 4);
        else
            resp_add_raw(x->out, d > 0 ? ",inf\r\n" : ",-inf\r\n", d > 0 ? 6 : 7);
        return;
    }
    if (x->resp == 2) {
        n = fmt_score(buf, sizeof buf, d);
        resp_add_bulk(x->out, buf, (size_t)n);
    } else {
        buf[0] = ',';
        n = 1 + fmt_score(buf + 1, sizeof buf - 3, d);
        memcpy(buf + n, "\r\n", 2);
        resp_add_raw(x->out, buf, (size_t)n + 2);
    }
}

typedef struct zrange {
    double min, max;
    int minex, maxex;
} zrange;

/* One end of zslParseRange: "(" exclusive, strtod over the rest (a NUL ends it). */
static int parse_score_end(const char *a, size_t n, double *v, int *ex) {
    size_t end;
    int erange;
    const char *s = a;
    *ex = n > 0 && a[0] == '(';
    if (*ex) s++, n--;
    *v = zstrtod(s, n, &end, &erange);
    if (end == (size_t)-1) return 0;
    /* Redis checks eptr[0] != '\0' on the C string: stopping at an embedded NUL is fine. */
    return (end == n || s[end] == '\0') && !isnan(*v);
}

static int parse_score_range(const char *a, size_t an, const char *b, size_t bn, zrange *r) {
    return parse_score_end(a, an, &r->min, &r->minex) && parse_score_end(b, bn, &r->max, &r->maxex);
}

static int gte_min(double v, const zrange *r) { return r->minex ? v > r->min : v >= r->min; }
static int lte_max(double v, const zrange *r) { return r->maxex ? v < r->max : v <= r->max; }

static int range_empty(const zrange *r) {
    return r->min > r->max || (r->min == r->max && (r->minex || r->maxex));
}

/* Lex ranges: "-" and "+" are the open ends, "[" inclusive, "(" exclusive. */
typedef struct lex_end {
    const char *s;
    size_t n;
    int ex;
    int inf; /* -1 = "-", 1 = "+", 0 = a string */
} lex_end;

typedef struct lrange {
    lex_end min, max;
} lrange;

static int parse_lex_end(const char *a, size_t n, lex_end *e) {
    e->s = a + 1;
    e->n = n ? n - 1 : 0;
    e->ex = 0;
    e->inf = 0;
    if (n == 0) return 0;
    switch (a[0]) {
    case '+':
        if (n != 1) return 0;
        e->inf = 1;
        return 1;
    case '-':
        if (n != 1) return 0;
        e->inf = -1;
        return 1;
    case '(':
        e->ex = 1;
        return 1;
    case '[':
        return 1;
    default:
        return 0;
    }
}

static int parse_lex_range(const char *a, size_t an, const char *b, size_t bn, lrange *r) {
    return parse_lex_end(a, an, &r->min) && parse_lex_end(b, bn, &r->max);
}

/* sdscmplex: the open ends sort below / above every string. */
static int lex_cmp(const char *m, size_t mn, const lex_end *e) {
    if (e->inf) return -e->inf;
    return mcmp(m, mn, e->s, e->n);
}

static int lex_gte_min(const znode *n, const lrange *r) {
    int c = lex_cmp(zn_member(n), n->mlen, &r->min);
    return r->min.ex ? c > 0 : c >= 0;
}

static int lex_lte_max(const znode *n, const lrange *r) {
    int c = lex_cmp(zn_member(n), n->mlen, &r->max);
    return r->max.ex ? c < 0 : c <= 0;
}

static int lex_empty(const lrange *r) {
    int c;
    if (r->min.inf == 1 || r->max.inf == -1) return 1;
    if (r->min.inf == -1 || r->max.inf == 1) return 0;
    c = mcmp(r->min.s, r->min.n, r->max.s, r->max.n);
    return c > 0 || (c == 0 && (r->min.ex || r->max.ex));
}

/* A range predicate over nodes: by score or by lex. */
typedef struct zspec {
    int lex;
    zrange s;
    lrange l;
} zspec;

static int spec_min_ok(const znode *n, const zspec *p) { return p->lex ? lex_gte_min(n, &p->l) : gte_min(n->score, &p->s); }
static int spec_max_ok(const znode *n, const zspec *p) { return p->lex ? lex_lte_max(n, &p->l) : lte_max(n->score, &p->s); }
static int spec_empty(const zspec *p) { return p->lex ? lex_empty(&p->l) : range_empty(&p->s); }

/* zslFirstInRange / zslLastInRange over either kind of range. */
static znode *first_in(const zobj *z, const zspec *p) {
    znode *x = z->header;
    if (spec_empty(p) || !z->tail || !spec_min_ok(z->tail, p)) return NULL;
    for (int i = z->level - 1; i >= 0; i--)
        while (x->lv[i].forward && !spec_min_ok(x->lv[i].forward, p)) x = x->lv[i].forward;
    x = x->lv[0].forward;
    return x && spec_max_ok(x, p) ? x : NULL;
}

static znode *last_in(const zobj *z, const zspec *p) {
    znode *x = z->header, *first = z->header->lv[0].forward;
    if (spec_empty(p) || !first || !spec_max_ok(first, p)) return NULL;
    for (int i = z->level - 1; i >= 0; i--)
        while (x->lv[i].forward && spec_max_ok(x->lv[i].forward, p)) x = x->lv[i].forward;
    return x != z->header && spec_min_ok(x, p) ? x : NULL;
}

/* ---- lookups --------------------------------------------------------------------- */

static int open_keys(tx_ctx *x, ks_view *v, const char *const *keys, const size_t *klens, int n) {
    return tx_open(x, v, keys, klens, n);
}

/* Key i as a sorted set: 1 (*z NULL when absent), 0 after writing WRONGTYPE. */
static int zset_read(tx_ctx *x, ks_view *v, int i, int read, zobj **z) {
    void *o;
    if (!tx_get(x, v, i, KS_TYPE_ZSET, read, &o)) return 0;
    *z = o;
    return 1;
}

/* Links a new sorted set at key i: NULL after writing the error. */
static zobj *zset_create(tx_ctx *x, ks_view *v, int i, long long size_hint, size_t maxlen) {
    zobj *z = zobj_new();
    if (!z || ks_view_put(v, i, KS_TYPE_ZSET, z) != RD_OK) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return NULL;
    }
    /* zsetTypeCreate: too many or too long elements start as a skiplist. */
    if (size_hint > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_ENTRIES] ||
        (long long)maxlen > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_VALUE])
        z->big = 1;
    return z;
}

/* One element of a range reply: RESP3 WITHSCORES nests [member, score]. */
static void emit_node(tx_ctx *x, const znode *n, int withscores) {
    if (withscores && x->resp == 3) resp_add_array_len(x->out, 2);
    resp_add_bulk(x->out, zn_member(n), n->mlen);
    if (withscores) reply_double(x, n->score);
}

static void emit_len(tx_ctx *x, long long n, int withscores) {
    resp_add_array_len(x->out, withscores && x->resp == 2 ? n * 2 : n);
}

/* ---- ZADD / ZINCRBY ------------------------------------------------------------------ */

enum { OUT_NOP = 1, OUT_ADDED = 2, OUT_UPDATED = 4 };

/* zsetAdd: 1 done (*out flags, *newscore), 0 = the result is NaN, -1 nomem. */
static int zset_add(zobj *z, double score, const char *m, size_t mlen, int flags, int *out,
                    double *newscore) {
    znode *n = zfind(z, m, mlen);
    *out = 0;
    if (n) {
        double cur = n->score;
        if (flags & ZADD_NX) {
            *out = OUT_NOP;
            return 1;
        }
        if (flags & ZADD_INCR) {
            score += cur;
            if (isnan(score)) return 0;
        }
        if (((flags & ZADD_LT) && score >= cur) || ((flags & ZADD_GT) && score <= cur)) {
            *out = OUT_NOP;
            return 1;
        }
        *newscore = score;
        if (score != cur) {
            zmove(z, n, score);
            *out = OUT_UPDATED;
        }
        return 1;
    }
    if (flags & ZADD_XX) {
        *out = OUT_NOP;
        return 1;
    }
    if (zinsert(z, score, m, mlen) != 0) return -1;
    *out = OUT_ADDED;
    *newscore = score;
    return 1;
}

static void zadd_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int flags) {
    int idx = 2, elements;
    double few[8], *scores = few; /* few: no malloc for the usual one-pair ZADD */
    for (; idx < argc; idx++) {
        const char *a = argv[idx];
        size_t n = argl[idx];
        char c = (char)(n ? a[0] | 0x20 : 0);
        if (c < 'a' || c > 'z') break; /* a score (digits, sign, dot): skip six compares per ZADD */
        if (arg_is(a, n, "nx")) flags |= ZADD_NX;
        else if (arg_is(a, n, "xx")) flags |= ZADD_XX;
        else if (arg_is(a, n, "ch")) flags |= ZADD_CH;
        else if (arg_is(a, n, "incr")) flags |= ZADD_INCR;
        else if (arg_is(a, n, "gt")) flags |= ZADD_GT;
        else if (arg_is(a, n, "lt")) flags |= ZADD_LT;
        else break;
    }
    elements = argc - idx;
    if (elements % 2 || !elements) {
        reply_syntax(x->out);
        return;
    }
    elements /= 2;
    if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
        resp_add_status_error(x->out, RD_ERR_ZADD_XX_NX);
        return;
    }
    if (((flags & ZADD_GT) && (flags & ZADD_NX)) || ((flags & ZADD_LT) && (flags & ZADD_NX)) ||
        ((flags & ZADD_GT) && (flags & ZADD_LT))) {
        resp_add_status_error(x->out, RD_ERR_ZADD_GT_LT_NX);
        return;
    }
    if ((flags & ZADD_INCR) && elements > 1) {
        resp_add_status_error(x->out, RD_ERR_ZADD_INCR);
        return;
    }
    if (elements > 8 && !(scores = malloc((size_t)elements * sizeof *scores))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    for (int j = 0; j < elements; j++) {
        if (!arg_double(argv[idx + j * 2], argl[idx + j * 2], &scores[j])) {
            resp_add_status_error(x->out, RD_ERR_NOTFLOAT);
            if (scores != few) free(scores);
            return;
        }
    }
    zadd_scores(x, argv[1], argl[1], flags, elements, scores, argv + idx + 1, argl + idx + 1, 2);
    if (scores != few) free(scores);
}

void zadd_scores(tx_ctx *x, const char *key, size_t klen, int flags, int elements, const double *scores,
                 const char *const *members, const size_t *mlens, size_t stride) {
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    size_t maxlen = 0;
    ks_view v;
    zobj *z;
    for (int j = 0; j < elements; j++)
        if (mlens[j * stride] > maxlen) maxlen = mlens[j * stride];
    if (open_keys(x, &v, &key, &klen, 1) != 0) return;
    if (!zset_read(x, &v, 0, 0, &z)) goto done;
    if (!z && !(flags & ZADD_XX) && !(z = zset_create(x, &v, 0, elements, maxlen))) goto done;
    for (int j = 0; z && j < elements; j++) {
        int out, rc;
        double newscore = 0;
        rc = zset_add(z, scores[j], members[j * stride], mlens[j * stride], flags, &out, &newscore);
        if (rc <= 0) {
            if (added || updated) notify(NOTIFY_ZSET, (flags & ZADD_INCR) ? "zincr" : "zadd", key, klen);
            if (rc < 0 || added || updated) ks_view_changed(&v, 0);
            if (rc == 0)
                resp_add_status_error(x->out, RD_ERR_SCORE_NAN);
            else
                resp_add_status_error(x->out, RD_ERR_NOMEM);
            goto done;
        }
        added += (out & OUT_ADDED) != 0;
        updated += (out & OUT_UPDATED) != 0;
        processed += !(out & OUT_NOP);
        score = newscore;
    }
    if (added || updated) ks_view_changed(&v, 0); /* as Redis, a no-op ZADD leaves WATCH intact */
    if (!(flags & ZADD_INCR))
        resp_add_int(x->out, (flags & ZADD_CH) ? added + updated : added);
    else if (processed)
        reply_double(x, score);
    else
        resp_add_nil(x->out, x->resp);
    if (added || updated) notify(NOTIFY_ZSET, (flags & ZADD_INCR) ? "zincr" : "zadd", key, klen);
done:
    ks_view_close(&v);
}

/* ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
void tx_zadd(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zadd_generic(x, argc, argv, argl, 0);
}

/* ZINCRBY key increment member */
void tx_zincrby(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zadd_generic(x, argc, argv, argl, ZADD_INCR);
}

/* ---- reads ------------------------------------------------------------------------- */

/* ZSCORE key member */
void tx_zscore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    zobj *z;
    (void)argc;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) {
        znode *n = zfind(z, argv[2], argl[2]);
        if (n)
            reply_double(x, n->score);
        else
            resp_add_nil(x->out, x->resp);
    }
    ks_view_close(&v);
}

/* ZMSCORE key member [member ...] */
void tx_zmscore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    zobj *z;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) {
        resp_add_array_len(x->out, argc - 2);
        for (int j = 2; j < argc; j++) {
            znode *n = zfind(z, argv[j], argl[j]);
            if (n)
                reply_double(x, n->score);
            else
                resp_add_nil(x->out, x->resp);
        }
    }
    ks_view_close(&v);
}

/* ZCARD key */
void tx_zcard(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    zobj *z;
    (void)argc;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) resp_add_int(x->out, z ? (long long)z->length : 0);
    ks_view_close(&v);
}

/* Elements from the first in range to the last (ZCOUNT, ZLEXCOUNT). */
static long long count_in(const zobj *z, const zspec *p) {
    znode *f = z ? first_in(z, p) : NULL, *l;
    if (!f) return 0;
    l = last_in(z, p);
    return (long long)(zsl_rank(z, l) - zsl_rank(z, f) + 1);
}

static void count_command(tx_ctx *x, const char **argv, const size_t *argl, int lex) {
    ks_view v;
    zobj *z;
    zspec p = {.lex = lex};
    if (!lex && !parse_score_range(argv[2], argl[2], argv[3], argl[3], &p.s)) {
        resp_add_status_error(x->out, RD_ERR_MINMAX_FLOAT);
        return;
    }
    if (lex && !parse_lex_range(argv[2], argl[2], argv[3], argl[3], &p.l)) {
        resp_add_status_error(x->out, RD_ERR_MINMAX_LEX);
        return;
    }
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) resp_add_int(x->out, count_in(z, &p));
    ks_view_close(&v);
}

/* ZCOUNT key min max / ZLEXCOUNT key min max */
void tx_zcount(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    count_command(x, argv, argl, 0);
}

void tx_zlexcount(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    count_command(x, argv, argl, 1);
}

static void rank_command(tx_ctx *x, const char **argv, const size_t *argl, int rev) {
    ks_view v;
    zobj *z;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) {
        znode *n = zfind(z, argv[2], argl[2]);
        if (n) {
            unsigned long r = zsl_rank(z, n);
            resp_add_int(x->out, rev ? (long long)(z->length - r) : (long long)(r - 1));
        } else {
            resp_add_nil(x->out, x->resp);
        }
    }
    ks_view_close(&v);
}

/* ZRANK key member / ZREVRANK key member (Redis 7.0: no WITHSCORE) */
void tx_zrank(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rank_command(x, argv, argl, 0);
}

void tx_zrevrank(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rank_command(x, argv, argl, 1);
}

/* ---- ZRANGE and friends --------------------------------------------------------------- */

enum { BY_AUTO, BY_RANK, BY_SCORE, BY_LEX };
enum { DIR_AUTO, DIR_FWD, DIR_REV };

/* genericZrangebyrankCommand's index arithmetic: 0 with *from and *to set, or 1 = empty. */
static int rank_bounds(long long llen, long long start, long long end, long long *from, long long *to) {
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return 1;
    if (end >= llen) end = llen - 1;
    *from = start;
    *to = end;
    return 0;
}

/* Stores the result r at view key i (the key owns r from here): its count, or 0 and no key when
 * empty.  `maxlen` >= 0: zsetConvertToListpackIfNeeded picks the encoding from the result. */
static void store_result(tx_ctx *x, ks_view *v, int i, zobj *r, long long maxlen, const char *event) {
    long long card = (long long)r->length;
    if (card == 0) {
        zobj_free(r);
        resp_add_int(x->out, 0);
        if (ks_view_delete(v, i)) notify(NOTIFY_GENERIC, "del", v->keys[i], v->klens[i]);
        return;
    }
    if (maxlen >= 0)
        r->big = card > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_ENTRIES] ||
                 maxlen > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_VALUE];
    if (ks_view_put(v, i, KS_TYPE_ZSET, r) != RD_OK) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    resp_add_int(x->out, card);
    notify(NOTIFY_ZSET, event, v->keys[i], v->klens[i]); /* after the reply, as Redis */
}

/* Where a range goes: a reply (elements gathered, then the length written first) or a
 * new sorted set (ZRANGESTORE). */
typedef struct zsink {
    tx_ctx *x;
    int withscores;
    zobj *dst; /* storing into this when not NULL */
    rd_buf items;
    long long n;
    int failed;
} zsink;

static void sink_node(zsink *s, const znode *node) {
    s->n++;
    if (s->dst) {
        if (zinsert(s->dst, node->score, zn_member(node), node->mlen) != 0) s->failed = 1;
    } else {
        rd_buf *real = s->x->out;
        s->x->out = &s->items;
        emit_node(s->x, node, s->withscores);
        s->x->out = real;
    }
}

/* Writes the gathered reply (its length first). */
static void sink_reply(zsink *s) {
    emit_len(s->x, s->n, s->withscores);
    buf_append(s->x->out, s->items.data, s->items.len);
    if (s->items.failed) s->x->out->failed = 1;
    buf_release(&s->items);
}

static void range_by_rank(zsink *s, const zobj *z, long long start, long long end, int rev) {
    long long from, to, n;
    znode *node;
    if (rank_bounds((long long)z->length, start, end, &from, &to)) return;
    n = to - from + 1;
    node = zsl_at(z, rev ? z->length - (unsigned long)from : (unsigned long)from + 1);
    for (; n > 0 && node && !s->failed; n--) {
        sink_node(s, node);
        node = rev ? node->backward : node->lv[0].forward;
    }
}

/* BYSCORE / BYLEX with LIMIT offset count (count < 0: all). */
static void range_by_spec(zsink *s, const zobj *z, const zspec *p, long long offset, long long limit, int rev) {
    /* Redis counts both down with `while (ln && n--)`: a negative offset walks off the end and a
     * negative limit never stops.  Unsigned copies do the same without overflowing LLONG_MIN. */
    unsigned long long skip = (unsigned long long)offset, left = (unsigned long long)limit;
    znode *node;
    if (offset > 0 && offset >= (long long)z->length) return;
    node = rev ? last_in(z, p) : first_in(z, p);
    while (node && skip--) node = rev ? node->backward : node->lv[0].forward;
    while (node && left-- && !s->failed) {
        if (rev ? !spec_min_ok(node, p) : !spec_max_ok(node, p)) break;
        sink_node(s, node);
        node = rev ? node->backward : node->lv[0].forward;
    }
}

/* The whole set in order (ZUNION, ZRANDMEMBER with a count past the size). */
static void reply_all(tx_ctx *x, const zobj *z, int withscores) {
    zsink s = {.x = x, .withscores = withscores};
    buf_init(&s.items);
    if (z) range_by_rank(&s, z, 0, -1, 0);
    sink_reply(&s);
}

/* Redis's zrangeGenericCommand: the key at argv[first], min/max after it, options after those;
 * `store` (ZRANGESTORE) puts the range at argv[1] instead of replying with it. */
static void zrange_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int first, int store,
                           int by, int dir) {
    int minidx = first + 1, maxidx = first + 2, withscores = 0;
    long long offset = 0, limit = -1, start = 0, end = 0;
    zspec p = {.lex = 0};
    zsink s = {.x = x};
    const char *keys[2];
    size_t klens[2];
    ks_view v;
    zobj *z;
    for (int j = first + 3; j < argc; j++) {
        int left = argc - j - 1;
        if (!store && arg_is(argv[j], argl[j], "withscores")) {
            withscores = 1;
        } else if (arg_is(argv[j], argl[j], "limit") && left >= 2) {
            if (!arg_long(x, argv[j + 1], argl[j + 1], &offset) || !arg_long(x, argv[j + 2], argl[j + 2], &limit))
                return;
            j += 2;
        } else if (dir == DIR_AUTO && arg_is(argv[j], argl[j], "rev")) {
            dir = DIR_REV;
        } else if (by == BY_AUTO && arg_is(argv[j], argl[j], "bylex")) {
            by = BY_LEX;
        } else if (by == BY_AUTO && arg_is(argv[j], argl[j], "byscore")) {
            by = BY_SCORE;
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (dir == DIR_AUTO) dir = DIR_FWD;
    if (by == BY_AUTO) by = BY_RANK;
    if (limit != -1 && by == BY_RANK) {
        resp_add_status_error(x->out, RD_ERR_LIMIT_BYSCORE);
        return;
    }
    if (withscores && by == BY_LEX) {
        resp_add_status_error(x->out, RD_ERR_WITHSCORES_BYLEX);
        return;
    }
    if (dir == DIR_REV && by != BY_RANK) { /* given as max, min */
        minidx = first + 2;
        maxidx = first + 1;
    }
    if (by == BY_RANK) {
        if (!arg_long(x, argv[minidx], argl[minidx], &start) || !arg_long(x, argv[maxidx], argl[maxidx], &end))
            return;
    } else if (by == BY_SCORE) {
        if (!parse_score_range(argv[minidx], argl[minidx], argv[maxidx], argl[maxidx], &p.s)) {
            resp_add_status_error(x->out, RD_ERR_MINMAX_FLOAT);
            return;
        }
    } else {
        p.lex = 1;
        if (!parse_lex_range(argv[minidx], argl[minidx], argv[maxidx], argl[maxidx], &p.l)) {
            resp_add_status_error(x->out, RD_ERR_MINMAX_LEX);
            return;
        }
    }
    /* The view's key 0 is the source; ZRANGESTORE's destination is key 1 (the view keeps
     * pointers to these arrays until it closes). */
    keys[0] = argv[first], klens[0] = argl[first];
    keys[1] = argv[1], klens[1] = argl[1];
    if (open_keys(x, &v, keys, klens, store ? 2 : 1) != 0) return;
    s.withscores = withscores;
    buf_init(&s.items);
    if (store && !(s.dst = zobj_new())) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    } else if (zset_read(x, &v, 0, 1, &z)) {
        if (z && by == BY_RANK)
            range_by_rank(&s, z, start, end, dir == DIR_REV);
        else if (z)
            range_by_spec(&s, z, &p, offset, limit, dir == DIR_REV);
        if (!store)
            sink_reply(&s);
        else if (s.failed)
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        else
            store_result(x, &v, 1, s.dst, -1, "zrangestore"), s.dst = NULL; /* the key owns it now */
    }
    if (s.dst) zobj_free(s.dst);
    buf_release(&s.items);
    ks_view_close(&v);
}

/* ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
void tx_zrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 1, 0, BY_AUTO, DIR_AUTO);
}
void tx_zrevrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 1, 0, BY_RANK, DIR_REV);
}
void tx_zrangebyscore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 1, 0, BY_SCORE, DIR_FWD);
}
void tx_zrevrangebyscore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 1, 0, BY_SCORE, DIR_REV);
}
void tx_zrangebylex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 1, 0, BY_LEX, DIR_FWD);
}
void tx_zrevrangebylex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 1, 0, BY_LEX, DIR_REV);
}

/* ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
void tx_zrangestore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zrange_generic(x, argc, argv, argl, 2, 1, BY_AUTO, DIR_AUTO);
}

/* ---- removal --------------------------------------------------------------------------- */

/* ZREM key member [member ...] */
void tx_zrem(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    zobj *z;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 0, &z)) {
        long long n = 0;
        for (int j = 2; z && j < argc; j++) {
            znode *node = zfind(z, argv[j], argl[j]);
            if (node) zremove(z, node), n++;
        }
        if (n) notify(NOTIFY_ZSET, "zrem", argv[1], argl[1]);
        if (n) ks_view_changed(&v, 0);
        resp_add_int(x->out, n);
    }
    ks_view_close(&v);
}

static void remrange_command(tx_ctx *x, const char **argv, const size_t *argl, int by) {
    long long start = 0, end = 0, from, to, n = 0;
    zspec p = {.lex = by == BY_LEX};
    ks_view v;
    zobj *z;
    if (by == BY_RANK) {
        if (!arg_long(x, argv[2], argl[2], &start) || !arg_long(x, argv[3], argl[3], &end)) return;
    } else if (by == BY_SCORE) {
        if (!parse_score_range(argv[2], argl[2], argv[3], argl[3], &p.s)) {
            resp_add_status_error(x->out, RD_ERR_MINMAX_FLOAT);
            return;
        }
    } else if (!parse_lex_range(argv[2], argl[2], argv[3], argl[3], &p.l)) {
        resp_add_status_error(x->out, RD_ERR_MINMAX_LEX);
        return;
    }
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 0, &z)) {
        znode *node = NULL;
        if (z && by == BY_RANK) {
            if (!rank_bounds((long long)z->length, start, end, &from, &to)) {
                node = zsl_at(z, (unsigned long)from + 1);
                for (long long k = from; k <= to && node; k++, n++) {
                    znode *next = node->lv[0].forward;
                    zremove(z, node);
                    node = next;
                }
            }
        } else if (z) {
            for (node = first_in(z, &p); node && spec_max_ok(node, &p); n++) {
                znode *next = node->lv[0].forward;
                zremove(z, node);
                node = next;
            }
        }
        if (n) notify(NOTIFY_ZSET, by == BY_RANK ? "zremrangebyrank" : by == BY_SCORE ? "zremrangebyscore" : "zremrangebylex",
                      argv[1], argl[1]);
        if (n) ks_view_changed(&v, 0);
        resp_add_int(x->out, n);
    }
    ks_view_close(&v);
}

/* ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max */
void tx_zremrangebyrank(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    remrange_command(x, argv, argl, BY_RANK);
}
void tx_zremrangebyscore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    remrange_command(x, argv, argl, BY_SCORE);
}
void tx_zremrangebylex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    remrange_command(x, argv, argl, BY_LEX);
}

/* ZPOPMIN / ZPOPMAX key [count] */
/* Pops up to count elements from the low (or high) end of z at view key i: their array of
 * member, score (pairs nested when `nested`), after the key when there is one (genericZpopCommand's
 * emitkey: [key, [pairs]] nested, else [key, m, s...]); the key goes when emptied. */
static void pop_elements(tx_ctx *x, ks_view *v, int i, zobj *z, long long count, int max, int nested,
                         const char *key, size_t klen) {
    long long n = count > (long long)z->length ? (long long)z->length : count;
    if (key) {
        resp_add_array_len(x->out, nested ? 2 : n * 2 + 1);
        resp_add_bulk(x->out, key, klen);
    }
    if (!key || nested) resp_add_array_len(x->out, nested ? n : n * 2);
    while (n-- > 0) {
        znode *node = max ? z->tail : z->header->lv[0].forward;
        if (nested) resp_add_array_len(x->out, 2);
        resp_add_bulk(x->out, zn_member(node), node->mlen);
        reply_double(x, node->score);
        zremove(z, node);
    }
    notify(NOTIFY_ZSET, max ? "zpopmax" : "zpopmin", v->keys[i], v->klens[i]);
    ks_view_changed(v, i);
}

static void zpop_command(tx_ctx *x, int argc, const char **argv, const size_t *argl, int max) {
    long long count = -1;
    int nested;
    ks_view v;
    zobj *z;
    if (arg_pop_count(x->out, argc, argv, argl, &count) != 0) return;
    nested = x->resp > 2 && count != -1;
    if (count == -1) count = 1;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 0, &z)) {
        if (!z || count == 0) {
            resp_add_array_len(x->out, 0);
        } else {
            pop_elements(x, &v, 0, z, count, max, nested, NULL, 0);
        }
    }
    ks_view_close(&v);
}

void tx_zpopmin(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zpop_command(x, argc, argv, argl, 0);
}
void tx_zpopmax(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zpop_command(x, argc, argv, argl, 1);
}

/* zmpopGenericCommand / blockingGenericZpopCommand's attempt: ZMPOP's [key, [[m, s]...]] (`nested`)
 * or BZPOPMIN's [key, m, s] from the first non-empty sorted set of keys[0..n); a null array when none
 * has any.  All the keys are opened together: the choice and the pop are one instant. */
static void mpop_command(tx_ctx *x, const char **keys, const size_t *keyl, int n, long long count, int max,
                         int nested) {
    ks_view v;
    void *z;
    int i;
    if (open_keys(x, &v, keys, keyl, n) != 0) return;
    i = tx_first(x, &v, n, KS_TYPE_ZSET, &z);
    if (i == n)
        reply_null_array(x->out, x->resp);
    else if (i >= 0)
        pop_elements(x, &v, i, z, count, max, nested, keys[i], keyl[i]);
    ks_view_close(&v);
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
void tx_zmpop(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int numkeys, max;
    long long count;
    if (mpop_args(x->out, argc, argv, argl, "min", "max", &numkeys, &max, &count) == 0)
        mpop_command(x, argv + 2, argl + 2, numkeys, count, max, 1);
}

/* BZPOPMIN / BZPOPMAX key [key ...] timeout: the attempt before blocking (EXEC_COMMANDS) */
void tx_bzpopmin(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    mpop_command(x, argv + 1, argl + 1, argc - 2, 1, 0, 0);
}
void tx_bzpopmax(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    mpop_command(x, argv + 1, argl + 1, argc - 2, 1, 1, 0);
}

/* ---- ZRANDMEMBER, ZSCAN ----------------------------------------------------------------- */

static znode *random_node(const zobj *z) {
    return zsl_at(z, (unsigned long)(ks_random64() % z->length) + 1);
}

/* ZRANDMEMBER key [count [WITHSCORES]] */
void tx_zrandmember(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long l = 0;
    int withscores = 0;
    ks_view v;
    zobj *z;
    if (argc >= 3) {
        if (!arg_long(x, argv[2], argl[2], &l)) return;
        if (l < -LLONG_MAX) {
            resp_add_status_errorf(x->out, RD_ERR_LONGRANGE, -LONG_MAX, LONG_MAX);
            return;
        }
        if (argc > 4 || (argc == 4 && !arg_is(argv[3], argl[3], "withscores"))) {
            reply_syntax(x->out);
            return;
        }
        if (argc == 4) {
            withscores = 1;
            if (l < -LLONG_MAX / 2 || l > LLONG_MAX / 2) {
                resp_add_status_error(x->out, RD_ERR_OUTOFRANGE);
                return;
            }
        }
    }
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) {
        unsigned long long count = l < 0 ? (unsigned long long)-l : (unsigned long long)l;
        dnode **picks;
        if (argc == 2) {
            znode *node = z ? random_node(z) : NULL;
            if (node)
                resp_add_bulk(x->out, zn_member(node), node->mlen);
            else
                resp_add_nil(x->out, x->resp);
        } else if (!z || count == 0) {
            resp_add_array_len(x->out, 0);
        } else if (l < 0 || count == 1) {
            emit_len(x, (long long)count, withscores);
            for (unsigned long long i = 0; i < count && !x->out->failed; i++)
                emit_node(x, random_node(z), withscores);
        } else if (count >= z->length) {
            reply_all(x, z, withscores);
        } else if (dict_pick_distinct(&z->d, count, &picks) != 0) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        } else {
            emit_len(x, (long long)count, withscores);
            for (size_t i = 0; i < count; i++) {
                znode *node;
                memcpy(&node, dnode_val(picks[i]), sizeof node);
                emit_node(x, node, withscores);
            }
            free(picks);
        }
    }
    ks_view_close(&v);
}

typedef struct zscan_acc {
    const scan_opts *o;
    rd_buf items;
    long long n;
} zscan_acc;

/* A member and its score as scanGenericCommand sends them: two bulks.  A skiplist's score is
 * "%.17Lg" (ld2string); a listpack's is the text d2string stored, which writes integers
 * within +-LLONG_MAX/2 (double2ll) in full. */
static void zscan_take_node(zscan_acc *a, const znode *n, int listpack) {
    char buf[64];
    int len;
    double d = n->score;
    if (a->o->pat && !rd_glob_match(a->o->pat, a->o->plen, zn_member(n), n->mlen, 0)) return;
    resp_add_bulk(&a->items, zn_member(n), n->mlen);
    if (listpack && d >= (double)(-LLONG_MAX / 2) && d <= (double)(LLONG_MAX / 2) && (double)(long long)d == d)
        len = snprintf(buf, sizeof buf, "%lld", (long long)d);
    else
        len = fmt_score(buf, sizeof buf, d);
    resp_add_bulk(&a->items, buf, (size_t)len);
    a->n += 2;
}

static void zscan_take(void *ctx, dnode *d) {
    znode *n;
    memcpy(&n, dnode_val(d), sizeof n);
    zscan_take_node(ctx, n, 0);
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count] */
void tx_zscan(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    zobj *z;
    uint64_t cursor;
    scan_opts o;
    char digits[24];
    if (scan_cursor(x->out, argv[2], argl[2], &cursor) != 0) return;
    if (open_keys(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (zset_read(x, &v, 0, 1, &z)) {
        if (!z) {
            reply_empty_scan(x->out);
        } else if (scan_opts_parse(x->out, argc, argv, argl, 3, &o, NULL) == 0) {
            zscan_acc a = {.o = &o};
            buf_init(&a.items);
            if (!z->big) { /* a listpack: everything, in order, cursor 0 */
                for (znode *n = z->header->lv[0].forward; n; n = n->lv[0].forward) zscan_take_node(&a, n, 1);
                cursor = 0;
            } else {
                unsigned long long maxiter = (unsigned long long)o.count * 10; /* wraps as Redis's */
                do {
                    cursor = dict_scan(&z->d, cursor, zscan_take, &a);
                } while (cursor && maxiter-- && a.n < o.count);
            }
            resp_add_array_len(x->out, 2);
            resp_add_bulk(x->out, digits, (size_t)snprintf(digits, sizeof digits, "%llu", (unsigned long long)cursor));
            resp_add_array_len(x->out, a.n);
            buf_append(x->out, a.items.data, a.items.len);
            if (a.items.failed) x->out->failed = 1;
            buf_release(&a.items);
        }
    }
    ks_view_close(&v);
}

/* ---- ZUNIONSTORE / ZINTERSTORE ----------------------------------------------------------- */

enum { AGGR_SUM, AGGR_MIN, AGGR_MAX };

/* One input: a sorted set or a plain set (every score 1), or nothing. */
typedef struct zsrc {
    zobj *z;
    dobj *s;
    double weight;
} zsrc;

static size_t zsrc_len(const zsrc *s) { return s->z ? s->z->length : s->s ? s->s->d.count : 0; }

/* The score of member m in src: 1 found, 0 absent. */
static int zsrc_find(const zsrc *s, const char *m, size_t n, double *score) {
    znode *node;
    if (s->s) {
        *score = 1.0;
        return dict_find(&s->s->d, m, n) != NULL;
    }
    if (!(node = zfind(s->z, m, n))) return 0;
    *score = node->score;
    return 1;
}

static void aggregate(double *target, double val, int aggr) {
    if (aggr == AGGR_SUM) {
        *target = *target + val;
        if (isnan(*target)) *target = 0.0; /* inf + -inf */
    } else if (aggr == AGGR_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

/* Calls fn(ctx, member, len, score) on every element of src. */
typedef int (*zsrc_fn)(void *ctx, const zsrc *src, const char *m, size_t n, double score);

/* Stops at the first nonzero return of fn (-1 error, 1 enough) and returns it. */
static int zsrc_each(const zsrc *s, zsrc_fn fn, void *ctx) {
    size_t b;
    int rc;
    if (s->z) {
        for (znode *n = s->z->header->lv[0].forward; n; n = n->lv[0].forward)
            if ((rc = fn(ctx, s, zn_member(n), n->mlen, n->score)) != 0) return rc;
    } else if (s->s) {
        for (dnode *d = dict_first(&s->s->d, &b); d; d = dict_next(&s->s->d, d, &b))
            if ((rc = fn(ctx, s, d->data, d->klen, 1.0)) != 0) return rc;
    }
    return 0;
}

typedef struct zop_ctx {
    zobj *dst;
    zsrc *src;
    int n, aggr;
    size_t maxlen;
    long long limit; /* ZINTERCARD LIMIT: stop once the result has this many (0 = none) */
} zop_ctx;

static int union_take(void *ctx, const zsrc *s, const char *m, size_t n, double score) {
    zop_ctx *c = ctx;
    znode *node = zfind(c->dst, m, n);
    score *= s->weight;
    if (isnan(score)) score = 0;
    if (!node) {
        if (n > c->maxlen) c->maxlen = n;
        return zinsert(c->dst, score, m, n);
    }
    {
        double v = node->score;
        aggregate(&v, score, c->aggr);
        if (v != node->score) zmove(c->dst, node, v);
    }
    return 0;
}

static int inter_take(void *ctx, const zsrc *s, const char *m, size_t n, double score) {
    zop_ctx *c = ctx;
    int j;
    score *= s->weight;
    if (isnan(score)) score = 0;
    for (j = 1; j < c->n; j++) {
        double value;
        if (!zsrc_find(&c->src[j], m, n, &value)) break;
        aggregate(&score, value * c->src[j].weight, c->aggr);
    }
    if (j < c->n) return 0;
    if (n > c->maxlen) c->maxlen = n;
    if (zinsert(c->dst, score, m, n) != 0) return -1;
    return c->limit && (long long)c->dst->length >= c->limit ? 1 : 0; /* 1 stops the walk */
}

/* Inputs from the smallest up (Redis's qsort by cardinality; a stable sort here). */
static void sort_by_len(zsrc *src, int n) {
    for (int i = 1; i < n; i++) {
        zsrc t = src[i];
        int j = i;
        for (; j > 0 && zsrc_len(&src[j - 1]) > zsrc_len(&t); j--) src[j] = src[j - 1];
        src[j] = t;
    }
}

enum { OP_UNION, OP_INTER, OP_DIFF };

typedef struct zop_opts {
    int aggr, withscores;
    long long limit; /* ZINTERCARD */
} zop_opts;

/* Options after the keys, as zunionInterDiffGenericCommand takes them: WEIGHTS and AGGREGATE (not
 * for DIFF or ZINTERCARD), WITHSCORES (replies only), LIMIT (ZINTERCARD); 0, or -1 after the error. */
static int zop_options(tx_ctx *x, int argc, const char **argv, const size_t *argl, int j, zsrc *src,
                       int setnum, int op, int store, int card, zop_opts *o) {
    while (j < argc) {
        int remaining = argc - j, weighted = op != OP_DIFF && !card;
        if (weighted && remaining >= setnum + 1 && arg_is(argv[j], argl[j], "weights")) {
            j++;
            for (int i = 0; i < setnum; i++, j++) {
                if (!arg_double(argv[j], argl[j], &src[i].weight)) {
                    resp_add_status_error(x->out, RD_ERR_WEIGHT_FLOAT);
                    return -1;
                }
            }
        } else if (weighted && remaining >= 2 && arg_is(argv[j], argl[j], "aggregate")) {
            j++;
            if (arg_is(argv[j], argl[j], "sum")) o->aggr = AGGR_SUM;
            else if (arg_is(argv[j], argl[j], "min")) o->aggr = AGGR_MIN;
            else if (arg_is(argv[j], argl[j], "max")) o->aggr = AGGR_MAX;
            else {
                reply_syntax(x->out);
                return -1;
            }
            j++;
        } else if (!store && !card && arg_is(argv[j], argl[j], "withscores")) {
            j++;
            o->withscores = 1;
        } else if (card && remaining >= 2 && arg_is(argv[j], argl[j], "limit")) {
            if (!arg_ll(argv[j + 1], argl[j + 1], &o->limit) || o->limit < 0) {
                resp_add_status_error(x->out, RD_ERR_LIMIT_NEGATIVE);
                return -1;
            }
            j += 2;
        } else {
            reply_syntax(x->out);
            return -1;
        }
    }
    return 0;
}

/* Key i as a zset or a set source; 0 after WRONGTYPE. */
static int zsrc_read(tx_ctx *x, ks_view *v, int i, zsrc *s) {
    void *o = NULL;
    rd_status st = ks_view_get(v, i, KS_TYPE_ZSET, 1, &o); /* lookupKeyRead: a hit, or a miss and keymiss */
    s->weight = 1.0;
    if (st == RD_OK) {
        s->z = o;
    } else if (st == RD_ERR_WRONGTYPE && ks_view_get(v, i, KS_TYPE_SET, 0, &o) == RD_OK) {
        s->s = o;
    } else if (st == RD_ERR_WRONGTYPE) {
        resp_add_status_error(x->out, st);
        return 0;
    }
    return 1;
}

static int diff_take(void *ctx, const zsrc *s, const char *m, size_t n, double score) {
    zop_ctx *c = ctx;
    double ignored;
    (void)s;
    for (int j = 1; j < c->n; j++)
        if (zsrc_find(&c->src[j], m, n, &ignored)) return 0;
    if (n > c->maxlen) c->maxlen = n;
    return zinsert(c->dst, score, m, n);
}

static const char *const zop_names[] = {"zunion", "zinter", "zdiff"};

/* zunionInterDiffGenericCommand: Z{UNION,INTER,DIFF}[STORE] and ZINTERCARD (card).  numkeys is at
 * argv[1], or argv[2] after the destination. */
static void zop_command(tx_ctx *x, int argc, const char **argv, const size_t *argl, int op, int store,
                        int card) {
    int nk = store ? 2 : 1, first;
    long long setnum;
    const char **keys = NULL;
    size_t *klens = NULL;
    zsrc *src = NULL;
    zop_ctx c = {.dst = NULL};
    zop_opts o = {AGGR_SUM, 0, 0};
    ks_view v;
    if (!arg_long(x, argv[nk], argl[nk], &setnum)) return;
    if (setnum < 1) {
        resp_add_status_errorf(x->out, RD_ERR_NOINPUTKEY, card ? "zintercard" : zop_names[op],
                               store ? "store" : "");
        return;
    }
    if (setnum > argc - (nk + 1)) {
        reply_syntax(x->out);
        return;
    }
    first = store; /* view index of the first source */
    keys = malloc(((size_t)setnum + 1) * sizeof *keys);
    klens = malloc(((size_t)setnum + 1) * sizeof *klens);
    src = calloc((size_t)setnum, sizeof *src);
    if (!keys || !klens || !src) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        goto out;
    }
    keys[0] = argv[1], klens[0] = argl[1];
    for (int i = 0; i < setnum; i++) keys[first + i] = argv[nk + 1 + i], klens[first + i] = argl[nk + 1 + i];
    if (open_keys(x, &v, keys, klens, (int)setnum + first) != 0) goto out;
    for (int i = 0; i < setnum; i++)
        if (!zsrc_read(x, &v, first + i, &src[i])) goto done;
    if (zop_options(x, argc, argv, argl, nk + 1 + (int)setnum, src, (int)setnum, op, store, card, &o) != 0)
        goto done;
    if (op != OP_DIFF) sort_by_len(src, (int)setnum); /* DIFF keeps its first input first */
    c = (zop_ctx){zobj_new(), src, (int)setnum, o.aggr, 0, o.limit};
    if (!c.dst) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        goto done;
    }
    if (op != OP_UNION) {
        if (zsrc_len(&src[0]) > 0 && zsrc_each(&src[0], op == OP_INTER ? inter_take : diff_take, &c) < 0)
            goto nomem;
    } else {
        for (int i = 0; i < setnum; i++)
            if (zsrc_each(&src[i], union_take, &c) < 0) goto nomem;
    }
    if (card) {
        resp_add_int(x->out, (long long)c.dst->length);
        zobj_free(c.dst);
    } else if (!store) {
        reply_all(x, c.dst, o.withscores);
        zobj_free(c.dst);
    } else {
        store_result(x, &v, 0, c.dst, (long long)c.maxlen,
                     op == OP_UNION ? "zunionstore" : op == OP_INTER ? "zinterstore" : "zdiffstore");
    }
    goto done;
nomem:
    zobj_free(c.dst);
    resp_add_status_error(x->out, RD_ERR_NOMEM);
done:
    ks_view_close(&v);
out:
    free(keys);
    free(klens);
    free(src);
}

void tx_zunionstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_UNION, 1, 0);
}
void tx_zinterstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_INTER, 1, 0);
}
void tx_zdiffstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_DIFF, 1, 0);
}
void tx_zunion(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_UNION, 0, 0);
}
void tx_zinter(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_INTER, 0, 0);
}
void tx_zdiff(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_DIFF, 0, 0);
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
void tx_zintercard(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    zop_command(x, argc, argv, argl, OP_INTER, 0, 1);
}

/* ---- for the commands built on sorted sets (zset.h) ------------------------------------ */

int zset_arg_double(const char *a, size_t n, double *out) { return arg_double(a, n, out); }

int zset_score(const void *z, const char *m, size_t n, double *score) {
    znode *node = zfind(z, m, n);
    if (!node) return 0;
    *score = node->score;
    return 1;
}

void zset_each_in(const void *o, double min, double max, zset_elem_fn fn, void *ctx) {
    zspec p = {.lex = 0, .s = {min, max, 0, 1}};
    for (znode *n = o ? first_in(o, &p) : NULL; n && lte_max(n->score, &p.s); n = n->lv[0].forward)
        if (fn(ctx, zn_member(n), n->mlen, n->score)) return;
}

void zset_obj_free(void *z) { zobj_free(z); }

void zset_obj_store(tx_ctx *x, ks_view *v, int i, void *z, long long maxlen, const char *event) {
    store_result(x, v, i, z, maxlen, event);
}
