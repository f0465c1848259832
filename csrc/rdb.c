/* rdb.c: Redis 7.0's RDB value encoding, version 10: what DUMP writes and RESTORE reads, and the
 * per-key part of an RDB file.
 *
 * Writing follows Redis's rdbSaveObject with rdbcompression on, so a DUMP here is the bytes
 * redis-server 7.0 writes wherever its layout is a function of the value: strings (integer
 * encodings, LZF past 20 bytes), intsets, sorted sets (listpack ascending; skiplist from the tail,
 * binary doubles), lists (quicklist of listpacks split as RPUSH fills them) and hashes' bytes
 * (a hash's field order is its table's here, the insertion order in Redis's listpack).
 *
 * Reading accepts every encoding Redis 7.0's rdbLoadObject accepts (plain lists, sets, zsets with
 * text or binary scores, hashes; ziplists, zipmaps, intsets, listpacks, quicklists of either;
 * streams) and checks everything it touches, whatever sanitize-dump-payload says: the value is
 * converted into Redistill's own objects, so a corrupt blob is refused here, never carried.
 * Encodings after loading follow Redis's rules (the *-max-* thresholds decide, as Redis converts
 * after loading).  Every failure frees what was built and says why in r->err.
 *
 * LZF is a port of liblzf 3.6 as Redis builds it (lzfP.h: HLOG 16, VERY_FAST, CHECK_INPUT), its
 * hash table zeroed per call (Redis leaves stack garbage, which can only change which earlier
 * match is found, never the validity).  The listpack, ziplist, zipmap and intset layouts are
 * Redis's listpack.c, ziplist.c, zipmap.c and intset.c. */
#include "rdb.h"

#include "dict.h"
#include "redistill.h"
#include "strconv.h"
#include "types.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== LZF ===================================================================================== */

#define LZF_HLOG 16
#define LZF_HSIZE (1u << LZF_HLOG)
#define LZF_MAX_LIT (1 << 5)
#define LZF_MAX_OFF (1 << 13)
#define LZF_MAX_REF ((1 << 8) + (1 << 3))
#define LZF_FRST(p) (((unsigned)(p)[0] << 8) | (p)[1])
#define LZF_NEXT(v, p) (((v) << 8) | (p)[2])
#define LZF_IDX(h) ((((h) >> (3 * 8 - LZF_HLOG)) - (h) * 5) & (LZF_HSIZE - 1))

/* The hash table, per thread and reused: a slot is (call << 32 | offset) and counts only in the
 * call that wrote it, so each call starts from an empty table without clearing 512 KB (Redis leaves
 * it uninitialised; a snapshot compresses millions of small strings).  Freed at the thread's exit. */
static __thread uint64_t *lzf_tab;
static __thread uint32_t lzf_call;
static pthread_key_t lzf_key;
static pthread_once_t lzf_once = PTHREAD_ONCE_INIT;

static void lzf_key_init(void) { pthread_key_create(&lzf_key, free); }

static uint64_t *lzf_table(void) {
    if (!lzf_tab) {
        pthread_once(&lzf_once, lzf_key_init);
        if (!(lzf_tab = calloc(LZF_HSIZE, sizeof *lzf_tab))) return NULL;
        pthread_setspecific(lzf_key, lzf_tab);
    }
    if (++lzf_call == 0) { /* 2^32 calls later: old stamps would match again */
        memset(lzf_tab, 0, LZF_HSIZE * sizeof *lzf_tab);
        lzf_call = 1;
    }
    return lzf_tab;
}

size_t rdb_lzf_compress(const void *in_data, size_t in_len, void *out_data, size_t out_len) {
    const unsigned char *ip = in_data, *in_end = ip + in_len, *ref;
    unsigned char *op = out_data, *out_end = op + out_len;
    uint64_t *htab, stamp;
    unsigned hval;
    size_t off;
    int lit;
    if (!in_len || !out_len || in_len < 3 || in_len > UINT32_MAX) return 0;
    if (!(htab = lzf_table())) return 0;
    stamp = (uint64_t)lzf_call << 32;
    lit = 0;
    op++; /* start run */
    hval = LZF_FRST(ip);
    while (ip < in_end - 2) {
        uint64_t *hslot;
        hval = LZF_NEXT(hval, ip);
        hslot = htab + LZF_IDX(hval);
        ref = (*hslot & ~0xFFFFFFFFull) == stamp && (uint32_t)*hslot ? (const unsigned char *)in_data + (uint32_t)*hslot : NULL;
        *hslot = stamp | (uint32_t)(ip - (const unsigned char *)in_data);
        if (ref && ref < ip && (off = (size_t)(ip - ref - 1)) < LZF_MAX_OFF && ref > (const unsigned char *)in_data &&
            ref[2] == ip[2] && ref[1] == ip[1] && ref[0] == ip[0]) {
            unsigned len = 2;
            size_t maxlen = (size_t)(in_end - ip) - len;
            maxlen = maxlen > LZF_MAX_REF ? LZF_MAX_REF : maxlen;
            if (op + 3 + 1 >= out_end && op - !lit + 3 + 1 >= out_end) return 0;
            op[-lit - 1] = (unsigned char)(lit - 1); /* stop run */
            op -= !lit;                             /* undo run if length is zero */
            /* liblzf's unrolled first 16 steps do not check maxlen: kept, the output is its */
            if (maxlen > 16)
                for (int k = 0; k < 16; k++)
                    if (len++, ref[len] != ip[len]) goto matched;
            do
                len++;
            while (len < maxlen && ref[len] == ip[len]);
        matched:
            len -= 2; /* len is now #octets - 1 */
            ip++;
            if (len < 7) {
                *op++ = (unsigned char)((off >> 8) + (len << 5));
            } else {
                *op++ = (unsigned char)((off >> 8) + (7 << 5));
                *op++ = (unsigned char)(len - 7);
            }
            *op++ = (unsigned char)off;
            lit = 0;
            op++; /* start run */
            ip += len + 1;
            if (ip >= in_end - 2) break;
            ip -= 2; /* VERY_FAST: hash the two positions before the next */
            hval = LZF_FRST(ip);
            hval = LZF_NEXT(hval, ip);
            htab[LZF_IDX(hval)] = stamp | (uint32_t)(ip - (const unsigned char *)in_data);
            ip++;
            hval = LZF_NEXT(hval, ip);
            htab[LZF_IDX(hval)] = stamp | (uint32_t)(ip - (const unsigned char *)in_data);
            ip++;
        } else {
            if (op >= out_end) return 0;
            lit++;
            *op++ = *ip++;
            if (lit == LZF_MAX_LIT) {
                op[-lit - 1] = (unsigned char)(lit - 1);
                lit = 0;
                op++;
            }
        }
    }
    if (op + 3 > out_end) return 0; /* at most 3 bytes can be missing here */
    while (ip < in_end) {
        lit++;
        *op++ = *ip++;
        if (lit == LZF_MAX_LIT) {
            op[-lit - 1] = (unsigned char)(lit - 1);
            lit = 0;
            op++;
        }
    }
    op[-lit - 1] = (unsigned char)(lit - 1); /* end run */
    op -= !lit;
    return (size_t)(op - (unsigned char *)out_data);
}

