/* function_dump.c: FUNCTION DUMP and FUNCTION RESTORE in Redis 7.0's payload format, so that a dump
 * of redis-server restores here and the other way round: per library RDB_OPCODE_FUNCTION2 and its
 * code as an RDB string, then the RDB version (10, little-endian) and the CRC64 of all that (crc64.c,
 * little-endian).  Strings are written plain (Redis's reader takes them); RESTORE also reads the
 * integer and LZF encodings Redis writes, and the 7.0-rc opcode (name, engine, description, code). */
#include "function.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resp.h"

#define RDB_VERSION 10
#define OP_FUNCTION2 245 /* RDB_OPCODE_FUNCTION2 */
#define OP_FUNCTION 246  /* RDB_OPCODE_FUNCTION: 7.0 rc1 and rc2 */

/* ---- RDB lengths and strings ------------------------------------------------------- */

static void put_len(rd_buf *b, uint64_t len) {
    unsigned char h[9];
    size_t n;
    if (len < 64) {
        h[0] = (unsigned char)len, n = 1;
    } else if (len < 16384) {
        h[0] = (unsigned char)(0x40 | (len >> 8)), h[1] = (unsigned char)len, n = 2;
    } else if (len <= UINT32_MAX) {
        h[0] = 0x80, n = 5;
        for (int i = 0; i < 4; i++) h[1 + i] = (unsigned char)(len >> (24 - 8 * i));
    } else {
        h[0] = 0x81, n = 9;
        for (int i = 0; i < 8; i++) h[1 + i] = (unsigned char)(len >> (56 - 8 * i));
    }
    buf_append(b, h, n);
}

typedef struct reader {
    const unsigned char *p, *end;
} reader;

/* rdbLoadLenByRef: the length (or, *encoded set, the encoding's number); -1 when truncated. */
static int get_len(reader *r, uint64_t *len, int *encoded) {
    unsigned t;
    *encoded = 0;
    if (r->p >= r->end) return -1;
    t = (*r->p & 0xC0) >> 6;
    if (t == 3 || t == 0) {
        *encoded = t == 3;
        *len = *r->p++ & 0x3F;
    } else if (t == 1) {
        if (r->end - r->p < 2) return -1;
        *len = (uint64_t)(r->p[0] & 0x3F) << 8 | r->p[1];
        r->p += 2;
    } else if (*r->p == 0x80 || *r->p == 0x81) {
        int n = *r->p == 0x80 ? 4 : 8;
        if (r->end - r->p < 1 + n) return -1;
        *len = 0;
        for (int i = 1; i <= n; i++) *len = *len << 8 | r->p[i];
        r->p += 1 + n;
    } else {
        return -1;
    }
    return 0;
}

/* lzf_decompress (liblzf 3.6, as Redis ships it): the output's length, or 0 on bad input. */
static size_t lzf_decompress(const unsigned char *ip, size_t in_len, unsigned char *out, size_t out_len) {
    const unsigned char *in_end = ip + in_len;
    unsigned char *op = out, *out_end = out + out_len;
    while (ip < in_end) {
        unsigned ctrl = *ip++;
        if (ctrl < 32) { /* a literal run of ctrl + 1 bytes */
            ctrl++;
            if ((size_t)(out_end - op) < ctrl || (size_t)(in_end - ip) < ctrl) return 0;
            memcpy(op, ip, ctrl);
            op += ctrl, ip += ctrl;
        } else { /* a back reference */
            size_t len = ctrl >> 5, back = (size_t)(ctrl & 0x1f) << 8;
            if (ip >= in_end) return 0;
            if (len == 7) {
                len += *ip++;
                if (ip >= in_end) return 0;
            }
            back += *ip++ + 1u;
            if ((size_t)(out_end - op) < len + 2 || back > (size_t)(op - out)) return 0;
            for (size_t i = 0; i < len + 2; i++, op++) *op = op[-(ptrdiff_t)back];
        }
    }
    return (size_t)(op - out);
}

