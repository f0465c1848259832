/* redistill.h: the whole C API of the Redistill core, exactly as cffi sees it.
 *
 * Rules (see docs/ARCHITECTURE.md and docs/LOCKING.md):
 *  - Only opaque handles cross the boundary; Python never reads struct fields.
 *  - Every create function has a matching _free.
 *  - Functions return rd_status; results go to out-parameters.
 *  - C never prints, never aborts on client input, never calls back into Python.
 *  - cffi releases the GIL around every call: each prototype says who may call it.
 *    "any thread": takes the stripe locks it needs.  "owner thread": the handle
 *    belongs to one worker thread and must only be used from it.
 * build_ffi.py drops the preprocessor lines and feeds the rest to cdef, so keep
 * this file to plain declarations: no macros, no inline functions.
 */
#ifndef REDISTILL_H
#define REDISTILL_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RD_OK = 0,
    RD_NEED_MORE,      /* parser: partial frame; io: output still pending (wait for writable) */
    RD_SLOW,           /* io: a complete command waits for Python (rd_conn_command) */
    RD_CLOSE,          /* io: the connection is finished; close it */
    RD_NOT_FOUND,      /* key absent (or expired) */
    RD_NOT_DONE,       /* a condition (NX, XX, GT, LT, ...) stopped the write */
    RD_ERR_WRONGTYPE,  /* key holds another type */
    RD_ERR_NOTINT,     /* value is not an integer or out of range */
    RD_ERR_OVERFLOW,   /* increment or decrement would overflow */
    RD_ERR_OOM,        /* over maxmemory and nothing could be evicted */
    RD_ERR_NOMEM,      /* the allocator failed */
    RD_ERR_NOTFLOAT,   /* value or increment is not a valid float (INCRBYFLOAT) */
    RD_ERR_NANINF,     /* a float increment would produce NaN or Infinity */
    RD_ERR_TOOBIG,     /* the string would exceed the maximum size (SETRANGE, APPEND) */
    /* Reply errors of command handlers, C's and Python's: no keyspace function returns
     * these.  Every error text C writes, or C and Python both write, lives in status.c
     * under one of these codes; "%s" marks a formatted text (rd_status_message). */
    RD_ERR_SYNTAX,           /* an option word or option combination is wrong */
    RD_ERR_ARITY,            /* wrong argument count: %s = lowercase command name */
    RD_ERR_INTERNAL,         /* a handler failed unexpectedly */
    RD_ERR_DEFERRED,         /* never sent: a type write left to Python while clients block */
    RD_ERR_NOTPOSITIVE,      /* a count that must be >= 0 */
    RD_ERR_OUTOFRANGE,       /* a number outside the range the command accepts */
    RD_ERR_LONGRANGE,        /* a number outside %ld .. %ld (getRangeLongFromObjectOrReply) */
    RD_ERR_NUMKEYS,          /* numkeys < 1 */
    RD_ERR_NUMKEYS_ARGS,     /* numkeys larger than the arguments left */
    RD_ERR_NOINPUTKEY,       /* ZUNION/ZINTER/ZDIFF(STORE), ZINTERCARD: %s%s = command name */
    RD_ERR_COUNT,            /* COUNT < 1 (the MPOP family) */
    RD_ERR_COUNT_NEGATIVE,   /* LPOS COUNT < 0 */
    RD_ERR_MAXLEN_NEGATIVE,  /* LPOS MAXLEN < 0 */
    RD_ERR_LIMIT_NEGATIVE,   /* SINTERCARD / ZINTERCARD LIMIT < 0 */
    RD_ERR_RANK_ZERO,        /* LPOS RANK 0 */
    RD_ERR_NOSUCHKEY,        /* the key must exist (LSET, RENAME, DEBUG OBJECT) */
    RD_ERR_INDEX,            /* LSET index outside the list */
    RD_ERR_CURSOR,           /* a SCAN cursor that is not an unsigned integer */
    RD_ERR_HASH_NOTINT,      /* HINCRBY on a field that holds no integer */
    RD_ERR_HASH_NOTFLOAT,    /* HINCRBYFLOAT on a field that holds no float */
    RD_ERR_ISNANINF,         /* HINCRBYFLOAT's increment is NaN or infinite */
    RD_ERR_SORT_NOTDOUBLE,   /* SORT of a value that is not a number */
    RD_ERR_ZADD_XX_NX,       /* ZADD XX with NX */
    RD_ERR_ZADD_GT_LT_NX,    /* ZADD with two of GT, LT, NX */
    RD_ERR_ZADD_INCR,        /* ZADD INCR with more than one pair */
    RD_ERR_SCORE_NAN,        /* an increment would make a score NaN */
    RD_ERR_MINMAX_FLOAT,     /* a score range bound that is not a float */
    RD_ERR_MINMAX_LEX,       /* a lex range bound without [ ( + - */
    RD_ERR_LIMIT_BYSCORE,    /* ZRANGE LIMIT without BYSCORE or BYLEX */
    RD_ERR_WITHSCORES_BYLEX, /* ZRANGE BYLEX WITHSCORES */
    RD_ERR_WEIGHT_FLOAT,     /* a WEIGHTS value that is not a float */
    RD_ERR_EXPIRE,           /* an expire time not positive or overflowing: %s = command name */
    RD_ERR_DECR_OVERFLOW,    /* DECRBY of LLONG_MIN (it cannot be negated) */
    /* streams (t_stream.c, t_stream_cg.c) */
    RD_ERR_STREAM_ID,               /* an argument that is not a stream id */
    RD_ERR_XADD_SMALLER,            /* XADD: the id is not above the stream's last */
    RD_ERR_XADD_ZERO,               /* XADD 0-0 */
    RD_ERR_XADD_EXHAUSTED,          /* XADD to a stream at the last possible id */
    RD_ERR_TOOLARGE,                /* XADD of more than 1 GB of fields and values */
    RD_ERR_MAXLEN_MINID,            /* XADD/XTRIM with MAXLEN and MINID */
    RD_ERR_MAXLEN_GE0,              /* XADD/XTRIM MAXLEN < 0 */
    RD_ERR_LIMIT_GE0,               /* XADD/XTRIM LIMIT < 0 */
    RD_ERR_LIMIT_NO_STRATEGY,       /* LIMIT without MAXLEN or MINID */
    RD_ERR_XTRIM_STRATEGY,          /* XTRIM without MAXLEN or MINID */
    RD_ERR_LIMIT_NO_APPROX,         /* LIMIT without ~ */
    RD_ERR_START_ID,                /* an exclusive start after the last possible id */
    RD_ERR_END_ID,                  /* an exclusive end before 0-0 */
    RD_ERR_ENTRIES_ADDED,           /* XSETID ENTRIESADDED < 0 */
    RD_ERR_XSETID_MAXDEL,           /* XSETID below its MAXDELETEDID */
    RD_ERR_XSETID_SMALLER,          /* XSETID below the stream's last entry */
    RD_ERR_XSETID_ADDED,            /* XSETID ENTRIESADDED below the length */
    RD_ERR_XREAD_UNBALANCED,        /* XREAD STREAMS with an odd count */
    RD_ERR_XREAD_GROUP,             /* XREAD GROUP */
    RD_ERR_XREAD_NOACK,             /* XREAD NOACK */
    RD_ERR_XREADGROUP_MISSING,      /* XREADGROUP without GROUP */
    RD_ERR_NOGROUP_XREADGROUP,      /* XREADGROUP: %s key, %s group */
    RD_ERR_XREADGROUP_DOLLAR,       /* XREADGROUP with $ */
    RD_ERR_XREAD_GT,                /* XREAD with > */
    RD_ERR_ENTRIES_READ,            /* XGROUP ENTRIESREAD below -1 */
    RD_ERR_XGROUP_NOKEY,            /* XGROUP on a missing key */
    RD_ERR_NOGROUP_KEY,             /* XGROUP/XINFO: %s group, %s key */
    RD_ERR_BUSYGROUP,               /* XGROUP CREATE of an existing group */
    RD_ERR_NOGROUP_XPENDING,        /* XPENDING/XCLAIM/XAUTOCLAIM: %s key, %s group */
    RD_ERR_XCLAIM_MINIDLE,          /* XCLAIM min-idle-time not an integer */
    RD_ERR_XCLAIM_IDLE,             /* XCLAIM IDLE not an integer */
    RD_ERR_XCLAIM_TIME,             /* XCLAIM TIME not an integer */
    RD_ERR_XCLAIM_RETRY,            /* XCLAIM RETRYCOUNT not an integer */
    RD_ERR_XCLAIM_OPTION,           /* XCLAIM: %s the option */
    RD_ERR_XAUTOCLAIM_MINIDLE,      /* XAUTOCLAIM min-idle-time not an integer */
    RD_ERR_XAUTOCLAIM_COUNT,        /* XAUTOCLAIM COUNT out of range */
    RD_ERR_XAUTOCLAIM_MEMORY,       /* XAUTOCLAIM COUNT too large to allocate */
    RD_ERR_BLOCKED_NOGROUP,         /* a blocked XREADGROUP whose group was destroyed */
    RD_ERR_BLOCKED_NOKEY,           /* a blocked XREADGROUP whose key was deleted */
    RD_ERR_EXPIRE_OPTION,    /* EXPIRE's unknown option: %s = the word, to its first NUL */
    RD_ERR_EXPIRE_NX,        /* EXPIRE NX with XX, GT or LT */
    RD_ERR_EXPIRE_GT_LT,     /* EXPIRE GT with LT */
    RD_ERR_HFE_NEGATIVE,     /* HEXPIRE's time < 0 */
    RD_ERR_HFE_FIELDS,       /* the hash-field TTL commands without FIELDS where it belongs */
    RD_ERR_HFE_NUMFIELDS,    /* HEXPIRE's numfields not a positive integer */
    RD_ERR_HFE_NUMFIELDS_POSITIVE, /* HTTL's / HPERSIST's numfields not a positive integer */
    RD_ERR_HFE_NUMFIELDS_ARGS, /* numfields other than the fields given */
    RD_ERR_DB_INDEX,         /* a database other than 0 (SELECT, COPY ... DB) */
    RD_ERR_SAME_OBJECT,      /* COPY of a key onto itself */
    RD_ERR_LFU_OFF,          /* OBJECT FREQ without an LFU maxmemory-policy */
    RD_ERR_LFU_ON,           /* OBJECT IDLETIME under an LFU maxmemory-policy */
    RD_ERR_SUBCOMMAND,       /* a container's unknown subcommand: %s = the word, %s = container */
    RD_ERR_OFFSET_RANGE,     /* SETRANGE offset < 0 */
    RD_ERR_LCS_NOT_STRINGS,  /* LCS of a key of another type */
    RD_ERR_LCS_IDX_AND_LEN,  /* LCS LEN with IDX */
    RD_ERR_LCS_TOO_LONG,     /* LCS of a string of 4 GB or more */
    RD_ERR_LCS_MAXMEM,       /* LCS's table would exceed proto-max-bulk-len */
    RD_ERR_LCS_NOMEM,        /* LCS's table could not be allocated */
    RD_ERR_BIT_OFFSET,       /* a bit offset not an integer, negative or past proto-max-bulk-len */
    RD_ERR_BIT_VALUE,        /* SETBIT's bit not 0 or 1 */
    RD_ERR_BITPOS_BIT,       /* BITPOS's bit not 0 or 1 */
    RD_ERR_BITOP_NOT,        /* BITOP NOT with more than one source */
    RD_ERR_BITFIELD_TYPE,    /* a BITFIELD type other than i1..i64, u1..u63 */
    RD_ERR_BITFIELD_OVERFLOW, /* OVERFLOW other than WRAP, SAT, FAIL */
    RD_ERR_BITFIELD_RO,      /* BITFIELD_RO with SET or INCRBY */
    RD_ERR_NOSCRIPT,         /* EVALSHA of a SHA1 not in the script cache */
    RD_ERR_NUMKEYS_NEGATIVE, /* EVAL numkeys < 0 */
    RD_ERR_SCRIPT_RO,        /* a script without no-writes run by EVAL_RO / EVALSHA_RO */
    RD_ERR_NOTBUSY,          /* SCRIPT KILL with no script running */
    RD_ERR_UNKILLABLE,       /* SCRIPT KILL of a script that has written */
    RD_ERR_SHEBANG,          /* a shebang line without a newline after it */
    RD_ERR_SHEBANG_ENGINE,   /* %s = the engine named instead of lua */
    RD_ERR_SHEBANG_FLAG,     /* %s = an unknown flags= entry */
    RD_ERR_SHEBANG_OPTION,   /* %s = an unknown shebang option */
    RD_ERR_SCRIPT_COMPILE,   /* %s = Lua's compile error */
    RD_ERR_SCRIPT_RUN,       /* %s%s = the script's SHA1, then what Lua raised when no error table */
    RD_ERR_BUSY,             /* a command while a script runs past busy-reply-threshold */
    RD_ERR_BUSYKEY,          /* RESTORE (no REPLACE) onto an existing key */
    RD_ERR_RESTORE_TTL,      /* RESTORE with a negative TTL */
    RD_ERR_RESTORE_IDLETIME, /* RESTORE IDLETIME < 0 */
    RD_ERR_RESTORE_FREQ,     /* RESTORE FREQ outside 0..255 */
    RD_ERR_DUMP_PAYLOAD,     /* RESTORE payload: version or CRC64 wrong */
    RD_ERR_BAD_DATA,         /* RESTORE payload that does not decode */
    RD_ERR_GEO_LONLAT,       /* GEO: %f,%f = a longitude,latitude pair past the limits */
    RD_ERR_GEO_UNIT,         /* GEO: a unit other than m, km, ft, mi */
    RD_ERR_GEO_RADIUS,       /* GEO: a radius that is no float */
    RD_ERR_GEO_WIDTH,        /* GEO BYBOX: a width that is no float */
    RD_ERR_GEO_HEIGHT,       /* GEO BYBOX: a height that is no float */
    RD_ERR_GEO_RADIUS_NEG,   /* GEO: a negative radius */
    RD_ERR_GEO_BOX_NEG,      /* GEO BYBOX: a negative width or height */
    RD_ERR_GEO_MEMBER,       /* GEO: FROMMEMBER / BYMEMBER of a member not in the set */
    RD_ERR_GEO_STORE_WITH,   /* GEO: %s = the command, STORE with WITHDIST, WITHHASH or WITHCOORD */
    RD_ERR_GEO_FROM,         /* GEOSEARCH: %s = the command as sent, no FROMMEMBER or FROMLONLAT */
    RD_ERR_GEO_BY,           /* GEOSEARCH: %s = the command as sent, no BYRADIUS or BYBOX */
    RD_ERR_GEO_ANY,          /* GEO: ANY without COUNT */
    RD_ERR_HLL_INVALID,      /* a HyperLogLog whose sparse runs do not cover its registers */
    RD_ERR_HLL_WRONGTYPE,    /* a string that is no HyperLogLog (magic, encoding or dense length) */
    RD_ERR_PFDEBUG_NOKEY,    /* PFDEBUG of a missing key */
    RD_ERR_PFDEBUG_NOT_SPARSE, /* PFDEBUG DECODE of a dense HyperLogLog */
    RD_ERR_PFDEBUG_SUBCOMMAND, /* PFDEBUG's unknown subcommand: %s = the word */
    RD_ERR_PFSELFTEST_REGISTER, /* PFSELFTEST: %ld register, %ld value set, %ld value read */
    RD_ERR_PFSELFTEST_SPARSE,   /* PFSELFTEST: a small HyperLogLog was not sparse */
    RD_ERR_PFSELFTEST_DISAGREE, /* PFSELFTEST: dense and sparse estimates differ */
    RD_ERR_PFSELFTEST_ERROR,    /* PFSELFTEST: %ld cardinality, %ld error too big */
    RD_ERR_BUSY_FUNCTION,    /* the same while a function (FCALL) runs */
    RD_ERR_FN_NOT_FOUND,     /* FCALL of an unknown function */
    RD_ERR_FN_NUMKEYS,       /* FCALL numkeys not an integer */
    RD_ERR_FN_LIB_NOT_FOUND, /* FUNCTION DELETE of an unknown library */
    RD_ERR_FN_NO_METADATA,   /* FUNCTION LOAD code without "#!" */
    RD_ERR_FN_BAD_METADATA,  /* a shebang without a newline, or empty */
    RD_ERR_FN_NAME_TWICE,    /* name= twice in the shebang */
    RD_ERR_FN_METADATA_VALUE, /* %s = an unknown shebang word */
    RD_ERR_FN_NO_NAME,       /* a shebang without name= */
    RD_ERR_FN_BAD_NAME,      /* a library or function name outside [A-Za-z0-9_]+ */
    RD_ERR_FN_ENGINE,        /* %s = the engine, not LUA */
    RD_ERR_FN_LIB_EXISTS,    /* %s = the library FUNCTION LOAD without REPLACE would overwrite */
    RD_ERR_FN_COMPILE,       /* %s = Lua's compile error */
    RD_ERR_FN_REGISTER,      /* %s = the error the library's code raised while loading */
    RD_ERR_FN_NONE,          /* a library that registered no function */
    RD_ERR_FN_EXISTS,        /* %s = a function another library has */
    RD_ERR_FN_RESTORE_LIB_EXISTS, /* %s = a library FUNCTION RESTORE APPEND finds */
    RD_ERR_FN_NOT_FUNCTION,  /* FUNCTION RESTORE: an opcode other than a function library's */
    RD_ERR_FN_LOAD_PAYLOAD,  /* FUNCTION RESTORE: a library's string cannot be read */
    /* Protocol errors (resp_parse.c): the connection closes after the reply. */
    RD_ERR_PROTO_MBULK_BIG,    /* a multibulk header line over 64 KB */
    RD_ERR_PROTO_MBULK_LEN,    /* a multibulk count that is no integer or too large */
    RD_ERR_PROTO_MBULK_UNAUTH, /* a large multibulk count before AUTH */
    RD_ERR_PROTO_BULK_BIG,     /* a bulk header line over 64 KB */
    RD_ERR_PROTO_EXPECTED,     /* another byte (%c) where '$' belongs */
    RD_ERR_PROTO_BULK_LEN,     /* a bulk length that is no integer or out of range */
    RD_ERR_PROTO_BULK_UNAUTH,  /* a large bulk length before AUTH */
    RD_ERR_PROTO_QUOTES,       /* an inline line with unbalanced quotes */
    RD_ERR_PROTO_INLINE_BIG,   /* an inline line over 64 KB */
    RD_STATUS_COUNT
} rd_status;