size_t rdb_lzf_decompress(const void *in_data, size_t in_len, void *out_data, size_t out_len) {
    const unsigned char *ip = in_data, *in_end = ip + in_len;
    unsigned char *op = out_data, *out_end = op + out_len;
    while (ip < in_end) {
        unsigned ctrl = *ip++;
        if (ctrl < (1 << 5)) { /* literal run */
            ctrl++;
            if ((size_t)(out_end - op) < ctrl || (size_t)(in_end - ip) < ctrl) return 0;
            memcpy(op, ip, ctrl);
            op += ctrl;
            ip += ctrl;
        } else { /* back reference */
            size_t len = ctrl >> 5, back = ((size_t)(ctrl & 0x1f) << 8) + 1;
            if (ip >= in_end) return 0;
            if (len == 7) {
                len += *ip++;
                if (ip >= in_end) return 0;
            }
            back += *ip++;
            len += 2;
            if ((size_t)(out_end - op) < len || (size_t)(op - (unsigned char *)out_data) < back) return 0;
            for (const unsigned char *ref = op - back; len; len--) *op++ = *ref++; /* may overlap */
        }
    }
    return (size_t)(op - (unsigned char *)out_data);
}

/* ==== writing ================================================================================= */

static void put(rd_buf *b, const void *p, size_t n) { buf_append(b, p, n); }

static void put_byte(rd_buf *b, unsigned c) {
    unsigned char x = (unsigned char)c;
    buf_append(b, &x, 1);
}

void rdb_save_len(rd_buf *b, uint64_t len) {
    unsigned char buf[9];
    if (len < (1 << 6)) {
        put_byte(b, (unsigned)len);
    } else if (len < (1 << 14)) {
        buf[0] = (unsigned char)((len >> 8) | 0x40);
        buf[1] = (unsigned char)len;
        put(b, buf, 2);
    } else if (len <= UINT32_MAX) {
        buf[0] = 0x80;
        for (int i = 0; i < 4; i++) buf[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        put(b, buf, 5);
    } else {
        buf[0] = 0x81;
        put(b, buf, 1);
        for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(len >> (56 - 8 * i));
        put(b, buf, 8);
    }
}

/* rdbEncodeInteger: the 8, 16 or 32-bit encoding of v (length), or 0 when it is wider. */
static int encode_int(long long v, unsigned char *enc) {
    int n;
    if (v >= -(1 << 7) && v <= (1 << 7) - 1)
        n = 1;
    else if (v >= -(1 << 15) && v <= (1 << 15) - 1)
        n = 2;
    else if (v >= -(1LL << 31) && v <= (1LL << 31) - 1)
        n = 4;
    else
        return 0;
    enc[0] = (unsigned char)(0xC0 | (n == 1 ? 0 : n == 2 ? 1 : 2));
    for (int i = 0; i < n; i++) enc[1 + i] = (unsigned char)((unsigned long long)v >> (8 * i));
    return n + 1;
}

static void save_lzf_blob(rd_buf *b, const void *data, size_t clen, size_t len) {
    put_byte(b, 0xC3);
    rdb_save_len(b, clen);
    rdb_save_len(b, len);
    put(b, data, clen);
}

void rdb_save_string(rd_buf *b, const char *s, size_t n) {
    long long v;
    unsigned char enc[5];
    int el;
    if (n <= 11 && str2ll(s, n, &v) && (el = encode_int(v, enc)) > 0) {
        put(b, enc, (size_t)el);
        return;
    }
    if (n > 20) { /* rdbSaveLzfStringObject: worth it only when it saves 4 bytes */
        char *out = malloc(n - 4 + 1);
        size_t clen = out ? rdb_lzf_compress(s, n, out, n - 4) : 0;
        if (clen) save_lzf_blob(b, out, clen, n);
        free(out);
        if (clen) return;
    }
    rdb_save_len(b, n);
    put(b, s, n);
}

void rdb_save_millis(rd_buf *b, int64_t ms) {
    unsigned char buf[8];
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)ms >> (8 * i));
    put(b, buf, 8);
}

static void save_binary_double(rd_buf *b, double d) { put(b, &d, sizeof d); } /* little-endian host */

/* ---- listpacks (listpack.c's layout): built in a buffer, then saved as one string ---- */

void rdb_lp_begin(rdb_lp *w) {
    static const unsigned char header[6] = {0};
    buf_init(&w->b);
    w->count = 0;
    put(&w->b, header, sizeof header);
}

/* lpEncodeBacklen: the entry's size, written so it can be read backwards. */
static void lp_backlen(rd_buf *b, uint64_t l) {
    unsigned char buf[5];
    int n = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    for (int i = 0; i < n; i++) buf[i] = (unsigned char)(((l >> (7 * (n - 1 - i))) & 127) | (i ? 128 : 0));
    put(b, buf, (size_t)n);
}

