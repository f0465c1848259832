/* lcs.c: the LCS command (Redis 7.0 lcsCommand): both values read at one instant (copied out under
 * their stripe locks), then the O(len(a) * len(b)) table and the walk, which emits match ranges
 * exactly where Redis 7.0 emits them, run without any lock. */
#include "buf.h"
#include "ksapi.h"
#include "resp.h"
#include "types.h"

#include <stdlib.h>
#include <string.h>

/* The two values, copied out by ks_mget (a missing key reads as ""). */
typedef struct lcs_values {
    char *v[2];
    size_t n[2];
    int i;
    int other; /* a key holds another type */
} lcs_values;

static int lcs_sink(void *ctx, const char *v, size_t n) {
    lcs_values *lv = ctx;
    int i = lv->i++;
    if (!v) {
        lv->other |= n != 0;
        return 0;
    }
    if (!(lv->v[i] = malloc(n ? n : 1))) return -1;
    memcpy(lv->v[i], v, n);
    lv->n[i] = n;
    return 0;
}

typedef struct lcs_opts {
    int getlen, getidx, withmatchlen;
    long long minmatchlen;
} lcs_opts;

/* [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] from argv[3]: 0, or -1 after writing the error. */
static int lcs_options(tx_ctx *x, int argc, const char **argv, const size_t *argl, lcs_opts *o) {
    for (int j = 3; j < argc; j++) {
        if (arg_is(argv[j], argl[j], "idx")) {
            o->getidx = 1;
        } else if (arg_is(argv[j], argl[j], "len")) {
            o->getlen = 1;
        } else if (arg_is(argv[j], argl[j], "withmatchlen")) {
            o->withmatchlen = 1;
        } else if (arg_is(argv[j], argl[j], "minmatchlen") && j + 1 < argc) {
            if (!arg_long(x, argv[j + 1], argl[j + 1], &o->minmatchlen)) return -1;
            if (o->minmatchlen < 0) o->minmatchlen = 0;
            j++;
        } else {
            reply_syntax(x->out);
            return -1;
        }
    }
    if (o->getlen && o->getidx) {
        resp_add_status_error(x->out, RD_ERR_LCS_IDX_AND_LEN);
        return -1;
    }
    return 0;
}

/* The table: LCS(i, j) is the LCS length of a[0..i-1] and b[0..j-1].  NULL after writing the error
 * (Redis's limits: strings under 4 GB, the table within proto-max-bulk-len, an allocation). */
static uint32_t *lcs_table(tx_ctx *x, const char *a, uint32_t alen, const char *b, uint32_t blen) {
    unsigned long long cells = (unsigned long long)(alen + 1) * (blen + 1);
    unsigned long long bytes = cells * sizeof(uint32_t);
    uint32_t *t = NULL;
    if (bytes < SIZE_MAX && bytes / cells == sizeof(uint32_t)) {
        if (bytes > (unsigned long long)resp_max_bulk_len()) {
            resp_add_status_error(x->out, RD_ERR_LCS_MAXMEM);
            return NULL;
        }
        t = malloc((size_t)bytes);
    }
    if (!t) {
        resp_add_status_error(x->out, RD_ERR_LCS_NOMEM);
        return NULL;
    }
#define LCS(i, j) t[(size_t)(j) + (size_t)(i) * ((size_t)blen + 1)]
    for (uint32_t i = 0; i <= alen; i++)
        for (uint32_t j = 0; j <= blen; j++)
            if (i == 0 || j == 0)
                LCS(i, j) = 0;
            else if (a[i - 1] == b[j - 1])
                LCS(i, j) = LCS(i - 1, j - 1) + 1;
            else
                LCS(i, j) = LCS(i - 1, j) > LCS(i, j - 1) ? LCS(i - 1, j) : LCS(i, j - 1);
    return t;
}