/* SET flags (rd_ks_set). */
enum {
    RD_SET_NX = 1,        /* only if the key does not exist */
    RD_SET_XX = 2,        /* only if the key exists */
    RD_SET_GET = 4,       /* return the old value */
    RD_SET_KEEPTTL = 8    /* keep the old expiry instead of clearing it */
};

/* EXPIRE condition flags (rd_ks_expire). */
enum {
    RD_EXP_NX = 1,        /* only when the key has no expiry */
    RD_EXP_XX = 2,        /* only when the key has an expiry */
    RD_EXP_GT = 4,        /* only when the new expiry is greater */
    RD_EXP_LT = 8         /* only when the new expiry is less */
};

/* GETEX / GETDEL modes (rd_ks_getex). */
enum {
    RD_GETEX_KEEP = 0,    /* plain read: expiry unchanged */
    RD_GETEX_AT,          /* set the expiry to at_ms; a time not in the future deletes the key */
    RD_GETEX_PERSIST,     /* remove the expiry */
    RD_GETEX_DEL          /* delete the key after reading it (GETDEL) */
};

/* Multi-key counting operations (rd_ks_multi). */
enum {
    RD_MULTI_DEL = 0,     /* DEL / UNLINK: count of keys removed */
    RD_MULTI_EXISTS,      /* EXISTS: count of keys present (a key named twice counts twice) */
    RD_MULTI_TOUCH        /* TOUCH: count of keys present; their access clock is updated */
};