void rdb_lp_add_int(rdb_lp *w, int64_t v) {
    unsigned char e[9];
    size_t n;
    uint64_t u = (uint64_t)v;
    if (v >= 0 && v <= 127) {
        e[0] = (unsigned char)v;
        n = 1;
    } else if (v >= -4096 && v <= 4095) {
        u &= 0x1FFF;
        e[0] = (unsigned char)((u >> 8) | 0xC0);
        e[1] = (unsigned char)u;
        n = 2;
    } else {
        int bytes = v >= -32768 && v <= 32767 ? 2 : v >= -8388608 && v <= 8388607 ? 3 : v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
        e[0] = (unsigned char)(bytes == 2 ? 0xF1 : bytes == 3 ? 0xF2 : bytes == 4 ? 0xF3 : 0xF4);
        for (int i = 0; i < bytes; i++) e[1 + i] = (unsigned char)(u >> (8 * i));
        n = 1 + (size_t)bytes;
    }
    put(&w->b, e, n);
    lp_backlen(&w->b, n);
    w->count++;
}

void rdb_lp_add(rdb_lp *w, const char *s, size_t n) {
    unsigned char h[5];
    size_t hl;
    long long v;
    if (n > 0 && n < 21 && str2ll(s, n, &v)) { /* lpStringToInt64 is string2ll */
        rdb_lp_add_int(w, v);
        return;
    }
    if (n < 64) {
        h[0] = (unsigned char)(n | 0x80);
        hl = 1;
    } else if (n < 4096) {
        h[0] = (unsigned char)((n >> 8) | 0xE0);
        h[1] = (unsigned char)n;
        hl = 2;
    } else {
        h[0] = 0xF0;
        for (int i = 0; i < 4; i++) h[1 + i] = (unsigned char)(n >> (8 * i));
        hl = 5;
    }
    put(&w->b, h, hl);
    put(&w->b, s, n);
    lp_backlen(&w->b, hl + n);
    w->count++;
}

/* Closes the listpack (terminator, total bytes, element count); 0, or -1 when it failed. */
static int lp_end(rdb_lp *w) {
    unsigned char *h;
    uint32_t total;
    uint16_t num = w->count < 65535 ? (uint16_t)w->count : 65535;
    put_byte(&w->b, 0xFF);
    if (w->b.failed || w->b.len > UINT32_MAX) return -1;
    h = (unsigned char *)w->b.data;
    total = (uint32_t)w->b.len;
    memcpy(h, &total, 4);
    memcpy(h + 4, &num, 2);
    return 0;
}

void rdb_lp_save(rd_buf *out, rdb_lp *w) {
    if (lp_end(w) == 0)
        rdb_save_string(out, w->b.data, w->b.len);
    else
        out->failed = 1;
    buf_release(&w->b);
}

/* ---- strings and lists ---- */

/* Redis 7.0's quicklist, as a run of RPUSHes fills it (_quicklistNodeAllowInsert with
 * list-max-listpack-size as fill): each node a listpack saved as a string. */
typedef struct list_saver {
    rd_buf *out;
    rdb_lp node;
    size_t nodes_at;  /* where the node count goes: patched at the end */
    uint64_t nodes;
    long long fill;
} list_saver;

static const size_t optimization_level[] = {4096, 8192, 16384, 32768, 65536};

static int node_allows(const list_saver *ls, size_t sz) {
    size_t new_sz;
    if (ls->node.count == 0) return 1;
    new_sz = ls->node.b.len + 1 + sz + 8; /* lpBytes counts the terminator; SIZE_ESTIMATE_OVERHEAD */
    if (ls->fill < 0 && (size_t)(-ls->fill - 1) < 5 && new_sz <= optimization_level[-ls->fill - 1]) return 1;
    if (new_sz > 8192) return 0; /* SIZE_SAFETY_LIMIT */
    return (long long)ls->node.count < ls->fill;
}

static void list_flush(list_saver *ls) {
    if (ls->node.count == 0) return;
    rdb_save_len(ls->out, 2); /* QUICKLIST_NODE_CONTAINER_PACKED */
    rdb_lp_save(ls->out, &ls->node);
    ls->nodes++;
    rdb_lp_begin(&ls->node);
}

static void list_elem(void *ctx, const char *p, size_t n) {
    list_saver *ls = ctx;
    if (n >= (1u << 30)) { /* isLargeElement: a plain node of its own */
        list_flush(ls);
        rdb_save_len(ls->out, 1);
        rdb_save_string(ls->out, p, n);
        ls->nodes++;
        return;
    }
    if (!node_allows(ls, n)) list_flush(ls);
    rdb_lp_add(&ls->node, p, n);
}

static void save_list(rd_buf *b, const void *obj) {
    list_saver ls = {b, {{0}, 0}, 0, 0, ks_type_config[RD_CFG_LIST_MAX_LISTPACK_SIZE]};
    unsigned char len[9] = {0x81};
    /* The node count comes first: 9 bytes kept, then rewritten in its shortest form. */
    ls.nodes_at = b->len;
    put(b, len, sizeof len);
    rdb_lp_begin(&ls.node);
    list_type_ops.each(obj, list_elem, &ls);
    list_flush(&ls);
    buf_release(&ls.node.b);
    if (b->failed) return;
    {
        rd_buf tmp;
        buf_init(&tmp);
        rdb_save_len(&tmp, ls.nodes);
        if (tmp.failed) {
            b->failed = 1;
        } else {
            memmove(b->data + ls.nodes_at + tmp.len, b->data + ls.nodes_at + 9, b->len - ls.nodes_at - 9);
            memcpy(b->data + ls.nodes_at, tmp.data, tmp.len);
            b->len -= 9 - tmp.len;
        }
        buf_release(&tmp);
    }
}

/* ---- sets ---- */

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* intset.c's blob: encoding width, length, then the sorted values, all little-endian. */
static void save_intset(rd_buf *b, const rdict *d) {
    size_t i = 0, bk;
    long long *v = malloc((d->count ? d->count : 1) * sizeof *v);
    uint32_t enc = 2, len = (uint32_t)d->count;
    rd_buf blob;
    if (!v) {
        b->failed = 1;
        return;
    }
    for (dnode *n = dict_first(d, &bk); n; n = dict_next(d, n, &bk)) {
        if (!str2ll(n->data, n->klen, &v[i])) v[i] = 0; /* an intset holds integers only */
        if (v[i] < INT16_MIN || v[i] > INT16_MAX) enc = enc < 4 ? 4 : enc;
        if (v[i] < INT32_MIN || v[i] > INT32_MAX) enc = 8;
        i++;
    }
    qsort(v, i, sizeof *v, cmp_ll);
    buf_init(&blob);
    put(&blob, &enc, 4);
    put(&blob, &len, 4);
    for (size_t j = 0; j < i; j++) {
        unsigned char e[8];
        for (uint32_t k = 0; k < enc; k++) e[k] = (unsigned char)((unsigned long long)v[j] >> (8 * k));
        put(&blob, e, enc);
    }
    if (blob.failed)
        b->failed = 1;
    else
        rdb_save_string(b, blob.data, blob.len);
    buf_release(&blob);
    free(v);
}

