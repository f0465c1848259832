/* internal.h: private declarations shared by the C files of csrc/; cffi never sees this header.
 *
 * Naming: ks_* keyspace internals (take the stripe locks themselves, with an
 * explicit `now` from the caller's batch clock), do_* assume the stripe lock is held,
 * resp_* framing and reply encoding, cmd_* the string, key and connection commands and tx_*
 * the type commands (both write their whole reply, errors included), buf_* byte buffers.
 */
#ifndef REDISTILL_INTERNAL_H
#define REDISTILL_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* malloc_usable_size, getrandom, MSG_NOSIGNAL */
#endif

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "commands_generated.h"
#include "redistill.h"

/* ---- byte buffers (buf.c) ------------------------------------------------- */

/* A growable byte string.  `failed` is sticky: after an allocation failure
 * appends are dropped, so callers check once per command instead of per append. */
struct rd_buf {
    char *data;
    size_t len, cap;
    int failed;
};

void buf_init(rd_buf *b);
void buf_release(rd_buf *b);
/* Room for `extra` more bytes; 0 or -1 (and b->failed set). */
int buf_reserve(rd_buf *b, size_t extra);
int buf_append(rd_buf *b, const void *p, size_t n);
/* Empties b and gives back memory above `keep` bytes of capacity. */
void buf_reset(rd_buf *b, size_t keep);

/* ---- numbers, exactly as Redis's util.c (strconv.c) ---------------------- */

/* Redis string2ll: no '+', no spaces, no leading zeros, no "-0", no overflow.  1 = ok. */
int str2ll(const char *s, size_t len, long long *out);
/* Writes v in decimal (no NUL); returns the length (at most 20). */
size_t ll2str(char *dst, long long v);


/* ---- hashing (hash.c) ----------------------------------------------------- */

uint64_t siphash13(const void *data, size_t len, uint64_t k0, uint64_t k1);

/* ---- keyspace internals (keyspace.c) -------------------------------------- */

/* Receives a value while the stripe lock is held, so the fast path can copy it
 * straight into a reply.  v == NULL means "no string here" (MGET only): n is 0
 * for a missing key, 1 for a key of another type.
 * Returns 0, or -1 when it could not store the bytes (allocation failure). */
typedef int (*ks_sink)(void *ctx, const char *v, size_t n);

rd_status ks_get(rd_keyspace *ks, const char *key, size_t klen, int64_t now,
                 ks_sink fn, void *ctx);
rd_status ks_set(rd_keyspace *ks, const char *key, size_t klen, const char *val, size_t vlen,
                 int flags, int64_t expire_at, int64_t now, ks_sink old_fn, void *old_ctx,
                 int *old_found);
/* GETEX / GETDEL: fn gets key's string (NULL fn: the lookup alone), then mode (RD_GETEX_*) applies. */
rd_status ks_getex(rd_keyspace *ks, const char *key, size_t klen, int mode, int64_t at_ms, int64_t now,
                   ks_sink fn, void *ctx);
rd_status ks_incrby(rd_keyspace *ks, const char *key, size_t klen, int64_t delta, int64_t now,
                    int64_t *result);
rd_status ks_del(rd_keyspace *ks, const char *key, size_t klen, int64_t now);
rd_status ks_exists(rd_keyspace *ks, const char *key, size_t klen, int64_t now);
/* DEL / EXISTS / TOUCH of several keys (op: RD_MULTI_*), all their stripes locked together. */
rd_status ks_multi(rd_keyspace *ks, int op, int nkeys, const char *const *keys, const size_t *klens,
                   int64_t now, int64_t *count);
/* Multi-key calls take `stride` so argv-style interleaved arrays work without copying:
 * key i is keys[i * stride]. */
rd_status ks_mset(rd_keyspace *ks, int npairs, const char *const *keys, const size_t *klens,
                  const char *const *vals, const size_t *vlens, size_t stride, int64_t now);
/* MGET: calls fn once per key, in order, with every involved stripe locked. */
rd_status ks_mget(rd_keyspace *ks, int nkeys, const char *const *keys, const size_t *klens,
                  int64_t now, ks_sink fn, void *ctx);

