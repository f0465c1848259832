/* cmd_keys.c: the generic key commands (Redis's db.c, expire.c, object.c): each checks its own
 * arguments and writes its whole reply, errors included, in Redis 7.0's order, over the keyspace
 * calls of ks_keys.c and keyspace.c.  The fast path and rd_exec run the same handler. */
#include "ksapi.h"
#include "notify.h"
#include "resp.h"
#include "types.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void reply_ok(rd_buf *out) { resp_add_raw(out, "+OK\r\n", 5); }

/* A reply of status-code form "+text\r\n" (TYPE). */
static void reply_status(rd_buf *out, const char *text) {
    resp_add_raw(out, "+", 1);
    resp_add_raw(out, text, strlen(text));
    resp_add_raw(out, "\r\n", 2);
}

/* A command that can fill a key a blocked client waits on (the table's wakes), on the fast path
 * while one is blocked: left to Python, which serves the waiters after it (see tx_open). */
static int deferred(tx_ctx *x) {
    if (!x->defer || !clients_blocked()) return 0;
    resp_add_status_error(x->out, RD_ERR_DEFERRED);
    return 1;
}

/* DEL, EXISTS or TOUCH of argv[1..]: one key alone takes the single-stripe call; several
 * are one instant under all their stripes (ks_multi), as Redis runs them. */
static void multi_key(tx_ctx *x, int op, int argc, const char **argv, const size_t *argl) {
    int64_t n = 0;
    rd_status st = RD_OK;
    if (argc == 2 && op != RD_MULTI_TOUCH)
        n = (op == RD_MULTI_DEL ? ks_del : ks_exists)(x->ks, argv[1], argl[1], x->now) == RD_OK;
    else
        st = ks_multi(x->ks, op, argc - 1, argv + 1, argl + 1, x->now, &n);
    if (st == RD_OK)
        resp_add_int(x->out, n);
    else
        resp_add_status_error(x->out, st); /* out of memory for the hashes: nothing done */
}

/* DEL key [key ...], and UNLINK (the table's c_fn: freeing is cheap here, the same as DEL) */
void cmd_del(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    multi_key(x, RD_MULTI_DEL, argc, argv, argl);
}

/* EXISTS key [key ...]  (a key named twice counts twice) */
void cmd_exists(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    multi_key(x, RD_MULTI_EXISTS, argc, argv, argl);
}

/* TOUCH key [key ...] */
void tx_touch(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    multi_key(x, RD_MULTI_TOUCH, argc, argv, argl);
}

/* ---- expiry ------------------------------------------------------------------------------- */

/* parseExtendedExpireArgumentsOrReply: NX|XX|GT|LT from argv[3] as RD_EXP_* flags; -1 after
 * writing the error. */
static int expire_flags(rd_buf *out, int argc, const char **argv, const size_t *argl) {
    static const char *const words[] = {"nx", "xx", "gt", "lt"};
    static const int bits[] = {RD_EXP_NX, RD_EXP_XX, RD_EXP_GT, RD_EXP_LT};
    int flags = 0;
    for (int j = 3; j < argc; j++) {
        int w = 0;
        while (w < 4 && !arg_is(argv[j], argl[j], words[w])) w++;
        if (w == 4) {
            resp_add_status_error_words(out, RD_ERR_EXPIRE_OPTION, &argv[j], &argl[j]);
            return -1;
        }
        flags |= bits[w];
    }
    if ((flags & RD_EXP_NX) && (flags & (RD_EXP_XX | RD_EXP_GT | RD_EXP_LT))) {
        resp_add_status_error(out, RD_ERR_EXPIRE_NX);
        return -1;
    }
    if ((flags & RD_EXP_GT) && (flags & RD_EXP_LT)) {
        resp_add_status_error(out, RD_ERR_EXPIRE_GT_LT);
        return -1;
    }
    return flags;
}

/* expireGenericCommand: basetime is now for the relative forms, 0 for the absolute ones; unit
 * is ms per unit.  Negative times are allowed (they delete the key); only an overflow of the
 * unit conversion or of the basetime addition is an invalid expire time. */
