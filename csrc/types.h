/* types.h: the data types (types.c, t_*.c): the type-ops table the keyspace calls, the C
 * command handler contract (tx_ctx, tx_handler) and the command lists generated from the command
 * table, shared argument, reply and SCAN helpers. */
#ifndef REDISTILL_TYPES_H
#define REDISTILL_TYPES_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "commands_generated.h"
#include "dict.h"
#include "ksapi.h"
#include "notify.h" /* the handlers fire keyspace events */
#include "redistill.h"
#include "strconv.h"

/* Entry types, numbered as Redis's OBJ_* (the TYPE names live in types.c). */
enum { KS_TYPE_STRING = 0, KS_TYPE_LIST = 1, KS_TYPE_SET = 2, KS_TYPE_ZSET = 3, KS_TYPE_HASH = 4,
       KS_TYPE_STREAM = 6, KS_NTYPES };

/* What the keyspace needs to know about a collection type.  A typed entry's
 * value is a pointer to the type's object, which the entry owns. */
typedef struct ks_type_ops {
    const char *name;                 /* TYPE reply */
    void (*free)(void *obj);
    void *(*dup)(const void *obj);    /* COPY: deep copy, NULL on allocation failure */
    size_t (*mem)(const void *obj);   /* bytes the object holds (a count it keeps current) */
    int (*encoding)(const void *obj); /* RD_ENC_* as Redis 7.0 would report it */
    size_t (*len)(const void *obj);   /* elements; 0 means the key must go */
    /* Calls fn on every element (a hash's fields) in the type's own order: list order, a
     * zset's by score, a set's table order.  SORT reads its input this way. */
    void (*each)(const void *obj, void (*fn)(void *ctx, const char *p, size_t n), void *ctx);
    /* The key's entry is being freed (NULL: nothing to do); streams answer blocked XREADGROUPs. */
    void (*key_freed)(const char *key, size_t n);
    /* Active expiry of the object's own items (a hash's field TTLs; NULL for types without):
     * one bounded step that deletes items whose time has passed.  1 while items with a TTL remain. */
    int (*expire_items)(void *obj, int64_t now);
} ks_type_ops;

/* Indexed by KS_TYPE_*; NULL for strings (entries hold their bytes themselves).  Defined by the
 * keyspace (keyspace.c), which frees, copies and measures typed entries through it, and filled
 * once at load by cmdtable.c, above the types: so neither calls the other in a circle. */
extern const ks_type_ops *ks_types[KS_NTYPES];
extern const ks_type_ops hash_type_ops, set_type_ops;
extern const ks_type_ops zset_type_ops;
extern const ks_type_ops list_type_ops;
extern const ks_type_ops stream_type_ops;

/* Redis's encoding thresholds (CONFIG SET hash-max-listpack-entries ...), by RD_CFG_*. */
extern _Atomic long long ks_type_config[RD_CFG_COUNT];

/* What every C command handler (cmd_*, tx_*) gets; it writes its complete reply to out. */
typedef struct tx_ctx {
    rd_keyspace *ks;
    rd_buf *out;
    int resp; /* 2 or 3 */
    int defer; /* fast path, a command that can fill a waited key: tx_open fails while any client is blocked */
    int64_t now; /* the command's clock (rd_now_ms); on the fast path the batch's */
    int fastpath; /* run by the fast path: a read that must block (XREAD BLOCK) hands itself to Python */
    const struct rd_acl *acl; /* fast path: the user's handle when it restricts (acl.c), else NULL */
} tx_ctx;

/* RESP3 map / set headers; a flat array / an array in RESP2. */
void reply_map_len(rd_buf *b, int resp, long long pairs);
void reply_set_len(rd_buf *b, int resp, long long n);
void reply_syntax(rd_buf *b);
/* A missing key's HSCAN/SSCAN/ZSCAN reply: cursor 0, no elements. */
void reply_empty_scan(rd_buf *b);
/* Redis's string2ll as getLongLongFromObject uses it: 1 = ok. */
int arg_ll(const char *a, size_t n, long long *out);
/* getLongFromObjectOrReply: 1, or 0 after writing the not-an-integer error. */
int arg_long(tx_ctx *x, const char *a, size_t n, long long *out);

/* Command-name lookup tables (cmdindex.c): open addressing over lowercase names, filled
 * once at load time; NAME_INDEX_SLOTS must stay a power of two above twice the names. */
#define NAME_INDEX_SLOTS 512
typedef struct name_index {
    struct { const char *name; int id; } slot[NAME_INDEX_SLOTS];
} name_index;
void name_index_add(name_index *ix, const char *name, int id);
int name_index_find(const name_index *ix, const char *a, size_t n); /* id, or -1 */
/* SPOP/ZPOPMIN/ZPOPMAX key [count]: at most one count, parsed as getPositiveLongFromObjectOrReply
 * (one message for "not a number" and "negative"); *count is left alone without one.
 * 0, or -1 after writing the error. */