/* Prefetching a batch's keys (conn.c): hash, then bucket (a lock-free hint),
 * then the chain's first entry (under the lock). */
uint64_t ks_hash(rd_keyspace *ks, const char *key, size_t klen);
void ks_prefetch_bucket(rd_keyspace *ks, uint64_t h);
void ks_prefetch_entry(rd_keyspace *ks, uint64_t h);
/* h = ks_hash(ks, key, klen) for the command about to run: its keyspace call
 * reuses it.  ks_set_hint(NULL, NULL, 0, 0) right after the command. */
void ks_set_hint(rd_keyspace *ks, const char *key, size_t klen, uint64_t h);
/* A big SET value read straight into its own block (conn.c), as Redis reads a
 * big bulk into the object it stores: the block is malloc'd, the value sits
 * ks_adopt_room(klen) bytes from its start, and the block holds nothing else
 * that is still needed.  ks_adopt_offer before the command; ks_set then builds
 * the entry in that block instead of copying the value (the key moves in front
 * of it).  ks_adopt_taken() after it: 1 when an entry took the block (the
 * caller forgets it, and the command's argument pointers into it), and clears
 * the offer.  One per thread. */
size_t ks_adopt_room(size_t klen);
void ks_adopt_offer(char *block, const char *val, size_t vlen);
int ks_adopt_taken(void);

/* ---- transactions: the gate (gate.c) and WATCH (watch.c) ------------------ */

/* The keyspace-wide gate: commands hold it shared, EXEC exclusive (docs/LOCKING.md).
 * Re-entrant per thread: a thread that holds it (either way) only counts nested entries. */
typedef struct ks_gate {
    pthread_rwlock_t lock; /* writer-preferring, so a waiting EXEC is not starved */
} ks_gate;

int gate_init(ks_gate *g);
void gate_destroy(ks_gate *g);
void gate_enter_shared(ks_gate *g);
/* -1 when this thread already holds the gate shared (an upgrade would deadlock). */
int gate_enter_exclusive(ks_gate *g);
void gate_leave(ks_gate *g);
ks_gate *ks_gate_of(rd_keyspace *ks);
/* Exclusive (re-entrant), or one more nesting of this thread's shared hold. */
void gate_enter_whole(ks_gate *g);
/* Frees what this thread's FLUSHALLs detached while it held the gate (gate_leave
 * calls it once the gate is released). */
void ks_lazyfree(void);
/* While a thread holds the gate, rd_now_ms returns this: the time it took the gate
 * (Redis's cached time for one command, or a whole EXEC).  0 = not holding it. */
extern _Thread_local int64_t gate_now;
/* clock.c: a monotonic clock for time budgets (rd_now_ms/us are the wall clock, redistill.h). */
int64_t clock_mono_us(void);
/* Re-reads the clock for a batch's next commands (outermost shared hold only). */
int64_t gate_tick(void);
/* The same instant in microseconds (the fast path's SLOWLOG times a batch from it). */
extern _Thread_local int64_t gate_now_us;

/* slowlog.c: the threshold (relaxed read) and the queueing of one slow fast-path command;
 * who is "addr\0name". */
int64_t sl_threshold(void);
#define SL_MAX_ARGC 32 /* arguments an entry keeps (SLOWLOG_ENTRY_MAX_ARGC) */
void sl_record(int argc, const char **argv, const size_t *argl, int64_t usec, const char *who,
               size_t who_len);

/* A watched key: one node per key some client WATCHes, in its shard's list,
 * guarded by the shard lock like the entries. */
typedef struct watch_node watch_node;

/* Bumps the version of key's node in `list`, if it has one (shard lock held). */
void watch_touch(watch_node *list, const char *key, size_t klen);
void watch_free_all(watch_node *list);

/* The key's state as WATCH and EXEC see it. */
enum { KS_ABSENT = 0, KS_LIVE, KS_EXPIRED };
/* Calls fn under the lock of key's shard with the shard's watch list and the key's state. */
typedef int (*ks_watch_fn)(void *ctx, watch_node **list, int state);
int ks_watch_locked(rd_keyspace *ks, const char *key, size_t klen, int64_t now, ks_watch_fn fn,
                    void *ctx);

