/* conn.c: per-connection buffers and the batch loop: read, frame, run fast commands, hand the rest to Python, write
 * (the worker it belongs to and its epoll loop: worker.c).
 *
 * Rules:
 *  1. A connection and its worker belong to one thread; only the worker's
 *     counters are read from elsewhere (relaxed atomics, one writer).
 *  2. While a command waits for Python (c->slow) the input buffer neither moves
 *     nor grows from the socket, so the frame handed out stays valid.
 *  3. Replies of one batch are written with one send when the batch ends;
 *     earlier only past FLUSH_EARLY bytes.  Past OUT_SOFT_LIMIT pending bytes
 *     the batch stops until the peer reads (backpressure).
 *  4. After a protocol error or close_after_reply nothing more runs; the
 *     connection closes once the output is flushed.
 *  5. A batch that may run fast commands holds the keyspace gate shared from
 *     its first frame to its end (csrc/gate.c), so no EXEC interleaves with
 *     it; it is released before returning, also on RD_SLOW.
 */
#include "buf.h"
#include "ksapi.h"
#include "pubsub.h"
#include "resp.h"
#include "script.h"
#include "script_state.h"
#include "slowlog.h"
#include "tracking.h"
#include "types.h"
#include "worker.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define READ_CHUNK (16 * 1024)            /* minimum free room before a recv */
#define READ_CAP (4u << 20)               /* bytes read per rd_conn_io call */
#define IN_KEEP (1u << 20)                /* input capacity kept once drained */
#define IN_MAX ((size_t)1 << 30)          /* Redis client-query-buffer-limit */
#define OUT_KEEP (1u << 20)               /* output capacity kept once flushed */
#define FLUSH_EARLY (1u << 20)            /* send mid-batch past this much output */
#define OUT_SOFT_LIMIT (4u << 20)         /* stop running commands past this much unsent */
#define BIG_ARG (32u << 10)               /* Redis's PROTO_MBULK_BIG_ARG: a SET value this big gets its own block */
#define BIG_SLACK 64                      /* room in that block for options after the value (EX 100, NX GET) */
#define CLOCK_EVERY 16                    /* fast commands between two reads of the clock in a batch */


struct rd_conn {
    rd_worker *w;
    int fast, resp, authenticated;
    int closing;     /* protocol error or close_after_reply: run nothing more */
    int peer_closed; /* recv returned 0 */
    int broken;      /* socket error or allocation failure: close now */
    int slow;        /* a command waits for Python */
    int blocked;     /* that command blocks (BLPOP & co.): read, run nothing */
    int slow_in_scratch;
    int slow_copied; /* Python copied that command's arguments out: its frame may go */
    int big;         /* c->in is a block laid out for the incomplete frame's big value (in_big):
                        that value's argument index, else 0 */
    int slow_block;  /* c->in is such a block holding the slow frame and nothing more */
    size_t slow_off, slow_len;
    size_t slow_val, slow_vlen; /* slow_block: the value's offset in the frame, its length */
    size_t slow_start; /* input offset of the frame Python runs (CLIENT LIST qbuf counts it) */
    char *in;        /* input: [in_start, in_len) is unconsumed, in_start = current frame */
    size_t in_len, in_cap, in_start;
    resp_parser parser;
    rd_buf scratch;  /* inline commands converted, non-canonical frames rebuilt */
    rd_buf out;
    size_t out_sent;
    int64_t last_ms; /* last I/O or command (CLIENT LIST idle=) */
    size_t out_hard;  /* close when unsent output exceeds this (0 = no limit) */
    size_t in_max;    /* close when unparsed input exceeds this (client-query-buffer-limit) */
    char *who;        /* "addr\0name" for SLOWLOG entries (rd_conn_set_client) */
    size_t who_len;
    int64_t sl_exact_until; /* ms: time each fast command until then (see segment_end) */
    size_t in_peak;   /* most unconsumed input after a read since the last cron visit */
    uint64_t *mirror; /* rd_conn_mirror_memory: sizes other threads may read, or NULL */
    ps_client *ps;    /* Pub/Sub subscriptions and inbox (pubsub.c), NULL until the first SUBSCRIBE */
    trk_client *trk;  /* client-side caching's record (tracking.c), from rd_trk_attach */
    int trk_fast;     /* it tracks in the plain mode: its fast reads remember their keys */
    rd_acl *acl;      /* the user's permissions (acl.c), never NULL; one reference held */
};

static void mirror_fields(rd_conn *c, int input_only);
static void mirror_memory(rd_conn *c);

/* MONITOR or CLIENT PAUSE: every command goes to Python (rd_set_python_only). */
static _Atomic int python_only;

void rd_set_python_only(int on) {
    atomic_store_explicit(&python_only, on != 0, memory_order_relaxed);
    atomic_store_explicit(&script_python_only_flag, on != 0, memory_order_relaxed);
}

/* Why a batch stopped. */
enum { STOP_IDLE, STOP_SLOW, STOP_FULL };

/* ---- connections ------------------------------------------------------------- */

rd_conn *rd_conn_new(rd_worker *w) {
    rd_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->w = w;
    c->fast = 1;
    c->resp = 2;
    c->authenticated = 1;
    c->last_ms = rd_now_ms();
    c->in_max = IN_MAX;
    c->acl = acl_default_handle();
    resp_parser_init(&c->parser);
    buf_init(&c->scratch);
    buf_init(&c->out);
    return c;
}

void rd_conn_free(rd_conn *c) {
    if (!c) return;
    trk_client_free(c->trk); /* out of the id map before its inbox goes */
    if (c->ps) ps_client_free(c->ps);
    rd_acl_release(c->acl);
    free(c->in);
    free(c->who);
    resp_parser_release(&c->parser);
    buf_release(&c->scratch);
    buf_release(&c->out);
    free(c);
}

