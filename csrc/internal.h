/* internal.h: private declarations shared by the C files of csrc/; cffi never sees this header.
 *
 * Naming: ks_* keyspace internals (take the stripe locks themselves, with an
 * explicit `now` read once per batch), do_* assume the stripe lock is held,
 * resp_* framing and reply encoding, cmd_* fast-path commands, buf_* byte buffers.
 */
#ifndef REDISTILL_INTERNAL_H
#define REDISTILL_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* malloc_usable_size, getrandom, MSG_NOSIGNAL */
#endif

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

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

/* ---- Redis's glob (glob.c) ------------------------------------------------- */

/* stringmatchlen: * ? [a-z] [^x] and backslash escapes.  1 = match. */
int glob_match(const char *pattern, size_t plen, const char *s, size_t slen, int nocase);

/* ---- hashing (hash.c) ----------------------------------------------------- */

uint64_t siphash13(const void *data, size_t len, uint64_t k0, uint64_t k1);

/* ---- keyspace internals (keyspace.c) -------------------------------------- */

/* Receives a value while the stripe lock is held, so the fast path can copy it
 * straight into a reply.  v == NULL means "no string here" (MGET only).
 * Returns 0, or -1 when it could not store the bytes (allocation failure). */
typedef int (*ks_sink)(void *ctx, const char *v, size_t n);

rd_status ks_get(rd_keyspace *ks, const char *key, size_t klen, int64_t now,
                 ks_sink fn, void *ctx);
rd_status ks_set(rd_keyspace *ks, const char *key, size_t klen, const char *val, size_t vlen,
                 int flags, int64_t expire_at, int64_t now, ks_sink old_fn, void *old_ctx,
                 int *old_found);
rd_status ks_incrby(rd_keyspace *ks, const char *key, size_t klen, int64_t delta, int64_t now,
                    int64_t *result);
rd_status ks_del(rd_keyspace *ks, const char *key, size_t klen, int64_t now);
rd_status ks_exists(rd_keyspace *ks, const char *key, size_t klen, int64_t now);
/* Multi-key calls take `stride` so argv-style interleaved arrays work without copying:
 * key i is keys[i * stride]. */
rd_status ks_mset(rd_keyspace *ks, int npairs, const char *const *keys, const size_t *klens,
                  const char *const *vals, const size_t *vlens, size_t stride, int64_t now);
/* MGET: calls fn once per key, in order, with every involved stripe locked. */
rd_status ks_mget(rd_keyspace *ks, int nkeys, const char *const *keys, const size_t *klens,
                  int64_t now, ks_sink fn, void *ctx);

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
void resp_add_array_len(rd_buf *b, long long n);
void resp_add_nil(rd_buf *b, int proto);
/* The error line of a keyspace status, from status.c. */
void resp_add_status_error(rd_buf *b, rd_status st);
/* "-ERR <text>\r\n" with CR/LF in text mapped to spaces (Redis addReplyErrorFormat). */
void resp_add_err_text(rd_buf *b, const char *text);
/* ks_sink that appends v as a bulk to the rd_buf ctx (GET, SET GET: v is never NULL). */
int resp_bulk_sink(void *ctx, const char *v, size_t n);

/* ---- fast path (fastpath.c, cmd_*.c) --------------------------------------- */

typedef struct fp_ctx {
    rd_keyspace *ks;
    rd_buf *out;
    int resp;     /* 2 or 3 */
    int64_t now;  /* read once per batch */
} fp_ctx;

enum { FP_DONE = 0, FP_SLOW = 1 };

/* A command handler: FP_DONE after appending its reply, or FP_SLOW (before any
 * side effect or output) for every case Python owns: syntax errors, bad numbers. */
typedef int (*fp_handler)(fp_ctx *x, int argc, const char **argv, const size_t *argl);

/* Room for per-command call counters in rd_worker (fastpath.c checks the table fits). */
#define FP_MAX_COMMANDS 64

/* Runs argv if it is a fast command with a valid arity; FP_DONE or FP_SLOW.
 * On FP_DONE *which is the command's index in the table (rd_fast_command order). */
int fp_dispatch(fp_ctx *x, int argc, const char **argv, const size_t *argl, int *which);

int cmd_get(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_set(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_incr(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_decr(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_incrby(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_decrby(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_mget(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_mset(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_del(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_exists(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_ping(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_echo(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_setnx(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_setex(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_psetex(fp_ctx *x, int argc, const char **argv, const size_t *argl);
int cmd_strlen(fp_ctx *x, int argc, const char **argv, const size_t *argl);

#endif
