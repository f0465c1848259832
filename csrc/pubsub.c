/* pubsub.c: the Pub/Sub registry (channels, patterns, shard channels -> subscribers), PUBLISH's
 * fan-out, and the per-worker inboxes through which a message reaches a subscriber on any thread.
 * Nothing here touches a connection, so the command handlers (tx_publish) can sit above it; the
 * connection's side (SUBSCRIBE's rd_conn, writing the deliveries) is pubsub_conn.c, above conn.c.
 *
 * Rules (docs/LOCKING.md):
 *  1. The registry (the three tables, the pattern list, each client's subscription lists) is under
 *     reg_lock, a writer-preferring rwlock: publishers read it (several threads publish at once),
 *     (UN)SUBSCRIBE, RESET and a subscriber's close write it.
 *  2. A subscriber's inbox and its worker's pending list are under that worker's ps_mu, taken
 *     inside reg_lock (reg_lock -> ps_mu), never the other way.  Any thread appends to an inbox;
 *     only the owner worker moves it into the connection's output buffer (ps_worker_take, for
 *     pubsub_conn.c's ps_worker_deliver), so that buffer stays owner-only.  The owner is woken through its eventfd (one write per burst).
 *  3. A ps_client lives as long as its rd_conn: ps_client_free takes it out of the registry and
 *     off the pending list before the connection goes, so no publisher ever sees it freed.
 *  4. While nobody subscribes none of this runs: PUBLISH finds no channel and no pattern.
 */
#include "pubsub_reg.h"

#include "buf.h"
#include "hash.h"
#include "resp.h"
#include "types.h"
#include "worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct ps_chan {
    struct ps_chan *next; /* bucket chain */
    uint64_t hash;
    ps_client **subs;     /* in subscription order */
    int nsubs, cap;
    int pos;              /* patterns: index in pat_list */
    size_t len;
    char name[];
} ps_chan;

typedef struct ps_table {
    ps_chan **b;
    size_t mask, count;
} ps_table;

static pthread_rwlock_t reg_lock;
static ps_table tables[K_KINDS];
static ps_chan **pat_list; /* every pattern, for PUBLISH's scan */
static int npats, pat_cap;
static uint64_t seed0 = 0x7073756273756221ULL, seed1 = 0x9e3779b97f4a7c15ULL;

/* client-output-buffer-limit's pubsub class (Redis's default 32mb 8mb 60). */
static _Atomic uint64_t lim_hard = 32u << 20, lim_soft = 8u << 20;
static _Atomic int64_t lim_secs = 60;
static _Atomic uint64_t limit_drops;

__attribute__((constructor)) static void ps_init(void) {
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&reg_lock, &a);
    pthread_rwlockattr_destroy(&a);
}

/* Python's thread-local "current subscriber" (rd_ps_enter): its pushes go before its reply. */
static _Thread_local rd_conn *tl_self;

/* ---- tables -------------------------------------------------------------------------------- */

static uint64_t name_hash(const char *p, size_t n) { return siphash13(p, n, seed0, seed1); }

static ps_chan *table_find(const ps_table *t, const char *p, size_t n, uint64_t h) {
    if (!t->b) return NULL;
    for (ps_chan *e = t->b[h & t->mask]; e; e = e->next)
        if (e->hash == h && e->len == n && memcmp(e->name, p, n) == 0) return e;
    return NULL;
}

static int table_grow(ps_table *t) {
    size_t cap = t->b ? (t->mask + 1) * 2 : 16;
    ps_chan **b = calloc(cap, sizeof *b);
    if (!b) return -1;
    for (size_t i = 0; t->b && i <= t->mask; i++) {
        for (ps_chan *e = t->b[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (cap - 1)];
            b[e->hash & (cap - 1)] = e;
        }
    }
    free(t->b);
    t->b = b;
    t->mask = cap - 1;
    return 0;
}

static ps_chan *table_add(ps_table *t, const char *p, size_t n, uint64_t h) {
    if ((!t->b || t->count > t->mask) && table_grow(t) < 0) return NULL;
    ps_chan *e = calloc(1, sizeof *e + n + 1);
    if (!e) return NULL;
    e->hash = h;
    e->len = n;
    memcpy(e->name, p, n);
    e->next = t->b[h & t->mask];
    t->b[h & t->mask] = e;
    t->count++;
    return e;
}

