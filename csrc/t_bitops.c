/* t_bitops.c: the bitmap commands on the keyspace's strings: SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD and BITFIELD_RO, as Redis 7.0's bitops.c computes and orders them (argument
 * errors, WRONGTYPE and the missing-key replies come in Redis's order, which is not the same for
 * every command).  Each is a tx_handler: the fast path runs it, Python runs the same function
 * through rd_exec.  Values are read and written in place under the key's stripe lock (a
 * ks_view, ks_string.c); a write grows the string zero-filled as Redis's sdsgrowzero. */
#include "buf.h"
#include "ksapi.h"
#include "resp.h"
#include "types.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* getBitOffsetFromArgument: 1 with *off, 0 after writing the error.  With bits > 0 (BITFIELD)
 * "#n" means n * bits, multiplied as Redis's long long wraps on overflow. */
static int bit_offset(tx_ctx *x, const char *a, size_t n, int bits, uint64_t *off) {
    int hash = bits > 0 && n > 0 && a[0] == '#';
    long long v;
    if (arg_ll(a + hash, n - (size_t)hash, &v)) {
        if (hash) v = (long long)((uint64_t)v * (uint64_t)bits);
        if (v >= 0 && (v >> 3) < resp_max_bulk_len()) {
            *off = (uint64_t)v;
            return 1;
        }
    }
    resp_add_status_error(x->out, RD_ERR_BIT_OFFSET);
    return 0;
}

/* Key argv[1], the only key of every bit command but BITOP, in a locked view. */
static int open_key(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl) {
    return tx_open(x, v, argv + 1, argl + 1, 1);
}

static uint64_t load64(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static unsigned popcount64(uint64_t w) {
    w = w - ((w >> 1) & 0x5555555555555555ULL);
    w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
    w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((w * 0x0101010101010101ULL) >> 56);
}

/* redisPopcount. */
static long long popcount(const unsigned char *p, size_t n) {
    long long bits = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        bits += popcount64(load64(p + i)) + popcount64(load64(p + i + 8)) + popcount64(load64(p + i + 16)) +
                popcount64(load64(p + i + 24));
    for (; i + 8 <= n; i += 8) bits += popcount64(load64(p + i));
    for (; i < n; i++) bits += popcount64(p[i]);
    return bits;
}

/* redisBitpos: the first bit equal to `bit` in p[0..n), counted from the first byte's most
 * significant bit; none is -1 when looking for a 1, and n * 8 (the zero padding on the right)
 * when looking for a 0. */
static long long bitpos(const unsigned char *p, size_t n, int bit) {
    uint64_t skip = bit ? 0 : UINT64_MAX;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) { /* four words per test: long runs go at memory speed */
        uint64_t a = load64(p + i), b = load64(p + i + 8), c = load64(p + i + 16), d = load64(p + i + 24);
        if ((bit ? a | b | c | d : a & b & c & d) != skip) break;
    }
    while (i + 8 <= n && load64(p + i) == skip) i += 8;
    while (i < n && p[i] == (unsigned char)skip) i++;
    if (i == n) return bit ? -1 : (long long)n * 8;
    for (int b = 7;; b--)
        if (((p[i] >> b) & 1) == bit) return (long long)i * 8 + (7 - b);
}

/* SETBIT key offset value */
void tx_setbit(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    uint64_t off;
    long long on;
    ks_view v;
    char *p;
    size_t len;
    int grown;
    rd_status st;
    (void)argc;
    if (!bit_offset(x, argv[2], argl[2], 0, &off)) return;
    if (!arg_ll(argv[3], argl[3], &on) || (on & ~1)) {
        resp_add_status_error(x->out, RD_ERR_BIT_VALUE);
        return;
    }
    if (open_key(x, &v, argv, argl) != 0) return;
    st = ks_view_str_room(&v, 0, (size_t)(off >> 3) + 1, &p, &len, &grown);
    if (st != RD_OK) {
        resp_add_status_error(x->out, st);
    } else {
        unsigned char *b = (unsigned char *)p + (off >> 3), mask = (unsigned char)(1u << (7 - (off & 7)));
        int old = (*b & mask) != 0;
        if (grown || old != on) {
            *b = (unsigned char)(on ? *b | mask : *b & ~mask);
            notify(NOTIFY_STRING, "setbit", argv[1], argl[1]);
            ks_view_str_changed(&v, 0);
        }
        resp_add_int(x->out, old);
    }
    ks_view_close(&v);
}