void rd_conn_set_fast(rd_conn *c, int fast) { c->fast = fast != 0; }
void rd_conn_set_blocked(rd_conn *c, int blocked) { c->blocked = blocked != 0; }
void rd_conn_set_resp(rd_conn *c, int proto) {
    c->resp = proto == 3 ? 3 : 2;
    if (c->ps) ps_client_set_resp(c->ps, c->resp);
}
void rd_conn_set_authenticated(rd_conn *c, int authenticated) { c->authenticated = authenticated != 0; }
void rd_conn_close_after_reply(rd_conn *c) { c->closing = 1; }
void rd_conn_set_acl(rd_conn *c, rd_acl *a) {
    rd_acl *old = c->acl;
    if (!a) a = acl_default_handle();
    acl_retain(a);
    c->acl = a;
    rd_acl_release(old);
}
void rd_conn_set_output_limit(rd_conn *c, uint64_t hard) { c->out_hard = (size_t)hard; }
void rd_conn_set_input_limit(rd_conn *c, uint64_t max) { c->in_max = max ? (size_t)max : IN_MAX; }

rd_status rd_conn_set_client(rd_conn *c, const char *addr, size_t alen, const char *name, size_t nlen) {
    char *who = malloc(alen + 1 + nlen);
    if (!who) return RD_ERR_NOMEM;
    memcpy(who, addr, alen);
    who[alen] = '\0';
    memcpy(who + alen + 1, name, nlen);
    free(c->who);
    c->who = who;
    c->who_len = alen + 1 + nlen;
    return RD_OK;
}

/* Unparsed input past the query buffer limit: the client is dropped (Redis
 * logs "Closing client that reached max query buffer length" and sends nothing). */
static int over_input_limit(const rd_conn *c) { return c->in_len - c->in_start > c->in_max; }

static size_t out_pending(const rd_conn *c) { return c->out.len - c->out_sent; }
static void out_drained(rd_conn *c);

/* client_output_buffer_limit: a reply that takes the unsent output past the
 * hard limit closes the connection at once, unsent output dropped (as Redis). */
static void check_hard_limit(rd_conn *c) {
    if (c->out_hard && out_pending(c) > c->out_hard) {
        c->broken = 1;
        c->out_sent = c->out.len;
        out_drained(c);
    }
}

/* Moves the current frame to the start of the buffer (never while Python
 * holds a frame), and gives back a big buffer once it holds little: after a
 * 256 MB argument, the next commands' few bytes must not keep it alive. */
static void in_compact(rd_conn *c) {
    if ((c->slow && !c->slow_copied) || c->big || c->in_start == 0) return;
    c->in_len -= c->in_start;
    if (c->in_len) memmove(c->in, c->in + c->in_start, c->in_len);
    c->in_start = 0;
    if (c->in_cap <= IN_KEEP || c->in_len > IN_KEEP / 2) return;
    if (c->in_len == 0) {
        free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    } else {
        char *p = realloc(c->in, IN_KEEP);
        if (p) {
            c->in = p;
            c->in_cap = IN_KEEP;
        }
    }
}

static int in_reserve(rd_conn *c, size_t room) {
    if (c->big && c->in_len < c->in_cap) return 0; /* read the value into its block, no further */
    in_compact(c);
    if (c->in_cap - c->in_len >= room) return 0;
    if (over_input_limit(c)) return -1;
    size_t cap = c->in_cap ? c->in_cap * 2 : READ_CHUNK;
    if (cap < c->in_len + room) cap = c->in_len + room;
    char *p = realloc(c->in, cap);
    if (!p) return -1;
    c->in = p;
    c->in_cap = cap;
    return 0;
}

static int name_is(const char *a, size_t n, const char *name) {
    size_t i = 0;
    while (i < n && name[i] && (a[i] | 0x20) == name[i]) i++;
    return i == n && !name[i];
}

/* The argument index of the value a command may store whole: SET, SETNX, GETSET
 * and APPEND (to a missing key) key value, SETEX and PSETEX key time value; 0 for
 * other commands. */
static int stored_value_at(const char *a, size_t n) {
    if (name_is(a, n, "set") || name_is(a, n, "setnx") || name_is(a, n, "getset") || name_is(a, n, "append"))
        return 2;
    if (name_is(a, n, "setex") || name_is(a, n, "psetex")) return 3;
    return 0;
}

/* The frame being received stores a value of BIG_ARG bytes or more (SET key
 * <value>...) with the value still arriving: moves it into a block of its own,
 * placed so that the keyspace can build its entry around the value
 * (ks_adopt_room) and sized to end with the value's CRLF, plus BIG_SLACK when
 * options follow, so reads stop there.  Redis reads such a bulk into an
 * exact-size buffer that becomes the stored value; here too the value is then
 * never copied: run_batch offers the block to the fast SET, or Python takes it
 * (rd_conn_take_block), inside MULTI too. */
static void in_big(rd_conn *c) {
    resp_parser *p = &c->parser;
    size_t have = c->in_len - c->in_start, room, need;
    if (c->big || c->blocked || p->mbulk_left == 0 || p->argc < 2 || p->bulklen < (long long)BIG_ARG)
        return;
    need = p->fpos + (size_t)p->bulklen + 2;
    room = ks_adopt_room(p->argv[1].len);
    if (have >= need || room < p->fpos ||
        p->argc != stored_value_at(c->in + c->in_start + p->argv[0].off, p->argv[0].len))
        return;
    if (p->mbulk_left > 1) need += BIG_SLACK;
    char *b = malloc(room - p->fpos + need);
    if (!b) return; /* the usual growth will do */
    memcpy(b + room - p->fpos, c->in + c->in_start, have);
    free(c->in);
    c->in = b;
    c->in_start = room - p->fpos;
    c->in_len = c->in_start + have;
    c->in_cap = c->in_start + need;
    c->big = p->argc;
}

/* Redis's querybuf_peak: what the cron's resize (rd_conn_fit_input) keeps room for. */
static void note_peak(rd_conn *c) {
    if (c->in_len - c->in_start > c->in_peak) c->in_peak = c->in_len - c->in_start;
}