static void table_remove(ps_table *t, ps_chan *e) {
    ps_chan **pp = &t->b[e->hash & t->mask];
    while (*pp != e) pp = &(*pp)->next;
    *pp = e->next;
    t->count--;
}

/* Whether s subscribes to e: whichever of the two lists is shorter is scanned (a channel with
 * thousands of subscribers, or a client with thousands of channels). */
static int chan_has(const ps_chan *e, const ps_client *s, int kind) {
    const ps_list *l = &s->subs[kind];
    if (l->n < e->nsubs) {
        for (int i = 0; i < l->n; i++)
            if (l->v[i] == e) return 1;
        return 0;
    }
    for (int i = 0; i < e->nsubs; i++)
        if (e->subs[i] == s) return 1;
    return 0;
}

/* Frees a channel without subscribers (out of its table; a pattern is out of pat_list already). */
static void chan_discard(int kind, ps_chan *e) {
    table_remove(&tables[kind], e);
    free(e->subs);
    free(e);
}

/* Drops s from e's subscribers; frees e when it was the last (the caller drops e from s's list). */
static void chan_leave(int kind, ps_chan *e, ps_client *s) {
    for (int i = 0; i < e->nsubs; i++) {
        if (e->subs[i] != s) continue;
        memmove(e->subs + i, e->subs + i + 1, (size_t)(e->nsubs - i - 1) * sizeof *e->subs);
        e->nsubs--;
        break;
    }
    if (e->nsubs) return;
    if (kind == K_PATTERN) {
        pat_list[e->pos] = pat_list[--npats];
        pat_list[e->pos]->pos = e->pos;
    }
    chan_discard(kind, e);
}

/* ---- the client's side --------------------------------------------------------------------- */

ps_client *ps_client_new(rd_conn *c, rd_worker *w, rd_buf *out, int fd, int c_writes, int resp) {
    ps_client *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->c = c;
    s->w = w;
    s->out = out;
    s->fd = fd;
    s->c_writes = c_writes;
    atomic_init(&s->resp, resp);
    atomic_init(&s->unsent, 0);
    buf_init(&s->inbox);
    return s;
}

static long long subs_count(const ps_client *s, int kind) {
    if (!s) return 0;
    return kind == K_SHARD ? s->subs[K_SHARD].n : s->subs[K_CHANNEL].n + s->subs[K_PATTERN].n;
}

static const char *const SUB_WORDS[K_KINDS] = {"subscribe", "psubscribe", "ssubscribe"};
static const char *const UNSUB_WORDS[K_KINDS] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

/* Redis's addReplyPubsub(Un)Subscribed: [kind, name (or nil), count] as a push (RESP3). */
static void reply_event(rd_buf *out, int resp, const char *word, const char *p, size_t n, long long count) {
    resp_add_header(out, resp == 3 ? '>' : '*', 3);
    resp_add_bulk(out, word, strlen(word));
    if (p) resp_add_bulk(out, p, n);
    else resp_add_nil(out, resp);
    resp_add_int(out, count);
}

rd_status ps_subscribe(ps_client *s, int kind, const char *name, size_t n, int resp, rd_buf *out) {
    uint64_t h = name_hash(name, n);
    rd_status st = RD_OK;
    pthread_rwlock_wrlock(&reg_lock);
    ps_chan *e = table_find(&tables[kind], name, n, h);
    if (!e || !chan_has(e, s, kind)) {
        int fresh = !e;
        if (fresh) e = table_add(&tables[kind], name, n, h);
        if (!e || array_grow((void **)&e->subs, &e->cap, e->nsubs + 1, sizeof *e->subs) < 0 ||
            array_grow((void **)&s->subs[kind].v, &s->subs[kind].cap, s->subs[kind].n + 1, sizeof(ps_chan *)) < 0 ||
            (fresh && kind == K_PATTERN && array_grow((void **)&pat_list, &pat_cap, npats + 1, sizeof *pat_list) < 0)) {
            if (fresh && e) chan_discard(kind, e); /* the channel just added, empty */
            st = RD_ERR_NOMEM;
        } else {
            if (fresh && kind == K_PATTERN) {
                e->pos = npats;
                pat_list[npats++] = e;
            }
            e->subs[e->nsubs++] = s;
            s->subs[kind].v[s->subs[kind].n++] = e;
        }
    }
    long long count = subs_count(s, kind);
    pthread_rwlock_unlock(&reg_lock);
    if (st == RD_OK) reply_event(out, resp, SUB_WORDS[kind], name, n, count);
    return st == RD_OK && out->failed ? RD_ERR_NOMEM : st;
}