/* rd_ks_key_info flags and output fields. */
enum {
    RD_INFO_STATS = 1,    /* count a keyspace hit or miss */
    RD_INFO_TOUCH = 2,    /* update the key's access clock */
    RD_INFO_NONOTIFY = 4  /* a miss fires no keymiss event (Redis's LOOKUP_NONOTIFY: OBJECT) */
};
enum {
    RD_INFO_TYPE = 0,     /* value type: 0 = string */
    RD_INFO_EXPIRE,       /* absolute expiry in ms since the epoch, 0 = none */
    RD_INFO_IDLE_MS,      /* ms since the last access (meaningless under the LFU policies, as in Redis) */
    RD_INFO_LEN,          /* string length in bytes */
    RD_INFO_MEMORY,       /* bytes the entry's allocation takes */
    RD_INFO_ENCODING,     /* RD_ENC_* as Redis would name it */
    RD_INFO_SHARED_INT,   /* 1 when Redis would use a shared integer (0..9999) */
    RD_INFO_FREQ,         /* LFU counter after decay (meaningful under the LFU policies only) */
    RD_INFO_ADDR,         /* address of the value (the entry; a collection's object): DEBUG OBJECT */
    RD_INFO_NFIELDS
};
enum {
    RD_ENC_INT = 0,       /* the text of a 64-bit integer, at most 20 bytes */
    RD_ENC_EMBSTR,        /* other strings up to 44 bytes */
    RD_ENC_RAW,           /* longer strings */
    RD_ENC_LISTPACK,      /* small hashes (Redis 7.0's thresholds, CONFIG SET hash-max-listpack-*) */
    RD_ENC_HASHTABLE,     /* hashes and sets past those thresholds */
    RD_ENC_INTSET,        /* small sets of integers (set-max-intset-entries) */
    RD_ENC_SKIPLIST,      /* sorted sets past zset-max-listpack-* */
    RD_ENC_QUICKLIST,     /* lists */
    RD_ENC_STREAM,        /* streams */
    RD_ENC_LISTPACKEX     /* small hashes whose fields have had a TTL (Redis 7.4) */
};

/* Keyspace counters, indices into rd_ks_stats' output array. */
enum {
    RD_KS_KEYS = 0,       /* keys stored, including expired ones not yet reclaimed */
    RD_KS_EXPIRES,        /* keys with an expiry */
    RD_KS_USED_MEMORY,    /* bytes held by the keyspace: entries (keys, values, metadata), tables,
                             S3-FIFO ghosts, the shard array; each allocation as its heap chunk */
    RD_KS_PEAK_MEMORY,    /* highest RD_KS_USED_MEMORY seen */
    RD_KS_EXPIRED,        /* keys removed because they expired */
    RD_KS_EVICTED,        /* keys removed by eviction */
    RD_KS_HITS,           /* successful reads (GET, MGET, ...) */
    RD_KS_MISSES,         /* reads of absent keys */
    RD_KS_NSTATS
};

/* Worker counters, indices into rd_worker_stats' output array. */
enum {
    RD_W_COMMANDS = 0,    /* commands executed by the C fast path */
    RD_W_NET_IN,          /* bytes read from sockets */
    RD_W_NET_OUT,         /* bytes written to sockets */
    RD_W_NSTATS
};

typedef struct rd_keyspace rd_keyspace;
typedef struct rd_worker rd_worker;
typedef struct rd_conn rd_conn;
typedef struct rd_buf rd_buf;

/* ---- status text ------------------------------------------------------ */

/* Full RESP error line for a status, without the trailing CRLF, e.g.
 * "-WRONGTYPE Operation against a key holding the wrong kind of value": the one
 * table of shared error texts (status.c).  A text with "%s" is a format the caller
 * fills (C with snprintf, Python with %).  Static storage; "" for statuses that
 * are not errors.  Any thread. */
const char *rd_status_message(rd_status st);

/* ---- time --------------------------------------------------------------- */

/* Wall-clock milliseconds since the epoch (the clock expiry uses).  Any thread. */
int64_t rd_now_ms(void);
/* The same clock in microseconds.  Any thread. */
int64_t rd_now_us(void);

/* ---- byte buffers (results of keyspace reads) ---------------------------- */

rd_buf *rd_buf_new(void);
void rd_buf_free(rd_buf *b);
const char *rd_buf_data(const rd_buf *b);
size_t rd_buf_len(const rd_buf *b);
void rd_buf_clear(rd_buf *b);
/* Appends n bytes (a reply Python writes for a script's redis.call).  RD_OK or RD_ERR_NOMEM. */
rd_status rd_buf_append(rd_buf *b, const char *p, size_t n);

/* ---- the keyspace: one per server, shared by every thread ---------------- */

/* seed: hash seed (the server passes random bytes); 0 asks C for a random one. */
rd_keyspace *rd_keyspace_new(uint64_t seed);
void rd_keyspace_free(rd_keyspace *ks);

/* All rd_ks_* functions: any thread; each takes the stripe lock(s) it needs.
 * Values are copied out into `out` (cleared first), never lent. */

/* GET.  RD_OK (value in out), RD_NOT_FOUND, RD_ERR_WRONGTYPE. Counts hits/misses. */
rd_status rd_ks_get(rd_keyspace *ks, const char *key, size_t klen, rd_buf *out);

/* SET with RD_SET_* flags; expire_at_ms 0 means "no expiry" (cleared unless
 * RD_SET_KEEPTTL).  RD_OK written, RD_NOT_DONE (NX/XX failed),
 * RD_ERR_WRONGTYPE (only with RD_SET_GET), RD_ERR_OOM.
 * With RD_SET_GET, *old_found says whether an old value was copied to `old`. */
rd_status rd_ks_set(rd_keyspace *ks, const char *key, size_t klen,
                    const char *val, size_t vlen, int flags, int64_t expire_at_ms,
                    rd_buf *old, int *old_found);

/* A block from rd_conn_take_block offered to this thread's next keyspace call:
 * a write that stores val (vlen bytes, where the block holds it) as a string
 * (rd_ks_set; rd_ks_setrange's APPEND to a missing key) builds its entry in the
 * block instead of copying the value.
 * rd_block_taken() right after that call: 1 when an entry took the block (the
 * keyspace owns it now; it is no longer the caller's to read or free), and it
 * clears the offer.  rd_block_free frees a block no entry took.  Any thread
 * (the offer is per thread). */
void rd_block_offer(char *block, const char *val, size_t vlen);
int rd_block_taken(void);
void rd_block_free(char *block);

/* MSET: all pairs become visible together.  RD_OK or RD_ERR_OOM. */
rd_status rd_ks_mset(rd_keyspace *ks, int npairs, const char **keys, const size_t *klens,
                     const char **vals, const size_t *vlens);

/* MGET: every key read at one instant (all its stripes locked together).
 * out receives one record per key: a uint64_t length in native byte order,
 * UINT64_MAX for a missing key, UINT64_MAX - 1 for one of another type, then
 * the bytes. */
rd_status rd_ks_mget(rd_keyspace *ks, int nkeys, const char **keys, const size_t *klens,
                     rd_buf *out);

/* INCRBY: RD_OK (*result is the new value), RD_ERR_NOTINT, RD_ERR_OVERFLOW,
 * RD_ERR_WRONGTYPE, RD_ERR_OOM.  A missing key counts as 0. */