static void save_dict(rd_buf *b, const rdict *d, int values) {
    size_t bk;
    rdb_save_len(b, d->count);
    for (dnode *n = dict_first(d, &bk); n; n = dict_next(d, n, &bk)) {
        rdb_save_string(b, n->data, n->klen);
        if (values) rdb_save_string(b, dnode_val(n), n->vlen);
    }
}

static void save_dict_listpack(rd_buf *b, const rdict *d) {
    rdb_lp w;
    size_t bk;
    rdb_lp_begin(&w);
    for (dnode *n = dict_first(d, &bk); n; n = dict_next(d, n, &bk)) {
        rdb_lp_add(&w, n->data, n->klen);
        rdb_lp_add(&w, dnode_val(n), n->vlen);
    }
    rdb_lp_save(b, &w);
}

/* ---- sorted sets ---- */

/* d2string (Redis 7.0's util.c): a listpack keeps scores as this text. */
static size_t d2string(char *buf, size_t cap, double v) {
    if (isnan(v)) return (size_t)snprintf(buf, cap, "nan");
    if (isinf(v)) return (size_t)snprintf(buf, cap, v < 0 ? "-inf" : "inf");
    if (v == 0) return (size_t)snprintf(buf, cap, signbit(v) ? "-0" : "0");
    if (v >= -(double)(LLONG_MAX / 2) && v <= (double)(LLONG_MAX / 2) && (double)(long long)v == v)
        return ll2str(buf, (long long)v); /* double2ll */
    return (size_t)snprintf(buf, cap, "%.17g", v);
}

static void zset_lp_member(void *ctx, const char *m, size_t n, double score) {
    char buf[64];
    rdb_lp_add(ctx, m, n);
    rdb_lp_add(ctx, buf, d2string(buf, sizeof buf, score));
}

static void zset_sl_member(void *ctx, const char *m, size_t n, double score) {
    rdb_save_string(ctx, m, n);
    save_binary_double(ctx, score);
}

/* ---- the value ---- */

int rdb_save_value(rd_buf *b, int type, const void *obj, const char *s, size_t n) {
    int enc = type == KS_TYPE_STRING ? 0 : ks_types[type]->encoding(obj);
    switch (type) {
    case KS_TYPE_STRING:
        put_byte(b, RDB_TYPE_STRING);
        rdb_save_string(b, s, n);
        break;
    case KS_TYPE_LIST:
        put_byte(b, RDB_TYPE_LIST_QUICKLIST_2);
        save_list(b, obj);
        break;
    case KS_TYPE_SET:
        put_byte(b, enc == RD_ENC_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET);
        if (enc == RD_ENC_INTSET)
            save_intset(b, &((const dobj *)obj)->d);
        else
            save_dict(b, &((const dobj *)obj)->d, 0);
        break;
    case KS_TYPE_HASH:
        put_byte(b, enc == RD_ENC_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH);
        if (enc == RD_ENC_LISTPACK)
            save_dict_listpack(b, &((const dobj *)obj)->d);
        else
            save_dict(b, &((const dobj *)obj)->d, 1);
        break;
    case KS_TYPE_ZSET:
        if (enc == RD_ENC_LISTPACK) {
            rdb_lp w;
            put_byte(b, RDB_TYPE_ZSET_LISTPACK);
            rdb_lp_begin(&w);
            zset_obj_walk(obj, 0, zset_lp_member, &w);
            rdb_lp_save(b, &w);
        } else { /* from the greatest: Redis's loader then inserts each at the head */
            put_byte(b, RDB_TYPE_ZSET_2);
            rdb_save_len(b, zset_type_ops.len(obj));
            zset_obj_walk(obj, 1, zset_sl_member, b);
        }
        break;
    case KS_TYPE_STREAM:
        put_byte(b, RDB_TYPE_STREAM_LISTPACKS_2);
        if (rdb_save_stream(b, obj) != 0) b->failed = 1;
        break;
    default:
        b->failed = 1;
    }
    return b->failed ? -1 : 0;
}

int rdb_dump_payload(rd_buf *b, int type, const void *obj, const char *s, size_t n) {
    unsigned char footer[10] = {RDB_VERSION & 0xff, (RDB_VERSION >> 8) & 0xff};
    size_t start = b->len;
    uint64_t crc;
    if (rdb_save_value(b, type, obj, s, n) != 0) return -1;
    put(b, footer, 2);
    if (b->failed) return -1;
    crc = rd_crc64(0, b->data + start, b->len - start);
    memcpy(footer + 2, &crc, 8);
    put(b, footer + 2, 8);
    return b->failed ? -1 : 0;
}

int rdb_verify_payload(const void *p, size_t n) {
    const unsigned char *footer;
    uint64_t crc;
    if (n < 10) return 0;
    footer = (const unsigned char *)p + n - 10;
    if ((footer[1] << 8 | footer[0]) > RDB_VERSION) return 0;
    crc = rd_crc64(0, p, n - 8);
    return memcmp(&crc, footer + 2, 8) == 0;
}

/* ==== reading ================================================================================= */

void rdb_reader_init(rdb_reader *r, const void *p, size_t n) {
    r->start = r->p = p;
    r->end = r->p + n;
    r->err = NULL;
}

int rdb_fail(rdb_reader *r, const char *why) {
    if (!r->err) r->err = why;
    return -1;
}

static int take(rdb_reader *r, void *dst, size_t n) {
    if ((size_t)(r->end - r->p) < n) return rdb_fail(r, "unexpected end of data");
    memcpy(dst, r->p, n);
    r->p += n;
    return 0;
}

