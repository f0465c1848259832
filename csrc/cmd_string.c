/* cmd_string.c: the string commands that run in C: GET, SET, SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX,
 * STRLEN, the INCR family, INCRBYFLOAT, MGET, MSET, MSETNX, APPEND, GETRANGE/SUBSTR, SETRANGE (LCS is
 * lcs.c's).  Each writes its complete reply, errors included, in Redis's
 * order: the fast path runs them and Python runs the same handlers through rd_exec. */
#include "buf.h"
#include "ksapi.h"
#include "notify.h"
#include "resp.h"
#include "strconv.h"
#include "types.h"

#include <limits.h>
#include <string.h>

/* Option flags beyond RD_SET_* (which option gave the expiry; GETEX's PERSIST). */
enum {
    SET_EX = 16,   /* EX seconds: relative */
    SET_PX = 32,   /* PX milliseconds: relative */
    SET_EXAT = 64, /* EXAT unix seconds */
    SET_PXAT = 128, /* PXAT unix milliseconds */
    GETEX_PERSIST = 256
};
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)
#define SET_KS_FLAGS (RD_SET_NX | RD_SET_XX | RD_SET_GET | RD_SET_KEEPTTL)

/* The flag of one SET (for_set) or GETEX option word allowed after `flags`, else 0 (a syntax
 * error).  The exclusions are those of Redis 7.0 parseExtendedStringArgumentsOrReply (an
 * option never excludes itself: "EX 1 EX 2" is legal and the last wins). */
static int string_option(const char *a, size_t n, int flags, int has_next, int for_set) {
    if (for_set) {
        if (arg_is(a, n, "nx") && !(flags & RD_SET_XX)) return RD_SET_NX;
        if (arg_is(a, n, "xx") && !(flags & RD_SET_NX)) return RD_SET_XX;
        if (arg_is(a, n, "get")) return RD_SET_GET;
        if (arg_is(a, n, "keepttl") && !(flags & SET_ANY_EXPIRE)) return RD_SET_KEEPTTL;
    } else if (arg_is(a, n, "persist") && !(flags & SET_ANY_EXPIRE)) {
        return GETEX_PERSIST;
    }
    if (!has_next || (flags & (RD_SET_KEEPTTL | GETEX_PERSIST))) return 0;
    if (arg_is(a, n, "ex") && !(flags & (SET_ANY_EXPIRE & ~SET_EX))) return SET_EX;
    if (arg_is(a, n, "px") && !(flags & (SET_ANY_EXPIRE & ~SET_PX))) return SET_PX;
    if (arg_is(a, n, "exat") && !(flags & (SET_ANY_EXPIRE & ~SET_EXAT))) return SET_EXAT;
    if (arg_is(a, n, "pxat") && !(flags & (SET_ANY_EXPIRE & ~SET_PXAT))) return SET_PXAT;
    return 0;
}

/* SET's options from argv[3], GETEX's from argv[2], added to *flags and *exp (the index of the
 * expiry's argument), both 0 before: 0, or -1 after writing the syntax error. */
static int string_options(tx_ctx *x, int argc, const char **argv, const size_t *argl, int for_set,
                          int *flags, int *exp) {
    for (int j = for_set ? 3 : 2; j < argc; j++) {
        int f = string_option(argv[j], argl[j], *flags, j + 1 < argc, for_set);
        if (!f) {
            reply_syntax(x->out);
            return -1;
        }
        *flags |= f;
        if (f & SET_ANY_EXPIRE) *exp = ++j;
    }
    return 0;
}

enum { EXPIRE_OK = 0, EXPIRE_NOTINT, EXPIRE_INVALID };

/* Redis getExpireMillisecondsOrReply's checks: an integer, positive, and no overflow turning it
 * into absolute milliseconds (the unit from flags).  EXPIRE_OK with *at, or the error's kind. */
