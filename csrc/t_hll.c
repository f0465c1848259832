/* t_hll.c: HyperLogLog on the keyspace's strings: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST, in
 * Redis 7.0's representation byte for byte, so that a value moves between redis-server and Redistill
 * with GET/SET and counts the same on both.
 *
 * The value: a 16-byte header ("HYLL", the encoding, 3 unused bytes, the cached cardinality as 8 bytes
 * little endian whose top bit marks it stale), then 16384 registers of 6 bits.  Dense: the registers
 * packed from the least significant bit of the first byte (12288 bytes).  Sparse: runs, as opcodes
 * ZERO 00llllll (1..64 zero registers), XZERO 01llllll llllllll (1..16384 zero registers) and VAL
 * 1vvvvvll (1..4 registers of value 1..32).  A new HLL is sparse; a register set that would pass 32 or
 * make the value longer than hll-sparse-max-bytes promotes it to dense.  Sparse edits follow Redis's
 * hllSparseSet step for step (which run is split how, which neighbours merge), since the bytes of a
 * sparse value depend on the order of the edits, not only on the registers.  Elements are hashed with
 * MurmurHash64A and Redis's seed; the estimate is Ertl's, as Redis's hllCount computes it.
 *
 * Each command is a tx_handler (the fast path and rd_exec run the same function).  A sparse value is
 * edited in a private copy (`hll`) and stored back once per command (ks_view_str_set keeps its expiry);
 * a dense one is edited in place under the stripe lock. */
#include "buf.h"
#include "ksapi.h"
#include "resp.h"
#include "types.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    HLL_P = 14,             /* 2^14 registers: a standard error of 0.81% */
    HLL_Q = 64 - HLL_P,     /* the hash bits whose run of zeros a register keeps */
    HLL_REGS = 1 << HLL_P,
    HLL_HDR = 16,
    HLL_DENSE_BYTES = HLL_REGS * 6 / 8,
    HLL_DENSE_SIZE = HLL_HDR + HLL_DENSE_BYTES,
    HLL_EMPTY_SIZE = HLL_HDR + 2, /* a new HLL: one XZERO run over every register */
    HLL_DENSE = 0,
    HLL_SPARSE = 1,
    ZERO_MAX = 64,  /* the longest ZERO run */
    VAL_MAX = 32,   /* the largest value a VAL opcode holds */
    VAL_RUN_MAX = 4,
    ENC = 4,        /* header offsets: the encoding, the cardinality's top byte */
    CARD_TOP = 15,
};

/* What an edit of an HLL can end in besides 0 (no register raised) and 1 (raised). */
enum { HLL_CORRUPT = -1, HLL_NOMEM = -2 };

static const uint64_t HLL_SEED = 0xadc83b19ULL;

/* MurmurHash64A (Austin Appleby's), the hash Redis gives every element; words read little endian. */
static uint64_t murmur64a(const unsigned char *p, size_t n, uint64_t seed) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    uint64_t h = seed ^ ((uint64_t)n * m);
    size_t words = n / 8;
    for (size_t i = 0; i < words; i++, p += 8) {
        uint64_t k = 0;
        for (int b = 7; b >= 0; b--) k = k << 8 | p[b];
        k *= m;
        k ^= k >> 47;
        k *= m;
        h ^= k;
        h *= m;
    }
    if (n & 7) {
        for (int b = (int)(n & 7) - 1; b >= 0; b--) h ^= (uint64_t)p[b] << (8 * b);
        h *= m;
    }
    h ^= h >> 47;
    h *= m;
    h ^= h >> 47;
    return h;
}

/* The register an element lands in (*reg) and the value it offers: 1 + the number of zeros that end
 * the hash above the register's bits (at most HLL_Q + 1). */
static unsigned hll_pattern(const void *ele, size_t n, long *reg) {
    uint64_t h = murmur64a(ele, n, HLL_SEED);
    *reg = (long)(h & (HLL_REGS - 1));
    h = h >> HLL_P | 1ULL << HLL_Q;
    return (unsigned)__builtin_ctzll(h) + 1;
}

/* ---- dense registers ---------------------------------------------------------------------------- */