/* GETBIT key offset */
void tx_getbit(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    uint64_t off;
    ks_view v;
    const char *p;
    size_t len;
    rd_status st;
    (void)argc;
    if (!bit_offset(x, argv[2], argl[2], 0, &off)) return;
    if (open_key(x, &v, argv, argl) != 0) return;
    st = ks_view_str(&v, 0, 1, &p, &len);
    if (st == RD_ERR_WRONGTYPE)
        resp_add_status_error(x->out, st);
    else
        resp_add_int(x->out, st == RD_OK && (off >> 3) < len && ((unsigned char)p[off >> 3] >> (7 - (off & 7))) & 1);
    ks_view_close(&v);
}

/* A BITCOUNT/BITPOS range: start..end in bytes of the string, with masks of the bits outside
 * a BIT range in its first and last bytes. */
typedef struct bit_range {
    long long start, end;
    unsigned char first_mask, last_mask;
} bit_range;

/* The arithmetic BITCOUNT and BITPOS share once start and end are read (totlen in bytes). */
static void range_clamp(bit_range *r, long long totlen, int isbit) {
    if (isbit) totlen <<= 3;
    if (r->start < 0) r->start = totlen + r->start;
    if (r->end < 0) r->end = totlen + r->end;
    if (r->start < 0) r->start = 0;
    if (r->end < 0) r->end = 0;
    if (r->end >= totlen) r->end = totlen - 1;
    r->first_mask = r->last_mask = 0;
    if (isbit && r->start <= r->end) {
        r->first_mask = (unsigned char)(~((1u << (8 - (r->start & 7))) - 1) & 0xff);
        r->last_mask = (unsigned char)((1u << (7 - (r->end & 7))) - 1);
        r->start >>= 3;
        r->end >>= 3;
    }
}

/* BIT|BYTE: 1 with *isbit, 0 after writing the syntax error. */
static int bit_unit(tx_ctx *x, const char *a, size_t n, int *isbit) {
    if (arg_is(a, n, "bit"))
        *isbit = 1;
    else if (arg_is(a, n, "byte"))
        *isbit = 0;
    else {
        reply_syntax(x->out);
        return 0;
    }
    return 1;
}

static void bitcount_reply(tx_ctx *x, int argc, const char **argv, const size_t *argl, const unsigned char *p,
                           long long len) {
    bit_range r = {0, len - 1, 0, 0};
    int isbit = 0;
    if (argc == 4 || argc == 5) {
        if (!arg_long(x, argv[2], argl[2], &r.start) || !arg_long(x, argv[3], argl[3], &r.end)) return;
        if (r.start < 0 && r.end < 0 && r.start > r.end) {
            resp_add_int(x->out, 0);
            return;
        }
        if (argc == 5 && !bit_unit(x, argv[4], argl[4], &isbit)) return;
        range_clamp(&r, len, isbit);
    } else if (argc != 2) {
        reply_syntax(x->out);
        return;
    }
    if (r.start > r.end) {
        resp_add_int(x->out, 0);
        return;
    }
    long long count = popcount(p + r.start, (size_t)(r.end - r.start + 1));
    /* bits of the edge bytes outside a BIT range */
    count -= popcount64(p[r.start] & r.first_mask) + popcount64(p[r.end] & r.last_mask);
    resp_add_int(x->out, count);
}

/* BITCOUNT key [start end [BYTE|BIT]] */
void tx_bitcount(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    const char *p;
    size_t len;
    rd_status st;
    if (open_key(x, &v, argv, argl) != 0) return;
    st = ks_view_str(&v, 0, 1, &p, &len);
    if (st == RD_NOT_FOUND) /* before the arguments are read, as Redis */
        resp_add_int(x->out, 0);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
    else
        bitcount_reply(x, argc, argv, argl, (const unsigned char *)p, (long long)len);
    ks_view_close(&v);
}