/* recv until EAGAIN, the peer's FIN, or READ_CAP bytes. */
static void read_socket(rd_conn *c, int fd) {
    size_t total = 0;
    in_big(c);
    /* A big value's block just filled: run its frame before reading on (which grows it). */
    while (total < READ_CAP && !(total && c->big && c->in_len == c->in_cap)) {
        if (in_reserve(c, READ_CHUNK) < 0) {
            c->broken = 1;
            break;
        }
        size_t room = c->in_cap - c->in_len;
        ssize_t n = recv(fd, c->in + c->in_len, room, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            total += (size_t)n;
            if (over_input_limit(c)) {
                c->broken = 1;
                break;
            }
            if ((size_t)n < room) break; /* drained: skip the recv that would say EAGAIN */
        } else if (n == 0) {
            c->peer_closed = 1;
            break;
        } else if (errno != EINTR) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) c->broken = 1;
            break;
        }
    }
    stat_add(c->w, RD_W_NET_IN, total);
    note_peak(c);
}

static void out_drained(rd_conn *c) {
    if (c->out_sent < c->out.len) return;
    c->out_sent = 0;
    buf_reset(&c->out, OUT_KEEP);
}

static void flush(rd_conn *c, int fd) {
    size_t total = 0;
    /* Before the reply, whose client may then ask another thread: the input side now, the
     * output side (the reply still unsent here, which Redis would never show) after the send. */
    mirror_fields(c, 1);
    while (c->out_sent < c->out.len) {
        ssize_t n = send(fd, c->out.data + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_sent += (size_t)n;
            total += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) c->broken = 1;
            break;
        }
    }
    stat_add(c->w, RD_W_NET_OUT, total);
    out_drained(c);
    mirror_memory(c);
}

/* Points Python at the frame just parsed: the input bytes themselves when
 * they already are canonical RESP, else a frame rebuilt in the scratch. */
static int hand_to_python(rd_conn *c, size_t frame_start) {
    resp_parser *p = &c->parser;
    c->slow = 1;
    c->slow_copied = 0;
    c->slow_start = frame_start;
    if (p->is_inline) {
        c->slow_in_scratch = 1;
        c->slow_off = p->inline_frame;
        c->slow_len = c->scratch.len - p->inline_frame;
    } else if (p->canonical) {
        c->slow_in_scratch = 0;
        c->slow_off = frame_start;
        c->slow_len = p->fpos;
    } else {
        buf_reset(&c->scratch, IN_KEEP);
        if (resp_build_frame(&c->scratch, c->in + frame_start, p->argv, p->argc) < 0) return -1;
        c->slow_in_scratch = 1;
        c->slow_off = 0;
        c->slow_len = c->scratch.len;
    }
    return 0;
}

/* ---- prefetching a batch ------------------------------------------------------ */

#define PREFETCH_MAX 64  /* frames looked at ahead of execution */
#define PREFETCH_ARGS 16 /* frames with more args are not looked into */

/* "<prefix><1-9 digits>\r\n" at p; returns the byte after it, or NULL. */
static inline const char *scan_len(const char *p, const char *end, char prefix, size_t *v) {
    const char *q = p + 1;
    size_t n = 0;
    if (p >= end || *p != prefix) return NULL;
    while (q < end && q - p <= 9 && *q >= '0' && *q <= '9') n = n * 10 + (size_t)(*q++ - '0');
    if (q == p + 1 || end - q < 2 || q[0] != '\r' || q[1] != '\n') return NULL;
    *v = n;
    return q + 2;
}

/* One complete, plainly written multibulk frame at p: returns its end and
 * its second argument (the key, for the commands worth prefetching), or NULL
 * for anything else, which the real parser will judge. */
static const char *scan_frame(const char *p, const char *end, const char **key, size_t *klen) {
    size_t argc, n;
    const char *q = scan_len(p, end, '*', &argc);
    if (!q || argc == 0 || argc > PREFETCH_ARGS) return NULL;
    *key = NULL;
    for (size_t i = 0; i < argc; i++) {
        q = scan_len(q, end, '$', &n);
        if (!q || (size_t)(end - q) < n + 2) return NULL;
        if (i == 1) {
            *key = q;
            *klen = n;
        }
        q += n + 2;
    }
    return q;
}

/* The keys of the frames prefetch_batch looked at, in input order, with their hashes. */
typedef struct prefetched {
    size_t end;      /* input offset scanned up to */
    int n, next;     /* keys found; the next one a command may use */
    const char *key[PREFETCH_MAX];
    size_t klen[PREFETCH_MAX];
    uint64_t hash[PREFETCH_MAX];
} prefetched;

/* Looks at up to PREFETCH_MAX frames from offset `from` and, when there are
 * several keys, hashes them all and prefetches their buckets, then their
 * entries, so their cache misses overlap. */
static void prefetch_batch(rd_conn *c, size_t from, prefetched *pf) {
    const char *p = c->in + from, *end = c->in + c->in_len;
    rd_keyspace *ks = c->w->ks;
    int n = 0;
    for (int frames = 0; frames < PREFETCH_MAX; frames++) {
        const char *key, *next = scan_frame(p, end, &key, &pf->klen[n]);
        if (!next) break;
        if (key) pf->key[n++] = key;
        p = next;
    }
    pf->end = (size_t)(p - c->in);
    pf->next = 0;
    pf->n = n < 2 ? 0 : n; /* one command: nothing to overlap */
    for (int i = 0; i < pf->n; i++) {
        pf->hash[i] = ks_hash(ks, pf->key[i], pf->klen[i]);
        ks_prefetch_bucket(ks, pf->hash[i]);
    }
    for (int i = 0; i < pf->n; i++) ks_prefetch_entry(ks, pf->hash[i]);
}

/* The prefetched hash of this key, when prefetch_batch saw it: 1 and *h set. */
__attribute__((always_inline)) static inline int prefetched_hash(prefetched *pf, const char *key, size_t klen, uint64_t *h) {
    while (pf->next < pf->n && pf->key[pf->next] < key) pf->next++;
    if (pf->next == pf->n || pf->key[pf->next] != key || pf->klen[pf->next] != klen) return 0;
    *h = pf->hash[pf->next++];
    return 1;
}