int rdb_load_len(rdb_reader *r, uint64_t *len, int *encoded) {
    unsigned char b[8];
    int type;
    if (encoded) *encoded = 0;
    if (take(r, b, 1) != 0) return -1;
    type = b[0] >> 6;
    if (type == 3) { /* as Redis's rdbLoadLen: where no encoding is expected, its 6 bits */
        if (encoded) *encoded = 1;
        *len = b[0] & 0x3F;
    } else if (type == 0) {
        *len = b[0] & 0x3F;
    } else if (type == 1) {
        unsigned hi = b[0] & 0x3F;
        if (take(r, b, 1) != 0) return -1;
        *len = (uint64_t)hi << 8 | b[0];
    } else if (b[0] == 0x80 || b[0] == 0x81) {
        int n = b[0] == 0x80 ? 4 : 8;
        if (take(r, b, (size_t)n) != 0) return -1;
        *len = 0;
        for (int i = 0; i < n; i++) *len = *len << 8 | b[i];
    } else {
        return rdb_fail(r, "unknown length encoding");
    }
    return 0;
}

void rdb_str_free(rdb_str *s) {
    free(s->heap);
    s->heap = NULL;
}

int rdb_load_string(rdb_reader *r, rdb_str *s) {
    uint64_t len, clen;
    int enc;
    s->heap = NULL;
    if (rdb_load_len(r, &len, &enc) != 0) return -1;
    if (enc && len <= 2) { /* RDB_ENC_INT8/16/32, little-endian */
        unsigned char b[4];
        size_t n = len == 0 ? 1 : len == 1 ? 2 : 4;
        uint32_t u = 0;
        long long v;
        if (take(r, b, n) != 0) return -1;
        for (size_t i = 0; i < n; i++) u |= (uint32_t)b[i] << (8 * i);
        v = n == 1 ? (int8_t)u : n == 2 ? (int16_t)u : (int32_t)u;
        s->n = ll2str(s->num, v);
        s->p = s->num;
        return 0;
    }
    if (enc && len == 3) { /* RDB_ENC_LZF */
        if (rdb_load_len(r, &clen, NULL) != 0 || rdb_load_len(r, &len, NULL) != 0) return -1;
        if (clen > (uint64_t)(r->end - r->p)) return rdb_fail(r, "unexpected end of data");
        /* A back reference of 3 bytes gives at most 264: more than that is not LZF. */
        if (len > clen * 88 + 32) return rdb_fail(r, "invalid LZF compressed string");
        if (!(s->heap = malloc(len ? len : 1))) return rdb_fail(r, "allocation failure");
        if (rdb_lzf_decompress(r->p, clen, s->heap, len) != len) {
            rdb_str_free(s);
            return rdb_fail(r, "invalid LZF compressed string");
        }
        r->p += clen;
        s->p = s->heap;
        s->n = len;
        return 0;
    }
    if (enc) return rdb_fail(r, "unknown string encoding");
    if (len > (uint64_t)(r->end - r->p)) return rdb_fail(r, "unexpected end of data");
    s->p = (const char *)r->p;
    s->n = len;
    r->p += len;
    return 0;
}

int rdb_load_millis(rdb_reader *r, int64_t *ms) {
    unsigned char b[8];
    uint64_t u = 0;
    if (take(r, b, 8) != 0) return -1;
    for (int i = 0; i < 8; i++) u |= (uint64_t)b[i] << (8 * i);
    *ms = (int64_t)u;
    return 0;
}

/* rdbLoadDoubleValue: the text form of RDB_TYPE_ZSET (length byte; 253 nan, 254 inf, 255 -inf). */
static int load_text_double(rdb_reader *r, double *v) {
    unsigned char len;
    char buf[256], *end;
    if (take(r, &len, 1) != 0) return -1;
    if (len >= 253) {
        *v = len == 253 ? NAN : len == 254 ? INFINITY : -INFINITY;
        return 0;
    }
    if (take(r, buf, len) != 0) return -1;
    buf[len] = '\0';
    *v = strtod(buf, &end);
    if (end == buf) return rdb_fail(r, "invalid double");
    return 0;
}

/* ---- the blob layouts (each walks a string it was given, checking every byte it reads) ---- */

static void elem_int(rdb_elem *e, long long v) {
    e->is_int = 1;
    e->v = v;
    e->n = ll2str(e->num, v);
    e->p = e->num;
}

static void elem_str(rdb_elem *e, const unsigned char *p, size_t n) {
    e->is_int = 0;
    e->p = (const char *)p;
    e->n = n;
}

static long long sign_extend(uint64_t u, int bits) {
    uint64_t m = 1ULL << (bits - 1);
    u &= bits == 64 ? ~0ULL : (1ULL << bits) - 1;
    return (long long)((u ^ m) - m);
}

static uint64_t le(const unsigned char *p, int n) {
    uint64_t u = 0;
    for (int i = 0; i < n; i++) u |= (uint64_t)p[i] << (8 * i);
    return u;
}

/* lpValidateFirst's header checks: total bytes, terminator. */
int rdb_lp_open(rdb_lp_it *it, const rdb_str *s, uint32_t *num) {
    const unsigned char *p = (const unsigned char *)s->p;
    uint32_t total;
    if (s->n < 7) return -1;
    total = (uint32_t)le(p, 4);
    if (total != s->n || p[s->n - 1] != 0xFF) return -1;
    *num = (uint32_t)le(p + 4, 2);
    it->p = p + 6;
    it->end = p + s->n - 1;
    it->count = 0;
    return 0;
}