/* bitposCommand's search of r (non-empty) for `bit`; end_given: no zero padding on the right. */
static long long bitpos_range(const unsigned char *p, bit_range r, int bit, int end_given) {
    long long start = r.start, bytes = r.end - r.start + 1, pos;
    unsigned char tmp;
    if (r.first_mask) {
        tmp = bit ? p[start] & ~r.first_mask : p[start] | r.first_mask;
        if (r.last_mask && bytes == 1) tmp = bit ? tmp & ~r.last_mask : tmp | r.last_mask;
        pos = bitpos(&tmp, 1, bit);
        if (bytes == 1 || (pos != -1 && pos != 8)) goto result;
        start++;
        bytes--;
    }
    long long cur = bytes - (r.last_mask ? 1 : 0); /* the last byte's outside bits are masked below */
    if (cur > 0) {
        pos = bitpos(p + start, (size_t)cur, bit);
        if (bytes == cur || (pos != -1 && pos != cur << 3)) goto result;
        start += cur;
        bytes -= cur;
    }
    tmp = bit ? p[r.end] & ~r.last_mask : p[r.end] | r.last_mask;
    pos = bitpos(&tmp, 1, bit);
result:
    if (end_given && bit == 0 && pos == bytes << 3) return -1;
    return pos != -1 ? pos + (start << 3) : -1;
}

static void bitpos_reply(tx_ctx *x, int argc, const char **argv, const size_t *argl, const unsigned char *p,
                         long long len, int bit) {
    bit_range r = {0, len - 1, 0, 0};
    int isbit = 0, end_given = 0;
    if (argc >= 4 && argc <= 6) {
        if (!arg_long(x, argv[3], argl[3], &r.start)) return;
        if (argc == 6 && !bit_unit(x, argv[5], argl[5], &isbit)) return;
        if (argc >= 5) {
            if (!arg_long(x, argv[4], argl[4], &r.end)) return;
            end_given = 1;
        } else {
            r.end = isbit ? (len << 3) + 7 : len - 1;
        }
        range_clamp(&r, len, isbit);
    } else if (argc != 3) {
        reply_syntax(x->out);
        return;
    }
    resp_add_int(x->out, r.start > r.end ? -1 : bitpos_range(p, r, bit, end_given));
}

/* BITPOS key bit [start [end [BYTE|BIT]]] */
void tx_bitpos(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long bit;
    ks_view v;
    const char *p;
    size_t len;
    rd_status st;
    if (!arg_long(x, argv[2], argl[2], &bit)) return;
    if (bit != 0 && bit != 1) {
        resp_add_status_error(x->out, RD_ERR_BITPOS_BIT);
        return;
    }
    if (open_key(x, &v, argv, argl) != 0) return;
    st = ks_view_str(&v, 0, 1, &p, &len);
    if (st == RD_NOT_FOUND) /* an endless run of zeros, whatever the range */
        resp_add_int(x->out, bit ? -1 : 0);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
    else
        bitpos_reply(x, argc, argv, argl, (const unsigned char *)p, (long long)len, (int)bit);
    ks_view_close(&v);
}

enum { BITOP_AND, BITOP_OR, BITOP_XOR, BITOP_NOT };

/* dst[0..n) = op over the sources, a missing byte reading as 0. */
static void bitop_compute(int op, unsigned char *dst, size_t n, int nsrc, const unsigned char *const *src,
                          const size_t *lens, size_t minlen) {
    size_t j = 0;
    if (op == BITOP_NOT) {
        for (; j + 8 <= n; j += 8) {
            uint64_t w = ~load64(src[0] + j);
            memcpy(dst + j, &w, 8);
        }
        for (; j < n; j++) dst[j] = (unsigned char)~src[0][j];
        return;
    }
    for (; j + 8 <= minlen; j += 8) { /* every source has these bytes: a word at a time */
        uint64_t w = load64(src[0] + j);
        for (int i = 1; i < nsrc; i++) {
            uint64_t s = load64(src[i] + j);
            w = op == BITOP_AND ? w & s : op == BITOP_OR ? w | s : w ^ s;
        }
        memcpy(dst + j, &w, 8);
    }
    for (; j < n; j++) {
        unsigned char out = j < lens[0] ? src[0][j] : 0;
        for (int i = 1; i < nsrc; i++) {
            unsigned char b = j < lens[i] ? src[i][j] : 0;
            out = (unsigned char)(op == BITOP_AND ? out & b : op == BITOP_OR ? out | b : out ^ b);
        }
        dst[j] = out;
    }
}