static int expire_ms(const char *a, size_t n, int flags, int64_t now, int64_t *at) {
    long long ms;
    if (!str2ll(a, n, &ms)) return EXPIRE_NOTINT;
    if (ms <= 0) return EXPIRE_INVALID;
    if (flags & (SET_EX | SET_EXAT)) {
        if (ms > LLONG_MAX / 1000) return EXPIRE_INVALID;
        ms *= 1000;
    }
    if (flags & (SET_EX | SET_PX)) {
        if (ms > LLONG_MAX - now) return EXPIRE_INVALID;
        ms += now;
    }
    *at = ms;
    return EXPIRE_OK;
}

static void reply_expire_error(rd_buf *out, int kind, const char *command) {
    if (kind == EXPIRE_NOTINT)
        resp_add_status_error(out, RD_ERR_NOTINT);
    else
        resp_add_status_errorf(out, RD_ERR_EXPIRE, command);
}

/* The expiry argument a as an absolute time: 0 with *at, or -1 after writing the error. */
static int expire_arg(tx_ctx *x, const char *a, size_t n, int flags, const char *command, int64_t *at) {
    int kind = expire_ms(a, n, flags, x->now, at);
    if (kind == EXPIRE_OK) return 0;
    reply_expire_error(x->out, kind, command);
    return -1;
}

/* GET key */
void cmd_get(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rd_status st = ks_get(x->ks, argv[1], argl[1], x->now, resp_bulk_sink, x->out);
    if (st == RD_NOT_FOUND)
        resp_add_nil(x->out, x->resp);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
}

/* setGenericCommand's events for a SET that happened (with an expiry: at). */
static __attribute__((cold, noinline)) void notify_set(const char *key, size_t klen, int64_t at) {
    notify(NOTIFY_STRING, "set", key, klen);
    if (at) notify(NOTIFY_GENERIC, "expire", key, klen);
}

/* setGenericCommand once the arguments are checked: +OK, or with RD_SET_GET the old value (nil
 * without one, whether or not NX/XX let the write happen); nil when NX/XX stopped a plain SET. */
static inline void set_reply(tx_ctx *x, const char *key, size_t klen, const char *val, size_t vlen,
                             int flags, int64_t at) {
    int found = 0;
    rd_status st = ks_set(x->ks, key, klen, val, vlen, flags, at, x->now, resp_bulk_sink, x->out, &found);
    if (st == RD_OK && notify_enabled()) notify_set(key, klen, at);
    if (st != RD_OK && st != RD_NOT_DONE)
        resp_add_status_error(x->out, st);
    else if ((flags & RD_SET_GET) && !found)
        resp_add_nil(x->out, x->resp);
    else if (!(flags & RD_SET_GET))
        st == RD_OK ? resp_add_raw(x->out, "+OK\r\n", 5) : resp_add_nil(x->out, x->resp);
}

/* SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL] */
void cmd_set(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int flags = 0, exp = 0;
    int64_t at = 0;
    if (argc > 3 && string_options(x, argc, argv, argl, 1, &flags, &exp) < 0) return;
    if (exp && expire_arg(x, argv[exp], argl[exp], flags, "set", &at) < 0) return;
    set_reply(x, argv[1], argl[1], argv[2], argl[2], flags & SET_KS_FLAGS, at);
}

/* GETSET key value   (SET key value GET: the expiry is cleared) */
void tx_getset(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    set_reply(x, argv[1], argl[1], argv[2], argl[2], RD_SET_GET, 0);
}

/* GETDEL key */
void tx_getdel(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rd_status st = ks_getex(x->ks, argv[1], argl[1], RD_GETEX_DEL, 0, x->now, resp_bulk_sink, x->out);
    if (st == RD_NOT_FOUND)
        resp_add_nil(x->out, x->resp);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
}

/* GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST] */
void tx_getex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int flags = 0, exp = 0, bad = EXPIRE_OK, mode = RD_GETEX_KEEP;
    int64_t at = 0;
    if (string_options(x, argc, argv, argl, 0, &flags, &exp) < 0) return;
    if (exp) bad = expire_ms(argv[exp], argl[exp], flags, x->now, &at);
    if (exp && !bad) mode = RD_GETEX_AT;
    if (flags & GETEX_PERSIST) mode = RD_GETEX_PERSIST;
    /* getexCommand checks the time only once it found a string there: a missing key is nil,
     * another type WRONGTYPE, and only then a bad time is an error (nothing changed). */
    rd_status st = ks_getex(x->ks, argv[1], argl[1], mode, at, x->now, bad ? NULL : resp_bulk_sink, x->out);
    if (st == RD_NOT_FOUND)
        resp_add_nil(x->out, x->resp);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
    else if (bad)
        reply_expire_error(x->out, bad, "getex");
}

static void incr_reply(tx_ctx *x, const char *key, size_t klen, int64_t delta) {
    int64_t v;
    rd_status st = ks_incrby(x->ks, key, klen, delta, x->now, &v);
    if (st == RD_OK) notify(NOTIFY_STRING, "incrby", key, klen);
    if (st == RD_OK)
        resp_add_int(x->out, v);
    else
        resp_add_status_error(x->out, st);
}

/* INCR key */
void cmd_incr(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    incr_reply(x, argv[1], argl[1], 1);
}

/* DECR key */
void cmd_decr(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    incr_reply(x, argv[1], argl[1], -1);
}

/* INCRBY key increment */
void cmd_incrby(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long d;
    (void)argc;
    if (!str2ll(argv[2], argl[2], &d))
        resp_add_status_error(x->out, RD_ERR_NOTINT);
    else
        incr_reply(x, argv[1], argl[1], d);
}

/* DECRBY key decrement */
void cmd_decrby(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long d;
    (void)argc;
    if (!str2ll(argv[2], argl[2], &d))
        resp_add_status_error(x->out, RD_ERR_NOTINT);
    else if (d == LLONG_MIN) /* cannot be negated; Redis 7.0 checks it before reading the key */
        resp_add_status_error(x->out, RD_ERR_DECR_OVERFLOW);
    else
        incr_reply(x, argv[1], argl[1], -d);
}

/* MGET's element writer: wrong-type and missing keys are both nil. */
static int mget_sink(void *ctx, const char *v, size_t n) {
    tx_ctx *x = ctx;
    if (v)
        resp_add_bulk(x->out, v, n);
    else
        resp_add_nil(x->out, x->resp);
    return x->out->failed ? -1 : 0;
}

/* MGET key [key ...] */
void cmd_mget(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    size_t mark = x->out->len;
    resp_add_array_len(x->out, argc - 1);
    rd_status st = ks_mget(x->ks, argc - 1, argv + 1, argl + 1, x->now, mget_sink, x);
    if (st != RD_OK) {
        x->out->len = mark; /* drop the half-written array */
        x->out->failed = 0;
        resp_add_status_error(x->out, st);
    }
}

/* MSET/MSETNX's pairs: 1, or 0 after the arity error (the rule the table cannot express, as in Redis). */
static int pairs_ok(tx_ctx *x, int argc, const char *command) {
    if ((argc - 1) % 2 == 0) return 1;
    resp_add_status_errorf(x->out, RD_ERR_ARITY, command);
    return 0;
}

/* MSET key value [key value ...] */
void cmd_mset(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    if (!pairs_ok(x, argc, "mset")) return;
    rd_status st = ks_mset(x->ks, (argc - 1) / 2, argv + 1, argl + 1, argv + 2, argl + 2, 2, x->now);
    if (st == RD_OK)
        resp_add_raw(x->out, "+OK\r\n", 5);
    else
        resp_add_status_error(x->out, st);
}

/* SETNX key value */
void cmd_setnx(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rd_status st = ks_set(x->ks, argv[1], argl[1], argv[2], argl[2], RD_SET_NX, 0, x->now, NULL,
                          NULL, NULL);
    if (st == RD_OK && notify_enabled()) notify_set(argv[1], argl[1], 0);
    if (st == RD_OK || st == RD_NOT_DONE)
        resp_add_int(x->out, st == RD_OK);
    else
        resp_add_status_error(x->out, st);
}