/* ---- RESP framing (resp_parse.c) ------------------------------------------ */

#define RESP_INLINE_MAX (64 * 1024)            /* PROTO_INLINE_MAX_SIZE */
#define RESP_BULK_MAX (512LL * 1024 * 1024)    /* proto-max-bulk-len default */
#define RESP_UNAUTH_MBULK_MAX 10               /* Redis 7.0 limits before AUTH */
#define RESP_UNAUTH_BULK_MAX 16384

typedef struct resp_arg {
    size_t off, len;
} resp_arg;

enum {
    RESP_PARTIAL = 0, /* need more bytes; progress is kept in the parser */
    RESP_FRAME,       /* a command: argc/argv are set, fpos bytes make up the frame */
    RESP_EMPTY,       /* fpos bytes consumed, no command (empty inline line, *0, *-1) */
    RESP_ERROR,       /* protocol error: err holds the text after "-ERR " */
    RESP_NOMEM        /* allocation failure */
};

/* Parser state survives partial reads, like Redis's multibulklen/bulklen, so a
 * big bulk arriving in pieces is never re-parsed from the start. */
typedef struct resp_parser {
    long long mbulk_left; /* args still to read in this multibulk frame; 0 = at a frame start */
    long long bulklen;    /* length of the bulk being read; -1 = its header is not read yet */
    size_t fpos;          /* bytes of the current frame consumed so far */
    int canonical;        /* every line ending of the frame is CRLF (so it can go to Python as is) */
    int is_inline;        /* args point into the scratch buffer, not the input */
    size_t inline_frame;  /* inline: offset of the converted multibulk frame in the scratch */
    int argc, argcap;
    resp_arg *argv;       /* multibulk: offsets from the frame start; inline: into the scratch */
    char err[96];
} resp_parser;

void resp_parser_init(resp_parser *p);
void resp_parser_release(resp_parser *p);
/* Parses from buf (the start of the current frame) over len bytes. */
int resp_parse(resp_parser *p, const char *buf, size_t len, int authenticated, rd_buf *scratch);
/* Readies the parser for the next frame after RESP_FRAME / RESP_EMPTY. */
void resp_next_frame(resp_parser *p);
/* Appends "*argc\r\n$len\r\narg\r\n..." for args at base + argv[i].off. */
int resp_build_frame(rd_buf *out, const char *base, const resp_arg *argv, int argc);

/* ---- reply encoders (resp_write.c) ---------------------------------------- */

void resp_add_raw(rd_buf *b, const char *s, size_t n);
void resp_add_bulk(rd_buf *b, const char *p, size_t n);
void resp_add_int(rd_buf *b, long long v);
/* "<prefix><n>\r\n" (a length or integer line). */
void resp_add_header(rd_buf *b, char prefix, long long n);
void resp_add_array_len(rd_buf *b, long long n);
void resp_add_nil(rd_buf *b, int proto);
/* The error line of a keyspace status, from status.c. */
void resp_add_status_error(rd_buf *b, rd_status st);
/* The error line of a status whose text is a format (status.c's "%s" entries). */
void resp_add_status_errorf(rd_buf *b, rd_status st, ...);
/* The status whose error line (status.c) `line` starts with, or -1 (an error of the arguments). */
int status_of_error(const char *line, size_t len);
/* "-ERR <text>\r\n" with CR/LF in text mapped to spaces (Redis addReplyErrorFormat):
 * for protocol errors, whose text the parser built. */
void resp_add_err_text(rd_buf *b, const char *text);
/* ks_sink that appends v as a bulk to the rd_buf ctx (GET, SET GET: v is never NULL). */
int resp_bulk_sink(void *ctx, const char *v, size_t n);

/* ---- fast path (fastpath.c) ------------------------------------------------ */

enum { FP_DONE = 0, FP_SLOW = 1 };

/* Room for per-command call counters in rd_worker (fastpath.c checks the table fits). */
#define FP_MAX_COMMANDS 160

/* Runs argv if it is a fast command with a valid arity: FP_DONE after its reply (an argument
 * error among them, which the caller drops: Python runs the same handler through rd_exec to
 * write and count it), or FP_SLOW with nothing written.  On FP_DONE *which is the command's
 * index in the table (rd_fast_command order).  x->now is the batch's clock. */