static void expire_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int64_t basetime,
                           long long unit, const char *name) {
    int flags = expire_flags(x->out, argc, argv, argl);
    long long when;
    if (flags < 0 || !arg_long(x, argv[2], argl[2], &when)) return;
    if (when > LLONG_MAX / unit || when < LLONG_MIN / unit || (when *= unit) > LLONG_MAX - basetime) {
        resp_add_status_errorf(x->out, RD_ERR_EXPIRE, name);
        return;
    }
    rd_status st = rd_ks_expire(x->ks, argv[1], argl[1], when + basetime, flags);
    int gone = st == RD_OK && when + basetime <= rd_now_ms(); /* a time not in the future deleted it */
    if (gone) notify(NOTIFY_GENERIC, "del", argv[1], argl[1]); /* before the reply, as Redis; "expire" after */
    if (st == RD_ERR_NOMEM)
        resp_add_status_error(x->out, st);
    else
        resp_add_int(x->out, st == RD_OK);
    if (st == RD_OK && !gone) notify(NOTIFY_GENERIC, "expire", argv[1], argl[1]);
}

/* EXPIRE key seconds [NX|XX|GT|LT] */
void tx_expire(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    expire_generic(x, argc, argv, argl, x->now, 1000, "expire");
}

/* PEXPIRE key milliseconds [NX|XX|GT|LT] */
void tx_pexpire(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    expire_generic(x, argc, argv, argl, x->now, 1, "pexpire");
}

/* EXPIREAT key unix-time-seconds [NX|XX|GT|LT] */
void tx_expireat(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    expire_generic(x, argc, argv, argl, 0, 1000, "expireat");
}

/* PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] */
void tx_pexpireat(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    expire_generic(x, argc, argv, argl, 0, 1, "pexpireat");
}

/* ttlGenericCommand's seconds: rounded to the nearest. */
static long long to_seconds(int64_t ms) { return ms < 0 ? ms : (ms + 500) / 1000; }

static int64_t pttl_of(tx_ctx *x, const char *key, size_t klen) {
    int64_t ms;
    return rd_ks_pttl(x->ks, key, klen, &ms) == RD_OK ? ms : -2;
}

/* TTL key */
void tx_ttl(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, to_seconds(pttl_of(x, argv[1], argl[1])));
}

/* PTTL key */
void tx_pttl(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, pttl_of(x, argv[1], argl[1]));
}

/* The key's facts (rd_ks_key_info), counted as a keyspace hit or miss when `flags` say so;
 * 0 when the key is absent. */
static int key_facts(tx_ctx *x, const char *key, size_t klen, int flags, int64_t *info) {
    return rd_ks_key_info(x->ks, key, klen, flags, info, RD_INFO_NFIELDS) == RD_OK;
}

/* The absolute expiry in ms, -1 without one, -2 without the key. */
static int64_t expiretime_of(tx_ctx *x, const char *key, size_t klen) {
    int64_t info[RD_INFO_NFIELDS];
    if (!key_facts(x, key, klen, RD_INFO_STATS, info)) return -2;
    return info[RD_INFO_EXPIRE] ? info[RD_INFO_EXPIRE] : -1;
}

/* EXPIRETIME key */
void tx_expiretime(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, to_seconds(expiretime_of(x, argv[1], argl[1])));
}

/* PEXPIRETIME key */
void tx_pexpiretime(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, expiretime_of(x, argv[1], argl[1]));
}

/* PERSIST key */
void tx_persist(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, rd_ks_persist(x->ks, argv[1], argl[1]) == RD_OK);
}

/* TYPE key */
void tx_type(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int64_t info[RD_INFO_NFIELDS];
    (void)argc;
    reply_status(x->out, key_facts(x, argv[1], argl[1], RD_INFO_STATS, info)
                             ? rd_type_name((int)info[RD_INFO_TYPE]) : "none");
}

