/* cmd_dump.c: DUMP and RESTORE (RESTORE-ASKING), Redis 7.0's dumpCommand and restoreCommand over
 * the RDB value encoding of rdb.c.  MIGRATE is Python's (commands/migrate.py): it reads with DUMP
 * and PTTL, and deletes what the target acknowledged. */
#include "buf.h"
#include "ksapi.h"
#include "rdb.h"
#include "resp.h"
#include "stream.h"
#include "strconv.h"
#include "types.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* DUMP key: the payload is written under the key's stripe lock (a consistent value) straight into
 * the reply, its bulk header put in front once its length is known (no second copy of a big one). */
void tx_dump(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    int type, rc;
    void *obj = NULL;
    const char *val = NULL;
    size_t len = 0, at = x->out->len;
    int failed = x->out->failed;
    (void)argc;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (ks_view_any(&v, 0, 1, &type, &obj, &val, &len) != RD_OK) {
        ks_view_close(&v);
        resp_add_nil(x->out, x->resp);
        return;
    }
    rc = rdb_dump_payload(x->out, type, obj, val, len);
    ks_view_close(&v);
    if (rc == 0) {
        reply_patch_len(x->out, at, at, '$', (long long)(x->out->len - at));
        resp_add_raw(x->out, "\r\n", 2);
    }
    if ((rc != 0 || x->out->failed) && !failed) { /* a partial payload goes: the error instead */
        x->out->len = at;
        x->out->failed = 0;
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    }
}

typedef struct restore_opts {
    int replace, absttl;
    long long freq, idle; /* -1: not given */
} restore_opts;

/* The options after the payload, as restoreCommand reads them; 0, or -1 after writing the error. */
static int restore_options(tx_ctx *x, int argc, const char **argv, const size_t *argl, restore_opts *o) {
    o->replace = o->absttl = 0;
    o->freq = o->idle = -1;
    for (int j = 4; j < argc; j++) {
        int more = argc - j - 1;
        if (arg_is(argv[j], argl[j], "replace")) {
            o->replace = 1;
        } else if (arg_is(argv[j], argl[j], "absttl")) {
            o->absttl = 1;
        } else if (arg_is(argv[j], argl[j], "idletime") && more >= 1 && o->freq == -1) {
            if (!arg_long(x, argv[j + 1], argl[j + 1], &o->idle)) return -1;
            if (o->idle < 0) {
                resp_add_status_error(x->out, RD_ERR_RESTORE_IDLETIME);
                return -1;
            }
            j++;
        } else if (arg_is(argv[j], argl[j], "freq") && more >= 1 && o->idle == -1) {
            if (!arg_long(x, argv[j + 1], argl[j + 1], &o->freq)) return -1;
            if (o->freq < 0 || o->freq > 255) {
                resp_add_status_error(x->out, RD_ERR_RESTORE_FREQ);
                return -1;
            }
            j++;
        } else {
            reply_syntax(x->out);
            return -1;
        }
    }
    return 0;
}

/* The TTL and the payload, decoded before the key's lock is taken: RD_OK with *v, or the error
 * Redis would send once the key is known not to be busy. */
static rd_status restore_decode(const char **argv, const size_t *argl, long long *ttl, rdb_value *v) {
    rdb_reader r;
    if (!arg_ll(argv[2], argl[2], ttl)) return RD_ERR_NOTINT;
    if (*ttl < 0) return RD_ERR_RESTORE_TTL;
    if (!rdb_verify_payload(argv[3], argl[3])) return RD_ERR_DUMP_PAYLOAD;
    rdb_reader_init(&r, argv[3], argl[3]); /* as Redis's: the footer too, so a value may run into it */
    return rdb_load_value(&r, v) == 0 ? RD_OK : RD_ERR_BAD_DATA;
}

/* RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
void tx_restore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    restore_opts o;
    rdb_value val;
    long long ttl = 0;
    rd_status st;
    ks_view v;
    int t;
    void *obj;
    const char *s;
    size_t n;
    if (restore_options(x, argc, argv, argl, &o) != 0) return;
    memset(&val, 0, sizeof val);
    st = restore_decode(argv, argl, &ttl, &val);
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) {
        rdb_value_free(&val);
        return;
    }
    if (!o.replace && ks_view_any(&v, 0, 0, &t, &obj, &s, &n) == RD_OK) {
        resp_add_status_error(x->out, RD_ERR_BUSYKEY);
    } else if (st != RD_OK) {
        resp_add_status_error(x->out, st);
    } else {
        /* ttl + now wraps as Redis's long long sum does; a time already past deletes (REPLACE). */
        if (ttl && !o.absttl) ttl = (long long)((unsigned long long)ttl + (unsigned long long)v.now);
        if (ttl && ttl <= v.now) {
            if (o.replace && ks_view_delete(&v, 0)) notify(NOTIFY_GENERIC, "del", argv[1], argl[1]);
            resp_add_raw(x->out, "+OK\r\n", 5);
        } else {
            st = ks_view_restore(&v, 0, val.type, val.obj, val.bytes, val.len, ttl, o.freq,
                                 o.idle >= 0 ? (o.idle > LLONG_MAX / 1000 ? LLONG_MAX : o.idle * 1000) : -1);
            val.obj = NULL; /* the entry owns it now, or it was freed */
            if (st == RD_OK) {
                notify(NOTIFY_GENERIC, "restore", argv[1], argl[1]); /* before the reply, as Redis */
                resp_add_raw(x->out, "+OK\r\n", 5);
            } else
                resp_add_status_error(x->out, st);
        }
    }
    ks_view_close(&v);
    rdb_value_free(&val);
}