struct tx_ctx;
int fp_dispatch(struct tx_ctx *x, int argc, const char **argv, const size_t *argl, int *which);

/* Emulated cluster mode (cluster.c): set at start-up, read-only afterwards. */
extern int cl_enabled;
/* 1 when the keys of the which-th fast command (rd_fast_command order) all hash to one slot this
 * node owns (or it has none); 0 sends it to Python, which writes -MOVED or -CROSSSLOT. */
int cl_keys_local(int which, int argc, const char **argv, const size_t *argl);
/* The index of a type command in tx_commands, -1 when name is not one (types.c). */
int tx_index(const char *name, size_t n);

/* ---- data types (types.c, dict.c, t_*.c; typed entries in keyspace.c) ---------------- */

/* Entry types, numbered as Redis's OBJ_* (the TYPE names live in types.c). */
enum { KS_TYPE_STRING = 0, KS_TYPE_LIST = 1, KS_TYPE_SET = 2, KS_TYPE_ZSET = 3, KS_TYPE_HASH = 4,
       KS_NTYPES };

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
} ks_type_ops;

/* Indexed by KS_TYPE_*; NULL for strings (entries hold their bytes themselves). */
extern const ks_type_ops *const ks_types[KS_NTYPES];
extern const ks_type_ops hash_type_ops, set_type_ops;
extern const ks_type_ops zset_type_ops;
extern const ks_type_ops list_type_ops;

/* Redis's encoding thresholds (CONFIG SET hash-max-listpack-entries ...), by RD_CFG_*. */
extern _Atomic long long ks_type_config[RD_CFG_COUNT];

/* A type command's keys, all their stripes locked together (ascending, rule 2)
 * for the whole command.  ks_view_close unlocks, then frees what was removed. */
typedef struct ks_view {
    rd_keyspace *ks;
    int64_t now;
    int n;
    const char *const *keys;
    const size_t *klens;
    uint64_t *hs, hstack[8];
    void *dead;        /* entries to free after unlocking */
    uint64_t set[16];  /* locked stripes, one bit each (KS_NSHARDS bits); unused when n == 1 */
} ks_view;

rd_status ks_view_open(ks_view *v, rd_keyspace *ks, int n, const char *const *keys,
                       const size_t *klens);
void ks_view_close(ks_view *v);
/* Key i's object of `type`: RD_OK (*obj set), RD_NOT_FOUND, RD_ERR_WRONGTYPE.
 * Counts a keyspace hit or miss when `read`; touches the access clock. */
rd_status ks_view_get(ks_view *v, int i, int type, int read, void **obj);
/* Stores obj as key i's value: a new key, or replacing any old value and its
 * expiry (SUNIONSTORE).  The entry owns obj from here on (freed on RD_ERR_NOMEM). */
rd_status ks_view_put(ks_view *v, int i, int type, void *obj);
/* Key i's object was changed in place: WATCH hook, memory recount, and the key
 * is deleted once its collection is empty (as Redis). */
void ks_view_changed(ks_view *v, int i);
/* Used memory is past maxmemory: type commands then go to Python, which admits
 * (evicts, or refuses denyoom commands with -OOM) before running them, as Redis. */
int ks_over_maxmemory(rd_keyspace *ks);
/* Deletes key i (any type): 1 if it existed. */
int ks_view_delete(ks_view *v, int i);

/* Redis's string2ld and ld2string(LD_STR_HUMAN), shared with INCRBYFLOAT (keyspace.c). */
#define KS_MAX_FLOAT_CHARS 5120
int parse_long_double(const char *p, size_t n, long double *out);
size_t format_long_double(char *buf, size_t cap, long double v);
uint64_t ks_random64(void);

/* ---- a small string dictionary for hash and set objects (dict.c) ---------- */

typedef struct dnode {
    struct dnode *next;
    uint32_t klen, vlen;
    char data[]; /* key bytes, then value bytes (none for sets) */
} dnode;

static inline char *dnode_val(dnode *d) { return d->data + d->klen; }