/* The next listpack entry: 1, 0 at the end, -1 corrupt. */
int rdb_lp_next(rdb_lp_it *it, rdb_elem *e) {
    const unsigned char *p = it->p;
    size_t room = (size_t)(it->end - p), hl, n = 0, size;
    unsigned c;
    if (p == it->end) return 0;
    c = p[0];
    if (c < 0x80) {
        elem_int(e, c);
        size = 1;
    } else if ((c & 0xC0) == 0x80) {
        n = c & 0x3F;
        hl = 1;
        goto str;
    } else if ((c & 0xE0) == 0xC0) {
        if (room < 2) return -1;
        elem_int(e, sign_extend((uint64_t)(c & 0x1F) << 8 | p[1], 13));
        size = 2;
    } else if ((c & 0xF0) == 0xE0) {
        if (room < 2) return -1;
        n = (size_t)(c & 0x0F) << 8 | p[1];
        hl = 2;
        goto str;
    } else if (c == 0xF0) {
        if (room < 5) return -1;
        n = (size_t)le(p + 1, 4);
        hl = 5;
        goto str;
    } else if (c >= 0xF1 && c <= 0xF4) {
        int bytes = c == 0xF1 ? 2 : c == 0xF2 ? 3 : c == 0xF3 ? 4 : 8;
        if (room < (size_t)bytes + 1) return -1;
        elem_int(e, sign_extend(le(p + 1, bytes), bytes * 8));
        size = (size_t)bytes + 1;
    } else {
        return -1;
    }
    goto backlen;
str:
    if (room < hl || room - hl < n) return -1;
    elem_str(e, p + hl, n);
    size = hl + n;
backlen: {
    /* The entry's size again, written backwards: must say what was just read. */
    size_t bl = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    uint64_t val = 0;
    if (room - size < bl) return -1;
    for (size_t i = 0; i < bl; i++) {
        unsigned b = p[size + bl - 1 - i];
        if (((b & 128) != 0) != (i + 1 < bl)) return -1;
        val |= (uint64_t)(b & 127) << (7 * i);
    }
    if (val != size) return -1;
    it->p = p + size + bl;
    it->count++;
    return 1;
}
}

/* A listpack's every entry through fn (its count checked against the header); 0 or -1. */
typedef int (*elem_fn)(void *ctx, rdb_elem *e);

static int walk_listpack(rdb_reader *r, const rdb_str *s, elem_fn fn, void *ctx) {
    rdb_lp_it it;
    uint32_t num;
    rdb_elem e;
    int rc;
    if (rdb_lp_open(&it, s, &num) != 0) return rdb_fail(r, "invalid listpack header");
    while ((rc = rdb_lp_next(&it, &e)) == 1)
        if (fn(ctx, &e) != 0) return -1;
    if (rc < 0) return rdb_fail(r, "invalid listpack entry");
    if (num != 65535 && num != it.count) return rdb_fail(r, "listpack count mismatch");
    return 0;
}

/* ziplist.c: zlbytes, zltail, zllen, entries (prevlen, encoding, data), 0xFF. */
static int walk_ziplist(rdb_reader *r, const rdb_str *s, elem_fn fn, void *ctx) {
    const unsigned char *p = (const unsigned char *)s->p, *end;
    uint32_t num;
    uint64_t count = 0;
    size_t prev = 0;
    rdb_elem e;
    if (s->n < 11 || le(p, 4) != s->n || le(p + 4, 4) >= s->n || p[s->n - 1] != 0xFF)
        return rdb_fail(r, "invalid ziplist header");
    num = (uint32_t)le(p + 8, 2);
    end = p + s->n - 1;
    p += 10;
    while (p < end) {
        size_t room = (size_t)(end - p), pl, hl, n = 0, stored_prev;
        const unsigned char *start = p;
        unsigned c;
        if (p[0] < 254) {
            pl = 1;
            stored_prev = p[0];
        } else if (p[0] == 254 && room >= 5) {
            pl = 5;
            stored_prev = (size_t)le(p + 1, 4);
        } else {
            return rdb_fail(r, "invalid ziplist entry");
        }
        if (stored_prev != prev || room <= pl) return rdb_fail(r, "invalid ziplist entry");
        p += pl;
        room -= pl;
        c = p[0];
        if ((c >> 6) == 0) {
            n = c & 0x3F;
            hl = 1;
        } else if ((c >> 6) == 1) {
            if (room < 2) return rdb_fail(r, "invalid ziplist entry");
            n = (size_t)(c & 0x3F) << 8 | p[1];
            hl = 2;
        } else if (c == 0x80) {
            if (room < 5) return rdb_fail(r, "invalid ziplist entry");
            n = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
            hl = 5;
        } else {
            int bytes = c == 0xC0 ? 2 : c == 0xD0 ? 4 : c == 0xE0 ? 8 : c == 0xF0 ? 3 : c == 0xFE ? 1 : 0;
            hl = 1;
            if (bytes == 0 && c >= 0xF1 && c <= 0xFD) {
                elem_int(&e, (long long)(c & 0x0F) - 1);
            } else if (bytes == 0) {
                return rdb_fail(r, "invalid ziplist entry");
            } else {
                if (room < 1 + (size_t)bytes) return rdb_fail(r, "invalid ziplist entry");
                elem_int(&e, sign_extend(le(p + 1, bytes), bytes * 8));
                hl += (size_t)bytes;
            }
            p += hl;
            goto got;
        }
        if (room < hl || room - hl < n) return rdb_fail(r, "invalid ziplist entry");
        elem_str(&e, p + hl, n);
        p += hl + n;
    got:
        prev = (size_t)(p - start);
        count++;
        if (fn(ctx, &e) != 0) return -1;
    }
    if (num != 65535 && num != count) return rdb_fail(r, "ziplist count mismatch");
    return 0;
}

/* zipmap.c (RDB_TYPE_HASH_ZIPMAP): zmlen, then key and value (each length-prefixed; the value
 * with a free-bytes count after its length), 0xFF. */
static int walk_zipmap(rdb_reader *r, const rdb_str *s, elem_fn fn, void *ctx) {
    const unsigned char *p = (const unsigned char *)s->p, *end = p + s->n;
    rdb_elem e;
    if (s->n < 2 || end[-1] != 0xFF) return rdb_fail(r, "invalid zipmap");
    p++;
    for (int k = 0;; k ^= 1) {
        size_t len;
        unsigned free_bytes = 0;
        if (p >= end) return rdb_fail(r, "invalid zipmap");
        if (p[0] == 255) {
            if (k == 1 || p != end - 1) return rdb_fail(r, "invalid zipmap");
            return 0;
        }
        if (p[0] < 254) {
            len = *p++;
        } else {
            if (end - p < 5) return rdb_fail(r, "invalid zipmap");
            len = (size_t)le(p + 1, 4);
            p += 5;
        }
        if (k == 1) {
            if (p >= end) return rdb_fail(r, "invalid zipmap");
            free_bytes = *p++;
        }
        if ((size_t)(end - p) < len + free_bytes) return rdb_fail(r, "invalid zipmap");
        elem_str(&e, p, len);
        p += len + free_bytes;
        if (fn(ctx, &e) != 0) return -1;
    }
}