static unsigned reg_get(const unsigned char *r, long i) {
    size_t byte = (size_t)i * 6 / 8;
    unsigned shift = (unsigned)(i * 6) & 7, v = r[byte] >> shift;
    if (shift > 2) v |= (unsigned)r[byte + 1] << (8 - shift);
    return v & 63;
}

static void reg_put(unsigned char *r, long i, unsigned v) {
    size_t byte = (size_t)i * 6 / 8;
    unsigned shift = (unsigned)(i * 6) & 7;
    r[byte] = (unsigned char)((r[byte] & ~(63u << shift)) | v << shift);
    if (shift > 2) r[byte + 1] = (unsigned char)((r[byte + 1] & ~(63u >> (8 - shift))) | v >> (8 - shift));
}

/* hllDenseSet: 1 when count raised register i. */
static int reg_raise(unsigned char *r, long i, unsigned count) {
    if (count <= reg_get(r, i)) return 0;
    reg_put(r, i, count);
    return 1;
}

/* ---- sparse runs ---------------------------------------------------------------------------------- */

static unsigned char val_op(unsigned v, long len) { return (unsigned char)(0x80 | (v - 1) << 2 | (unsigned)(len - 1)); }

/* A run of len zero registers as one opcode: its size. */
static int put_zeros(unsigned char *p, long len) {
    if (len <= ZERO_MAX) {
        p[0] = (unsigned char)(len - 1);
        return 1;
    }
    p[0] = (unsigned char)(0x40 | (len - 1) >> 8);
    p[1] = (unsigned char)((len - 1) & 0xff);
    return 2;
}

typedef struct run {
    long len, first; /* registers first..first+len-1 */
    unsigned val;    /* 0 for ZERO and XZERO */
    int size;        /* the opcode's bytes */
} run;

/* The opcode at p (< end).  An XZERO cut by the end reads a zero second byte, as Redis reads its sds
 * terminator there. */
static run sparse_run(const unsigned char *p, const unsigned char *end) {
    run r = {0, 0, 0, 1};
    if (*p & 0x80) {
        r.len = (*p & 3) + 1;
        r.val = ((*p >> 2) & 31) + 1;
    } else if (*p & 0x40) {
        r.len = ((long)(*p & 63) << 8 | (p + 1 < end ? p[1] : 0)) + 1;
        r.size = 2;
    } else {
        r.len = (*p & 63) + 1;
    }
    return r;
}

/* The runs of sparse opcodes in order, checked as Redis checks them when it reads them all: a run
 * past the last register, or runs that stop short of it, mean a corrupted value. */
typedef struct walk {
    const unsigned char *p, *end;
    long idx;
} walk;

static walk walk_start(const unsigned char *v, size_t len) { return (walk){v + HLL_HDR, v + len, 0}; }

/* 1 with the next run in *r; 0 after the last one; HLL_CORRUPT. */
static int walk_next(walk *w, run *r) {
    if (w->p >= w->end) return w->idx == HLL_REGS ? 0 : HLL_CORRUPT;
    *r = sparse_run(w->p, w->end);
    if (w->idx + r->len > HLL_REGS) return HLL_CORRUPT;
    r->first = w->idx;
    w->idx += r->len;
    w->p += r->size;
    return 1;
}

/* ---- a private copy being edited: Redis's sds, room for an edit's growth and a readable byte past the end */

typedef struct hll {
    unsigned char *p;
    size_t len, cap;
} hll;

static int hll_reserve(hll *h, size_t n) {
    if (n < h->cap) return 1;
    unsigned char *p = realloc(h->p, 2 * n + 1);
    if (!p) return 0;
    h->p = p;
    h->cap = 2 * n + 1;
    return 1;
}

static void hll_setlen(hll *h, size_t n) {
    h->len = n;
    h->p[n] = 0;
}

static int hll_load(hll *h, const void *v, size_t n) {
    h->p = NULL;
    h->cap = 0;
    if (!hll_reserve(h, n)) return 0;
    memcpy(h->p, v, n);
    hll_setlen(h, n);
    return 1;
}