/* A fast command replied an error.  A keyspace status's (status.c's texts) is counted per command
 * and per status for INFO commandstats/errorstats: 0.  Any other came from the arguments, before
 * any side effect: -1, and Python runs the same handler again to write and count it with the
 * dispatcher's other errors. */
static int count_error(rd_worker *w, int which, const char *reply, size_t len) {
    int st = status_of_error(reply, len);
    if (st < 0) return -1;
    counter_add(&w->failed[which], 1);
    counter_add(&w->errors[st], 1);
    return 0;
}

/* A script's call in INFO commandstats, and its error reply (any text) in errorstats by its code;
 * a code no status has (a script's own {err="MYCODE ..."}) counts as a failed call only. */
static void count_script(rd_worker *w, int which, const char *reply, size_t len) {
    counter_add(&w->calls[which], 1);
    if (len == 0 || reply[0] != '-') return;
    counter_add(&w->failed[which], 1);
    int st = status_of_code(reply, len);
    if (st >= 0) counter_add(&w->errors[st], 1);
}

/* A plain-mode tracking client's fast command: a read-only one's keys are remembered before it runs
 * (tracking.c, rule 2).  -1 when Python must run it (keys after a numkeys argument). */
static int trk_before(rd_conn *c, int argc, const char **argv, const size_t *argl) {
    int first, last, step;
    if (!trk_read_keys(fp_command_index(argv[0], argl[0]), &first, &last, &step)) return 0;
    if (first < 0) return -1;
    last = last < 0 ? argc + last : last;
    if (last >= argc) last = argc - 1;
    if (first > last) return 0; /* a bad arity: the handler answers it */
    int n = (last - first) / step + 1;
    const char **keys = malloc((size_t)n * sizeof *keys);
    size_t *lens = malloc((size_t)n * sizeof *lens);
    int st = keys && lens ? 0 : -1;
    for (int i = 0; st == 0 && i < n; i++) {
        keys[i] = argv[first + i * step];
        lens[i] = argl[first + i * step];
    }
    if (st == 0 && trk_remember(c->trk, n, keys, lens) != RD_OK) st = -1;
    free(keys);
    free(lens);
    return st;
}

/* ... and after it: what it changed is told now, its own messages right after its reply. */
static void trk_after(rd_conn *c) {
    trk_after_gate();
    if (trk_after_reply(c->trk, &c->out) < 0) c->broken = 1;
}

/* The command in the worker's argv, run and counted: FP_DONE or FP_SLOW.  Inlined in both callers:
 * as a call it costs every fast command ~20 instructions (callgrind, keyspace_bench conn-set). */
__attribute__((always_inline)) static inline int run_args(rd_conn *c, tx_ctx *x, int argc, prefetched *pf) {
    rd_worker *w = c->w;
    uint64_t h;
    int which = 0, r, hinted;
    hinted = argc >= 2 && prefetched_hash(pf, w->argv[1], w->argl[1], &h);
    if (hinted) ks_set_hint(w->ks, w->argv[1], w->argl[1], h); /* the command reuses the hash */
    size_t before = c->out.len;
    r = fp_dispatch(x, argc, w->argv, w->argl, &which);
    if (hinted) ks_set_hint(NULL, NULL, 0, 0);
    worker_args_shrink(w);
    if (r != FP_DONE) return FP_SLOW;
    if (c->out.len > before && c->out.data[before] == '-' &&
        count_error(w, which, c->out.data + before, c->out.len - before) < 0) {
        c->out.len = before;
        return FP_SLOW;
    }
    counter_add(&w->calls[which], 1);
    return FP_DONE;
}

/* A plain-mode tracking client's command: its keys remembered before, its news told after. */
static int run_tracked(rd_conn *c, tx_ctx *x, int argc, prefetched *pf) {
    if (trk_before(c, argc, c->w->argv, c->w->argl) < 0) return FP_SLOW;
    int r = run_args(c, x, argc, pf);
    if (r == FP_DONE) trk_after(c);
    return r;
}

/* Runs the parsed frame in C if it can: FP_DONE or FP_SLOW. */
static int run_fast(rd_conn *c, const char *frame, int64_t now, prefetched *pf) {
    resp_parser *p = &c->parser;
    rd_worker *w = c->w;
    const char *base = p->is_inline ? c->scratch.data : frame;
    tx_ctx x = {w->ks, &c->out, c->resp, 0, now, 0, acl_is_open(c->acl) ? NULL : c->acl};

    if (worker_args(w, p->argc) < 0) return FP_SLOW;
    for (int i = 0; i < p->argc; i++) {
        w->argv[i] = base + p->argv[i].off;
        w->argl[i] = p->argv[i].len;
    }
    if (c->trk_fast) return run_tracked(c, &x, p->argc, pf); /* nobody else pays more than this test */
    return run_args(c, &x, p->argc, pf);
}

/* ---- SLOWLOG of fast commands ------------------------------------------------ */

#define SL_EXACT_US 1000     /* thresholds below this: every fast command is timed */
#define SL_MAX_STRING 128    /* bytes of an argument a SLOWLOG entry keeps (slowlog.c) */
#define SL_PROBATION_MS 1000 /* after an unattributable slow batch: time each command so long */

static int64_t coarse_res_us = 1000000; /* CLOCK_REALTIME_COARSE's resolution (set at load) */

__attribute__((constructor)) static void coarse_res_init(void) {
    struct timespec r;
    if (clock_getres(CLOCK_REALTIME_COARSE, &r) == 0)
        coarse_res_us = (int64_t)r.tv_sec * 1000000 + (r.tv_nsec + 999) / 1000;
}

static void slow_entry(rd_conn *c, int argc, const char **argv, const size_t *argl, int64_t usec) {
    sl_record(argc, argv, argl, usec, c->who ? c->who : "", c->who ? c->who_len : 1);
}