/* ---- the whole keyspace: the table runs these without the dispatcher's hold of the gate
 * (gate "own"), never on the fast path (whose batch holds it shared), so that each takes it
 * exclusive itself and is one instant for every other client. ------------------------------ */

/* DBSIZE */
void tx_dbsize(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    uint64_t stats[RD_KS_NSTATS];
    (void)argc, (void)argv, (void)argl;
    rd_ks_stats(x->ks, stats, RD_KS_NSTATS);
    resp_add_int(x->out, (long long)stats[RD_KS_KEYS]);
}

/* FLUSHALL / FLUSHDB [ASYNC|SYNC] (getFlushCommandFlags; one database, so the same).  Both swap
 * every stripe's table under the gate exclusive; SYNC frees the old keys in this thread before
 * replying and hands the emptied heap back, as Redis's allocator would; ASYNC frees them on a
 * thread of their own (Redis's lazyfree). */
static void flush(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int async = argc == 2 && arg_is(argv[1], argl[1], "async");
    rd_status st;
    if (argc > 2 || (argc == 2 && !async && !arg_is(argv[1], argl[1], "sync"))) {
        reply_syntax(x->out);
        return;
    }
    st = async ? rd_ks_flush_async(x->ks) : rd_ks_flush(x->ks);
    if (st != RD_OK) {
        resp_add_status_error(x->out, st);
        return;
    }
    if (!async) rd_release_free_memory();
    reply_ok(x->out);
}

void tx_flushdb(tx_ctx *x, int argc, const char **argv, const size_t *argl) { flush(x, argc, argv, argl); }

void tx_flushall(tx_ctx *x, int argc, const char **argv, const size_t *argl) { flush(x, argc, argv, argl); }

/* rd_ks_scan's records (an 8-byte native length, then the key) as a RESP array of bulks. */
static void reply_records(rd_buf *out, const rd_buf *recs) {
    long long n = 0;
    uint64_t len;
    for (size_t pos = 0; pos < recs->len; pos += sizeof len + len, n++) memcpy(&len, recs->data + pos, sizeof len);
    resp_add_array_len(out, n);
    for (size_t pos = 0; pos < recs->len; pos += sizeof len + len) {
        memcpy(&len, recs->data + pos, sizeof len);
        resp_add_bulk(out, recs->data + pos + sizeof len, (size_t)len);
    }
}

/* KEYS pattern  (one instant: rd_ks_keys holds the gate exclusive) */
void tx_keys(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    rd_buf recs;
    (void)argc;
    buf_init(&recs);
    if (rd_ks_keys(x->ks, argv[1], argl[1], &recs) == RD_OK)
        reply_records(x->out, &recs);
    else
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    buf_release(&recs);
}

