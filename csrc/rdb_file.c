/* rdb_file.c: RDB files (Redis 7.0's rdb.c, version 10) on top of rdb.c's value encoding: the
 * snapshot writer, which walks the keyspace stripe by stripe while serving goes on, and the
 * loader, which reads a whole file in steps so that Python can log progress between them.
 *
 * Rules: a stripe is serialized under its lock (ks_walk_shard) into memory and written to the
 * file after the lock is released: no I/O under a lock.  Loading inserts with ks_view_restore,
 * one key at a time, as RESTORE does. */
#include "buf.h"
#include "redistill.h"
#include "ksapi.h"
#include "rdb.h"
#include "types.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Opcodes (Redis's RDB_OPCODE_*). */
enum {
    OP_FUNCTION2 = 245, OP_MODULE_AUX = 247, OP_IDLE = 248, OP_FREQ = 249, OP_AUX = 250,
    OP_RESIZEDB = 251, OP_EXPIRETIME_MS = 252, OP_EXPIRETIME = 253, OP_SELECTDB = 254, OP_EOF = 255
};

#define SAVE_FLUSH_BYTES (1u << 20)

typedef struct saver {
    rd_buf b;
    int fd, mode;
    uint64_t crc, keys, bytes;
    int err; /* errno of a failed write, or ENOMEM */
} saver;

static void put_op(rd_buf *b, int op) {
    unsigned char c = (unsigned char)op;
    buf_append(b, &c, 1);
}

/* Writes and checksums what is buffered; -1 with s->err set. */
static int drain(saver *s) {
    size_t at = 0;
    if (s->b.failed) {
        s->err = ENOMEM;
        return -1;
    }
    s->crc = rd_crc64(s->crc, s->b.data, s->b.len);
    while (at < s->b.len) {
        ssize_t w = write(s->fd, s->b.data + at, s->b.len - at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            s->err = w < 0 ? errno : EIO;
            return -1;
        }
        at += (size_t)w;
    }
    s->bytes += s->b.len;
    buf_reset(&s->b, SAVE_FLUSH_BYTES);
    return 0;
}

/* rdbSaveKeyValuePair: expire, the eviction policy's access data, then type, key and value. */
static int save_item(void *ctx, const ks_item *it) {
    saver *s = ctx;
    if (it->expire) {
        put_op(&s->b, OP_EXPIRETIME_MS);
        rdb_save_millis(&s->b, it->expire);
    }
    if (s->mode == RD_RDB_ACCESS_IDLE) {
        put_op(&s->b, OP_IDLE);
        rdb_save_len(&s->b, (uint64_t)(it->idle_ms / 1000));
    } else if (s->mode == RD_RDB_ACCESS_FREQ) {
        put_op(&s->b, OP_FREQ);
        put_op(&s->b, (int)(it->freq > 255 ? 255 : it->freq));
    }
    if (rdb_save_keyed(&s->b, it->key, it->klen, it->type, it->obj, it->val, it->vlen) != 0) return -1;
    s->keys++;
    return 0;
}

static void save_header(saver *s, const char *const *aux, const size_t *auxl, int naux, rd_keyspace *ks) {
    char magic[10];
    uint64_t totals[2];
    snprintf(magic, sizeof magic, "REDIS%04d", RDB_VERSION);
    buf_append(&s->b, magic, 9);
    for (int i = 0; i + 1 < naux; i += 2) {
        put_op(&s->b, OP_AUX);
        rdb_save_string(&s->b, aux[i], auxl[i]);
        rdb_save_string(&s->b, aux[i + 1], auxl[i + 1]);
    }
    rd_ks_totals(ks, totals, 2);
    put_op(&s->b, OP_SELECTDB);
    rdb_save_len(&s->b, 0);
    put_op(&s->b, OP_RESIZEDB); /* a hint for the loader's table sizes */
    rdb_save_len(&s->b, totals[0]);
    rdb_save_len(&s->b, totals[1]);
}