/* createHLLObject: sparse, every register in one XZERO run, the cached cardinality 0. */
static int hll_new(hll *h) {
    static const unsigned char empty[HLL_EMPTY_SIZE] = {'H', 'Y', 'L', 'L', HLL_SPARSE, [HLL_HDR] = 0x7f, 0xff};
    return hll_load(h, empty, sizeof empty);
}

static void invalidate_cache(unsigned char *v) { v[CARD_TOP] |= 0x80; }

/* hllSparseToDense: the header kept (with its cached cardinality), the encoding now dense. */
static int hll_to_dense(hll *h) {
    unsigned char *d;
    walk w = walk_start(h->p, h->len);
    run r;
    int st;
    if (h->p[ENC] == HLL_DENSE) return 0;
    if (!(d = calloc(1, HLL_DENSE_SIZE + 1))) return HLL_NOMEM;
    memcpy(d, h->p, HLL_HDR);
    d[ENC] = HLL_DENSE;
    while ((st = walk_next(&w, &r)) > 0)
        for (long i = 0; r.val && i < r.len; i++) reg_put(d + HLL_HDR, r.first + i, r.val);
    if (st < 0) {
        free(d);
        return st;
    }
    free(h->p);
    h->p = d;
    h->len = HLL_DENSE_SIZE;
    h->cap = HLL_DENSE_SIZE + 1;
    return 0;
}

static int promote(hll *h, long index, unsigned count) {
    int st = hll_to_dense(h);
    return st < 0 ? st : reg_raise(h->p + HLL_HDR, index, count);
}

/* Redis's step 4: merges adjacent VAL runs of one value (up to 4 registers) among the 5 opcodes from
 * `from`. */
static void merge_vals(hll *h, unsigned char *from) {
    unsigned char *p = from, *end = h->p + h->len;
    for (int scan = 5; p < end && scan-- > 0;) {
        if (!(*p & 0x80)) {
            p += *p & 0x40 ? 2 : 1;
            continue;
        }
        if (p + 1 < end && (p[1] & 0x80)) {
            run a = sparse_run(p, end), b = sparse_run(p + 1, end);
            if (a.val == b.val && a.len + b.len <= VAL_RUN_MAX) {
                p[1] = val_op(a.val, a.len + b.len);
                memmove(p, p + 1, (size_t)(end - p)); /* the byte past the end comes along */
                hll_setlen(h, h->len - 1);
                end--;
                continue;
            }
        }
        p++;
    }
}

/* hllSparseSet: raises register index to count in the sparse value h (1), or leaves it (0); it may
 * promote h to dense.  HLL_CORRUPT when no run covers the register, HLL_NOMEM. */
static int sparse_set(hll *h, long index, unsigned count, size_t max_bytes) {
    if (count > VAL_MAX) return promote(h, index, count);
    if (!hll_reserve(h, h->len + 3)) return HLL_NOMEM;
    unsigned char *start = h->p + HLL_HDR, *end = h->p + h->len, *p = start, *prev = NULL, *next;
    run r = {0, 0, 0, 1};
    long first = 0;
    while (p < end) { /* the run that holds the register */
        r = sparse_run(p, end);
        if (index <= first + r.len - 1) break;
        prev = p;
        p += r.size;
        first += r.len;
    }
    if (p >= end) return HLL_CORRUPT;
    next = p + r.size < end ? p + r.size : NULL;
    if (r.val >= count) return 0;
    if (r.len == 1 && (r.val || r.size == 1)) { /* a VAL or ZERO run of one register: rewritten */
        *p = val_op(count, 1);
    } else { /* split into up to 3 runs: before, the register, after */
        unsigned char seq[5];
        long last = first + r.len - 1;
        int n = 0, delta;
        if (index != first) n += r.val ? (seq[n] = val_op(r.val, index - first), 1) : put_zeros(seq + n, index - first);
        seq[n++] = val_op(count, 1);
        if (index != last) n += r.val ? (seq[n] = val_op(r.val, last - index), 1) : put_zeros(seq + n, last - index);
        delta = n - r.size;
        if (delta > 0 && h->len + (size_t)delta > max_bytes) return promote(h, index, count);
        if (delta && next) memmove(next + delta, next, (size_t)(end - next));
        hll_setlen(h, h->len + (size_t)(long)delta);
        memcpy(p, seq, (size_t)n);
    }
    merge_vals(h, prev ? prev : start);
    invalidate_cache(h->p);
    return 1;
}