int arg_pop_count(rd_buf *out, int argc, const char **argv, const size_t *argl, long long *count);
/* LMPOP/ZMPOP numkeys key [key ...] END0|END1 [COUNT count] (Redis's lmpop/zmpop parse): 0 with
 * *numkeys, *end (1 for end1) and *count (1 without COUNT), or -1 after writing the error. */
int mpop_args(rd_buf *out, int argc, const char **argv, const size_t *argl, const char *end0,
              const char *end1, int *numkeys, int *end, long long *count);
/* shared.nullarray: *-1 (RESP2), _ (RESP3). */
void reply_null_array(rd_buf *out, int resp);
/* Every type command's key lookups: tx_open locks a view of n keys (0, or -1 after writing the
 * error); tx_get reads key i as `type` (1 with *obj NULL when absent, 0 after writing WRONGTYPE). */
int tx_open(tx_ctx *x, ks_view *v, const char *const *keys, const size_t *klens, int n);
int tx_get(tx_ctx *x, ks_view *v, int i, int type, int read, void **obj);
/* The multi-key pops' choice (blockingPopGenericCommand's loop): the first of the view's n keys that
 * exists, as `type` (an existing key of another type is WRONGTYPE even before a later non-empty one):
 * its index with *obj, n when none exists, -1 after writing the error. */
int tx_first(tx_ctx *x, ks_view *v, int n, int type, void **obj);
/* HRANDFIELD/SRANDMEMBER: the count as getRangeLongFromObjectOrReply(-LONG_MAX,
 * LONG_MAX) takes it; 0 ok, -1 (error written). */
int arg_random_count(rd_buf *out, const char *a, size_t n, long long *l);
/* A node as a bulk (its key), or with withvalues its key and value (a pair in RESP3). */
void reply_node(struct tx_ctx *x, dnode *n, int withvalues);
/* hrandfieldWithCountCommand / srandmemberWithCountCommand: a negative count
 * repeats, a positive one is distinct; d NULL is a missing key. */
void reply_random(struct tx_ctx *x, const rdict *d, long long l, int withvalues);
/* HSCAN/SSCAN/ZSCAN: Redis's parseScanCursorOrReply; 0 ok, -1 (error written). */
int scan_cursor(rd_buf *out, const char *a, size_t n, uint64_t *cursor);
typedef struct scan_opts {
    long long count;
    const char *pat; /* NULL = everything */
    size_t plen;
} scan_opts;
/* COUNT / MATCH from argv[from], and TYPE when type is not NULL (SCAN: its type code, or
 * KS_NTYPES for a name no type has); 0 ok, -1 (error written). */
int scan_opts_parse(rd_buf *out, int argc, const char **argv, const size_t *argl, int from,
                    scan_opts *o, int *type);
/* One HSCAN/SSCAN step over d into out (*2 cursor + elements); `all` for the
 * small encodings, which Redis returns whole with cursor 0. */
void scan_reply(rd_buf *out, const rdict *d, uint64_t cursor, const scan_opts *o, int all,
                int with_values);

/* A command: writes its complete reply (errors included, Redis's text and order) to x->out. */
typedef void (*tx_handler)(tx_ctx *x, int argc, const char **argv, const size_t *argl);

/* The type commands' lists (TYPE_COMMANDS: the fast path and rd_exec; EXEC_COMMANDS: rd_exec
 * only, as SORT, which may read keys its arguments do not name, and the blocking pops' immediate
 * attempt, which blocking.py calls) are generated from the command table. */
#define CMD_DECLARE(name, arity, fn) \
    void fn(tx_ctx *x, int argc, const char **argv, const size_t *argl);
FAST_COMMANDS(CMD_DECLARE)
#undef CMD_DECLARE
#define TX_DECLARE(name, arity) \
    void tx_##name(tx_ctx *x, int argc, const char **argv, const size_t *argl);
TYPE_COMMANDS(TX_DECLARE)
EXEC_COMMANDS(TX_DECLARE)
#undef TX_DECLARE
/* A new empty list object, and an element appended to it (SORT ... STORE builds its result). */
void *list_obj_new(void);
int list_obj_push_tail(void *l, const char *p, size_t n);
/* Sorted-set objects for the RDB loader and writer (rdb.c): a new empty set; a member added
 * (0, 1 when it was there already, -1 allocation failure); the encoding chosen once loaded
 * (Redis converts after loading); every member with its score, highest first when rev. */
void *zset_obj_new(void);
int zset_obj_add(void *z, double score, const char *m, size_t n);
void zset_obj_settle(void *z, int big);
void zset_obj_walk(const void *z, int rev, void (*fn)(void *ctx, const char *m, size_t n, double score),
                   void *ctx);
/* True while any client is blocked (rd_set_list_waiters, types.c). */
int clients_blocked(void);

/* ---- cmdtable.c: the command table above the handlers ---- */
/* True for a command that can fill a list or sorted set a blocked client waits on (the table's
 * wakes column). */
int fills_waited_keys(tx_handler fn);
/* The index of a type command in tx_commands, -1 when name is not one. */
int tx_index(const char *name, size_t n);
/* Number of type commands (rd_fast_command lists them after fastpath.c's). */
int tx_command_count(void);
rd_status tx_command_at(int i, const char **name, int *arity);

#endif