/* A multibulk frame already parsed once: its argument count and the first `cap`
 * arguments, read off the bulk headers.  A slow 2M-key DEL needs 32 of them, not a
 * second parse of all of it (tens of megabytes the allocator would then keep). */
static int frame_head(const char *f, int cap, const char **argv, size_t *argl) {
    char *end;
    long long argc = strtoll(f + 1, &end, 10);
    f = end + 2;
    for (int i = 0; i < cap && i < argc; i++) {
        long long len = strtoll(f + 1, &end, 10);
        argv[i] = end + 2;
        argl[i] = (size_t)len;
        f = end + 2 + len + 2;
    }
    return (int)argc;
}

/* The fast command whose frame starts at input offset off took usec: its head read
 * again (this is the rare path) and queued. */
static void slow_frame(rd_conn *c, size_t off, int64_t usec) {
    const char *argv[SL_MAX_ARGC];
    size_t argl[SL_MAX_ARGC];
    resp_parser p;
    rd_buf scratch;
    if (c->in[off] == '*') {
        slow_entry(c, frame_head(c->in + off, SL_MAX_ARGC, argv, argl), argv, argl, usec);
        return;
    }
    resp_parser_init(&p); /* inline: short (Redis's 64 KB bound), so parse it whole */
    buf_init(&scratch);
    if (resp_parse(&p, c->in + off, c->in_len - off, 1, &scratch) == RESP_FRAME) {
        int n = p.argc < SL_MAX_ARGC ? p.argc : SL_MAX_ARGC;
        for (int i = 0; i < n; i++) {
            argv[i] = scratch.data + p.argv[i].off;
            argl[i] = p.argv[i].len;
        }
        slow_entry(c, p.argc, argv, argl, usec);
    }
    resp_parser_release(&p);
    buf_release(&scratch);
}

/* A segment of a batch: `n` fast commands run untimed since start_us, the
 * last one from input offset `last`.  It ends at the batch clock's tick
 * (gate_tick: a precise time for free), at a big value's frame, and at the
 * batch's end. */
typedef struct sl_segment {
    int64_t thr, start_us;
    int n;
    size_t last;
} sl_segment;

/* The segment ended at end_us: a slow segment of one command is that
 * command's time; one of several cannot say which was slow, so the
 * connection's next batches time each command for SL_PROBATION_MS. */
static void segment_end(rd_conn *c, sl_segment *s, int64_t end_us, int64_t now_ms) {
    int64_t usec = end_us - s->start_us;
    if (s->n && usec >= s->thr) {
        if (s->n == 1) slow_frame(c, s->last, usec);
        else c->sl_exact_until = now_ms + SL_PROBATION_MS;
    }
    if (end_us > s->start_us) s->start_us = end_us; /* a held clock (nested gate) does not move */
    s->n = 0;
}

/* The batch's end: one coarse clock read (no rdtsc) in the common case.  That
 * clock lags by at most its resolution, so when even that bound is under the
 * threshold nothing in the segment can be slow; otherwise the precise clock decides. */
static void segment_close(rd_conn *c, sl_segment *s, int64_t now_ms) {
    struct timespec ts;
    if (!s->n) return;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    int64_t bound = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + coarse_res_us - s->start_us;
    if (bound >= s->thr) segment_end(c, s, rd_now_us(), now_ms);
}

/* EVALSHA of a cached script, served without Python: the batch's shared hold of the gate becomes an
 * exclusive one for the script (as the dispatcher's gate="exclusive" hold), then shared again.  1 when
 * served; 0 leaves it to Python: not EVALSHA[_RO], a script not cached (NOSCRIPT is counted there),
 * clients blocked (Python serves them after the script), emulated cluster mode (Python routes it).
 * *gated is 0 afterwards when a busy script elsewhere kept the gate (the batch goes on in busy mode). */
static int run_evalsha(rd_conn *c, const char *frame, int *gated) {
    resp_parser *p = &c->parser;
    rd_worker *w = c->w;
    const char *base = p->is_inline ? c->scratch.data : frame;
    int ro;
    if (p->argc < 3 || !script_fast_ready() || cl_enabled || clients_blocked() || !acl_is_open(c->acl))
        return 0; /* a restricted user's script: Python checks each of its commands */
    if (worker_args(w, p->argc) < 0) return 0;
    for (int i = 0; i < p->argc; i++) {
        w->argv[i] = base + p->argv[i].off;
        w->argl[i] = p->argv[i].len;
    }
    if (arg_is(w->argv[0], w->argl[0], "evalsha")) ro = 0;
    else if (arg_is(w->argv[0], w->argl[0], "evalsha_ro")) ro = RD_EVAL_RO;
    else return 0;
    if (!rd_script_exists(w->argv[1], w->argl[1])) return 0;
    gate_leave(w->gate);
    gate_enter_exclusive(w->gate);
    size_t before = c->out.len;
    rd_script_eval(w->ks, p->argc, w->argv, w->argl, c->resp, RD_EVAL_SHA | ro, &c->out);
    count_script(w, fp_script_slot(ro != 0), c->out.data + before, c->out.len - before);
    gate_leave(w->gate);
    if (gate_enter_shared_or_busy(w->gate) != 0) *gated = 0;
    worker_args_shrink(w);
    return 1;
}

/* Busy mode (a script past busy-reply-threshold): one frame answered here (0), or 1 for Python. */
static int busy_frame(rd_conn *c, const char *frame) {
    resp_parser *p = &c->parser;
    rd_worker *w = c->w;
    const char *base = p->is_inline ? c->scratch.data : frame;
    if (worker_args(w, p->argc) < 0) return 1;
    for (int i = 0; i < p->argc; i++) {
        w->argv[i] = base + p->argv[i].off;
        w->argl[i] = p->argv[i].len;
    }
    return script_busy_reply(p->argc, w->argv, w->argl, c->resp, &c->out);
}

static int later_has(const rd_worker *w, int fd) {
    for (int i = 0; i < w->nlater; i++)
        if (w->later_fd[i] == fd) return 1;
    return 0;
}