/* hllAdd on a private copy: 1 raised a register, 0 not, or an error. */
static int hll_add(hll *h, const void *ele, size_t n, size_t max_bytes) {
    long reg;
    unsigned count = hll_pattern(ele, n, &reg);
    if (h->p[ENC] == HLL_DENSE) return reg_raise(h->p + HLL_HDR, reg, count);
    return sparse_set(h, reg, count, max_bytes);
}

static size_t sparse_max_bytes(void) { return (size_t)ks_type_config[RD_CFG_HLL_SPARSE_MAX_BYTES]; }

/* ---- the estimate ------------------------------------------------------------------------------- */

static double hll_sigma(double x) {
    double y = 1, z = x, zp;
    if (x == 1.) return INFINITY;
    do {
        x *= x;
        zp = z;
        z += x * y;
        y += y;
    } while (zp != z);
    return z;
}

static double hll_tau(double x) {
    double y = 1.0, z = 1 - x, zp;
    if (x == 0. || x == 1.) return 0.;
    do {
        x = sqrt(x);
        zp = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (zp != z);
    return z / 3;
}

/* Ertl's improved estimator from the registers' histogram, in Redis's floating-point order. */
static uint64_t hll_estimate(const int *hist) {
    double m = HLL_REGS, z = m * hll_tau((m - hist[HLL_Q + 1]) / m), e;
    for (int j = HLL_Q; j >= 1; j--) {
        z += hist[j];
        z *= 0.5;
    }
    z += m * hll_sigma(hist[0] / m);
    e = (double)llroundl(0.721347520444481703680 * m * m / z);
    return (uint64_t)e;
}

static void dense_histogram(const unsigned char *r, int *hist) {
    for (size_t i = 0; i < HLL_DENSE_BYTES; i += 3) { /* 4 registers in 3 bytes */
        unsigned b0 = r[i], b1 = r[i + 1], b2 = r[i + 2];
        hist[b0 & 63]++;
        hist[(b0 >> 6 | b1 << 2) & 63]++;
        hist[(b1 >> 4 | b2 << 4) & 63]++;
        hist[b2 >> 2]++;
    }
}

/* hllCount of a valid HLL v: the estimate, or HLL_CORRUPT for sparse runs that do not cover the
 * registers (*card untouched). */
static int hll_count(const unsigned char *v, size_t len, uint64_t *card) {
    int hist[64] = {0}, st;
    if (v[ENC] == HLL_DENSE) {
        dense_histogram(v + HLL_HDR, hist);
    } else {
        walk w = walk_start(v, len);
        run r;
        while ((st = walk_next(&w, &r)) > 0) hist[r.val] += (int)r.len;
        if (st < 0) return st;
    }
    *card = hll_estimate(hist);
    return 0;
}

/* hllMerge: regs[i] = max(regs[i], v's register i).  0 or HLL_CORRUPT. */
static int hll_fold(const unsigned char *v, size_t len, uint8_t *regs) {
    walk w = walk_start(v, len);
    run r;
    int st;
    if (v[ENC] == HLL_DENSE) {
        for (long i = 0; i < HLL_REGS; i++) {
            unsigned x = reg_get(v + HLL_HDR, i);
            if (x > regs[i]) regs[i] = (uint8_t)x;
        }
        return 0;
    }
    while ((st = walk_next(&w, &r)) > 0)
        for (long i = r.first; i < r.first + r.len; i++)
            if (r.val > regs[i]) regs[i] = (uint8_t)r.val;
    return st;
}

/* ---- the commands -------------------------------------------------------------------------------- */

/* isHLLObjectOrReply for key i's value read with status st (RD_OK or RD_ERR_WRONGTYPE): 1, or 0 after
 * the error. */
static int hll_check(tx_ctx *x, rd_status st, const char *v, size_t len) {
    if (st != RD_OK) {
        resp_add_status_error(x->out, st);
        return 0;
    }
    if (len < HLL_HDR || memcmp(v, "HYLL", 4) != 0 || (unsigned char)v[ENC] > HLL_SPARSE ||
        (v[ENC] == HLL_DENSE && len != HLL_DENSE_SIZE)) {
        resp_add_status_error(x->out, RD_ERR_HLL_WRONGTYPE);
        return 0;
    }
    return 1;
}

/* An edit's error reply: corrupted or out of memory. */
static void reply_hll_error(tx_ctx *x, int st) {
    resp_add_status_error(x->out, st == HLL_NOMEM ? RD_ERR_NOMEM : RD_ERR_HLL_INVALID);
}

/* Key 0 of the view becomes h: created, or rewritten keeping its expiry (a dense value in a chunk of
 * its size, a sparse one with room to grow). */
static rd_status store_hll(ks_view *v, const hll *h, int created) {
    char *w;
    rd_status st;
    if (!created) return ks_view_str_set(v, 0, (const char *)h->p, h->len, h->p[ENC] == HLL_DENSE);
    if ((st = ks_view_str_new(v, 0, h->len, &w)) == RD_OK) memcpy(w, h->p, h->len);
    return st;
}

/* PFADD on a missing key (cur NULL) or a sparse value: edits a private copy, stored back when it
 * changed. */
static void pfadd_sparse(tx_ctx *x, ks_view *v, const char *cur, size_t len, int nele, const char **ele,
                         const size_t *elen) {
    hll h;
    int created = cur == NULL, changed = 0, st = 0;
    size_t max = sparse_max_bytes();
    rd_status ws = RD_OK;
    if (!(created ? hll_new(&h) : hll_load(&h, cur, len))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    for (int j = 0; j < nele && st >= 0; j++)
        if ((st = hll_add(&h, ele[j], elen[j], max)) > 0) changed = 1;
    if (st >= 0 && (created || changed)) invalidate_cache(h.p);
    if (created || changed) ws = store_hll(v, &h, created);
    free(h.p);
    if (ws != RD_OK) {
        resp_add_status_error(x->out, ws);
    } else if (st < 0) { /* the registers raised before it stay raised, as in Redis */
        reply_hll_error(x, st);
    } else {
        if (created || changed) ks_view_str_changed(v, 0);
        resp_add_int(x->out, created || changed);
        if (created || changed) notify(NOTIFY_STRING, "pfadd", v->keys[0], v->klens[0]);
    }
}

/* PFADD on a dense value: in place. */
static void pfadd_dense(tx_ctx *x, ks_view *v, size_t len, int nele, const char **ele, const size_t *elen) {
    char *w;
    int grown, changed = 0;
    long reg;
    ks_view_str_room(v, 0, len, &w, &len, &grown); /* the same bytes, writable: cannot fail */
    for (int j = 0; j < nele; j++) {
        unsigned count = hll_pattern(ele[j], elen[j], &reg);
        changed |= reg_raise((unsigned char *)w + HLL_HDR, reg, count);
    }
    if (changed) {
        invalidate_cache((unsigned char *)w);
        ks_view_str_changed(v, 0);
    }
    resp_add_int(x->out, changed);
    if (changed) notify(NOTIFY_STRING, "pfadd", v->keys[0], v->klens[0]);
}

/* PFADD key [element ...] */
void tx_pfadd(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    const char *cur;
    size_t len;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    rd_status st = ks_view_str(&v, 0, 0, &cur, &len); /* a write's lookup: no hit or miss counted */
    if (st == RD_NOT_FOUND) {
        pfadd_sparse(x, &v, NULL, 0, argc - 2, argv + 2, argl + 2);
    } else if (hll_check(x, st, cur, len)) {
        if (cur[ENC] == HLL_SPARSE)
            pfadd_sparse(x, &v, cur, len, argc - 2, argv + 2, argl + 2);
        else
            pfadd_dense(x, &v, len, argc - 2, argv + 2, argl + 2);
    }
    ks_view_close(&v);
}

static void put_card(unsigned char *v, uint64_t card) {
    for (int i = 0; i < 8; i++) v[8 + i] = (unsigned char)(card >> (8 * i));
}

static uint64_t cached_card(const unsigned char *v) {
    uint64_t card = 0;
    for (int i = 7; i >= 0; i--) card = card << 8 | v[8 + i];
    return card;
}

/* PFCOUNT of one key: the cached cardinality, or the estimate, then cached in the value (a write
 * WATCH sees, as Redis signals it). */
static void pfcount_one(tx_ctx *x, ks_view *v) {
    const char *cur;
    char *w;
    size_t len;
    int grown;
    uint64_t card;
    rd_status st = ks_view_str(v, 0, 1, &cur, &len);
    if (st == RD_NOT_FOUND) {
        resp_add_int(x->out, 0);
        return;
    }
    if (!hll_check(x, st, cur, len)) return;
    if (!((unsigned char)cur[CARD_TOP] & 0x80)) {
        card = cached_card((const unsigned char *)cur);
    } else if (hll_count((const unsigned char *)cur, len, &card) < 0) {
        resp_add_status_error(x->out, RD_ERR_HLL_INVALID);
        return;
    } else {
        ks_view_str_room(v, 0, len, &w, &len, &grown); /* the same bytes, writable: cannot fail */
        put_card((unsigned char *)w, card);
        ks_view_str_changed(v, 0);
    }
    resp_add_int(x->out, (long long)card);
}

/* Every key's registers folded into regs[] (missing keys are empty HLLs): 1, or 0 after the error.
 * *dense: one of them is dense (PFMERGE then makes the result dense). */
static int fold_keys(tx_ctx *x, ks_view *v, int n, uint8_t *regs, int *dense) {
    for (int i = 0; i < n; i++) {
        const char *cur;
        size_t len;
        rd_status st = ks_view_str(v, i, 1, &cur, &len);
        if (st == RD_NOT_FOUND) continue;
        if (!hll_check(x, st, cur, len)) return 0;
        if (cur[ENC] == HLL_DENSE) *dense = 1;
        if (hll_fold((const unsigned char *)cur, len, regs) < 0) {
            resp_add_status_error(x->out, RD_ERR_HLL_INVALID);
            return 0;
        }
    }
    return 1;
}

/* PFCOUNT key [key ...] */
void tx_pfcount(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    uint8_t *regs = NULL;
    int dense = 0;
    if (argc > 2 && !(regs = calloc(HLL_REGS, 1))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    if (tx_open(x, &v, argv + 1, argl + 1, argc - 1) == 0) {
        if (argc == 2) {
            pfcount_one(x, &v);
        } else if (fold_keys(x, &v, argc - 1, regs, &dense)) { /* the union's estimate, cached nowhere */
            int hist[64] = {0};
            for (long i = 0; i < HLL_REGS; i++) hist[regs[i]]++;
            resp_add_int(x->out, (long long)hll_estimate(hist));
        }
        ks_view_close(&v);
    }
    free(regs);
}

/* PFMERGE's destination (key 0, valid or missing) given the union's registers: its own value made dense
 * when a source was, then every register raised to the union's, one at a time as Redis sets them (a
 * sparse value's bytes depend on that order). */
static int merge_into(ks_view *v, const uint8_t *regs, int dense, int *created, hll *h) {
    const char *cur;
    size_t len, max = sparse_max_bytes();
    int st = 0;
    *created = ks_view_str(v, 0, 0, &cur, &len) == RD_NOT_FOUND;
    if (!(*created ? hll_new(h) : hll_load(h, cur, len))) return HLL_NOMEM;
    if (dense && (st = hll_to_dense(h)) < 0) return st;
    for (long i = 0; i < HLL_REGS && st >= 0; i++) {
        if (!regs[i]) continue;
        if (h->p[ENC] == HLL_DENSE)
            reg_raise(h->p + HLL_HDR, i, regs[i]);
        else
            st = sparse_set(h, i, regs[i], max);
    }
    return st < 0 ? st : 0;
}

/* PFMERGE destkey [sourcekey ...]: the destination is a source too. */
void tx_pfmerge(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    uint8_t *regs = calloc(HLL_REGS, 1);
    hll h = {NULL, 0, 0};
    int dense = 0, created, st;
    rd_status ws;
    if (!regs) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    if (tx_open(x, &v, argv + 1, argl + 1, argc - 1) == 0) {
        if (fold_keys(x, &v, argc - 1, regs, &dense)) {
            if ((st = merge_into(&v, regs, dense, &created, &h)) < 0) {
                reply_hll_error(x, st);
            } else {
                invalidate_cache(h.p);
                if ((ws = store_hll(&v, &h, created)) != RD_OK) {
                    resp_add_status_error(x->out, ws);
                } else {
                    ks_view_str_changed(&v, 0);
                    resp_add_raw(x->out, "+OK\r\n", 5);
                    notify(NOTIFY_STRING, "pfadd", v.keys[0], v.klens[0]); /* PFMERGE's, as Redis names it */
                }
            }
        }
        ks_view_close(&v);
    }
    free(h.p);
    free(regs);
}

/* PFDEBUG DECODE's text of the opcodes p[0..end), written to dst when not NULL: its length. */
static size_t decode_text(const unsigned char *p, const unsigned char *end, char *dst) {
    size_t n = 0;
    char item[32];
    while (p < end) {
        run r = sparse_run(p, end);
        int k = r.val ? snprintf(item, sizeof item, "v:%u,%ld ", r.val, r.len)
                      : snprintf(item, sizeof item, "%c:%ld ", r.size == 2 ? 'Z' : 'z', r.len);
        if (dst) memcpy(dst + n, item, (size_t)k);
        n += (size_t)k;
        p += r.size;
    }
    return n;
}

static void pfdebug_decode(tx_ctx *x, const unsigned char *cur, size_t len) {
    const unsigned char *end = cur + len;
    size_t n;
    char *text;
    if (cur[ENC] != HLL_SPARSE) {
        resp_add_status_error(x->out, RD_ERR_PFDEBUG_NOT_SPARSE);
        return;
    }
    n = decode_text(cur + HLL_HDR, end, NULL);
    if (!(text = malloc(n + 1))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    decode_text(cur + HLL_HDR, end, text);
    resp_add_bulk(x->out, text, n ? n - 1 : 0); /* without the last space */
    free(text);
}

/* PFDEBUG GETREG and TODENSE: a sparse value becomes dense (no WATCH signal, as Redis gives none).
 * 1 when it converted, 0 when it was dense already, or an error. */
static int pfdebug_todense(ks_view *v, const char *cur, size_t len) {
    hll h;
    int st;
    rd_status ws;
    if (cur[ENC] == HLL_DENSE) return 0;
    if (!hll_load(&h, cur, len)) return HLL_NOMEM;
    if ((st = hll_to_dense(&h)) == 0) {
        ws = ks_view_str_set(v, 0, (const char *)h.p, h.len, 1);
        st = ws == RD_OK ? 1 : HLL_NOMEM;
    }
    free(h.p);
    return st;
}

static void pfdebug_getreg(tx_ctx *x, ks_view *v, const char *cur, size_t len) {
    int st = pfdebug_todense(v, cur, len);
    if (st < 0) {
        reply_hll_error(x, st);
        return;
    }
    ks_view_str(v, 0, 0, &cur, &len);
    resp_add_array_len(x->out, HLL_REGS);
    for (long i = 0; i < HLL_REGS; i++) resp_add_int(x->out, reg_get((const unsigned char *)cur + HLL_HDR, i));
}

static void pfdebug_sub(tx_ctx *x, ks_view *v, const char *sub, size_t sublen, const char *cur, size_t len) {
    int st;
    if (arg_is(sub, sublen, "getreg")) {
        pfdebug_getreg(x, v, cur, len);
    } else if (arg_is(sub, sublen, "decode")) {
        pfdebug_decode(x, (const unsigned char *)cur, len);
    } else if (arg_is(sub, sublen, "encoding")) {
        resp_add_raw(x->out, cur[ENC] == HLL_DENSE ? "+dense\r\n" : "+sparse\r\n", cur[ENC] == HLL_DENSE ? 8 : 9);
    } else if (arg_is(sub, sublen, "todense")) {
        if ((st = pfdebug_todense(v, cur, len)) < 0)
            reply_hll_error(x, st);
        else
            resp_add_int(x->out, st);
    } else {
        resp_add_status_error_words(x->out, RD_ERR_PFDEBUG_SUBCOMMAND, &sub, &sublen);
    }
}

/* PFDEBUG GETREG|DECODE|ENCODING|TODENSE key */
void tx_pfdebug(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    const char *cur, *sub = argv[1];
    size_t len, sublen = argl[1];
    (void)argc;
    if (tx_open(x, &v, argv + 2, argl + 2, 1) != 0) return;
    rd_status found = ks_view_str(&v, 0, 0, &cur, &len);
    if (found == RD_NOT_FOUND) /* before the subcommand is read, as Redis */
        resp_add_status_error(x->out, RD_ERR_PFDEBUG_NOKEY);
    else if (hll_check(x, found, cur, len))
        pfdebug_sub(x, &v, sub, sublen, cur, len);
    ks_view_close(&v);
}

/* ---- PFSELFTEST ------------------------------------------------------------------------------------ */

static uint64_t xorshift(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Test 1: every register reads back what was written, over 1000 random fillings. */
static int selftest_registers(tx_ctx *x, unsigned char *r, uint8_t *want) {
    uint64_t rnd = ks_random64() | 1;
    for (int cycle = 0; cycle < 1000; cycle++) {
        for (long i = 0; i < HLL_REGS; i++) {
            want[i] = (uint8_t)(xorshift(&rnd) & 63);
            reg_put(r, i, want[i]);
        }
        for (long i = 0; i < HLL_REGS; i++) {
            long got = (long)reg_get(r, i);
            if (got != want[i]) {
                resp_add_status_errorf(x->out, RD_ERR_PFSELFTEST_REGISTER, i, (long)want[i], got);
                return 0;
            }
        }
    }
    return 1;
}

/* Test 2: 10 million elements into a dense HLL and, through every promotion rule, into a sparse one:
 * at 1, 10, 100... the sparse one is still sparse while small, both estimate the same, within six
 * standard errors (1 at 10). */
static int selftest_estimates(tx_ctx *x, unsigned char *dense, hll *sparse) {
    double relerr = 1.04 / sqrt(HLL_REGS);
    size_t max = sparse_max_bytes();
    uint64_t seed = ks_random64(), a, b;
    int64_t checkpoint = 1;
    for (uint64_t j = 1; j <= 10000000; j++) {
        unsigned char ele[8];
        long reg;
        for (int i = 0; i < 8; i++) ele[i] = (unsigned char)((j ^ seed) >> (8 * i));
        unsigned count = hll_pattern(ele, 8, &reg);
        reg_raise(dense + HLL_HDR, reg, count);
        if (hll_add(sparse, ele, 8, max) == HLL_NOMEM) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
            return 0;
        }
        if ((int64_t)j != checkpoint) continue;
        if (j < max / 2 && sparse->p[ENC] != HLL_SPARSE) {
            resp_add_status_error(x->out, RD_ERR_PFSELFTEST_SPARSE);
            return 0;
        }
        hll_count(dense, HLL_DENSE_SIZE, &a);
        if (hll_count(sparse->p, sparse->len, &b) < 0 || a != b) {
            resp_add_status_error(x->out, RD_ERR_PFSELFTEST_DISAGREE);
            return 0;
        }
        int64_t abserr = llabs(checkpoint - (int64_t)a);
        uint64_t maxerr = j == 10 ? 1 : (uint64_t)ceil(relerr * 6 * (double)checkpoint);
        if (abserr > (int64_t)maxerr) {
            resp_add_status_errorf(x->out, RD_ERR_PFSELFTEST_ERROR, (long)checkpoint, (long)abserr);
            return 0;
        }
        checkpoint *= 10;
    }
    return 1;
}

/* PFSELFTEST */
void tx_pfselftest(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    unsigned char *dense = calloc(1, HLL_DENSE_SIZE + 1);
    uint8_t *want = malloc(HLL_REGS);
    hll sparse = {NULL, 0, 0};
    (void)argc, (void)argv, (void)argl;
    if (!dense || !want || !hll_new(&sparse)) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    } else if (selftest_registers(x, dense + HLL_HDR, want)) {
        memset(dense, 0, HLL_DENSE_SIZE);
        if (selftest_estimates(x, dense, &sparse)) resp_add_raw(x->out, "+OK\r\n", 5);
    }
    free(dense);
    free(want);
    free(sparse.p);
}