/* One IDX match: [[a_start, a_end], [b_start, b_end]] (and its length with WITHMATCHLEN). */
static void add_match(rd_buf *out, uint32_t as, uint32_t ae, uint32_t bs, uint32_t be, int withlen) {
    resp_add_array_len(out, 2 + withlen);
    resp_add_array_len(out, 2);
    resp_add_int(out, as);
    resp_add_int(out, ae);
    resp_add_array_len(out, 2);
    resp_add_int(out, bs);
    resp_add_int(out, be);
    if (withlen) resp_add_int(out, (long long)ae - as + 1);
}

/* Redis's walk back from LCS(alen, blen): the LCS bytes into result, the ranges (those MINMATCHLEN
 * keeps) encoded into matches; their number. */
static long long lcs_walk(const uint32_t *t, const char *a, uint32_t alen, const char *b, uint32_t blen,
                          const lcs_opts *o, char *result, rd_buf *matches) {
    uint32_t i = alen, j = blen, idx = LCS(alen, blen);
    uint32_t as = alen, ae = 0, bs = 0, be = 0; /* as == alen: no range open */
    long long n = 0;
    while (i > 0 && j > 0) {
        int emit = 0;
        if (a[i - 1] == b[j - 1]) {
            result[idx - 1] = a[i - 1];
            if (as == alen) {
                as = ae = i - 1;
                bs = be = j - 1;
            } else if (as == i && bs == j) { /* contiguous: extend backwards */
                as--;
                bs--;
            } else {
                emit = 1;
            }
            if (as == 0 || bs == 0) emit = 1;
            idx--, i--, j--;
        } else {
            if (LCS(i - 1, j) > LCS(i, j - 1))
                i--;
            else
                j--;
            if (as != alen) emit = 1;
        }
        uint32_t match_len = ae - as + 1;
        if (emit) {
            if (o->getidx && (o->minmatchlen == 0 || match_len >= o->minmatchlen)) {
                add_match(matches, as, ae, bs, be, o->withmatchlen);
                n++;
            }
            as = alen;
        }
    }
    return n;
}
#undef LCS

static void lcs_reply(tx_ctx *x, const char *a, uint32_t alen, const char *b, uint32_t blen,
                      const lcs_opts *o) {
    uint32_t *t = lcs_table(x, a, alen, b, blen);
    if (!t) return;
    uint32_t total = t[(size_t)alen * ((size_t)blen + 1) + blen];
    if (o->getlen) {
        resp_add_int(x->out, total);
        free(t);
        return;
    }
    char *result = malloc(total ? total : 1);
    rd_buf matches;
    buf_init(&matches);
    long long n = result ? lcs_walk(t, a, alen, b, blen, o, result, &matches) : 0;
    if (!result || matches.failed) {
        x->out->failed = 1;
    } else if (o->getidx) {
        reply_map_len(x->out, x->resp, 2);
        resp_add_bulk(x->out, "matches", 7);
        resp_add_array_len(x->out, n);
        buf_append(x->out, matches.data, matches.len);
        resp_add_bulk(x->out, "len", 3);
        resp_add_int(x->out, total);
    } else {
        resp_add_bulk(x->out, result, total);
    }
    free(result);
    buf_release(&matches);
    free(t);
}

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] */
void tx_lcs(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    lcs_values lv = {{NULL, NULL}, {0, 0}, 0, 0};
    lcs_opts o = {0, 0, 0, 0};
    /* Redis refuses another type before it reads the options. */
    rd_status st = ks_mget(x->ks, 2, argv + 1, argl + 1, x->now, lcs_sink, &lv);
    if (st != RD_OK)
        resp_add_status_error(x->out, st);
    else if (lv.other)
        resp_add_status_error(x->out, RD_ERR_LCS_NOT_STRINGS);
    else if (lcs_options(x, argc, argv, argl, &o) < 0)
        ; /* the error is written */
    else if (lv.n[0] >= UINT32_MAX - 1 || lv.n[1] >= UINT32_MAX - 1)
        resp_add_status_error(x->out, RD_ERR_LCS_TOO_LONG);
    else
        lcs_reply(x, lv.v[0] ? lv.v[0] : "", (uint32_t)lv.n[0], lv.v[1] ? lv.v[1] : "", (uint32_t)lv.n[1], &o);
    free(lv.v[0]);
    free(lv.v[1]);
}