/* SETEX key seconds value / PSETEX key milliseconds value: SET with EX / PX. */
static void set_with_expire(tx_ctx *x, const char **argv, const size_t *argl, int unit,
                            const char *command) {
    int64_t at;
    if (expire_arg(x, argv[2], argl[2], unit, command, &at) < 0) return;
    set_reply(x, argv[1], argl[1], argv[3], argl[3], 0, at);
}

/* SETEX key seconds value */
void cmd_setex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    set_with_expire(x, argv, argl, SET_EX, "setex");
}

/* PSETEX key milliseconds value */
void cmd_psetex(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    set_with_expire(x, argv, argl, SET_PX, "psetex");
}

static int length_sink(void *ctx, const char *v, size_t n) {
    (void)v;
    *(size_t *)ctx = n;
    return 0;
}

/* STRLEN key */
void cmd_strlen(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    size_t n = 0;
    (void)argc;
    rd_status st = ks_get(x->ks, argv[1], argl[1], x->now, length_sink, &n);
    if (st == RD_OK || st == RD_NOT_FOUND)
        resp_add_int(x->out, (long long)n);
    else
        resp_add_status_error(x->out, st);
}

/* MSETNX key value [key value ...] */
void tx_msetnx(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    if (!pairs_ok(x, argc, "msetnx")) return;
    rd_status st = ks_msetnx(x->ks, (argc - 1) / 2, argv + 1, argl + 1, argv + 2, argl + 2, 2, x->now);
    if (st == RD_OK || st == RD_NOT_DONE)
        resp_add_int(x->out, st == RD_OK);
    else
        resp_add_status_error(x->out, st);
}

/* INCRBYFLOAT key increment   (the increment is parsed after the key's type and value, as Redis) */
void tx_incrbyfloat(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    char text[KS_MAX_FLOAT_CHARS];
    size_t n = 0;
    (void)argc;
    rd_status st = ks_incrbyfloat(x->ks, argv[1], argl[1], argv[2], argl[2], x->now, text, &n);
    if (st == RD_OK) notify(NOTIFY_STRING, "incrbyfloat", argv[1], argl[1]);
    if (st == RD_OK)
        resp_add_bulk(x->out, text, n);
    else
        resp_add_status_error(x->out, st);
}

/* GETRANGE key start end */
void tx_getrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long start, end;
    (void)argc;
    if (!arg_long(x, argv[2], argl[2], &start) || !arg_long(x, argv[3], argl[3], &end)) return;
    rd_status st = ks_getrange(x->ks, argv[1], argl[1], start, end, x->now, resp_bulk_sink, x->out);
    if (st == RD_NOT_FOUND)
        resp_add_bulk(x->out, "", 0);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
}

/* SUBSTR key start end   (GETRANGE's old name) */
void tx_substr(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    tx_getrange(x, argc, argv, argl);
}

/* SETRANGE / APPEND once the arguments are checked: the string's new length.  The size limit is
 * proto-max-bulk-len as CONFIG SET left it (Redis's checkStringLength). */
static void write_range(tx_ctx *x, const char *key, size_t klen, long long offset, const char *v,
                        size_t n) {
    long long max = resp_max_bulk_len();
    int64_t len = 0;
    rd_status st = ks_setrange(x->ks, key, klen, offset, v, n, max < 0 ? 0 : (uint64_t)max, x->now, &len);
    if (st == RD_OK && (offset < 0 || n)) notify(NOTIFY_STRING, offset < 0 ? "append" : "setrange", key, klen);
    if (st == RD_OK)
        resp_add_int(x->out, len);
    else
        resp_add_status_error(x->out, st);
}

/* APPEND key value */
void tx_append(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    write_range(x, argv[1], argl[1], -1, argv[2], argl[2]);
}

/* SETRANGE key offset value */
void tx_setrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long offset;
    (void)argc;
    if (!arg_long(x, argv[2], argl[2], &offset)) return;
    if (offset < 0) {
        resp_add_status_error(x->out, RD_ERR_OFFSET_RANGE);
        return;
    }
    write_range(x, argv[1], argl[1], offset, argv[3], argl[3]);
}