/* The worker this thread runs (rd_worker_poll sets it, worker.c); defined in the lower file. */
_Thread_local rd_worker *worker_here;

/* Called by a busy script's hook on its own thread: that worker's other clients are read and
 * answered (-BUSY, SCRIPT KILL) as on every other worker, since its event loop is inside the script.
 * What Python must still see (a command for it, a close, output to wait for) is kept for the next
 * rd_worker_poll; events of sockets C does not serve stay in the (level-triggered) epoll set. */
static void worker_serve_busy(void) {
    rd_worker *w = worker_here;
    struct epoll_event evs[64];
    int n;
    if (!w || w->epfd <= 0) return;
    n = epoll_wait(w->epfd, evs, 64, 0);
    for (int i = 0; i < n && w->nlater < 64; i++) {
        int fd = evs[i].data.fd;
        rd_conn *c = fd >= 0 && fd < w->nfds ? w->by_fd[fd] : NULL;
        if (!c || !(evs[i].events & EPOLLIN) || (evs[i].events & EPOLLOUT) || c->slow || later_has(w, fd))
            continue;
        int st = (int)rd_conn_io(c, fd, 1);
        if (st != RD_OK) {
            w->later_fd[w->nlater] = fd;
            w->later_ev[w->nlater] = evs[i].events;
            w->later_st[w->nlater++] = st;
        }
    }
}

/* At load: the busy hook of script.c (a layer below) reaches this worker through it. */
__attribute__((constructor)) static void register_busy_server(void) { script_set_busy_server(worker_serve_busy); }

/* One batch: frames are parsed and run until the input runs out, a command
 * needs Python, the output is over the soft limit, or the connection ends. */
static int run_batch(rd_conn *c, int fd) {
    int64_t now;
    uint64_t done = 0;
    int stop = STOP_IDLE, can_flush = fd >= 0;
    prefetched pf;
    int gated = c->fast && c->in_start < c->in_len; /* fast commands may run: hold the gate */
    pf.end = pf.n = pf.next = 0;

    if (c->blocked) return STOP_IDLE; /* input only piles up until the waiter is served */
    if (c->slow) return STOP_SLOW;
    /* A script past busy-reply-threshold holds the gate: answer -BUSY instead of waiting. */
    /* A busy script's hook serving this worker (worker_serve_busy): every command is answered here
     * (Python's loop is inside the script); elsewhere only fast connections are (the others' commands
     * go to Python, whose dispatcher answers -BUSY and flags a MULTI, as Redis). */
    int busy = script_running_here() && c->authenticated && c->in_start < c->in_len;
    if (busy)
        gated = 0;
    else if (gated && gate_enter_shared_or_busy(c->w->gate) != 0)
        gated = 0, busy = 1;
    /* Read under the gate: CLIENT PAUSE and MONITOR set it under the exclusive gate, so a
     * batch either ended before them or sees it. */
    int fast = !busy && c->fast && !atomic_load_explicit(&python_only, memory_order_relaxed);
    if (c->trk_fast) rd_trk_enter(c); /* its own invalidations follow its replies; NOLOOP */
    now = rd_now_ms(); /* read after any wait for the gate */
    c->last_ms = now;
    /* SLOWLOG: one threshold read per batch; per command only a test of `exact`. */
    sl_segment seg = {gated ? sl_threshold() : -1, gated ? gate_now_us : 0, 0, 0};
    int exact = seg.thr >= 0 && (seg.thr < SL_EXACT_US || c->sl_exact_until > now);
    rd_buf *self = notify_self_enter(&c->out);
    while (!c->closing && !c->broken) {
        if (can_flush && out_pending(c) > FLUSH_EARLY) {
            flush(c, fd);
            can_flush = out_pending(c) == 0; /* the socket is full: no send per command from here */
        }
        if (out_pending(c) > OUT_SOFT_LIMIT) {
            stop = STOP_FULL;
            break;
        }
        size_t start = c->in_start;
        if (start == c->in_len) break; /* nothing buffered (c->in may even be NULL) */
        if (fast && start >= pf.end) prefetch_batch(c, start, &pf);
        int r = resp_parse(&c->parser, c->in + start, c->in_len - start, c->authenticated,
                           &c->scratch);
        if (r == RESP_PARTIAL) break;
        if (r == RESP_ERROR) {
            resp_add_err_text(&c->out, c->parser.err);
            c->closing = 1;
            break;
        }
        if (r == RESP_NOMEM) {
            c->broken = 1;
            break;
        }
        c->in_start += c->parser.fpos;
        if (r == RESP_FRAME) {
            int vi = c->big; /* the big value's argument, in a block of its own (in_big) */
            c->big = 0;
            /* The block holds this frame and nothing more: the SET may keep it. */
            int whole = vi && c->in_start == c->in_len && c->in_cap - c->in_len <= BIG_SLACK;
            const resp_arg *val = &c->parser.argv[vi];
            int big = whole && vi < c->parser.argc && !busy;
            if (big) ks_adopt_offer(c->in, c->in + start + val->off, val->len);
            /* SET may keep a big value's block: the command is timed on its own, its entry
             * made from a copy of the value's first bytes taken before. */
            char head[SL_MAX_STRING];
            int own = big && seg.thr >= 0 && !exact;
            if (own) segment_end(c, &seg, rd_now_us(), now);
            if (big && seg.thr >= 0)
                memcpy(head, c->in + start + val->off, val->len < sizeof head ? val->len : sizeof head);
            int served = busy ? busy_frame(c, c->in + start) == 0
                              : fast && (run_fast(c, c->in + start, now, &pf) == FP_DONE ||
                                         (gated && !c->trk_fast && run_evalsha(c, c->in + start, &gated)));
            if (!gated && fast) { /* a busy script elsewhere has the gate: busy mode from here */
                busy = 1;
                fast = 0;
            }
            if (served && big && seg.thr >= 0) c->w->argv[vi] = head;
            if (big && ks_adopt_taken()) { /* the block is the entry's now */
                /* As Redis, the next argument gets a buffer of the same size (a pipeline of
                 * big SETs reads straight into it; untouched pages cost no RSS), which the
                 * buffer sweep shrinks once later use is lighter. */
                size_t cap = c->in_cap;
                c->in = malloc(cap);
                c->in_cap = c->in ? cap : 0;
                c->in_len = c->in_start = 0;
                pf.end = pf.n = pf.next = 0;
            }
            if (served) {
                done++;
                if (exact || own) {
                    int64_t t = rd_now_us();
                    if (t - seg.start_us < seg.thr)
                        ;
                    else if (c->w->argv) /* NULL: run_fast gave back the scratch of a frame of > ARGS_KEEP */
                        slow_entry(c, c->parser.argc, c->w->argv, c->w->argl, t - seg.start_us);
                    else if (!big) /* its head read again from the input (a big SET never gets here) */
                        slow_frame(c, start, t - seg.start_us);
                    seg.start_us = t;
                } else {
                    seg.n++;
                    seg.last = start;
                }
                check_hard_limit(c);
                if (done % CLOCK_EVERY == 0) {
                    now = gate_tick();
                    if (seg.thr >= 0 && !exact) segment_end(c, &seg, gate_now_us, now);
                }
            } else {
                if (hand_to_python(c, start) < 0) c->broken = 1;
                /* Python may take the block for the keyspace (rd_conn_take_block). */
                c->slow_block = big && c->in && !c->slow_in_scratch;
                c->slow_val = big ? val->off : 0;
                c->slow_vlen = big ? val->len : 0;
                stop = STOP_SLOW;
                resp_next_frame(&c->parser);
                break;
            }
        }
        resp_next_frame(&c->parser);
    }
    notify_self_leave(self);
    if (gated) gate_leave(c->w->gate);
    if (c->trk_fast) {
        trk_after(c); /* a handed-over command's earlier changes, told before Python runs it */
        rd_trk_enter(NULL);
    }
    if (seg.thr >= 0 && !exact) segment_close(c, &seg, now);
    if (c->out.failed) c->broken = 1;
    stat_add(c->w, RD_W_COMMANDS, done);
    in_compact(c);
    return stop;
}

