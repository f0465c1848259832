/* cmd_string.c: the string commands the C fast path serves (GET, SET, INCR family, MGET, MSET). */
#include "internal.h"

#include <limits.h>
#include <string.h>

/* SET option flags beyond RD_SET_* (which option gave the expiry). */
enum {
    SET_EX = 16,   /* EX seconds: relative */
    SET_PX = 32,   /* PX milliseconds: relative */
    SET_EXAT = 64, /* EXAT unix seconds */
    SET_PXAT = 128 /* PXAT unix milliseconds */
};
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/* Redis compares options as C strings, so "nx\0junk" still reads as NX. */
static int opt_is(const char *arg, size_t len, const char *name) {
    size_t i = 0;
    for (; name[i]; i++) {
        char c = i < len ? arg[i] : '\0';
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != name[i]) return 0;
    }
    return i == len || arg[i] == '\0';
}

/* Returns the option's flag when it is allowed after `flags`, else 0.  The
 * exclusions are those of Redis 7.0 parseExtendedStringArgumentsOrReply (an
 * option never excludes itself: "EX 1 EX 2" is legal and the last wins). */
static int set_option(const char *a, size_t n, int flags, int has_next) {
    if (opt_is(a, n, "nx") && !(flags & RD_SET_XX)) return RD_SET_NX;
    if (opt_is(a, n, "xx") && !(flags & RD_SET_NX)) return RD_SET_XX;
    if (opt_is(a, n, "get")) return RD_SET_GET;
    if (opt_is(a, n, "keepttl") && !(flags & SET_ANY_EXPIRE)) return RD_SET_KEEPTTL;
    if (!has_next || (flags & RD_SET_KEEPTTL)) return 0;
    if (opt_is(a, n, "ex") && !(flags & (SET_ANY_EXPIRE & ~SET_EX))) return SET_EX;
    if (opt_is(a, n, "px") && !(flags & (SET_ANY_EXPIRE & ~SET_PX))) return SET_PX;
    if (opt_is(a, n, "exat") && !(flags & (SET_ANY_EXPIRE & ~SET_EXAT))) return SET_EXAT;
    if (opt_is(a, n, "pxat") && !(flags & (SET_ANY_EXPIRE & ~SET_PXAT))) return SET_PXAT;
    return 0;
}

/* Redis getExpireMillisecondsOrReply: positive, and no overflow turning it
 * into absolute milliseconds.  0 = valid (*at set), -1 = Python's error. */
static int set_expire_at(const char *a, size_t n, int flags, int64_t now, int64_t *at) {
    long long ms;
    if (!str2ll(a, n, &ms) || ms <= 0) return -1;
    if (flags & (SET_EX | SET_EXAT)) {
        if (ms > LLONG_MAX / 1000) return -1;
        ms *= 1000;
    }
    if (flags & (SET_EX | SET_PX)) {
        if (ms > LLONG_MAX - now) return -1;
        ms += now;
    }
    *at = ms;
    return 0;
}

/* GET key */
int cmd_get(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rd_status st = ks_get(x->ks, argv[1], argl[1], x->now, resp_bulk_sink, x->out);
    if (st == RD_NOT_FOUND)
        resp_add_nil(x->out, x->resp);
    else if (st != RD_OK)
        resp_add_status_error(x->out, st);
    return FP_DONE;
}

/* SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL] */
int cmd_set(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    int flags = 0, found = 0, exp_arg = 0;
    int64_t at = 0;
    rd_status st;

    for (int j = 3; j < argc; j++) {
        int f = set_option(argv[j], argl[j], flags, j + 1 < argc);
        if (!f) return FP_SLOW; /* syntax error: Python writes it */
        flags |= f;
        if (f & SET_ANY_EXPIRE) exp_arg = ++j;
    }
    if (exp_arg && set_expire_at(argv[exp_arg], argl[exp_arg], flags, x->now, &at) < 0)
        return FP_SLOW;

    st = ks_set(x->ks, argv[1], argl[1], argv[2], argl[2], flags & 15, at, x->now,
                resp_bulk_sink, x->out, &found);
    if (st != RD_OK && st != RD_NOT_DONE)
        resp_add_status_error(x->out, st);
    else if ((flags & RD_SET_GET) && !found)
        resp_add_nil(x->out, x->resp);
    else if (!(flags & RD_SET_GET))
        st == RD_OK ? resp_add_raw(x->out, "+OK\r\n", 5) : resp_add_nil(x->out, x->resp);
    return FP_DONE;
}