rd_status rd_rdb_save(rd_keyspace *ks, int fd, const char **aux, const size_t *auxl, int naux, int mode,
                      uint64_t *out, size_t n) {
    saver s = {.fd = fd, .mode = mode};
    int64_t now = rd_now_ms();
    uint64_t v[3];
    int rc = 0;
    unsigned char eof = OP_EOF;
    buf_init(&s.b);
    save_header(&s, aux, auxl, naux, ks);
    for (unsigned si = 0; si < (1u << 10) && rc == 0; si++) {
        if (ks_walk_shard(ks, si, now, save_item, &s) != 0 || s.b.failed) {
            s.err = ENOMEM;
            rc = -1;
        } else if (s.b.len >= SAVE_FLUSH_BYTES) {
            rc = drain(&s);
        }
    }
    if (rc == 0) {
        buf_append(&s.b, &eof, 1);
        rc = drain(&s);
    }
    if (rc == 0) {
        unsigned char crc[8];
        for (int i = 0; i < 8; i++) crc[i] = (unsigned char)(s.crc >> (8 * i));
        s.crc = 0;
        buf_append(&s.b, crc, 8);
        rc = drain(&s);
    }
    buf_release(&s.b);
    v[0] = s.keys;
    v[1] = s.bytes;
    v[2] = (uint64_t)s.err;
    for (size_t i = 0; i < n && i < 3; i++) out[i] = v[i];
    return rc == 0 ? RD_OK : (s.err == ENOMEM ? RD_ERR_NOMEM : RD_ERR_INTERNAL);
}

/* ==== loading ================================================================================ */

/* The loader's state between steps, rd_rdb_load's state[] (RD_RDB_ST_*). */
static int load_header(rdb_reader *r, uint64_t *st) {
    char v[5] = {0};
    long ver;
    if ((size_t)(r->end - r->p) < 9 || memcmp(r->p, "REDIS", 5) != 0) return rdb_fail(r, "wrong signature");
    memcpy(v, r->p + 5, 4);
    ver = strtol(v, NULL, 10);
    if (ver < 1 || ver > RDB_VERSION) return rdb_fail(r, "can't handle this RDB format version");
    r->p += 9;
    st[RD_RDB_ST_VERSION] = (uint64_t)ver;
    return 0;
}

static int take_bytes(rdb_reader *r, unsigned char *dst, size_t n) {
    if ((size_t)(r->end - r->p) < n) return rdb_fail(r, "unexpected end of data");
    memcpy(dst, r->p, n);
    r->p += n;
    return 0;
}

/* EOF: the CRC64 of everything before the checksum (0: the writer did not compute one). */
static int load_eof(rdb_reader *r, uint64_t *st) {
    unsigned char b[8];
    uint64_t want = 0, got;
    if (st[RD_RDB_ST_VERSION] < 5) return 0;
    got = rd_crc64(0, r->start, (size_t)(r->p - r->start));
    if (take_bytes(r, b, 8) != 0) return -1;
    for (int i = 0; i < 8; i++) want |= (uint64_t)b[i] << (8 * i);
    if (want != 0 && want != got) {
        r->p -= 8;
        return rdb_fail(r, "wrong RDB checksum");
    }
    return 0;
}

static int skip_string(rdb_reader *r) {
    rdb_str s;
    if (rdb_load_string(r, &s) != 0) return -1;
    rdb_str_free(&s);
    return 0;
}

static int insert(rd_keyspace *ks, rdb_reader *r, const rdb_str *key, rdb_value *val, int64_t expire,
                  long long freq, long long idle_ms, uint64_t *st) {
    ks_view v;
    const char *keys[1] = {key->p};
    size_t klen = key->n;
    rd_status rc;
    if (ks_view_open(&v, ks, 1, keys, &klen) != RD_OK) return rdb_fail(r, "allocation failure");
    rc = ks_view_restore(&v, 0, val->type, val->obj, val->bytes, val->len, expire, freq, idle_ms);
    val->obj = NULL; /* the entry owns it, or it was freed */
    ks_view_close(&v);
    if (rc != RD_OK) return rdb_fail(r, "allocation failure");
    st[RD_RDB_ST_KEYS]++;
    return 0;
}