/* RANDOMKEY  ("no key" only at an instant the keyspace is empty: rd_ks_randomkey) */
void tx_randomkey(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    rd_buf key;
    rd_status st;
    (void)argc, (void)argv, (void)argl;
    buf_init(&key);
    st = rd_ks_randomkey(x->ks, &key);
    if (st == RD_OK)
        resp_add_bulk(x->out, key.data, key.len);
    else if (st == RD_NOT_FOUND)
        resp_add_nil(x->out, x->resp);
    else
        resp_add_status_error(x->out, st);
    buf_release(&key);
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]  (stripe by stripe, under the shared
 * hold of any other command: SCAN promises only what Redis's cursor does over a whole pass) */
void tx_scan(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    uint64_t cursor, next;
    scan_opts o;
    int type = -1;
    rd_buf recs;
    char digits[24];
    if (scan_cursor(x->out, argv[1], argl[1], &cursor) != 0 ||
        scan_opts_parse(x->out, argc, argv, argl, 2, &o, &type) != 0)
        return;
    buf_init(&recs);
    if (rd_ks_scan(x->ks, cursor, (uint64_t)o.count, o.pat, o.plen, type, &next, &recs) == RD_OK) {
        resp_add_array_len(x->out, 2);
        resp_add_bulk(x->out, digits, (size_t)snprintf(digits, sizeof digits, "%llu", (unsigned long long)next));
        reply_records(x->out, &recs);
    } else {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
    }
    buf_release(&recs);
}

/* ---- RENAME, RENAMENX, COPY ---------------------------------------------------------------- */

/* renameGenericCommand's events. */
static void notify_rename(const char **argv, const size_t *argl) {
    notify(NOTIFY_GENERIC, "rename_from", argv[1], argl[1]);
    notify(NOTIFY_GENERIC, "rename_to", argv[2], argl[2]);
}

static void rename_generic(tx_ctx *x, const char **argv, const size_t *argl, int nx) {
    rd_status st;
    if (deferred(x)) return;
    st = rd_ks_rename(x->ks, argv[1], argl[1], argv[2], argl[2], nx);
    if (st == RD_OK && !(argl[1] == argl[2] && memcmp(argv[1], argv[2], argl[1]) == 0)) notify_rename(argv, argl);
    if (st == RD_NOT_FOUND)
        resp_add_status_error(x->out, RD_ERR_NOSUCHKEY);
    else if (st != RD_OK && st != RD_NOT_DONE)
        resp_add_status_error(x->out, st);
    else if (nx)
        resp_add_int(x->out, st == RD_OK);
    else
        reply_ok(x->out); /* RENAME k k: nothing done, still OK */
}

/* RENAME key newkey */
void tx_rename(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rename_generic(x, argv, argl, 0);
}

/* RENAMENX key newkey */
void tx_renamenx(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    rename_generic(x, argv, argl, 1);
}

/* COPY source destination [DB destination-db] [REPLACE]  (one database: DB other than 0 is out
 * of range, after getIntFromObjectOrReply's check) */
void tx_copy(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int replace = 0;
    long long db;
    rd_status st;
    for (int j = 3; j < argc; j++) {
        if (arg_is(argv[j], argl[j], "replace")) {
            replace = 1;
        } else if (arg_is(argv[j], argl[j], "db") && j + 1 < argc) {
            if (!arg_long(x, argv[j + 1], argl[j + 1], &db)) return;
            if (db < INT_MIN || db > INT_MAX) { /* getIntFromObjectOrReply */
                resp_add_status_errorf(x->out, RD_ERR_LONGRANGE, (long)INT_MIN, (long)INT_MAX);
                return;
            }
            if (db != 0) {
                resp_add_status_error(x->out, RD_ERR_DB_INDEX);
                return;
            }
            j++;
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (argl[1] == argl[2] && memcmp(argv[1], argv[2], argl[1]) == 0) {
        resp_add_status_error(x->out, RD_ERR_SAME_OBJECT);
        return;
    }
    if (deferred(x)) return;
    st = rd_ks_copy(x->ks, argv[1], argl[1], argv[2], argl[2], replace);
    if (st == RD_OK) notify(NOTIFY_GENERIC, "copy_to", argv[2], argl[2]);
    if (st == RD_OK || st == RD_NOT_DONE || st == RD_NOT_FOUND)
        resp_add_int(x->out, st == RD_OK);
    else
        resp_add_status_error(x->out, st);
}

/* ---- OBJECT and MEMORY USAGE: what the entry really is here, named as Redis names it ------- */

#define SHARED_REFCOUNT INT_MAX /* Redis's OBJ_SHARED_REFCOUNT */

/* One OBJECT subcommand's reply for a key that exists (info: its facts). */
static void object_reply(tx_ctx *x, const char *sub, size_t sublen, const int64_t *info) {
    if (arg_is(sub, sublen, "encoding")) {
        const char *name = rd_encoding_name((int)info[RD_INFO_ENCODING]);
        resp_add_bulk(x->out, name, strlen(name));
    } else if (arg_is(sub, sublen, "refcount")) {
        resp_add_int(x->out, info[RD_INFO_SHARED_INT] && ks_shared_integers(x->ks) ? SHARED_REFCOUNT : 1);
    } else if (arg_is(sub, sublen, "idletime")) {
        if (ks_lfu_policy(x->ks))
            resp_add_status_error(x->out, RD_ERR_LFU_ON);
        else
            resp_add_int(x->out, info[RD_INFO_IDLE_MS] / 1000);
    } else if (!ks_lfu_policy(x->ks)) { /* freq */
        resp_add_status_error(x->out, RD_ERR_LFU_OFF);
    } else {
        resp_add_int(x->out, info[RD_INFO_FREQ]);
    }
}

/* addReplyHelp: the usage line, the container's lines, then HELP's own, as status strings. */
static void reply_help(tx_ctx *x, const char *container, const char *const *lines, int n) {
    static const char usage[] = " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n";
    resp_add_array_len(x->out, n + 3);
    resp_add_raw(x->out, "+", 1);
    resp_add_raw(x->out, container, strlen(container));
    resp_add_raw(x->out, usage, sizeof usage - 1);
    for (int i = 0; i < n; i++) reply_status(x->out, lines[i]);
    reply_status(x->out, "HELP");
    reply_status(x->out, "    Prints this help.");
}

static const char *const object_help[] = {
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
};

/* MEMORY's subcommands past USAGE and HELP run in Python (commands/memory.py). */
static const char *const memory_help[] = {
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
};

#define N_LINES(a) ((int)(sizeof a / sizeof a[0]))

/* addReplySubcommandSyntaxError: the dispatcher answers unknown subcommands and arities before
 * a handler runs; this covers a caller of rd_exec that did not. */
static void subcommand_error(tx_ctx *x, int argc, const char **argv, const size_t *argl, const char *container) {
    const char *words[2] = {argc > 1 ? argv[1] : "", container};
    size_t lens[2] = {argc > 1 ? argl[1] : 0, strlen(container)};
    resp_add_status_error_words(x->out, RD_ERR_SUBCOMMAND, words, lens);
}

/* OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key, OBJECT HELP */
void tx_object(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    static const char *const subs[] = {"encoding", "refcount", "idletime", "freq"};
    int64_t info[RD_INFO_NFIELDS];
    int s = 0;
    while (argc == 3 && s < 4 && !arg_is(argv[1], argl[1], subs[s])) s++;
    if (argc == 2 && arg_is(argv[1], argl[1], "help"))
        reply_help(x, "OBJECT", object_help, N_LINES(object_help));
    else if (argc != 3 || s == 4)
        subcommand_error(x, argc, argv, argl, "OBJECT");
    else if (!key_facts(x, argv[2], argl[2], RD_INFO_STATS | RD_INFO_NONOTIFY, info)) /* a read to Redis: counted */
        resp_add_nil(x->out, x->resp);
    else
        object_reply(x, argv[1], argl[1], info);
}

/* MEMORY USAGE key [SAMPLES count]  (the bytes of the entry's allocation: header, key, value;
 * a count is checked as Redis checks it, though nothing here is sampled), MEMORY HELP */
void tx_memory(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int64_t info[RD_INFO_NFIELDS];
    long long samples;
    if (argc == 2 && arg_is(argv[1], argl[1], "help")) {
        reply_help(x, "MEMORY", memory_help, N_LINES(memory_help));
        return;
    }
    if (argc < 3 || !arg_is(argv[1], argl[1], "usage")) {
        subcommand_error(x, argc, argv, argl, "MEMORY");
        return;
    }
    for (int j = 3; j < argc; j += 2) {
        if (!arg_is(argv[j], argl[j], "samples") || j + 1 >= argc) {
            reply_syntax(x->out);
            return;
        }
        if (!arg_long(x, argv[j + 1], argl[j + 1], &samples)) return;
        if (samples < 0) {
            reply_syntax(x->out);
            return;
        }
    }
    if (key_facts(x, argv[2], argl[2], 0, info))
        resp_add_int(x->out, info[RD_INFO_MEMORY]);
    else
        resp_add_nil(x->out, x->resp);
}