/* BITOP's sources (view keys 1..nsrc) read into src/lens, then the result stored in key 0
 * (deleted when empty).  The reply: the result's length, or WRONGTYPE. */
static void bitop_run(tx_ctx *x, ks_view *v, int op, int nsrc, const unsigned char **src, size_t *lens) {
    size_t maxlen = 0, minlen = SIZE_MAX;
    char *dst;
    rd_status st;
    for (int i = 0; i < nsrc; i++) {
        const char *p = NULL;
        size_t n = 0;
        st = ks_view_str(v, i + 1, 1, &p, &n);
        if (st == RD_ERR_WRONGTYPE) {
            resp_add_status_error(x->out, st);
            return;
        }
        src[i] = (const unsigned char *)p;
        lens[i] = n;
        if (n > maxlen) maxlen = n;
        if (n < minlen) minlen = n;
    }
    if (maxlen == 0) {
        if (ks_view_delete(v, 0)) notify(NOTIFY_GENERIC, "del", v->keys[0], v->klens[0]);
    } else if ((st = ks_view_str_new(v, 0, maxlen, &dst)) != RD_OK) { /* sources stay valid: see ksapi.h */
        resp_add_status_error(x->out, st);
        return;
    } else {
        bitop_compute(op, (unsigned char *)dst, maxlen, nsrc, src, lens, minlen);
        notify(NOTIFY_STRING, "set", v->keys[0], v->klens[0]);
    }
    resp_add_int(x->out, (long long)maxlen);
}

/* BITOP AND|OR|XOR|NOT destkey key [key ...] */
void tx_bitop(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    static const char *const names[] = {"and", "or", "xor", "not"};
    int op = 0, nsrc = argc - 3;
    ks_view v;
    while (op < 4 && !arg_is(argv[1], argl[1], names[op])) op++;
    if (op == 4) {
        reply_syntax(x->out);
        return;
    }
    if (op == BITOP_NOT && nsrc != 1) {
        resp_add_status_error(x->out, RD_ERR_BITOP_NOT);
        return;
    }
    const unsigned char **src = malloc((size_t)nsrc * sizeof *src);
    size_t *lens = malloc((size_t)nsrc * sizeof *lens);
    if (!src || !lens) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    } else if (tx_open(x, &v, argv + 2, argl + 2, nsrc + 1) == 0) {
        bitop_run(x, &v, op, nsrc, src, lens);
        ks_view_close(&v);
    }
    free(src);
    free(lens);
}

/* ---- BITFIELD ------------------------------------------------------------------------------ */

enum { BF_GET, BF_SET, BF_INCRBY };
enum { BF_WRAP, BF_SAT, BF_FAIL };

typedef struct bf_op {
    uint64_t offset;
    int64_t i64; /* SET's value, INCRBY's increment */
    int opcode, owtype, bits, sign;
} bf_op;

static uint64_t get_unsigned(const unsigned char *p, uint64_t offset, int bits) {
    uint64_t value = 0;
    for (int j = 0; j < bits; j++, offset++) value = value << 1 | ((p[offset >> 3] >> (7 - (offset & 7))) & 1);
    return value;
}

static int64_t get_signed(const unsigned char *p, uint64_t offset, int bits) {
    uint64_t u = get_unsigned(p, offset, bits);
    if (bits < 64 && (u & (1ULL << (bits - 1)))) u |= UINT64_MAX << bits; /* sign extension */
    return (int64_t)u;
}

static void set_unsigned(unsigned char *p, uint64_t offset, int bits, uint64_t value) {
    for (int j = 0; j < bits; j++, offset++) {
        unsigned bit = (unsigned)(7 - (offset & 7));
        unsigned v = (value >> (bits - 1 - j)) & 1;
        p[offset >> 3] = (unsigned char)((p[offset >> 3] & ~(1u << bit)) | v << bit);
    }
}

/* checkUnsignedBitfieldOverflow: 0, or +1/-1 with *limit the WRAP or SAT result. */
static int unsigned_overflow(uint64_t value, int64_t incr, int bits, int owtype, uint64_t *limit) {
    uint64_t max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
    int64_t maxincr = (int64_t)(max - value), minincr = (int64_t)(0 - value);
    int dir = value > max || (incr > 0 && incr > maxincr) ? 1 : incr < 0 && incr < minincr ? -1 : 0;
    if (dir && owtype == BF_WRAP)
        *limit = (value + (uint64_t)incr) & ~(UINT64_MAX << bits);
    else if (dir && owtype == BF_SAT)
        *limit = dir > 0 ? max : 0;
    return dir;
}