rd_status rd_conn_io(rd_conn *c, int fd, int read) {
    /* A blocked client is still read, as Redis reads it: its EOF must close it
     * (and cancel its wait) before a push could hand it an element. */
    if (read && (!c->slow || c->blocked) && !c->closing && !c->peer_closed && !c->broken) read_socket(c, fd);
    for (;;) {
        if (c->broken) return RD_CLOSE;
        int stop = run_batch(c, fd);
        if (stop == STOP_SLOW) return c->broken ? RD_CLOSE : RD_SLOW;
        flush(c, fd);
        if (c->broken) return RD_CLOSE;
        if (out_pending(c)) return RD_NEED_MORE;
        if (stop == STOP_FULL) continue; /* drained: run what is still buffered */
        return c->closing || c->peer_closed ? RD_CLOSE : RD_OK;
    }
}

rd_status rd_conn_run(rd_conn *c) {
    if (c->broken) return RD_CLOSE;
    int stop = run_batch(c, -1);
    if (c->broken) return RD_CLOSE;
    if (stop == STOP_SLOW) return RD_SLOW;
    if (stop == STOP_FULL) return RD_NEED_MORE;
    return c->closing ? RD_CLOSE : RD_OK;
}

#define RESIZE_THRESHOLD (32u << 10) /* Redis's PROTO_RESIZE_THRESHOLD */
#define RESIZE_MIN_WASTE (4u << 10)  /* less free room than this is never worth a realloc */

/* The input buffer reallocated to want (>= in_len) bytes, 0 = freed; the bytes freed. */
static size_t in_fit(rd_conn *c, size_t want) {
    size_t was = c->in_cap;
    if (want == 0) {
        free(c->in);
        c->in = NULL;
    } else {
        char *p = realloc(c->in, want);
        if (!p) return 0;
        c->in = p;
    }
    c->in_cap = want;
    return was - want;
}

/* Unconsumed input, or the whole bulk being read when it is bigger (Redis's bulklen). */
static size_t in_needed(const rd_conn *c) {
    size_t n = c->in_len - c->in_start;
    if (c->parser.bulklen >= 0 && (size_t)c->parser.bulklen > n) n = (size_t)c->parser.bulklen;
    return n;
}

/* Whether the input buffer may move now: not while Python holds a frame in it
 * or while it is a big value's block being filled. */
static int in_movable(const rd_conn *c) { return !c->slow && !c->big; }

size_t rd_conn_fit_input(rd_conn *c) {
    size_t freed = 0;
    if (in_movable(c)) {
        in_compact(c);
        size_t want = in_needed(c) > c->in_peak ? in_needed(c) : c->in_peak;
        if (c->in_cap - c->in_len > RESIZE_MIN_WASTE && c->in_cap > RESIZE_THRESHOLD &&
            c->in_cap / 2 > c->in_peak && want < c->in_cap)
            freed = in_fit(c, want);
    }
    c->in_peak = in_needed(c);
    mirror_memory(c);
    return freed;
}

size_t rd_conn_trim(rd_conn *c) {
    size_t freed = 0;
    if (c->slow) return 0; /* Python holds a frame in the input or the scratch */
    in_compact(c);
    c->in_peak = in_needed(c);
    if (in_movable(c) && (c->in_len == 0 || c->in_cap - c->in_len > RESIZE_MIN_WASTE))
        freed += in_fit(c, c->in_len); /* as Redis's sdsRemoveFreeSpace: an empty buffer goes */
    if (c->in_len == 0) {
        freed += c->scratch.cap;
        buf_reset(&c->scratch, 0);
    }
    if (out_pending(c) == 0) {
        freed += c->out.cap;
        c->out_sent = 0;
        buf_reset(&c->out, 0);
    }
    mirror_memory(c);
    return freed;
}