rd_status rd_ks_incrby(rd_keyspace *ks, const char *key, size_t klen, int64_t delta,
                       int64_t *result);

/* DEL one key: RD_OK (removed) or RD_NOT_FOUND. */
rd_status rd_ks_del(rd_keyspace *ks, const char *key, size_t klen);

/* EXISTS one key: RD_OK or RD_NOT_FOUND. */
rd_status rd_ks_exists(rd_keyspace *ks, const char *key, size_t klen);

/* EXPIRE at an absolute time with RD_EXP_* flags.  A time not in the future
 * deletes the key.  RD_OK (set or deleted), RD_NOT_FOUND, RD_NOT_DONE. */
rd_status rd_ks_expire(rd_keyspace *ks, const char *key, size_t klen, int64_t at_ms,
                       int flags);

/* PTTL: RD_OK with *ms = remaining milliseconds or -1 (no expiry); RD_NOT_FOUND. */
rd_status rd_ks_pttl(rd_keyspace *ks, const char *key, size_t klen, int64_t *ms);

/* PERSIST: RD_OK (expiry removed), RD_NOT_DONE (had none), RD_NOT_FOUND. */
rd_status rd_ks_persist(rd_keyspace *ks, const char *key, size_t klen);

/* FLUSHDB/FLUSHALL: one instant for every other command: under the gate exclusive
 * (it waits for every command and batch in flight) the stripes' tables are swapped
 * for empty ones, O(stripes), not O(keys).  The old tables are freed by the calling
 * thread once it leaves the gate (at the end of this call, or of its EXEC).  Any
 * thread; under a shared hold of its own it goes stripe by stripe instead (not one
 * instant: call it without one).  RD_OK or RD_ERR_NOMEM (nothing done). */
rd_status rd_ks_flush(rd_keyspace *ks);
/* FLUSHALL ASYNC: the same, but the old tables are freed by a detached thread of
 * their own (Redis's lazyfree): the caller does not wait for the free either. */
rd_status rd_ks_flush_async(rd_keyspace *ks);

/* Active expiry: reclaims expired keys nobody reads, visiting stripes round
 * robin until about budget_us microseconds have passed.  *reclaimed counts
 * the keys removed.  Any thread; holds one stripe lock at a time, and the
 * transactions gate shared (it waits while an EXEC runs). */
rd_status rd_ks_active_expire(rd_keyspace *ks, int64_t budget_us, uint64_t *reclaimed);
/* on != 0 (CLIENT PAUSE): lazy expiry leaves expired keys in place (they still read as absent)
 * until it is turned off; the caller stops active expiry and eviction meanwhile.  Any thread. */
void rd_ks_pause_expiry(int on);

/* Copies RD_KS_NSTATS counters into out[], all read at one instant (the gate
 * exclusive, as rd_ks_flush; under a shared hold of its own, stripe by stripe).
 * Any thread. */
rd_status rd_ks_stats(rd_keyspace *ks, uint64_t *out, size_t n);

/* ---- memory limit and eviction (evict.c) ----------------------------------- */

/* maxmemory in bytes of RD_KS_USED_MEMORY; 0 = unlimited.  Any thread, any time:
 * writes see the new limit at once (eviction catches up incrementally). */
rd_status rd_ks_set_maxmemory(rd_keyspace *ks, uint64_t bytes);

/* Eviction policy by Redis's name ("noeviction", "allkeys-lru", "allkeys-lfu",
 * "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random",
 * "volatile-ttl") or "allkeys-s3fifo".  RD_OK, or RD_NOT_FOUND for another name.
 * Any thread, any time. */
rd_status rd_ks_set_policy(rd_keyspace *ks, const char *name);

/* Before a write that needs memory (Redis's denyoom commands): evicts if over the
 * limit; RD_OK, or RD_ERR_OOM when over it with nothing the policy may evict.
 * The rd_ks_* writes check this themselves.  Any thread; holds the gate shared
 * (it waits while an EXEC runs, which it never evicts from under). */
rd_status rd_ks_admit(rd_keyspace *ks);

/* Background eviction (cron): evicts while over the limit, for about budget_us
 * microseconds, one stripe lock at a time, holding the gate shared.  *evicted
 * counts the keys removed. */
rd_status rd_ks_evict(rd_keyspace *ks, int64_t budget_us, uint64_t *evicted);

/* ---- string commands past GET/SET, multi-key and whole-keyspace commands --- */

/* GETEX / GETDEL: copies the string to out, then applies mode (RD_GETEX_*).
 * RD_OK, RD_NOT_FOUND, RD_ERR_WRONGTYPE (nothing changed).  Counts hits/misses. */
rd_status rd_ks_getex(rd_keyspace *ks, const char *key, size_t klen, int mode, int64_t at_ms,
                      rd_buf *out);

/* SETRANGE at offset >= 0, or APPEND with offset -1, as one read-modify-write.
 * Gaps are zero-filled; a missing key is created (SETRANGE with an empty value
 * creates nothing); a result longer than max_len is RD_ERR_TOOBIG (not checked for
 * an APPEND to a missing key, as Redis).  *newlen is
 * the string's length afterwards.  RD_OK, RD_ERR_WRONGTYPE, RD_ERR_TOOBIG,
 * RD_ERR_NOMEM.  The expiry is kept. */
rd_status rd_ks_setrange(rd_keyspace *ks, const char *key, size_t klen, int64_t offset,
                         const char *val, size_t vlen, uint64_t max_len, int64_t *newlen);

/* DEL / EXISTS / TOUCH over several keys (op: RD_MULTI_*); *count as Redis
 * replies it.  All their stripes are locked together (ascending): one instant.
 * RD_OK or RD_ERR_NOMEM. */
rd_status rd_ks_multi(rd_keyspace *ks, int op, int nkeys, const char **keys, const size_t *klens,
                      int64_t *count);

/* RENAME (nx = 0) / RENAMENX (nx = 1): both stripes locked together; the
 * expiry moves with the value.  RD_OK, RD_NOT_FOUND (no source), RD_NOT_DONE
 * (nx and the destination exists, or nx and src == dst), RD_ERR_NOMEM. */
rd_status rd_ks_rename(rd_keyspace *ks, const char *src, size_t slen, const char *dst,
                       size_t dlen, int nx);

/* COPY src dst [REPLACE]: both stripes locked together; the copy keeps the
 * expiry.  src == dst must be rejected by the caller.  RD_OK (copied),
 * RD_NOT_FOUND (no source), RD_NOT_DONE (destination exists, no replace),
 * RD_ERR_NOMEM. */
rd_status rd_ks_copy(rd_keyspace *ks, const char *src, size_t slen, const char *dst,
                     size_t dlen, int replace);

/* TYPE, EXPIRETIME, STRLEN, OBJECT, MEMORY USAGE: RD_INFO_NFIELDS facts about
 * one key into out[] (n of them at most), flags RD_INFO_*.  RD_OK or RD_NOT_FOUND. */
rd_status rd_ks_key_info(rd_keyspace *ks, const char *key, size_t klen, int flags,
                         int64_t *out, size_t n);
/* Redis's names of an RD_INFO_TYPE code ("string", "list", "set", "zset", "hash") and of an
 * RD_ENC_* code ("int", "embstr", ...): TYPE, OBJECT ENCODING, DEBUG OBJECT.  "" for another
 * code.  Any thread. */
const char *rd_type_name(int type);
const char *rd_encoding_name(int enc);

/* SCAN step.  The cursor's low 10 bits are a stripe, the rest Redis's
 * reverse-binary bucket cursor in that stripe's table, so every key present
 * for the whole scan is returned at least once even while tables resize.
 * Visits about count keys (at most 10 * count buckets; empty stripes are
 * free), skipping expired keys, keys whose type differs from `type` (-1 = any
 * type) and, when pattern is not NULL, keys that do not match it (Redis glob).
 * out receives records: a uint64_t length in native byte order, then the key.
 * *next is 0 when the scan is complete.  One stripe lock at a time: a call is not one instant (Redis
 * promises that only of a whole iteration).  RD_OK or RD_ERR_NOMEM. */
rd_status rd_ks_scan(rd_keyspace *ks, uint64_t cursor, uint64_t count, const char *pattern,
                     size_t plen, int type, uint64_t *next, rd_buf *out);

/* KEYS: every live key matching pattern (NULL = all), as rd_ks_scan's records, at
 * one instant (the gate exclusive, as rd_ks_stats).  RD_OK or RD_ERR_NOMEM. */
rd_status rd_ks_keys(rd_keyspace *ks, const char *pattern, size_t plen, rd_buf *out);

/* RANDOMKEY: a random live key copied to out.  RD_OK or RD_NOT_FOUND, which it
 * answers only after a second look under the gate exclusive (as rd_ks_stats). */
rd_status rd_ks_randomkey(rd_keyspace *ks, rd_buf *out);

/* Redis's glob (stringmatchlen: * ? [a-z] [^x] and backslash escapes), as
 * KEYS, SCAN MATCH and CONFIG GET use it.  1 = match.  Recursion is bounded as
 * Redis bounds it (a match that needs more than 1000 nested '*' fails), so at
 * most ~1000 small frames of stack whatever the pattern.  Any thread; no locks. */