static int incr_generic(fp_ctx *x, const char *key, size_t klen, int64_t delta) {
    int64_t v;
    rd_status st = ks_incrby(x->ks, key, klen, delta, x->now, &v);
    if (st == RD_OK)
        resp_add_int(x->out, v);
    else
        resp_add_status_error(x->out, st);
    return FP_DONE;
}

/* INCR key */
int cmd_incr(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    return incr_generic(x, argv[1], argl[1], 1);
}

/* DECR key */
int cmd_decr(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    return incr_generic(x, argv[1], argl[1], -1);
}

/* INCRBY key increment */
int cmd_incrby(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long d;
    (void)argc;
    if (!str2ll(argv[2], argl[2], &d)) return FP_SLOW;
    return incr_generic(x, argv[1], argl[1], d);
}

/* DECRBY key decrement */
int cmd_decrby(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long d;
    (void)argc;
    /* LLONG_MIN cannot be negated: Redis answers "decrement would overflow". */
    if (!str2ll(argv[2], argl[2], &d) || d == LLONG_MIN) return FP_SLOW;
    return incr_generic(x, argv[1], argl[1], -d);
}

/* MGET's element writer: wrong-type and missing keys are both nil. */
static int mget_sink(void *ctx, const char *v, size_t n) {
    fp_ctx *x = ctx;
    if (v)
        resp_add_bulk(x->out, v, n);
    else
        resp_add_nil(x->out, x->resp);
    return x->out->failed ? -1 : 0;
}

/* MGET key [key ...] */
int cmd_mget(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    size_t mark = x->out->len;
    resp_add_array_len(x->out, argc - 1);
    rd_status st = ks_mget(x->ks, argc - 1, argv + 1, argl + 1, x->now, mget_sink, x);
    if (st != RD_OK) {
        x->out->len = mark; /* drop the half-written array */
        x->out->failed = 0;
        resp_add_status_error(x->out, st);
    }
    return FP_DONE;
}

/* MSET key value [key value ...] */
int cmd_mset(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    if ((argc - 1) % 2 != 0) return FP_SLOW; /* Redis's wrong-arity error */
    rd_status st = ks_mset(x->ks, (argc - 1) / 2, argv + 1, argl + 1, argv + 2, argl + 2, 2, x->now);
    if (st == RD_OK)
        resp_add_raw(x->out, "+OK\r\n", 5);
    else
        resp_add_status_error(x->out, st);
    return FP_DONE;
}

/* ---- SETNX, SETEX, PSETEX, STRLEN --------------------------------------------- */

/* SETNX key value */
int cmd_setnx(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rd_status st = ks_set(x->ks, argv[1], argl[1], argv[2], argl[2], RD_SET_NX, 0, x->now, NULL,
                          NULL, NULL);
    if (st == RD_OK || st == RD_NOT_DONE)
        resp_add_int(x->out, st == RD_OK);
    else
        resp_add_status_error(x->out, st);
    return FP_DONE;
}

/* SETEX key seconds value / PSETEX key milliseconds value: SET with EX / PX. */
static int set_with_expire(fp_ctx *x, const char **argv, const size_t *argl, int unit) {
    int64_t at;
    if (set_expire_at(argv[2], argl[2], unit, x->now, &at) < 0) return FP_SLOW;
    rd_status st = ks_set(x->ks, argv[1], argl[1], argv[3], argl[3], 0, at, x->now, NULL, NULL, NULL);
    if (st == RD_OK)
        resp_add_raw(x->out, "+OK\r\n", 5);
    else
        resp_add_status_error(x->out, st);
    return FP_DONE;
}

int cmd_setex(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    return set_with_expire(x, argv, argl, SET_EX);
}

int cmd_psetex(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    return set_with_expire(x, argv, argl, SET_PX);
}

static int length_sink(void *ctx, const char *v, size_t n) {
    (void)v;
    *(size_t *)ctx = n;
    return 0;
}

/* STRLEN key */
int cmd_strlen(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    size_t n = 0;
    (void)argc;
    rd_status st = ks_get(x->ks, argv[1], argl[1], x->now, length_sink, &n);
    if (st == RD_OK || st == RD_NOT_FOUND)
        resp_add_int(x->out, (long long)n);
    else
        resp_add_status_error(x->out, st);
    return FP_DONE;
}