/* checkSignedBitfieldOverflow, with its arithmetic done unsigned (same bits, no UB). */
static int signed_overflow(int64_t value, int64_t incr, int bits, int owtype, int64_t *limit) {
    int64_t max = bits == 64 ? INT64_MAX : (int64_t)((1ULL << (bits - 1)) - 1), min = -max - 1;
    int64_t maxincr = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t minincr = (int64_t)((uint64_t)min - (uint64_t)value);
    int dir = 0;
    if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
        dir = 1;
    else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr))
        dir = -1;
    if (dir && owtype == BF_WRAP) {
        uint64_t c = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) c = c & (1ULL << (bits - 1)) ? c | UINT64_MAX << bits : c & ~(UINT64_MAX << bits);
        *limit = (int64_t)c;
    } else if (dir && owtype == BF_SAT) {
        *limit = dir > 0 ? max : min;
    }
    return dir;
}

/* getBitfieldTypeFromArgument (read as a C string, as Redis's strlen does): 1, or 0 after the error. */
static int bf_type(tx_ctx *x, const char *a, size_t n, int *sign, int *bits) {
    long long v;
    if (n > 0 && (a[0] == 'i' || a[0] == 'u') && arg_ll(a + 1, strnlen(a + 1, n - 1), &v) && v >= 1 &&
        v <= (a[0] == 'i' ? 64 : 63)) {
        *sign = a[0] == 'i';
        *bits = (int)v;
        return 1;
    }
    resp_add_status_error(x->out, RD_ERR_BITFIELD_TYPE);
    return 0;
}

/* bitfieldGeneric's parse: ops[] and *nops, *highest (the last bit a write reaches, -1 for none):
 * 1, or 0 after writing the error. */
static int bf_parse(tx_ctx *x, int argc, const char **argv, const size_t *argl, bf_op *ops, int *nops,
                    int64_t *highest) {
    int owtype = BF_WRAP;
    *nops = 0;
    *highest = -1;
    for (int j = 2; j < argc; j++) {
        int rem = argc - j - 1, opcode;
        bf_op *o = &ops[*nops];
        if (arg_is(argv[j], argl[j], "get") && rem >= 2) {
            opcode = BF_GET;
        } else if (arg_is(argv[j], argl[j], "set") && rem >= 3) {
            opcode = BF_SET;
        } else if (arg_is(argv[j], argl[j], "incrby") && rem >= 3) {
            opcode = BF_INCRBY;
        } else if (arg_is(argv[j], argl[j], "overflow") && rem >= 1) {
            j++;
            if (arg_is(argv[j], argl[j], "wrap")) {
                owtype = BF_WRAP;
            } else if (arg_is(argv[j], argl[j], "sat")) {
                owtype = BF_SAT;
            } else if (arg_is(argv[j], argl[j], "fail")) {
                owtype = BF_FAIL;
            } else {
                resp_add_status_error(x->out, RD_ERR_BITFIELD_OVERFLOW);
                return 0;
            }
            continue;
        } else {
            reply_syntax(x->out);
            return 0;
        }
        long long v = 0;
        if (!bf_type(x, argv[j + 1], argl[j + 1], &o->sign, &o->bits) ||
            !bit_offset(x, argv[j + 2], argl[j + 2], o->bits, &o->offset))
            return 0;
        if (opcode != BF_GET) {
            int64_t last = (int64_t)(o->offset + (uint64_t)o->bits - 1);
            if (last > *highest) *highest = last;
            if (!arg_long(x, argv[j + 3], argl[j + 3], &v)) return 0;
        }
        o->i64 = v;
        o->opcode = opcode;
        o->owtype = owtype;
        (*nops)++;
        j += opcode == BF_GET ? 2 : 3;
    }
    return 1;
}

/* One SET or INCRBY on the string p (long enough): its reply; *changed when it wrote, to a string
 * just created or grown or with new bits (Redis's `dirty || oldval != newval`). */