int rd_glob_match(const char *pattern, size_t plen, const char *s, size_t slen, int nocase);

/* Redis's CRC-64 (Jones polynomial, reflected; crc64(0, "123456789") = 0xe9c6d914c4b8d9ca), the
 * checksum of DUMP payloads and RDB files: crc continues a previous call's result (start at 0).
 * Any thread; no locks. */
uint64_t rd_crc64(uint64_t crc, const void *p, size_t n);

/* ---- RDB files (rdb_file.c) ------------------------------------------------- */

/* rd_ks_totals' out[]: keys, keys with an expiry, explicit key writes since start (the base of
 * rdb_changes_since_last_save).  Any thread; one stripe lock at a time. */
rd_status rd_ks_totals(rd_keyspace *ks, uint64_t *out, size_t n);

/* What rd_rdb_save stores of each key's access history, as Redis under its maxmemory-policy:
 * nothing, the LRU idle time (seconds), or the LFU counter. */
enum { RD_RDB_ACCESS_NONE = 0, RD_RDB_ACCESS_IDLE = 1, RD_RDB_ACCESS_FREQ = 2 };

/* Writes a whole RDB file (version 10) to fd: the header, naux / 2 aux fields (aux[2i] name,
 * aux[2i+1] value), db 0's keys, EOF and the CRC64.  The keyspace is walked stripe by stripe while
 * other threads serve: each stripe is one instant (its lock, and the gate shared), the file is not.
 * out[]: keys written, bytes written, errno of a failed write.  RD_OK, RD_ERR_NOMEM,
 * RD_ERR_INTERNAL (a write failed: out[2]).  The caller syncs and renames.  Any thread. */
rd_status rd_rdb_save(rd_keyspace *ks, int fd, const char **aux, const size_t *auxl, int naux, int mode,
                      uint64_t *out, size_t n);

/* The state of a load in steps, indices of rd_rdb_load's st[] (zeroed before the first step). */
enum {
    RD_RDB_ST_OFFSET = 0,  /* bytes read so far */
    RD_RDB_ST_KEYS = 1,    /* keys loaded */
    RD_RDB_ST_EXPIRED = 2, /* keys skipped: already expired */
    RD_RDB_ST_SKIPPED = 3, /* keys of another database, function libraries: skipped */
    RD_RDB_ST_DB = 4,      /* the database being read */
    RD_RDB_ST_DONE = 5,    /* 1 once EOF and the checksum were read */
    RD_RDB_ST_VERSION = 6, /* the file's RDB version */
    RD_RDB_NSTATE = 8
};

/* Loads up to max_records records (keys or opcodes) of the RDB file data[0..n) from st's offset
 * into ks (keys present are replaced; expired ones skipped).  RD_OK (st[RD_RDB_ST_DONE] says
 * whether it is finished), or RD_ERR_BAD_DATA with a one-line reason naming the byte offset in err
 * (keys loaded before stay: the caller flushes).  Any thread. */
rd_status rd_rdb_load(rd_keyspace *ks, const char *data, size_t n, uint64_t max_records, uint64_t *st,
                      rd_buf *err);

/* INFO keyspace avg_ttl: an estimate of the mean remaining TTL (ms) of keys
 * with an expiry, from a sample of up to 16 buckets per shard weighted by the
 * shard's count of such keys (exact while shards are that small); 0 when no
 * key has one.  Any thread; one stripe lock at a time. */
rd_status rd_ks_avg_ttl(rd_keyspace *ks, int64_t *avg_ms);

/* ---- hashes, sets, sorted sets, lists: commands run whole in C (types.c) ---- */

/* Redis's encoding thresholds, indices for rd_type_config. */
enum {
    RD_CFG_HASH_MAX_LISTPACK_ENTRIES = 0, /* hash-max-listpack-entries (512) */
    RD_CFG_HASH_MAX_LISTPACK_VALUE,       /* hash-max-listpack-value (64) */
    RD_CFG_SET_MAX_INTSET_ENTRIES,        /* set-max-intset-entries (512) */
    RD_CFG_ZSET_MAX_LISTPACK_ENTRIES,     /* zset-max-listpack-entries (128) */
    RD_CFG_ZSET_MAX_LISTPACK_VALUE,       /* zset-max-listpack-value (64) */
    RD_CFG_LIST_MAX_LISTPACK_SIZE,        /* list-max-listpack-size (-2) */
    RD_CFG_STREAM_NODE_MAX_BYTES,         /* stream-node-max-bytes (4096) */
    RD_CFG_STREAM_NODE_MAX_ENTRIES,       /* stream-node-max-entries (100) */
    RD_CFG_HLL_SPARSE_MAX_BYTES,          /* hll-sparse-max-bytes (3000) */
    RD_CFG_COUNT
};

/* Sets one threshold (they only change what OBJECT ENCODING reports and when
 * a small object converts).  RD_OK or RD_NOT_FOUND (bad index).  Any thread. */
rd_status rd_type_config(int which, int64_t value);

/* Runs one type command (HSET, SADD, ...: argv[0] is its name, any case) with
 * the stripe locks of its keys held for the whole command, appending its
 * complete reply to out in RESP `resp` (2 or 3), errors included.
 * RD_OK (reply written, maybe an error line), RD_NOT_FOUND (not a type
 * command: nothing written).  A wrong argument count gets Redis's arity error
 * (the dispatcher checks it before; a script's call may not).  Any thread. */
rd_status rd_exec(rd_keyspace *ks, int argc, const char **argv, const size_t *argl, int resp,
                  rd_buf *out);

/* The keys of streams freed (DEL, SET over one, FLUSHALL, expiry, eviction) while clients were
 * blocked, since the last call: each a 4-byte little-endian length then the bytes, appended to
 * out.  RD_OK, RD_NOT_FOUND (none).  Any thread. */
rd_status rd_stream_freed_keys(rd_buf *out);
/* An eventfd that becomes readable when rd_stream_freed_keys has keys (read it to reset it);
 * -1 when it could not be made.  Created on first call.  Any thread. */
int rd_stream_freed_fd(void);

/* A stream's last generated id (XREAD BLOCK's "$"): RD_OK, RD_NOT_FOUND, RD_ERR_WRONGTYPE.
 * Any thread (the key's stripe lock). */
rd_status rd_stream_last_id(rd_keyspace *ks, const char *key, size_t klen, uint64_t *ms, uint64_t *seq);

/* ---- Lua scripting (script.c, script_call.c, script_conv.c) ------------------------ */

/* Command flags a script's redis.call checks (rd_script_command), from the command table. */
enum {
    RD_CMD_WRITE = 1,          /* write */
    RD_CMD_DENYOOM = 2,        /* denyoom: refused over maxmemory before the script's first write */
    RD_CMD_NOSCRIPT = 4,       /* noscript: "This Redis command is not allowed from script" */
    RD_CMD_MAY_REPLICATE = 8,  /* may_replicate: refused in read-only scripts, as writes */
    RD_CMD_CONTAINER = 16,     /* has subcommands, registered as "name|sub" */
    RD_CMD_WAKES = 32,         /* may fill a key a blocked client waits on (the table's wakes) */
    RD_CMD_ALLOW_BUSY = 64,    /* allow_busy: still served while a script is busy */
    RD_CMD_READONLY = 128      /* readonly: a tracking caller then remembers the script's keys */
};
/* 1 when the script run last on this thread's gate hold called a read-only command (client-side
 * caching: Redis's tracking then remembers the script's declared keys).  Under the gate. */
int rd_script_read_seen(void);
/* EVAL variants (rd_script_eval's mode). */
enum {
    RD_EVAL_SHA = 1,           /* EVALSHA: argv[1] is the SHA1 of a cached script */
    RD_EVAL_RO = 2             /* EVAL_RO / EVALSHA_RO: write commands refused */
};
/* rd_script_stats' output. */
enum {
    RD_SCRIPT_VM_BYTES = 0,    /* the Lua state's heap (used_memory_vm_eval) */
    RD_SCRIPT_CACHED,          /* scripts in the cache (number_of_cached_scripts) */
    RD_SCRIPT_CACHE_BYTES,     /* what the cache holds (used_memory_scripts_eval) */
    RD_SCRIPT_NSTATS
};

/* Registers one command of the table (name lowercase; a subcommand as "container|sub") for the
 * checks redis.call makes.  Before any script runs (at import).  RD_OK, RD_ERR_NOMEM. */
rd_status rd_script_command(const char *name, size_t n, int arity, unsigned flags);
/* The function redis.call calls for a command C does not run:
 *   int fn(const char *frame, size_t len, int resp, rd_buf *out)
 * frame is the command as a canonical multibulk frame; fn appends the complete reply in RESP
 * `resp` to out (rd_buf_append) and returns 0.  Called on the script's thread with the keyspace
 * gate held exclusive.  Set once at import.  resp 0 (redis.acl_check_cmd of a restricted user's
 * script, see rd_script_set_acl_python) asks only whether the script's user may run it: ":1" or ":0". */