rd_status rd_conn_command(rd_conn *c, const char **frame, size_t *len) {
    if (!c->slow || c->slow_copied) return RD_NOT_FOUND;
    *frame = (c->slow_in_scratch ? c->scratch.data : c->in) + c->slow_off;
    *len = c->slow_len;
    return RD_OK;
}

void rd_conn_frame_done(rd_conn *c) {
    if (!c->slow || c->slow_copied) return;
    c->slow_copied = 1;
    c->slow_block = 0;
    if (c->slow_in_scratch) buf_reset(&c->scratch, IN_KEEP);
    in_compact(c);
    c->slow_start = c->in_start; /* the frame is gone: CLIENT LIST's qbuf no longer counts it */
}

rd_status rd_conn_take_block(rd_conn *c, char **block, size_t *val_at, size_t *val_len) {
    if (!c->slow || c->slow_copied || !c->slow_block || c->in_start != c->in_len) return RD_NOT_FOUND;
    *block = c->in;
    *val_at = c->slow_val;
    *val_len = c->slow_vlen;
    c->slow_block = 0;
    c->in = NULL; /* the next read starts a buffer of the usual size */
    c->in_len = c->in_cap = c->in_start = c->slow_start = 0;
    return RD_OK;
}

rd_status rd_conn_reply(rd_conn *c, const char *data, size_t len) {
    if (buf_append(&c->out, data, len) < 0) c->broken = 1;
    if (c->trk && trk_after_reply(c->trk, &c->out) < 0) c->broken = 1; /* its own invalidations follow it */
    check_hard_limit(c);
    c->slow = 0;
    c->slow_block = 0;
    in_compact(c);
    return c->broken ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_conn_push(rd_conn *c, const char *data, size_t len) {
    if (c->broken) return RD_OK;
    if (buf_append(&c->out, data, len) < 0) c->broken = 1;
    check_hard_limit(c);
    return c->broken ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_conn_feed(rd_conn *c, const char *data, size_t len) {
    if (len == 0) return RD_OK; /* c->in may be NULL: memcpy(NULL, p, 0) is undefined */
    if (in_reserve(c, len) < 0) {
        c->broken = 1;
        return RD_ERR_NOMEM;
    }
    memcpy(c->in + c->in_len, data, len);
    c->in_len += len;
    stat_add(c->w, RD_W_NET_IN, len);
    note_peak(c);
    if (over_input_limit(c)) {
        c->broken = 1;
        return RD_ERR_NOMEM;
    }
    return RD_OK;
}

rd_status rd_conn_output(rd_conn *c, const char **data, size_t *len) {
    mirror_memory(c);
    *data = c->out.data ? c->out.data + c->out_sent : "";
    *len = out_pending(c);
    return RD_OK;
}

rd_status rd_conn_consume_output(rd_conn *c, size_t n) {
    size_t pending = out_pending(c);
    c->out_sent += n < pending ? n : pending;
    stat_add(c->w, RD_W_NET_OUT, n < pending ? n : pending);
    out_drained(c);
    mirror_memory(c);
    return RD_OK;
}

int64_t rd_conn_last_interaction_ms(const rd_conn *c) { return c->last_ms; }

/* ---- CLIENT LIST sizes ------------------------------------------------------- */

static void memory_of(const rd_conn *c, uint64_t v[RD_CM_NSTATS]) {
    v[RD_CM_QBUF] = c->in_len - (c->slow ? c->slow_start : c->in_start);
    v[RD_CM_QBUF_FREE] = c->in_cap - c->in_len;
    v[RD_CM_OBL] = out_pending(c);
    v[RD_CM_OMEM] = c->out.cap;
    v[RD_CM_TOTAL] = sizeof *c + c->in_cap + c->out.cap + c->scratch.cap +
                     (size_t)c->parser.argcap * sizeof(resp_arg);
}

rd_status rd_conn_memory(rd_conn *c, uint64_t *out, size_t n) {
    uint64_t v[RD_CM_NSTATS];
    memory_of(c, v);
    for (size_t i = 0; i < n && i < RD_CM_NSTATS; i++) out[i] = v[i];
    return RD_OK;
}

/* Relaxed stores: a reader on another thread wants each size whole, not the five as one
 * snapshot (CLIENT LIST on Redis is no snapshot of another client's buffers either). */
static void mirror_fields(rd_conn *c, int input_only) {
    if (!c->mirror) return;
    uint64_t v[RD_CM_NSTATS];
    memory_of(c, v);
    for (int i = 0; i < RD_CM_NSTATS; i++)
        if (!input_only || (i != RD_CM_OBL && i != RD_CM_OMEM))
            __atomic_store_n(&c->mirror[i], v[i], __ATOMIC_RELAXED);
}

static void mirror_memory(rd_conn *c) { mirror_fields(c, 0); }

void rd_conn_mirror_memory(rd_conn *c, uint64_t *out) {
    c->mirror = out;
    mirror_memory(c);
}

/* ---- Pub/Sub's side (pubsub.h) ---------------------------------------------------- */

ps_client **conn_ps(rd_conn *c) { return &c->ps; }
trk_client **conn_trk(rd_conn *c) { return &c->trk; }
void conn_set_trk_fast(rd_conn *c, int on) { c->trk_fast = on != 0; }
rd_buf *conn_out(rd_conn *c) { return &c->out; }
rd_worker *conn_worker(rd_conn *c) { return c->w; }
int conn_resp(const rd_conn *c) { return c->resp; }
size_t conn_unsent(const rd_conn *c) { return out_pending(c); }

int conn_send_pushed(rd_conn *c, int fd) {
    if (c->out.failed) c->broken = 1;
    if (fd >= 0 && !c->broken) flush(c, fd);
    if (c->broken) return RD_CLOSE;
    return out_pending(c) ? RD_NEED_MORE : RD_OK;
}

int conn_drop_over_limit(rd_conn *c) {
    c->broken = 1;
    c->out_sent = c->out.len;
    out_drained(c);
    return RD_CLOSE;
}