/* Drops subscription i of s's list of `kind` (reg_lock held for writing). */
static void drop_at(ps_client *s, int kind, int i) {
    ps_list *l = &s->subs[kind];
    ps_chan *e = l->v[i];
    memmove(l->v + i, l->v + i + 1, (size_t)(l->n - i - 1) * sizeof *l->v);
    l->n--;
    chan_leave(kind, e, s);
}

rd_status ps_unsubscribe(ps_client *s, int kind, const char *name, size_t n, int resp, rd_buf *out) {
    pthread_rwlock_wrlock(&reg_lock);
    for (int i = 0; s && i < s->subs[kind].n; i++) {
        ps_chan *e = s->subs[kind].v[i];
        if (e->len == n && memcmp(e->name, name, n) == 0) {
            drop_at(s, kind, i);
            break;
        }
    }
    long long count = subs_count(s, kind);
    pthread_rwlock_unlock(&reg_lock);
    reply_event(out, resp, UNSUB_WORDS[kind], name, n, count);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

rd_status ps_unsubscribe_all(ps_client *s, int kind, int resp, rd_buf *out) {
    pthread_rwlock_wrlock(&reg_lock);
    if (out && (!s || !s->subs[kind].n)) /* nothing of this kind: Redis's reply with a nil name */
        reply_event(out, resp, UNSUB_WORDS[kind], NULL, 0, subs_count(s, kind));
    while (s && s->subs[kind].n) {
        ps_chan *e = s->subs[kind].v[0];
        /* before the drop: the name goes with the channel's last subscriber */
        if (out) reply_event(out, resp, UNSUB_WORDS[kind], e->name, e->len, subs_count(s, kind) - 1);
        drop_at(s, kind, 0);
    }
    pthread_rwlock_unlock(&reg_lock);
    return out && out->failed ? RD_ERR_NOMEM : RD_OK;
}

void ps_client_set_resp(ps_client *s, int resp) { atomic_store_explicit(&s->resp, resp, memory_order_relaxed); }

void ps_client_free(ps_client *s) {
    pthread_rwlock_wrlock(&reg_lock);
    for (int k = 0; k < K_KINDS; k++) {
        while (s->subs[k].n) drop_at(s, k, s->subs[k].n - 1);
        free(s->subs[k].v);
    }
    pthread_rwlock_unlock(&reg_lock);
    pthread_mutex_lock(&s->w->ps_mu);
    if (s->queued) {
        ps_client **pp = &s->w->ps_pending;
        while (*pp != s) pp = &(*pp)->next;
        *pp = s->next;
    }
    pthread_mutex_unlock(&s->w->ps_mu);
    buf_release(&s->inbox);
    free(s);
}

void rd_ps_enter(rd_conn *c) { tl_self = c; }

/* ---- publishing ---------------------------------------------------------------------------- */

/* One message's frame, built once per protocol for all the receivers of one channel or pattern. */
typedef struct frame {
    const char *word, *pat, *ch, *msg;
    size_t plen, n, m;
    rd_buf b[2]; /* RESP2, RESP3 */
} frame;

static const rd_buf *frame_for(frame *f, int resp) {
    rd_buf *b = &f->b[resp == 3];
    if (b->len) return b;
    resp_add_header(b, resp == 3 ? '>' : '*', f->pat ? 4 : 3);
    resp_add_bulk(b, f->word, strlen(f->word));
    if (f->pat) resp_add_bulk(b, f->pat, f->plen);
    resp_add_bulk(b, f->ch, f->n);
    resp_add_bulk(b, f->msg, f->m);
    return b;
}

static void wake(rd_worker *w) {
    uint64_t one = 1;
    ssize_t r = write(w->ps_fd, &one, sizeof one);
    (void)r; /* EAGAIN: the counter is full, so a wake-up is pending anyway */
}

/* What Redis counts against the limits (getClientOutputBufferMemoryUsage): its reply list, not the
 * first REPLY_BUF bytes that sit in the client's static buffer (CLIENT LIST's obl and omem alike). */
#define REPLY_BUF (16u << 10)

static size_t limit_usage(size_t unsent) { return unsent > REPLY_BUF ? unsent - REPLY_BUF : 0; }

/* Queues a message for s on its worker (reg_lock held shared). */
static void enqueue(ps_client *s, const rd_buf *msg) {
    rd_worker *w = s->w;
    uint64_t hard = atomic_load_explicit(&lim_hard, memory_order_relaxed);
    int signal;
    pthread_mutex_lock(&w->ps_mu);
    if (!s->overflow) {
        /* Past the hard limit nothing more is kept: the owner closes it at delivery. */
        size_t unsent = atomic_load_explicit(&s->unsent, memory_order_relaxed);
        if (hard && limit_usage(s->inbox.len + msg->len + unsent) > hard) {
            s->overflow = 1;
            buf_reset(&s->inbox, 0);
        } else if (buf_append(&s->inbox, msg->data, msg->len) < 0) {
            s->overflow = 1; /* out of memory: the subscriber is dropped rather than the message */
        }
    }
    if (!s->queued) {
        s->queued = 1;
        s->next = w->ps_pending;
        w->ps_pending = s;
    }
    signal = !w->ps_signalled;
    w->ps_signalled = 1;
    pthread_mutex_unlock(&w->ps_mu);
    if (signal) wake(w);
}

void ps_push(ps_client *s, const rd_buf *msg) { enqueue(s, msg); }

int ps_subscribed(ps_client *s) {
    pthread_rwlock_rdlock(&reg_lock);
    int any = s->subs[K_CHANNEL].n || s->subs[K_PATTERN].n || s->subs[K_SHARD].n;
    pthread_rwlock_unlock(&reg_lock);
    return any;
}

static long long send_all(ps_chan *e, frame *f, const rd_buf *self_key, rd_buf *self_out) {
    for (int i = 0; i < e->nsubs; i++) {
        ps_client *s = e->subs[i];
        const rd_buf *msg = frame_for(f, atomic_load_explicit(&s->resp, memory_order_relaxed));
        if (self_out && (s->out == self_key || s->c == tl_self)) buf_append(self_out, msg->data, msg->len);
        else enqueue(s, msg);
    }
    return e->nsubs;
}

long long ps_publish(int shard, const char *ch, size_t n, const char *msg, size_t m,
                     const rd_buf *self_key, rd_buf *self_out) {
    long long receivers = 0;
    uint64_t h = name_hash(ch, n);
    pthread_rwlock_rdlock(&reg_lock);
    ps_chan *e = table_find(&tables[shard ? K_SHARD : K_CHANNEL], ch, n, h);
    if (e) {
        frame f = {shard ? "smessage" : "message", NULL, ch, msg, 0, n, m, {{0}, {0}}};
        receivers += send_all(e, &f, self_key, self_out);
        buf_release(&f.b[0]);
        buf_release(&f.b[1]);
    }
    for (int i = 0; !shard && i < npats; i++) {
        ps_chan *p = pat_list[i];
        if (!rd_glob_match(p->name, p->len, ch, n, 0)) continue;
        frame f = {"pmessage", p->name, ch, msg, p->len, n, m, {{0}, {0}}};
        receivers += send_all(p, &f, self_key, self_out);
        buf_release(&f.b[0]);
        buf_release(&f.b[1]);
    }
    pthread_rwlock_unlock(&reg_lock);
    return receivers;
}

/* PUBLISH channel message */
void tx_publish(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, ps_publish(0, argv[1], argl[1], argv[2], argl[2], x->out, x->out));
}