rd_status rd_script_set_python(void *fn);
/* EVAL/EVALSHA[_RO] script numkeys key... arg... (argv[0] is the command's name): the complete
 * reply, errors included, appended to out in RESP `resp`.  Under the gate held exclusive.  RD_OK,
 * RD_ERR_NOMEM; RD_NOT_FOUND when argc < 3 (nothing written). */
rd_status rd_script_eval(rd_keyspace *ks, int argc, const char **argv, const size_t *argl, int resp, int mode,
                         rd_buf *out);
/* What rd_script_may_write's s is. */
enum { RD_SCRIPT_BODY = 0, RD_SCRIPT_SHA = 1, RD_SCRIPT_FUNCTION = 2 };
/* Whether EVAL (s: the body), EVALSHA (the SHA1) or FCALL (the function's name), ro for their _RO
 * forms, may write as Redis judges it from the script's flags (CLIENT PAUSE WRITE holds it).  Gate
 * held, shared or exclusive. */
int rd_script_may_write(int kind, int ro, const char *s, size_t n);
/* SCRIPT LOAD: the SHA1 as a bulk, or the compile error, appended to out.  Gate exclusive. */
rd_status rd_script_load(const char *body, size_t len, rd_buf *out);
/* SCRIPT EXISTS of one SHA1: 1 or 0.  Gate exclusive. */
int rd_script_exists(const char *sha, size_t len);
/* SCRIPT FLUSH: a new Lua state and an empty cache.  Gate exclusive. */
void rd_script_flush(void);
/* SCRIPT KILL: +OK (the running script stops at its next hook), -NOTBUSY or -UNKILLABLE appended to
 * out.  Any thread, without the gate. */
rd_status rd_script_kill(rd_buf *out);
/* 1 while a script runs past busy-reply-threshold (-BUSY for other clients), 2 when that script is
 * a function (FCALL).  Any thread. */
int rd_script_busy(void);
/* busy-reply-threshold in ms (0: no hook).  Any thread. */
void rd_script_set_busy_threshold(int64_t ms);
/* Copies RD_SCRIPT_NSTATS counters (as of the last script) into out[].  Any thread. */
rd_status rd_script_stats(uint64_t *out, size_t n);
/* INFO commandstats of the calls scripts made to a command C ran (the ones Python ran it counts
 * itself): out[0] calls, out[1] failed, out[2] rejected by redis.call's checks (any command).
 * RD_NOT_FOUND for a name not registered.  Any thread. */
rd_status rd_script_call_stats(const char *name, size_t n, uint64_t *out);
/* CONFIG RESETSTAT of those counters.  Any thread. */
void rd_script_call_stats_reset(void);

/* ---- functions (function.c, function_dump.c): FUNCTION and FCALL ----------------- */

/* FUNCTION RESTORE policies. */
enum { RD_FN_APPEND = 0, RD_FN_REPLACE = 1, RD_FN_FLUSH = 2 };
/* rd_function_info's output. */
enum {
    RD_FN_VM_BYTES = 0,        /* the functions' Lua state heap (used_memory_vm_functions) */
    RD_FN_LIBRARIES,           /* libraries loaded */
    RD_FN_FUNCTIONS,           /* functions registered */
    RD_FN_BYTES,               /* what the libraries hold (used_memory_functions) */
    RD_FN_NINFO
};

/* FUNCTION LOAD [REPLACE] code: the library's name as a bulk, or the error.  Gate exclusive. */
rd_status rd_function_load(const char *code, size_t len, int replace, rd_buf *out);
/* FUNCTION DELETE name: +OK or -ERR Library not found.  Gate exclusive. */
rd_status rd_function_delete(const char *name, size_t len, rd_buf *out);
/* FUNCTION FLUSH: every library freed.  Gate exclusive. */
void rd_function_flush(void);
/* FCALL/FCALL_RO name numkeys key... arg... (argv[0] is the command's name): the complete reply in
 * RESP resp.  Gate exclusive.  RD_OK, RD_ERR_NOMEM. */
rd_status rd_function_call(rd_keyspace *ks, int argc, const char **argv, const size_t *argl, int resp, int ro,
                           rd_buf *out);
/* FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] (pattern NULL: every library).  Gate exclusive. */
rd_status rd_function_list(const char *pattern, size_t plen, int withcode, int resp, rd_buf *out);
/* FUNCTION STATS (the running function included).  Any thread: busy mode answers it. */
rd_status rd_function_stats(int resp, rd_buf *out);
/* FUNCTION KILL: as SCRIPT KILL, for a function.  Any thread, without the gate. */
rd_status rd_function_kill(rd_buf *out);
/* FUNCTION DUMP: the payload (Redis 7.0's: RDB_OPCODE_FUNCTION2 strings, RDB version 10, CRC64) as a
 * bulk.  Gate exclusive. */
rd_status rd_function_dump(rd_buf *out);
/* FUNCTION RESTORE payload [policy]: +OK or the error; nothing changes on an error.  Gate exclusive. */
rd_status rd_function_restore(const char *payload, size_t len, int policy, rd_buf *out);
/* Copies RD_FN_NINFO counters into out[].  Any thread. */
rd_status rd_function_info(uint64_t *out, size_t n);

/* ---- transactions (gate.c, watch.c) ------------------------------------------ */

/* The gate makes EXEC atomic: every command holds it shared (Python's dispatch
 * per command, the fast path per batch), EXEC holds it exclusive while it runs
 * its queue.  Any thread; re-entrant per thread (nested calls only count), so
 * rd_ks_* calls made while holding it never wait on it.  Blocks without the
 * GIL (cffi releases it).  rd_ks_exclusive_begin returns RD_NOT_DONE, taking
 * nothing, when the thread holds the gate shared.  Each begin needs its end. */
void rd_ks_shared_begin(rd_keyspace *ks);
void rd_ks_shared_end(rd_keyspace *ks);
rd_status rd_ks_exclusive_begin(rd_keyspace *ks);
void rd_ks_exclusive_end(rd_keyspace *ks);
/* rd_ks_shared_begin (excl 0) or rd_ks_exclusive_begin (1), except that it gives up, holding
 * nothing, once a script runs past busy-reply-threshold: RD_OK, RD_ERR_BUSY (answer -BUSY), or
 * RD_NOT_DONE (exclusive from a shared holder, as rd_ks_exclusive_begin).  Any thread. */
rd_status rd_ks_gate_begin_unless_busy(rd_keyspace *ks, int excl);

/* WATCH key: registers one watcher of key (each needs one rd_ks_unwatch).
 * *version and *live (the key exists and has not expired) are what EXEC hands
 * back to rd_ks_watch_check.  RD_OK or RD_ERR_NOMEM.  Any thread. */
rd_status rd_ks_watch(rd_keyspace *ks, const char *key, size_t klen, uint64_t *version,
                      int *live);
/* Drops one registration made by rd_ks_watch.  RD_OK, RD_NOT_FOUND (none). */
rd_status rd_ks_unwatch(rd_keyspace *ks, const char *key, size_t klen);
/* EXEC's test, Redis 7.0's: RD_OK when key is as rd_ks_watch left it;
 * RD_NOT_DONE when a write changed it since, or it was live and has expired
 * (or was flushed) since.  RD_NOT_FOUND: not registered.  Any thread. */
rd_status rd_ks_watch_check(rd_keyspace *ks, const char *key, size_t klen, uint64_t version,
                            int live);

/* ---- the fast path's command list ------------------------------------------ */

/* The i-th command C serves itself (lowercase name, Redis arity), i from 0;
 * RD_NOT_FOUND past the end.  Lets a test check it against the Python table.
 * Any thread. */
rd_status rd_fast_command(int i, const char **name, int *arity);

/* ---- workers: one per OS thread ------------------------------------------ */

rd_worker *rd_worker_new(rd_keyspace *ks);
void rd_worker_free(rd_worker *w);
/* Copies RD_W_NSTATS counters into out[].  Any thread (relaxed reads). */
rd_status rd_worker_stats(rd_worker *w, uint64_t *out, size_t n);
/* Fast-path calls per command: calls[i] counts the i-th rd_fast_command, failed[i]
 * those of them that replied an error (0 past the table).  Any thread (relaxed reads). */
rd_status rd_worker_command_calls(rd_worker *w, uint64_t *calls, uint64_t *failed, size_t n);
/* Error replies the fast path wrote, per status: out[st] counts rd_status_message(st)
 * lines.  Any thread (relaxed reads). */
rd_status rd_worker_error_counts(rd_worker *w, uint64_t *out, size_t n);

/* ---- connections: owner thread only --------------------------------------- */

rd_conn *rd_conn_new(rd_worker *w);
void rd_conn_free(rd_conn *c);

/* fast = 0 hands every command to Python (REDISTILL_FASTPATH=0, MULTI, before AUTH). */
void rd_conn_set_fast(rd_conn *c, int fast);
/* blocked = 1 while the pending slow command waits (BLPOP & co.): rd_conn_io
 * keeps reading (and reports the peer's close as RD_CLOSE) and flushing, and
 * neither it nor rd_conn_run runs anything; set 0 before rd_conn_reply
 * delivers the command's reply. */