/* rdbGenericLoadStringObject into s (emptied first): 0, or -1 on a truncated or bad string. */
static int get_string(reader *r, rd_buf *s) {
    uint64_t len, clen;
    int enc;
    s->len = 0;
    if (get_len(r, &len, &enc) != 0) return -1;
    if (enc) {
        long long v;
        char num[24];
        if (len == 0 || len == 1 || len == 2) { /* RDB_ENC_INT8/16/32, little-endian, signed */
            size_t n = (size_t)1 << len;
            uint32_t u = 0;
            if ((size_t)(r->end - r->p) < n) return -1;
            for (size_t i = 0; i < n; i++) u |= (uint32_t)r->p[i] << (8 * i);
            r->p += n;
            v = n == 1 ? (int8_t)u : n == 2 ? (int16_t)u : (int32_t)u;
            buf_append(s, num, (size_t)snprintf(num, sizeof num, "%lld", v));
            return s->failed ? -1 : 0;
        }
        if (len != 3 || get_len(r, &clen, &enc) != 0 || enc || get_len(r, &len, &enc) != 0 || enc) return -1;
        if (clen > (uint64_t)(r->end - r->p) || len == 0 || buf_reserve(s, len) != 0) return -1;
        if (lzf_decompress(r->p, clen, (unsigned char *)s->data, len) != len) return -1;
        s->len = len;
        r->p += clen;
        return 0;
    }
    if (len > (uint64_t)(r->end - r->p)) return -1;
    buf_append(s, r->p, len);
    r->p += len;
    return s->failed ? -1 : 0;
}

/* ---- DUMP ---------------------------------------------------------------------------- */