/* SPUBLISH shardchannel message */
void tx_spublish(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_int(x->out, ps_publish(1, argv[1], argl[1], argv[2], argl[2], x->out, x->out));
}

/* ---- PUBSUB and INFO ------------------------------------------------------------------------- */

int64_t rd_ps_numsub(int kind, const char *name, size_t n) {
    if (!ps_kind_ok(kind)) return 0;
    pthread_rwlock_rdlock(&reg_lock);
    ps_chan *e = table_find(&tables[kind], name, n, name_hash(name, n));
    int64_t subs = e ? e->nsubs : 0;
    pthread_rwlock_unlock(&reg_lock);
    return subs;
}

int64_t rd_ps_count(int kind) {
    if (!ps_kind_ok(kind)) return 0;
    pthread_rwlock_rdlock(&reg_lock);
    int64_t count = (int64_t)tables[kind].count;
    pthread_rwlock_unlock(&reg_lock);
    return count;
}

rd_status rd_ps_channels(int kind, const char *pat, size_t plen, rd_buf *out) {
    if (!ps_kind_ok(kind)) return RD_NOT_FOUND;
    rd_buf names;
    long long count = 0;
    buf_init(&names);
    pthread_rwlock_rdlock(&reg_lock);
    const ps_table *t = &tables[kind];
    for (size_t i = 0; t->b && i <= t->mask; i++) {
        for (const ps_chan *e = t->b[i]; e; e = e->next) {
            if (pat && !rd_glob_match(pat, plen, e->name, e->len, 0)) continue;
            resp_add_bulk(&names, e->name, e->len);
            count++;
        }
    }
    pthread_rwlock_unlock(&reg_lock);
    resp_add_array_len(out, count);
    buf_append(out, names.data, names.len);
    int failed = names.failed;
    buf_release(&names);
    return failed || out->failed ? RD_ERR_NOMEM : RD_OK;
}