void rd_conn_set_blocked(rd_conn *c, int blocked);
/* RESP protocol version for replies written by C: 2 or 3. */
void rd_conn_set_resp(rd_conn *c, int proto);
/* authenticated = 0 applies Redis's tighter frame limits for unauthenticated clients. */
void rd_conn_set_authenticated(rd_conn *c, int authenticated);

/* One readable or writable event on a plain socket:
 *   with read != 0, read what the socket has (until EAGAIN or a per-call cap),
 *   then run buffered commands in C until one needs Python, then write replies.
 * Replies of one batch are written together: output is flushed when the batch
 * ends (or grows past a threshold), not before an RD_SLOW return.
 * Returns RD_SLOW (call rd_conn_command, then rd_conn_reply, then this again
 * with read = 0), RD_NEED_MORE (output pending: wait for writable, stop reading),
 * RD_CLOSE (peer gone with nothing left to run, socket error, or a protocol
 * error / close-after-reply flushed), or RD_OK (idle: wait for readable). */
rd_status rd_conn_io(rd_conn *c, int fd, int read);

/* The pending slow command as one canonical RESP multibulk frame
 * ("*N\r\n$len\r\narg\r\n..."), inline commands included.  Valid until
 * rd_conn_reply.  RD_OK, or RD_NOT_FOUND when no command is pending. */
rd_status rd_conn_command(rd_conn *c, const char **frame, size_t *len);

/* Python has copied the pending command's arguments out: its frame (and a big
 * input buffer holding little else) may be freed while the command runs, so a
 * big argument is not held twice.  rd_conn_command answers RD_NOT_FOUND after
 * it.  Owner thread. */
void rd_conn_frame_done(rd_conn *c);

/* The pending command stores a big value (SET key <value>..., SETEX, APPEND) that
 * was read into a block of its own, laid out for the keyspace to adopt, and
 * holding nothing else: hands that block over (call it before
 * rd_conn_frame_done).  The caller owns it from then on (rd_block_offer, or
 * rd_block_free); the lent frame stays readable in it, the value (*val_len
 * bytes) *val_at bytes into the frame.  RD_NOT_FOUND when there is no such block.  Owner thread. */
rd_status rd_conn_take_block(rd_conn *c, char **block, size_t *val_at, size_t *val_len);

/* Appends Python's reply bytes to the output and retires the pending command. */
rd_status rd_conn_reply(rd_conn *c, const char *data, size_t len);
/* Appends output no command asked for (MONITOR's lines) after what is there, a pending
 * command's reply still to come; past the output limit the connection is dropped as for a
 * reply.  rd_conn_io(c, fd, 0) then writes it.  Owner thread. */
rd_status rd_conn_push(rd_conn *c, const char *data, size_t len);

/* client_output_buffer_limit: once a reply takes the unsent output past
 * `hard` bytes the connection is dropped (rd_conn_io/rd_conn_run return
 * RD_CLOSE, unsent output discarded).  0 = no limit (the default). */
void rd_conn_set_output_limit(rd_conn *c, uint64_t hard);

/* proto-max-bulk-len: a request argument longer than `max` bytes is refused
 * with "Protocol error: invalid bulk length" (as Redis).  Process-wide, read by
 * every parser at each bulk header; default 512 MB.  Any thread. */
void rd_set_proto_max_bulk_len(int64_t max);

/* client_query_buffer_limit: once more than `max` bytes of input wait to be
 * parsed the connection is dropped (RD_CLOSE, no reply, as Redis).  0 = the
 * default, 1 GB (Redis's client-query-buffer-limit). */
void rd_conn_set_input_limit(rd_conn *c, uint64_t max);

/* Frees the buffers an idle connection keeps for reuse (up to 1 MB in and
 * 1 MB out each, after a big request or reply): the worker calls it for
 * connections idle a few seconds, as Redis's clientsCron shrinks idle
 * clients' buffers.  Keeps anything pending (a partial frame, unsent output).
 * Returns the bytes freed. */
size_t rd_conn_trim(rd_conn *c);

/* The cron's resize of a busy connection's input buffer (Redis's
 * clientsCronResizeQueryBuffer): one over 32 KB with more than 4 KB free and
 * more than twice the peak of unconsumed input since the last visit shrinks
 * to that peak (never below what it holds or the bulk being read); then the
 * peak restarts.  Returns the bytes freed.  Owner thread only. */
size_t rd_conn_fit_input(rd_conn *c);

/* Returns memory the allocator keeps cached to the OS (glibc malloc_trim);
 * after rd_conn_trim freed a lot.  Any thread; costs a walk of the free lists. */
void rd_release_free_memory(void);

/* After the output is flushed, rd_conn_io returns RD_CLOSE (QUIT, CLIENT KILL). */
void rd_conn_close_after_reply(rd_conn *c);

/* Buffer-level I/O for sockets C cannot read itself (TLS):
 * rd_conn_feed copies received bytes in; rd_conn_run runs commands like
 * rd_conn_io without touching a socket; rd_conn_output lends the pending
 * output and rd_conn_consume_output drops n sent bytes of it.
 * rd_conn_run returns RD_SLOW, RD_NEED_MORE (over 4 MB of output unsent:
 * send some, then run again), RD_CLOSE (send what rd_conn_output holds, then
 * close), or RD_OK (needs more input).  A frame lent by rd_conn_command stays
 * valid until rd_conn_reply or rd_conn_feed. */
rd_status rd_conn_feed(rd_conn *c, const char *data, size_t len);
rd_status rd_conn_run(rd_conn *c);
rd_status rd_conn_output(rd_conn *c, const char **data, size_t *len);
rd_status rd_conn_consume_output(rd_conn *c, size_t n);

/* Buffer sizes for CLIENT LIST / CLIENT INFO, indices RD_CM_*.  Owner thread only. */
enum {
    RD_CM_QBUF = 0,       /* unconsumed input bytes, the command Python runs included */
    RD_CM_QBUF_FREE,      /* free input buffer capacity */
    RD_CM_OBL,            /* output bytes not yet sent */
    RD_CM_OMEM,           /* output buffer capacity */
    RD_CM_TOTAL,          /* every buffer the connection holds, with its struct */
    RD_CM_NSTATS
};
rd_status rd_conn_memory(rd_conn *c, uint64_t *out, size_t n);
/* Keeps out[0..RD_CM_NSTATS) updated with those sizes before each reply leaves and at each
 * rd_conn_fit_input / rd_conn_trim, so other threads' CLIENT LIST reads current sizes without
 * touching c (which the owner may free).  out must outlive c.  Owner thread. */
void rd_conn_mirror_memory(rd_conn *c, uint64_t *out);

/* Milliseconds since the epoch of the connection's last I/O (CLIENT LIST idle=). */
int64_t rd_conn_last_interaction_ms(const rd_conn *c);

/* ---- the worker's event loop in C (plain sockets; owner thread only) ------ */

/* rd_worker_poll serves readable events of attached connections itself, so a
 * batch of fast commands costs Python nothing.  attach: fd's events belong to
 * c; detach before rd_conn_free (no-op when fd is attached to another conn). */
rd_status rd_worker_attach(rd_worker *w, int fd, rd_conn *c);
void rd_worker_detach(rd_worker *w, int fd, rd_conn *c);
/* epoll_wait (timeout_ms -1 = forever) on epfd, whose events carry their fd,
 * again while every event was served here, until one is left for Python or
 * the timeout is up.  Readable attached connections go through rd_conn_io(c, fd, 1) here;
 * the events left for Python are written to fds/events/status (status: the
 * rd_conn_io result other than RD_OK, or -1 when nothing was done) and
 * counted in the return value, at most max; -1 on an epoll error (errno). */
int rd_worker_poll(rd_worker *w, int epfd, int timeout_ms, int *fds, uint32_t *events, int *status,
                   int max);

/* ---- blocked pops (BLPOP & co.) -------------------------------------------- */

/* Clients blocked in BLPOP & co. (commands/blocking.py keeps the count): while
 * it is not 0 the fast path leaves the commands that can fill a list or a sorted
 * set (LPUSH, RPUSH, LPUSHX, RPUSHX, LMOVE, RPOPLPUSH, ZADD, ZINCRBY, Z*STORE)
 * to Python, which wakes them. */
void rd_set_list_waiters(int n);

/* ---- handing every command to Python (MONITOR, CLIENT PAUSE) ---------------- */

/* on != 0: every batch that starts from now on (read after it takes the keyspace gate) leaves
 * every command to Python, whatever rd_conn_set_fast says, so MONITOR sees them and
 * CLIENT PAUSE can hold them.  Any thread; one relaxed load per batch. */
void rd_set_python_only(int on);

/* ---- SLOWLOG of the fast path (slowlog.c) ----------------------------------- */

/* slowlog-log-slower-than (microseconds; < 0 off, 0 everything) and slowlog-max-len, as
 * CONFIG SET changes them.  Any thread. */
void rd_slowlog_config(int64_t slower_than_us, uint64_t max_len);
/* The next SLOWLOG entry id; Python's entries take theirs here too (one sequence).  Any thread. */
uint64_t rd_slowlog_next_id(void);
/* Bytes rd_slowlog_drain would write now.  Any thread. */
size_t rd_slowlog_pending(void);
/* Moves the queued fast-path entries, oldest first, into out while they fit; returns the
 * bytes written.  Each: u32 size, then u64 id, u64 unix seconds, u64 microseconds, u32 argc,
 * argc x (u32 len, bytes), and the rest "addr\0name" (native byte order).  Any thread. */