/* ---- building Redistill's objects ---- */

/* A hash or set being loaded: pairs alternate key and value (a hash's). */
typedef struct dload {
    rdb_reader *r;
    dobj *o;
    int hash;
    int have_key;
    char *key; /* a hash's pending field */
    size_t klen;
    size_t maxlen;
    int non_int; /* a set member that is no integer */
} dload;

static int dload_add(dload *l, const char *p, size_t n) {
    long long v;
    int rc;
    if (n > l->maxlen) l->maxlen = n;
    if (!l->hash) {
        if (!l->non_int && !str2ll(p, n, &v)) l->non_int = 1;
        rc = dict_set(&l->o->d, p, n, NULL, 0);
    } else if (!l->have_key) {
        if (!(l->key = malloc(n ? n : 1))) return rdb_fail(l->r, "allocation failure");
        memcpy(l->key, p, n);
        l->klen = n;
        l->have_key = 1;
        return 0;
    } else {
        rc = dict_set(&l->o->d, l->key, l->klen, p, n);
        free(l->key);
        l->key = NULL;
        l->have_key = 0;
    }
    if (rc < 0) return rdb_fail(l->r, "allocation failure");
    if (rc == 0) return rdb_fail(l->r, l->hash ? "duplicate hash fields" : "duplicate set members");
    return 0;
}

static int dload_elem(void *ctx, rdb_elem *e) { return dload_add(ctx, e->p, e->n); }

/* The encoding Redis ends with after loading: its thresholds decide. */
static void dload_settle(dload *l) {
    if (l->hash)
        l->o->big = (long long)l->o->d.count > ks_type_config[RD_CFG_HASH_MAX_LISTPACK_ENTRIES] ||
                    (long long)l->maxlen > ks_type_config[RD_CFG_HASH_MAX_LISTPACK_VALUE];
    else
        l->o->big = l->non_int || (long long)l->o->d.count > ks_type_config[RD_CFG_SET_MAX_INTSET_ENTRIES];
}

static void dload_release(dload *l) { free(l->key); }

/* A sorted set being loaded from a listpack or ziplist: member, then score. */
typedef struct zload {
    rdb_reader *r;
    void *z;
    int have_member;
    char *member;
    size_t mlen, maxlen;
} zload;

static int zload_add(zload *l, const char *m, size_t n, double score) {
    int rc;
    if (isnan(score)) return rdb_fail(l->r, "sorted set with a NaN score");
    if (n > l->maxlen) l->maxlen = n;
    rc = zset_obj_add(l->z, score, m, n);
    if (rc < 0) return rdb_fail(l->r, "allocation failure");
    if (rc > 0) return rdb_fail(l->r, "duplicate sorted set members");
    return 0;
}

static int zload_elem(void *ctx, rdb_elem *e) {
    zload *l = ctx;
    double score;
    int rc;
    if (!l->have_member) {
        if (!(l->member = malloc(e->n ? e->n : 1))) return rdb_fail(l->r, "allocation failure");
        memcpy(l->member, e->p, e->n);
        l->mlen = e->n;
        l->have_member = 1;
        return 0;
    }
    if (e->is_int) {
        score = (double)e->v;
    } else { /* zzlStrtod */
        char buf[128], *end;
        if (e->n == 0 || e->n >= sizeof buf) return rdb_fail(l->r, "invalid sorted set score");
        memcpy(buf, e->p, e->n);
        buf[e->n] = '\0';
        score = strtod(buf, &end);
        if (end != buf + e->n) return rdb_fail(l->r, "invalid sorted set score");
    }
    rc = zload_add(l, l->member, l->mlen, score);
    free(l->member);
    l->member = NULL;
    l->have_member = 0;
    return rc;
}

static void zload_settle(zload *l) {
    zset_obj_settle(l->z, (long long)zset_type_ops.len(l->z) > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_ENTRIES] ||
                              (long long)l->maxlen > ks_type_config[RD_CFG_ZSET_MAX_LISTPACK_VALUE]);
}

static int list_elem_add(void *ctx, rdb_elem *e) {
    void **lr = ctx; /* {list, reader} */
    if (list_obj_push_tail(lr[0], e->p, e->n) != 0) return rdb_fail(lr[1], "allocation failure");
    return 0;
}

/* ---- one value per type ---- */

static int load_list(rdb_reader *r, int rdbtype, rdb_value *v) {
    uint64_t n, container = 2;
    void *lr[2] = {NULL, r};
    rdb_str s;
    if (!(v->obj = lr[0] = list_obj_new())) return rdb_fail(r, "allocation failure");
    if (rdbtype == RDB_TYPE_LIST_ZIPLIST) {
        if (rdb_load_string(r, &s) != 0) return -1;
        int rc = walk_ziplist(r, &s, list_elem_add, lr);
        rdb_str_free(&s);
        return rc;
    }
    if (rdb_load_len(r, &n, NULL) != 0) return -1;
    while (n--) {
        int rc;
        if (rdbtype == RDB_TYPE_LIST_QUICKLIST_2) {
            if (rdb_load_len(r, &container, NULL) != 0) return -1;
            if (container != 1 && container != 2) return rdb_fail(r, "invalid quicklist node container");
        }
        if (rdb_load_string(r, &s) != 0) return -1;
        if (rdbtype == RDB_TYPE_LIST || container == 1) {
            rc = list_obj_push_tail(lr[0], s.p, s.n) != 0 ? rdb_fail(r, "allocation failure") : 0;
        } else if (rdbtype == RDB_TYPE_LIST_QUICKLIST) {
            rc = walk_ziplist(r, &s, list_elem_add, lr);
        } else {
            rc = walk_listpack(r, &s, list_elem_add, lr);
        }
        rdb_str_free(&s);
        if (rc != 0) return -1;
    }
    return 0;
}