void rd_ps_set_limits(uint64_t hard, uint64_t soft, int64_t soft_seconds) {
    atomic_store_explicit(&lim_hard, hard, memory_order_relaxed);
    atomic_store_explicit(&lim_soft, soft, memory_order_relaxed);
    atomic_store_explicit(&lim_secs, soft_seconds, memory_order_relaxed);
}

uint64_t rd_ps_limit_disconnections(void) { return atomic_load_explicit(&limit_drops, memory_order_relaxed); }

/* ---- delivery on the owner worker ------------------------------------------------------------ */

int ps_worker_init(rd_worker *w) {
    w->ps_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->ps_fd < 0) return -1;
    pthread_mutex_init(&w->ps_mu, NULL);
    return 0;
}

void ps_worker_destroy(rd_worker *w) {
    if (w->ps_fd >= 0) close(w->ps_fd);
    pthread_mutex_destroy(&w->ps_mu);
}

int rd_worker_pubsub_fd(rd_worker *w) { return w->ps_fd; }

/* client-output-buffer-limit's pubsub class on what a delivery left unsent: Redis's
 * checkClientOutputBufferLimits (the hard limit at once, the soft one after its seconds). */
int ps_over_limits(ps_client *s, size_t unsent) {
    unsent = limit_usage(unsent);
    uint64_t hard = atomic_load_explicit(&lim_hard, memory_order_relaxed);
    uint64_t soft = atomic_load_explicit(&lim_soft, memory_order_relaxed);
    if (hard && unsent > hard) return 1;
    if (!soft || unsent <= soft) {
        s->soft_since = 0;
        return 0;
    }
    int64_t now = rd_now_ms() / 1000; /* whole seconds, as Redis's server.unixtime */
    if (!s->soft_since) s->soft_since = now;
    return now - s->soft_since > atomic_load_explicit(&lim_secs, memory_order_relaxed);
}

void ps_count_limit_drop(void) { atomic_fetch_add_explicit(&limit_drops, 1, memory_order_relaxed); }

ps_client *ps_worker_take(rd_worker *w, int max) {
    uint64_t v;
    ps_client *walk = NULL;
    int again;
    ssize_t r = read(w->ps_fd, &v, sizeof v); /* reset the counter: the wake-ups so far are served */
    (void)r;
    pthread_mutex_lock(&w->ps_mu);
    for (int taken = 0; w->ps_pending && taken < max; taken++) {
        ps_client *s = w->ps_pending;
        w->ps_pending = s->next;
        s->queued = 0;
        s->doverflow = s->overflow;
        if (!s->overflow && s->inbox.len) buf_append(s->out, s->inbox.data, s->inbox.len);
        buf_reset(&s->inbox, 4096); /* a burst's room is not kept per subscriber */
        s->dnext = walk;
        walk = s;
    }
    again = w->ps_pending != NULL;
    w->ps_signalled = again;
    pthread_mutex_unlock(&w->ps_mu);
    if (again) wake(w); /* the rest at the next wait: the caller's arrays are full */
    return walk;
}