size_t rd_slowlog_drain(char *out, size_t cap);
/* The client's address and name as SLOWLOG entries show them (set at accept and on each
 * name change).  Owner thread only. */
rd_status rd_conn_set_client(rd_conn *c, const char *addr, size_t alen, const char *name, size_t nlen);

/* ---- Pub/Sub (pubsub.c; docs/LOCKING.md) ----------------------------------------------------------- */

/* kind: 0 channels (SUBSCRIBE), 1 patterns (PSUBSCRIBE), 2 shard channels (SSUBSCRIBE).
 * subscribe/unsubscribe append Redis's confirmation ([kind, name, count], a push in RESP3) to
 * out; fd is the connection's socket (the key Python's loop knows it by), c_writes 0 when C
 * cannot write that socket itself (TLS).  unsubscribe_all drops every subscription of a kind,
 * with one confirmation each (Redis's nil-named one when there were none) when out is not NULL
 * (RESET and a close: silently).  Owner thread of c; the registry is locked inside. */
rd_status rd_ps_subscribe(rd_conn *c, int fd, int c_writes, int kind, const char *name, size_t n,
                          rd_buf *out);
rd_status rd_ps_unsubscribe(rd_conn *c, int kind, const char *name, size_t n, rd_buf *out);
rd_status rd_ps_unsubscribe_all(rd_conn *c, int kind, rd_buf *out);
/* The connection's subscriptions of a kind.  Owner thread. */
int64_t rd_ps_client_count(rd_conn *c, int kind);
/* While set (c, or NULL), this thread's PUBLISH puts c's own messages in the reply before its
 * count, as Redis writes them (the Python path, for a subscriber or a client in MULTI; the fast
 * path knows its connection).  Owner thread of c. */
void rd_ps_enter(rd_conn *c);
/* PUBLISH (shard 0) / SPUBLISH (1): the number of receivers; self's own pushes go to self_out
 * (self may be NULL).  Any thread. */
int64_t rd_ps_publish(rd_conn *self, int shard, const char *ch, size_t n, const char *msg, size_t m,
                      rd_buf *self_out);
/* PUBSUB NUMSUB / SHARDNUMSUB of one name, INFO's counts of a kind, and PUBSUB CHANNELS /
 * SHARDCHANNELS as a RESP array (pattern NULL: every one).  Any thread. */
int64_t rd_ps_numsub(int kind, const char *name, size_t n);
int64_t rd_ps_count(int kind);
rd_status rd_ps_channels(int kind, const char *pattern, size_t plen, rd_buf *out);
/* client-output-buffer-limit's pubsub class (0 = no limit), and the subscribers it dropped.  Any thread. */
void rd_ps_set_limits(uint64_t hard, uint64_t soft, int64_t soft_seconds);
uint64_t rd_ps_limit_disconnections(void);
/* 1 (counted) when c is a subscriber over the pubsub limit now, judged as at each delivery, with
 * the same soft-limit clock: the worker's sweep closes it (a soft limit with no more traffic).
 * Owner thread. */
int rd_ps_over_limit(rd_conn *c);
/* The worker's eventfd: readable when messages wait for its subscribers.  rd_worker_poll
 * delivers them itself; a loop without it (select) calls rd_worker_deliver, which reports
 * as rd_worker_poll does (fds/status of the connections Python must look at).  Owner thread. */
int rd_worker_pubsub_fd(rd_worker *w);
int rd_worker_deliver(rd_worker *w, int *fds, int *status, int max);

/* ---- keyspace notifications (notify.c; docs/LOCKING.md) ------------------------------------ */

/* notify-keyspace-events as Redis's NOTIFY_* bits (K 1, E 2, g 4, $ 8, l 16, s 32, h 64, z 128,
 * x 256, e 512, t 1024, m 2048, d 8192, n 16384).  Any thread. */
void rd_notify_set_flags(int flags);
/* Redis's notifyKeyspaceEvent(type, event, key) for a write Python makes itself.  Any thread. */
void rd_notify(int type, const char *event, const char *key, size_t klen);
/* ---- client-side caching (tracking.c; docs/LOCKING.md) ---------------------------------------------- */
/* A client's tracking flags (CLIENT TRACKING's options; BROKEN_REDIR: its redirection target is gone). */
enum {
    RD_TRK_ON = 1,
    RD_TRK_BCAST = 2,
    RD_TRK_OPTIN = 4,
    RD_TRK_OPTOUT = 8,
    RD_TRK_NOLOOP = 16,
    RD_TRK_BROKEN_REDIR = 32
};
/* Registers connection c under its client id (fd and c_writes as rd_ps_subscribe's), so that it
 * can track keys and receive invalidations, its own or redirected ones.  Once, at its creation;
 * rd_conn_free unregisters it.  RD_OK or RD_ERR_NOMEM.  Owner thread. */
rd_status rd_trk_attach(rd_conn *c, uint64_t id, int fd, int c_writes);
/* CLIENT TRACKING ON (flags RD_TRK_*, redirect 0 = none; BCAST's prefixes, none = every key) and OFF.
 * The options are checked by the caller.  Owner thread; the tables are locked inside. */
rd_status rd_trk_enable(rd_conn *c, int flags, uint64_t redirect, int n, const char **prefixes,
                        const size_t *plens);
void rd_trk_disable(rd_conn *c);
/* c's flags now (RD_TRK_BROKEN_REDIR is set by a delivery).  Owner thread. */
int rd_trk_flags(rd_conn *c);
/* The keys a read-only command of c is about to read: c may cache them (call it before the
 * read).  Evicts keys over tracking-table-max-keys.  Owner thread. */
rd_status rd_trk_remember(rd_conn *c, int n, const char **keys, const size_t *klens);
/* While set (c, or NULL), the invalidations this thread sends to c wait for c's next reply
 * (rd_conn_reply appends them), and c's NOLOOP skips c's own changes.  Owner thread of c. */
void rd_trk_enter(rd_conn *c);
/* The invalidations waiting for c's reply (rd_trk_enter), written now: those of the keys evicted
 * before its command runs, which Redis sends before the reply.  Owner thread. */
rd_status rd_trk_flush_self(rd_conn *c);
/* The key positions of the i-th rd_fast_command when it is read-only (Redis's first, last, step;
 * -1 first: keys after a numkeys argument, left to Python), so a plain-mode tracking client's fast
 * reads remember their keys.  Start-up only, before any worker runs. */
rd_status rd_trk_command_keys(int i, int first, int last, int step);
/* tracking-table-max-keys (0 = no limit; applied now).  Any thread. */
void rd_trk_set_max_keys(uint64_t n);
/* INFO: tracking_clients, tracking_total_keys, tracking_total_items, tracking_total_prefixes.  Any thread. */
void rd_trk_stats(uint64_t *out);

/* ---- emulated cluster mode (cluster.c) ---------------------------------------- */

/* Redis's hash slot of a key (CRC16 XMODEM of the key or of its {hash tag}, mod 16384).  Any thread. */
int rd_cluster_keyslot(const char *key, size_t len);
/* owned: 2048 bytes, bit s (byte s/8, bit s%8) set when this node serves slot s; NULL turns
 * cluster mode off.  Start-up only, before any worker runs. */
void rd_cluster_configure(const unsigned char *owned);
/* Key positions of the i-th rd_fast_command (Redis's first, last, step; first 0 = no keys,
 * -1 = keys follow a numkeys argument: always left to Python in cluster mode).  Start-up only. */
rd_status rd_cluster_command_keys(int i, int first, int last, int step);

/* ---- ACL: the fast path's copy of a user's permissions (acl.c) -------------------------- */

typedef struct rd_acl rd_acl;
/* A handle that allows nothing, with one reference (the caller's).  Any thread. */
rd_acl *rd_acl_new(void);
/* Drops one reference; the handle goes with the last.  Any thread. */
void rd_acl_release(rd_acl *a);
/* Rewrites a handle: open = every command, key and channel (no check at all); else bit i of
 * bits (nbytes <= 20) allows the i-th rd_fast_command, and unless allkeys its keys must each
 * match one of the patterns ("p1\0p2\0...", plen bytes in all; patterns that allow reading and
 * writing).  Whatever it does not allow goes to Python.  Under the keyspace gate held exclusive
 * (connections on every worker read it).  RD_OK, RD_ERR_NOMEM (the handle unchanged). */
rd_status rd_acl_update(rd_acl *a, int open, const unsigned char *bits, size_t nbytes, int allkeys,
                        const char *patterns, size_t plen);
/* The connection's user's handle (NULL: the open one); takes a reference, drops the previous
 * handle's.  Owner thread. */
void rd_conn_set_acl(rd_conn *c, rd_acl *a);
/* on = 1 before a restricted user's script runs, on = 0 after it (a count): meanwhile redis.call
 * hands every command to Python (rd_script_set_python's function), which checks it against the
 * user.  Any thread. */
void rd_script_set_acl_python(int on);

#endif
