/* function_dump.c: FUNCTION DUMP and FUNCTION RESTORE in Redis 7.0's payload format, so that a dump
 * of redis-server restores here and the other way round: per library RDB_OPCODE_FUNCTION2 and its
 * code as an RDB string, then the RDB version (10, little-endian) and the CRC64 of all that (crc64.c,
 * little-endian), the strings as Redis writes them (rdb.c: LZF past 20 bytes); RESTORE also reads
 * the 7.0-rc opcode (name, engine, description, code). */
#include "function.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rdb.h"
#include "resp.h"

#define OP_FUNCTION2 245 /* RDB_OPCODE_FUNCTION2 */
#define OP_FUNCTION 246  /* RDB_OPCODE_FUNCTION: 7.0 rc1 and rc2 */

/* ---- DUMP ---------------------------------------------------------------------------- */

rd_status rd_function_dump(rd_buf *out) {
    rd_buf p;
    unsigned char foot[10];
    uint64_t crc;
    buf_init(&p);
    for (const fn_lib *l = fn_cur.libs; l; l = l->next) {
        unsigned char op = OP_FUNCTION2;
        buf_append(&p, &op, 1);
        rdb_save_string(&p, l->code, l->code_len);
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

/* An RDB string appended to b: 0, or -1. */
static int get_string(rdb_reader *r, rd_buf *b) {
    rdb_str s;
    if (rdb_load_string(r, &s) != 0) return -1;
    buf_append(b, s.p, s.n);
    rdb_str_free(&s);
    return b->failed ? -1 : 0;
}

/* One library's code: the FUNCTION2 string, or the rc format rebuilt as "#!<engine> name=<name>\n<code>". */
static int read_library(rdb_reader *r, int type, rd_buf *code) {
    rd_buf name, engine, desc;
    uint64_t has_desc;
    int enc, rc = -1;
    code->len = 0;
    if (type == OP_FUNCTION2) return get_string(r, code);
    buf_init(&name);
    buf_init(&engine);
    buf_init(&desc);
    if (get_string(r, &name) == 0 && get_string(r, &engine) == 0 && rdb_load_len(r, &has_desc, &enc) == 0 &&
        (!has_desc || get_string(r, &desc) == 0)) {
        buf_append(code, "#!", 2);
        buf_append(code, engine.data, engine.len);
        buf_append(code, " name=", 6);
        buf_append(code, name.data, name.len);
        buf_append(code, "\n", 1);
        rc = get_string(r, code);
    }
    buf_release(&name);
    buf_release(&engine);
    buf_release(&desc);
    return rc;
}

/* Loads every library of the payload into x; -1 after writing the error. */
static int load_payload(const char *p, size_t len, fn_ctx *x, rd_buf *out) {
    rdb_reader r;
    rd_buf code;
    int rc = 0;
    rdb_reader_init(&r, p, len);
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
    if (!rdb_verify_payload(payload, len)) {
        resp_add_status_error(out, RD_ERR_DUMP_PAYLOAD);
    } else if (load_payload(payload, len, &tmp, out) == 0) {
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