static void bf_write(tx_ctx *x, const bf_op *o, unsigned char *p, int grown, int *changed) {
    int overflow;
    uint64_t oldu, newu, retu;
    if (o->sign) {
        int64_t oldval = get_signed(p, o->offset, o->bits), newval, wrapped = 0;
        if (o->opcode == BF_INCRBY) {
            overflow = signed_overflow(oldval, o->i64, o->bits, o->owtype, &wrapped);
            newval = overflow ? wrapped : (int64_t)((uint64_t)oldval + (uint64_t)o->i64);
            retu = (uint64_t)newval;
        } else {
            overflow = signed_overflow(o->i64, 0, o->bits, o->owtype, &wrapped);
            newval = overflow ? wrapped : o->i64;
            retu = (uint64_t)oldval;
        }
        oldu = (uint64_t)oldval;
        newu = (uint64_t)newval;
    } else {
        uint64_t wrapped = 0;
        oldu = get_unsigned(p, o->offset, o->bits);
        if (o->opcode == BF_INCRBY) {
            overflow = unsigned_overflow(oldu, o->i64, o->bits, o->owtype, &wrapped);
            newu = overflow ? wrapped : oldu + (uint64_t)o->i64;
            retu = newu;
        } else {
            overflow = unsigned_overflow((uint64_t)o->i64, 0, o->bits, o->owtype, &wrapped);
            newu = overflow ? wrapped : (uint64_t)o->i64;
            retu = oldu;
        }
    }
    if (overflow && o->owtype == BF_FAIL) { /* nothing written */
        resp_add_nil(x->out, x->resp);
        return;
    }
    resp_add_int(x->out, (long long)retu);
    set_unsigned(p, o->offset, o->bits, newu);
    if (grown || oldu != newu) *changed = 1;
}

/* One GET: reads past the end of p[0..len) as zeros. */
static void bf_get(tx_ctx *x, const bf_op *o, const unsigned char *p, size_t len) {
    unsigned char buf[9] = {0}; /* a field of up to 64 bits spans at most 9 bytes */
    uint64_t byte = o->offset >> 3;
    for (uint64_t i = 0; i < 9 && byte + i < len; i++) buf[i] = p[byte + i];
    if (o->sign)
        resp_add_int(x->out, get_signed(buf, o->offset - byte * 8, o->bits));
    else
        resp_add_int(x->out, (long long)get_unsigned(buf, o->offset - byte * 8, o->bits));
}

/* The parsed ops on key argv[1]: read-only (highest < 0) or writing. */
static void bf_run(tx_ctx *x, ks_view *v, const bf_op *ops, int nops, int64_t highest) {
    char *p = NULL;
    size_t len = 0;
    int grown = 0, changed = 0;
    rd_status st = highest < 0 ? ks_view_str(v, 0, 1, (const char **)&p, &len)
                               : ks_view_str_room(v, 0, (size_t)(highest >> 3) + 1, &p, &len, &grown);
    if (st != RD_OK && st != RD_NOT_FOUND) {
        resp_add_status_error(x->out, st);
        return;
    }
    resp_add_array_len(x->out, nops);
    for (int j = 0; j < nops; j++) {
        if (ops[j].opcode == BF_GET)
            bf_get(x, &ops[j], (const unsigned char *)p, len);
        else
            bf_write(x, &ops[j], (unsigned char *)p, grown, &changed);
    }
    if (changed) notify(NOTIFY_STRING, "setbit", v->keys[0], v->klens[0]);
    if (changed) ks_view_str_changed(v, 0);
}

static void bitfield_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int ro) {
    bf_op *ops = malloc((size_t)(argc / 2 + 1) * sizeof *ops); /* an op takes 3 arguments or more */
    int nops;
    int64_t highest;
    ks_view v;
    if (!ops) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    if (bf_parse(x, argc, argv, argl, ops, &nops, &highest)) {
        if (ro && highest >= 0)
            resp_add_status_error(x->out, RD_ERR_BITFIELD_RO);
        else if (open_key(x, &v, argv, argl) == 0) {
            bf_run(x, &v, ops, nops, highest);
            ks_view_close(&v);
        }
    }
    free(ops);
}

/* BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
 * [OVERFLOW WRAP|SAT|FAIL] ... */
void tx_bitfield(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    bitfield_generic(x, argc, argv, argl, 0);
}

/* BITFIELD_RO key [GET type offset ...] */
void tx_bitfield_ro(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    bitfield_generic(x, argc, argv, argl, 1);
}