static int load_intset(rdb_reader *r, dload *l) {
    rdb_str s;
    uint32_t enc, len;
    int rc = 0;
    if (rdb_load_string(r, &s) != 0) return -1;
    if (s.n < 8) {
        rdb_str_free(&s);
        return rdb_fail(r, "invalid intset");
    }
    enc = (uint32_t)le((const unsigned char *)s.p, 4);
    len = (uint32_t)le((const unsigned char *)s.p + 4, 4);
    if ((enc != 2 && enc != 4 && enc != 8) || (s.n - 8) / enc != len || (s.n - 8) % enc != 0) {
        rdb_str_free(&s);
        return rdb_fail(r, "invalid intset");
    }
    for (uint32_t i = 0; i < len && rc == 0; i++) {
        char num[24];
        long long v = sign_extend(le((const unsigned char *)s.p + 8 + (size_t)i * enc, (int)enc), (int)enc * 8);
        rc = dload_add(l, num, ll2str(num, v));
    }
    rdb_str_free(&s);
    return rc;
}

static int load_dict(rdb_reader *r, int rdbtype, rdb_value *v, int hash) {
    dload l = {r, dobj_new(), hash, 0, NULL, 0, 0, 0};
    rdb_str s;
    uint64_t n;
    int rc = 0;
    if (!(v->obj = l.o)) return rdb_fail(r, "allocation failure");
    if (rdbtype == RDB_TYPE_SET_INTSET) {
        rc = load_intset(r, &l);
    } else if (rdbtype == RDB_TYPE_SET || rdbtype == RDB_TYPE_HASH) {
        if (rdb_load_len(r, &n, NULL) != 0) return -1;
        for (uint64_t i = 0; i < n && rc == 0; i++) {
            for (int k = 0; k <= hash && rc == 0; k++) {
                if (rdb_load_string(r, &s) != 0) {
                    rc = -1;
                    break;
                }
                rc = dload_add(&l, s.p, s.n);
                rdb_str_free(&s);
            }
        }
    } else {
        if (rdb_load_string(r, &s) != 0) return -1;
        if (rdbtype == RDB_TYPE_HASH_ZIPMAP)
            rc = walk_zipmap(r, &s, dload_elem, &l);
        else if (rdbtype == RDB_TYPE_HASH_ZIPLIST)
            rc = walk_ziplist(r, &s, dload_elem, &l);
        else
            rc = walk_listpack(r, &s, dload_elem, &l);
        rdb_str_free(&s);
        if (rc == 0 && l.have_key) rc = rdb_fail(r, "a hash field without a value");
    }
    dload_release(&l);
    if (rc == 0) dload_settle(&l);
    return rc;
}

static int load_zset(rdb_reader *r, int rdbtype, rdb_value *v) {
    zload l = {r, zset_obj_new(), 0, NULL, 0, 0};
    rdb_str s;
    uint64_t n;
    int rc = 0;
    if (!(v->obj = l.z)) return rdb_fail(r, "allocation failure");
    if (rdbtype == RDB_TYPE_ZSET || rdbtype == RDB_TYPE_ZSET_2) {
        if (rdb_load_len(r, &n, NULL) != 0) return -1;
        while (n-- && rc == 0) {
            double score;
            if (rdb_load_string(r, &s) != 0) return -1;
            if (rdbtype == RDB_TYPE_ZSET_2)
                rc = take(r, &score, sizeof score);
            else
                rc = load_text_double(r, &score);
            if (rc == 0) rc = zload_add(&l, s.p, s.n, score);
            rdb_str_free(&s);
        }
    } else {
        if (rdb_load_string(r, &s) != 0) return -1;
        if (rdbtype == RDB_TYPE_ZSET_ZIPLIST)
            rc = walk_ziplist(r, &s, zload_elem, &l);
        else
            rc = walk_listpack(r, &s, zload_elem, &l);
        rdb_str_free(&s);
        if (rc == 0 && l.have_member) rc = rdb_fail(r, "a sorted set member without a score");
    }
    free(l.member);
    if (rc == 0) zload_settle(&l);
    return rc;
}

int rdb_load_value(rdb_reader *r, rdb_value *v) {
    unsigned char t;
    int rc;
    memset(v, 0, sizeof *v);
    if (take(r, &t, 1) != 0) return -1;
    switch (t) {
    case RDB_TYPE_STRING: {
        rdb_str s;
        v->type = KS_TYPE_STRING;
        if (rdb_load_string(r, &s) != 0) return -1;
        if (s.heap) {
            v->str = s.heap;
        } else if (s.p != s.num) {
            v->bytes = s.p; /* borrowed from the input */
        } else if ((v->str = malloc(s.n)) != NULL) { /* an integer's text: s dies here */
            memcpy(v->str, s.p, s.n);
        } else {
            return rdb_fail(r, "allocation failure");
        }
        if (v->str) v->bytes = v->str;
        v->len = s.n;
        return 0;
    }
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        v->type = KS_TYPE_LIST;
        rc = load_list(r, t, v);
        break;
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_INTSET:
        v->type = KS_TYPE_SET;
        rc = load_dict(r, t, v, 0);
        break;
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK:
        v->type = KS_TYPE_HASH;
        rc = load_dict(r, t, v, 1);
        break;
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK:
        v->type = KS_TYPE_ZSET;
        rc = load_zset(r, t, v);
        break;
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
        v->type = KS_TYPE_STREAM;
        rc = rdb_load_stream(r, t, &v->obj);
        break;
    default:
        return rdb_fail(r, "unknown object type");
    }
    if (rc == 0 && v->type != KS_TYPE_STREAM && ks_types[v->type]->len(v->obj) == 0)
        rc = rdb_fail(r, "empty collection"); /* Redis refuses empty keys (RDB_LOAD_ERR_EMPTY_KEY) */
    if (rc != 0) rdb_value_free(v);
    return rc;
}

void rdb_value_free(rdb_value *v) {
    if (v->obj) ks_types[v->type]->free(v->obj);
    free(v->str);
    v->obj = NULL;
    v->str = NULL;
}