typedef struct rdict {
    dnode **table; /* NULL while empty */
    size_t mask;   /* buckets - 1 */
    size_t count;
    size_t mem;    /* bytes of the nodes and the table (malloc_usable_size) */
} rdict;

void dict_init(rdict *d);
void dict_release(rdict *d);
dnode *dict_find(const rdict *d, const char *k, size_t kn);
/* 1 added, 0 replaced the value, -1 allocation failure. */
int dict_set(rdict *d, const char *k, size_t kn, const char *v, size_t vn);
/* 1 removed, 0 absent. */
int dict_del(rdict *d, const char *k, size_t kn);
/* A random node (random non-empty bucket, random chain position); NULL if empty. */
dnode *dict_random(const rdict *d);
/* Deep copy into dst; -1 on allocation failure (dst left empty). */
int dict_dup(rdict *dst, const rdict *src);
/* Calls fn on the nodes of the bucket at cursor; returns the next cursor
 * (Redis's reverse-binary dictScan over one table), 0 when done. */
uint64_t dict_scan(const rdict *d, uint64_t cursor, void (*fn)(void *ctx, dnode *n), void *ctx);
/* for (dnode *n = dict_first(d, &b); n; n = dict_next(d, n, &b)) */
dnode *dict_first(const rdict *d, size_t *b);
dnode *dict_next(const rdict *d, dnode *n, size_t *b);

/* A hash or set object: one dict, and `big`, sticky as Redis 7.0 never converts a
 * hashtable back: it only decides OBJECT ENCODING (listpack/intset vs hashtable). */
typedef struct dobj {
    rdict d;
    int big;
} dobj;

/* The type ops hashes and sets share (dict.c). */
dobj *dobj_new(void);
void dobj_free(void *o);
void *dobj_dup(const void *o);
size_t dobj_mem(const void *o);
size_t dobj_len(const void *o);
void dobj_each(const void *o, void (*fn)(void *ctx, const char *p, size_t n), void *ctx);

/* ---- type commands (types.c, t_hash.c, t_set.c, t_zset.c, t_list.c, t_sort.c) ---- */

/* What every C command handler (cmd_*, tx_*) gets; it writes its complete reply to out. */
typedef struct tx_ctx {
    rd_keyspace *ks;
    rd_buf *out;
    int resp; /* 2 or 3 */
    int defer; /* fast path, a command that can fill a waited key: tx_open fails while any client is blocked */
    int64_t now; /* the command's clock (rd_now_ms); on the fast path the batch's */
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
/* Case-insensitive whole-word match, binary safe. */
int arg_is(const char *a, size_t n, const char *word);

/* Command-name lookup tables (cmdindex.c): open addressing over lowercase names, filled
 * once at load time; NAME_INDEX_SLOTS must stay a power of two above twice the names. */
#define NAME_INDEX_SLOTS 256
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
/* Fills picks[0..count) with distinct random nodes of d (count < d->count): a
 * partial Fisher-Yates shuffle.  -1 on allocation failure; else free(*picks) after. */
int dict_pick_distinct(const rdict *d, size_t count, dnode ***picks);
/* A node as a bulk (its key), or with withvalues its key and value (a pair in RESP3). */
struct tx_ctx;
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
/* COUNT / MATCH from argv[from]; 0 ok, -1 (error written). */
int scan_opts_parse(rd_buf *out, int argc, const char **argv, const size_t *argl, int from,
                    scan_opts *o);
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
/* True for a command that can fill a list or sorted set a blocked client waits on (the table's
 * wakes column, t_list.c). */
int fills_waited_keys(tx_handler fn);
/* True while any client is blocked (rd_set_list_waiters). */
int clients_blocked(void);

/* The fast path's entry to type commands (types.c): FP_SLOW, nothing written,
/* The fast path's entry to type commands (types.c): FP_SLOW, nothing written,
 * for unknown names, bad arity, every error reply (Python writes errors), while
 * used memory is over maxmemory, and while a client is blocked for a write that
 * could wake it. */
int fp_type_dispatch(tx_ctx *x, int argc, const char **argv, const size_t *argl,
                     int *which);
/* Number of type commands (rd_fast_command lists them after fastpath.c's). */
int tx_command_count(void);
rd_status tx_command_at(int i, const char **name, int *arity);

#endif