rd_status rd_function_dump(rd_buf *out) {
    rd_buf p;
    unsigned char foot[10];
    uint64_t crc;
    buf_init(&p);
    for (const fn_lib *l = fn_cur.libs; l; l = l->next) {
        unsigned char op = OP_FUNCTION2;
        buf_append(&p, &op, 1);
        put_len(&p, l->code_len);
        buf_append(&p, l->code, l->code_len);
    }
    foot[0] = RDB_VERSION & 0xff;
    foot[1] = (RDB_VERSION >> 8) & 0xff;
    buf_append(&p, foot, 2);
    crc = rd_crc64(0, p.data, p.len);
    for (int i = 0; i < 8; i++) foot[2 + i] = (unsigned char)(crc >> (8 * i));
    buf_append(&p, foot + 2, 8);
    if (p.failed) resp_add_status_error(out, RD_ERR_NOMEM);
    else resp_add_bulk(out, p.data, p.len);
    buf_release(&p);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

/* ---- RESTORE ------------------------------------------------------------------------- */

/* verifyDumpPayload: the version is ours or older and the CRC64 matches. */
static int payload_ok(const unsigned char *p, size_t len) {
    uint64_t crc, want = 0;
    if (len < 10) return 0;
    if ((p[len - 10] | p[len - 9] << 8) > RDB_VERSION) return 0;
    crc = rd_crc64(0, p, len - 8);
    for (int i = 0; i < 8; i++) want |= (uint64_t)p[len - 8 + i] << (8 * i);
    return crc == want;
}

/* One library's code: the FUNCTION2 string, or the rc format rebuilt as "#!<engine> name=<name>\n<code>". */
static int read_library(reader *r, int type, rd_buf *code) {
    rd_buf name, engine, part;
    uint64_t has_desc;
    int enc, rc = -1;
    if (type == OP_FUNCTION2) return get_string(r, code);
    buf_init(&name);
    buf_init(&engine);
    buf_init(&part);
    if (get_string(r, &name) == 0 && get_string(r, &engine) == 0 && get_len(r, &has_desc, &enc) == 0 &&
        (!has_desc || get_string(r, &part) == 0) && get_string(r, &part) == 0) {
        code->len = 0;
        buf_append(code, "#!", 2);
        buf_append(code, engine.data, engine.len);
        buf_append(code, " name=", 6);
        buf_append(code, name.data, name.len);
        buf_append(code, "\n", 1);
        buf_append(code, part.data, part.len);
        rc = code->failed ? -1 : 0;
    }
    buf_release(&name);
    buf_release(&engine);
    buf_release(&part);
    return rc;
}

/* Loads every library of the payload into x; -1 after writing the error. */
static int load_payload(const unsigned char *p, size_t len, fn_ctx *x, rd_buf *out) {
    reader r = {p, p + len};
    rd_buf code;
    int rc = 0;
    buf_init(&code);
    while (r.end - r.p > 10) {
        int type = *r.p++;
        if (type != OP_FUNCTION && type != OP_FUNCTION2) {
            resp_add_status_error(out, RD_ERR_FN_NOT_FUNCTION);
            rc = -1;
            break;
        }
        if (read_library(&r, type, &code) != 0) {
            resp_add_status_error(out, RD_ERR_FN_LOAD_PAYLOAD);
            rc = -1;
            break;
        }
        if (!fn_create(x, code.data ? code.data : "", code.len, 0, out)) {
            rc = -1;
            break;
        }
    }
    buf_release(&code);
    return rc;
}

/* Redis's libraryJoin: src's libraries move into the current set; on a collision (a library without
 * REPLACE, or a function of another library) nothing changes and the error is written. */
static int join(fn_ctx *src, int replace, rd_buf *out) {
    size_t n = src->nlibs, nold = 0;
    fn_lib **old = calloc(n ? n : 1, sizeof *old), **moved = calloc(n ? n : 1, sizeof *moved);
    int rc = -1;
    if (!old || !moved) {
        resp_add_status_error(out, RD_ERR_NOMEM);
        goto done;
    }
    for (fn_lib *l = src->libs; l; l = l->next) {
        fn_lib *o = fn_ctx_find_lib(&fn_cur, l->name, l->name_len);
        if (!o) continue;
        if (!replace) {
            const char *w = l->name;
            resp_add_status_error_words(out, RD_ERR_FN_RESTORE_LIB_EXISTS, &w, &l->name_len);
            goto done;
        }
        fn_ctx_unlink(&fn_cur, o);
        old[nold++] = o;
    }
    for (fn_lib *l = src->libs; l; l = l->next)
        for (fn_func *f = l->funcs; f; f = f->next)
            if (fn_ctx_find(&fn_cur, f->name, f->name_len)) {
                const char *w = f->name;
                resp_add_status_error_words(out, RD_ERR_FN_EXISTS, &w, &f->name_len);
                goto done;
            }
    n = 0;
    while (src->libs) {
        fn_lib *l = src->libs;
        fn_ctx_unlink(src, l);
        moved[n++] = l;
    }
    for (size_t i = n; i-- > 0;) fn_ctx_link(&fn_cur, moved[i]); /* the payload's order */
    for (size_t i = 0; i < nold; i++) fn_lib_free(old[i]);
    nold = 0;
    rc = 0;
done:
    for (size_t i = 0; i < nold; i++) fn_ctx_link(&fn_cur, old[i]);
    free(old);
    free(moved);
    return rc;
}

rd_status rd_function_restore(const char *payload, size_t len, int policy, rd_buf *out) {
    fn_ctx tmp;
    memset(&tmp, 0, sizeof tmp);
    if (!payload_ok((const unsigned char *)payload, len)) {
        resp_add_status_error(out, RD_ERR_FN_PAYLOAD);
    } else if (load_payload((const unsigned char *)payload, len, &tmp, out) == 0) {
        if (policy == RD_FN_FLUSH) {
            fn_ctx_clear(&fn_cur);
            fn_cur = tmp;
            memset(&tmp, 0, sizeof tmp);
            resp_add_raw(out, "+OK\r\n", 5);
        } else if (join(&tmp, policy == RD_FN_REPLACE, out) == 0) {
            resp_add_raw(out, "+OK\r\n", 5);
        }
    }
    fn_ctx_clear(&tmp);
    fn_publish();
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}