/* One key with the opcodes before it, or one opcode of the file's own: 1 at EOF, 0, -1. */
static int load_record(rd_keyspace *ks, rdb_reader *r, int64_t now, uint64_t *st) {
    unsigned char op, b[8];
    int64_t expire = 0;
    long long freq = -1, idle = -1;
    uint64_t len, len2;
    rdb_str key;
    rdb_value val;
    int rc = 0;
    for (;;) {
        if (take_bytes(r, &op, 1) != 0) return -1;
        switch (op) {
        case OP_EOF:
            return load_eof(r, st) == 0 ? 1 : -1;
        case OP_SELECTDB:
            if (rdb_load_len(r, &len, NULL) != 0) return -1;
            st[RD_RDB_ST_DB] = len;
            return 0;
        case OP_RESIZEDB:
            return rdb_load_len(r, &len, NULL) == 0 && rdb_load_len(r, &len2, NULL) == 0 ? 0 : -1;
        case OP_AUX:
            return skip_string(r) == 0 && skip_string(r) == 0 ? 0 : -1;
        case OP_FUNCTION2: /* a function library's code: Redistill has no functions to load it into */
            st[RD_RDB_ST_SKIPPED]++;
            return skip_string(r);
        case OP_MODULE_AUX:
            return rdb_fail(r, "module data is not supported");
        case OP_EXPIRETIME_MS:
            if (rdb_load_millis(r, &expire) != 0) return -1;
            continue;
        case OP_EXPIRETIME:
            if (take_bytes(r, b, 4) != 0) return -1;
            expire = (int64_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24) * 1000;
            continue;
        case OP_IDLE:
            if (rdb_load_len(r, &len, NULL) != 0) return -1;
            idle = len > (uint64_t)LLONG_MAX / 1000 ? LLONG_MAX : (long long)len * 1000;
            continue;
        case OP_FREQ:
            if (take_bytes(r, b, 1) != 0) return -1;
            freq = b[0];
            continue;
        default:
            break;
        }
        break;
    }
    if (rdb_load_string(r, &key) != 0) return -1;
    if (rdb_load_typed(r, op, &val) != 0) {
        rdb_str_free(&key);
        if (r->err && strcmp(r->err, "empty collection") == 0) { /* read whole: Redis skips it too */
            r->err = NULL;
            st[RD_RDB_ST_SKIPPED]++;
            return 0;
        }
        return -1;
    }
    if (st[RD_RDB_ST_DB] != 0)
        st[RD_RDB_ST_SKIPPED]++; /* Redistill has one database */
    else if (expire && expire <= now)
        st[RD_RDB_ST_EXPIRED]++; /* as a master loading: already expired keys are not loaded */
    else
        rc = insert(ks, r, &key, &val, expire, freq, idle, st);
    rdb_value_free(&val);
    rdb_str_free(&key);
    return rc;
}

rd_status rd_rdb_load(rd_keyspace *ks, const char *data, size_t n, uint64_t max_records, uint64_t *st,
                      rd_buf *err) {
    rdb_reader r;
    int64_t now = rd_now_ms();
    int rc = 0;
    rdb_reader_init(&r, data, n);
    if (st[RD_RDB_ST_OFFSET] == 0)
        rc = load_header(&r, st);
    else
        r.p += st[RD_RDB_ST_OFFSET] > n ? n : st[RD_RDB_ST_OFFSET];
    for (uint64_t i = 0; rc == 0 && i < max_records; i++) rc = load_record(ks, &r, now, st);
    st[RD_RDB_ST_OFFSET] = (uint64_t)(r.p - r.start);
    if (rc == 1) st[RD_RDB_ST_DONE] = 1;
    if (rc >= 0) return RD_OK;
    rd_buf_clear(err);
    {
        char msg[160];
        int m = snprintf(msg, sizeof msg, "Bad RDB file at offset %llu: %s", (unsigned long long)(r.p - r.start),
                         r.err ? r.err : "corrupt data");
        buf_append(err, msg, (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1);
    }
    return RD_ERR_BAD_DATA;
}
