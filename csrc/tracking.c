/* tracking.c: client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c: the tracking table
 * (key -> ids of the clients that may cache it), BCAST's prefix table, and the invalidation
 * messages, pushed through the subscribers' inboxes (pubsub.c) so they reach a client on any thread.
 *
 * Rules (docs/LOCKING.md):
 *  1. Everything here (the id map of connections, each client's tracking state, the tracking and
 *     prefix tables, the counters) is under trk_lock, a mutex.  It is taken with no shard lock held:
 *     the keyspace only notes changed keys in a thread-local list (trk_note), which the thread
 *     turns into messages when its outermost gate hold ends (trk_flush, from the gate's
 *     after_release hook).  Order: gate -> trk_lock -> reg_lock (shared) -> a worker's ps_mu.
 *  2. A reader's keys are remembered (rd_trk_remember) before the read runs: a write that the read
 *     does not see comes after the remember, so its invalidation finds the reader; a write it sees
 *     at worst costs a needless invalidation.
 *  3. A connection is in the id map from rd_trk_attach until trk_conn_free, which runs before its
 *     ps_client is freed, so a message never goes to a freed inbox.
 *  4. A message for the client whose command is running on this thread (rd_trk_enter) waits in its
 *     own buffer and follows that command's reply (trk_after_reply), as Redis's pending keys; any
 *     other goes to the target's inbox (its worker's eventfd wakes it).
 *  5. While nobody tracks, a write reads trk_live (one relaxed load) and nothing else happens.
 */
#include "tracking.h"

#include "buf.h"
#include "fastpath.h"
#include "hash.h"
#include "pubsub_reg.h"
#include "resp.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

_Atomic int trk_live;
_Thread_local int trk_tl_pending;

struct trk_client {
    struct trk_client *next; /* id map chain */
    uint64_t id;
    const rd_conn *c; /* identity only: its command may be running here (tl_cur) */
    ps_client *ps;    /* the connection's inbox */
    int flags;        /* RD_TRK_*; 0: not tracking */
    uint64_t redirect;
    rd_buf self_out;  /* owner thread: messages waiting for its running command's reply (rule 4) */
};

typedef struct trk_key { /* a tracked key and the ids that may cache it */
    struct trk_key *next;
    uint64_t hash;
    uint64_t *ids;
    uint32_t n, cap;
    uint64_t fresh; /* the command (tl_cmd) whose remember added the last id, 0: none */
    size_t len;
    char key[];
} trk_key;

typedef struct trk_prefix { /* BCAST: a prefix, its clients, the keys changed since the last flush */
    trk_client **clients;
    int n, cap;
    rd_buf keys; /* records: [origin rd_conn *][u32 len][key] */
    size_t len;
    char *p;
} trk_prefix;

typedef struct table {
    void **b;
    size_t mask, count;
} table;

static pthread_mutex_t trk_lock = PTHREAD_MUTEX_INITIALIZER;
static table ids;    /* trk_client by id */
static table keys;   /* trk_key by key */
static uint64_t total_items, max_keys = 1000000, rnd = 0x9e3779b97f4a7c15ULL;
static int tracking_clients;
static trk_prefix *prefixes;
static int nprefixes, prefix_cap;
static const uint64_t K0 = 0x747261636b696e67ULL, K1 = 0x0123456789abcdefULL;

static _Thread_local rd_buf tl_keys; /* [u32 len][key] per changed key */
static _Thread_local const rd_conn *tl_cur; /* the tracking client whose command runs here */
static _Thread_local uint64_t tl_cmd;       /* that command's number (commands, below) */
static _Atomic uint64_t commands;

/* ---- tables (trk_lock held) ------------------------------------------------------------------ */

/* Both tables chain through the first field (next) and hash by `hash_of`. */
static uint64_t id_hash(uint64_t id) { return id * 0x9e3779b97f4a7c15ULL; }
static uint64_t key_hash(const char *k, size_t n) { return siphash13(k, n, K0, K1); }
static uint64_t hash_of(const table *t, void *e) {
    return t == &ids ? id_hash(((trk_client *)e)->id) : ((trk_key *)e)->hash;
}

static int table_grow(table *t) {
    size_t cap = t->b ? (t->mask + 1) * 2 : 16;
    void **b = calloc(cap, sizeof *b);
    if (!b) return -1;
    for (size_t i = 0; t->b && i <= t->mask; i++) {
        for (void *e = t->b[i], *next; e; e = next) {
            next = *(void **)e;
            size_t j = hash_of(t, e) & (cap - 1);
            *(void **)e = b[j];
            b[j] = e;
        }
    }
    free(t->b);
    t->b = b;
    t->mask = cap - 1;
    return 0;
}

static int table_add(table *t, void *e, uint64_t h) {
    if ((!t->b || t->count > t->mask) && table_grow(t) < 0) return -1;
    *(void **)e = t->b[h & t->mask];
    t->b[h & t->mask] = e;
    t->count++;
    return 0;
}

static void table_unlink(table *t, void *e, uint64_t h) {
    void **pp = &t->b[h & t->mask];
    while (*pp != e) pp = (void **)*pp;
    *pp = *(void **)e;
    t->count--;
}

static trk_client *client_find(uint64_t id) {
    if (!ids.b) return NULL;
    for (trk_client *t = ids.b[id_hash(id) & ids.mask]; t; t = t->next)
        if (t->id == id) return t;
    return NULL;
}

static trk_key *key_find(const char *k, size_t n, uint64_t h) {
    if (!keys.b) return NULL;
    for (trk_key *e = keys.b[h & keys.mask]; e; e = e->next)
        if (e->hash == h && e->len == n && memcmp(e->key, k, n) == 0) return e;
    return NULL;
}

static void key_drop(trk_key *e) {
    table_unlink(&keys, e, e->hash);
    total_items -= e->n;
    free(e->ids);
    free(e);
}

/* id may cache k (once): 0, or -1 when out of memory.  fresh: the running command's number when its
 * remember adds id now. */
static int key_add_id(const char *k, size_t n, uint64_t h, uint64_t id, uint64_t fresh) {
    trk_key *e = key_find(k, n, h);
    if (!e) {
        e = calloc(1, sizeof *e + n + 1);
        if (!e || table_add(&keys, e, h) < 0) {
            free(e);
            return -1;
        }
        e->hash = h;
        e->len = n;
        memcpy(e->key, k, n);
    }
    for (uint32_t j = 0; j < e->n; j++)
        if (e->ids[j] == id) return 0;
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 2;
        uint64_t *v = realloc(e->ids, cap * sizeof *v);
        if (!v) return -1;
        e->ids = v;
        e->cap = cap;
    }
    e->ids[e->n++] = id;
    e->fresh = fresh;
    total_items++;
    return 0;
}

/* ---- messages (trk_lock held) ------------------------------------------------------------------ */

static int resp_of(const trk_client *t) { return atomic_load_explicit(&t->ps->resp, memory_order_relaxed); }

static void deliver(trk_client *to, const rd_buf *msg) {
    if (to->c == tl_cur) buf_append(&to->self_out, msg->data, msg->len);
    else ps_push(to->ps, msg);
}

/* Redis's sendTrackingMessage: payload is the message's value, already in RESP (an array of keys,
 * or a null after a flush), for t or for the client it redirects to. */
static void send_message(trk_client *t, const char *payload, size_t plen) {
    trk_client *to = t;
    rd_buf msg;
    buf_init(&msg);
    if (t->redirect) {
        to = client_find(t->redirect);
        if (!to) {
            t->flags |= RD_TRK_BROKEN_REDIR;
            if (resp_of(t) == 3) { /* RESP2 has no way to say it */
                resp_add_header(&msg, '>', 2);
                resp_add_bulk(&msg, "tracking-redir-broken", 21);
                resp_add_int(&msg, (long long)t->redirect);
                deliver(t, &msg);
            }
            buf_release(&msg);
            return;
        }
    }
    if (resp_of(to) == 3) {
        resp_add_header(&msg, '>', 2);
        resp_add_bulk(&msg, "invalidate", 10);
    } else if (t->redirect && ps_subscribed(to->ps)) { /* a RESP2 target: in Pub/Sub mode */
        resp_add_header(&msg, '*', 3);
        resp_add_bulk(&msg, "message", 7);
        resp_add_bulk(&msg, "__redis__:invalidate", 20);
    } else {
        return; /* RESP2 without a redirection (or to a non-subscriber): nowhere to say it */
    }
    buf_append(&msg, payload, plen);
    if (!msg.failed) deliver(to, &msg);
    buf_release(&msg);
}

static void send_key(trk_client *t, const char *k, size_t n) {
    rd_buf payload;
    buf_init(&payload);
    resp_add_header(&payload, '*', 1);
    resp_add_bulk(&payload, k, n);
    if (!payload.failed) send_message(t, payload.data, payload.len);
    buf_release(&payload);
}

/* Redis's trackingInvalidateKey without the BCAST half: each client that may cache k is told,
 * and k leaves the table.  origin: the client whose command changed it (NOLOOP), or NULL.  A key
 * that expired under the very command that started tracking it for origin is no news to origin:
 * Redis remembers a read's keys after it, so that expiry finds only the others (rule 2 remembers
 * before); origin stays tracking it. */
static void invalidate_key(const char *k, size_t n, uint64_t h, const rd_conn *origin, int expired) {
    trk_key *e = key_find(k, n, h);
    uint64_t keep = 0;
    if (!e) return;
    for (uint32_t i = 0; i < e->n; i++) {
        trk_client *t = client_find(e->ids[i]);
        if (!t || !t->flags || (t->flags & RD_TRK_BCAST)) continue;
        int fresh = e->fresh && e->fresh == tl_cmd && e->ids[e->n - 1] == t->id;
        if (expired && origin && t->c == origin && fresh) {
            keep = t->id;
            continue;
        }
        if ((t->flags & RD_TRK_NOLOOP) && t->c == origin) continue;
        send_key(t, k, n);
    }
    key_drop(e);
    if (keep) key_add_id(k, n, h, keep, 0);
}

/* ---- BCAST (trk_lock held) -------------------------------------------------------------------- */

static trk_prefix *prefix_find(const char *p, size_t n) {
    for (int i = 0; i < nprefixes; i++)
        if (prefixes[i].len == n && memcmp(prefixes[i].p, p, n) == 0) return &prefixes[i];
    return NULL;
}

static int prefix_join(trk_client *t, const char *p, size_t n) {
    trk_prefix *x = prefix_find(p, n);
    if (!x) {
        char *copy = malloc(n + 1);
        if (!copy || array_grow((void **)&prefixes, &prefix_cap, nprefixes + 1, sizeof *prefixes) < 0) {
            free(copy);
            return -1;
        }
        if (n) memcpy(copy, p, n);
        x = &prefixes[nprefixes++];
        memset(x, 0, sizeof *x);
        x->p = copy;
        x->len = n;
        buf_init(&x->keys);
    }
    for (int i = 0; i < x->n; i++)
        if (x->clients[i] == t) return 0;
    if (array_grow((void **)&x->clients, &x->cap, x->n + 1, sizeof *x->clients) < 0) return -1;
    x->clients[x->n++] = t;
    return 0;
}

/* t leaves every prefix; a prefix left without clients goes. */
static void prefixes_leave(trk_client *t) {
    for (int i = 0; i < nprefixes;) {
        trk_prefix *x = &prefixes[i];
        for (int j = 0; j < x->n; j++) {
            if (x->clients[j] != t) continue;
            x->clients[j] = x->clients[--x->n];
            break;
        }
        if (x->n) {
            i++;
            continue;
        }
        free(x->clients);
        free(x->p);
        buf_release(&x->keys);
        prefixes[i] = prefixes[--nprefixes];
    }
}

static void bcast_note(const char *k, size_t n, const rd_conn *origin) {
    uint32_t len = (uint32_t)n;
    for (int i = 0; i < nprefixes; i++) {
        trk_prefix *x = &prefixes[i];
        if (x->len > n || memcmp(x->p, k, x->len) != 0) continue;
        buf_append(&x->keys, &origin, sizeof origin);
        buf_append(&x->keys, &len, sizeof len);
        buf_append(&x->keys, k, n);
    }
}

typedef struct bkey { /* one record of a prefix's keys, for sorting */
    const char *k;
    uint32_t len;
    size_t seq;
    const rd_conn *origin;
} bkey;

static int bkey_cmp(const void *a, const void *b) {
    const bkey *x = a, *y = b;
    int c = memcmp(x->k, y->k, x->len < y->len ? x->len : y->len);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The keys noted for x as a RESP array, without those `skip` changed last (NOLOOP; NULL: all): each
 * key once, in byte order, as Redis's rax of keys whose value is the key's last changer. */
static size_t bcast_array(const trk_prefix *x, const rd_conn *skip, rd_buf *out) {
    size_t n = 0, count = 0;
    for (size_t off = 0; off < x->keys.len; n++) {
        uint32_t len;
        memcpy(&len, x->keys.data + off + sizeof(rd_conn *), sizeof len);
        off += sizeof(rd_conn *) + sizeof len + len;
    }
    bkey *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return 0;
    n = 0;
    for (size_t off = 0; off < x->keys.len; n++) {
        memcpy(&v[n].origin, x->keys.data + off, sizeof v[n].origin);
        memcpy(&v[n].len, x->keys.data + off + sizeof(rd_conn *), sizeof v[n].len);
        v[n].k = x->keys.data + off + sizeof(rd_conn *) + sizeof v[n].len;
        v[n].seq = n;
        off += sizeof(rd_conn *) + sizeof v[n].len + v[n].len;
    }
    qsort(v, n, sizeof *v, bkey_cmp);
    rd_buf body;
    buf_init(&body);
    for (size_t i = 0; i < n; i++) {
        int later = i + 1 < n && v[i + 1].len == v[i].len && memcmp(v[i + 1].k, v[i].k, v[i].len) == 0;
        if (later || (skip && v[i].origin == skip)) continue; /* the last change of a key decides */
        resp_add_bulk(&body, v[i].k, v[i].len);
        count++;
    }
    if (count) {
        resp_add_header(out, '*', (long long)count);
        buf_append(out, body.data, body.len);
    }
    buf_release(&body);
    free(v);
    return count;
}

/* Redis's trackingBroadcastInvalidationMessages, at the end of each flush rather than of each
 * event-loop turn. */
static void bcast_send(void) {
    for (int i = 0; i < nprefixes; i++) {
        trk_prefix *x = &prefixes[i];
        if (!x->keys.len) continue;
        rd_buf all;
        buf_init(&all);
        bcast_array(x, NULL, &all);
        for (int j = 0; j < x->n; j++) {
            trk_client *t = x->clients[j];
            if (t->flags & RD_TRK_NOLOOP) {
                rd_buf own;
                buf_init(&own);
                if (bcast_array(x, t->c, &own)) send_message(t, own.data, own.len);
                buf_release(&own);
            } else if (all.len) {
                send_message(t, all.data, all.len);
            }
        }
        buf_release(&all);
        buf_reset(&x->keys, 4096);
    }
}

/* ---- the keyspace's side --------------------------------------------------------------------- */

static void invalidate_all(void);

#define EXPIRED_BIT 0x80000000u /* in a noted key's length: it expired */

void trk_note(const char *key, size_t klen, int expired) {
    uint32_t len = (uint32_t)klen | (expired ? EXPIRED_BIT : 0);
    buf_append(&tl_keys, &len, sizeof len);
    buf_append(&tl_keys, key, klen);
    trk_tl_pending = 1;
}

void trk_flush(void) {
    trk_tl_pending = 0;
    pthread_mutex_lock(&trk_lock);
    if (tl_keys.failed) /* out of memory noting keys: which changed is lost, so everything did */
        invalidate_all();
    for (size_t off = 0; !tl_keys.failed && off < tl_keys.len;) {
        uint32_t len;
        memcpy(&len, tl_keys.data + off, sizeof len);
        int expired = (len & EXPIRED_BIT) != 0;
        len &= ~EXPIRED_BIT;
        const char *k = tl_keys.data + off + sizeof len;
        off += sizeof len + len;
        if (nprefixes) bcast_note(k, len, tl_cur);
        invalidate_key(k, len, key_hash(k, len), tl_cur, expired);
    }
    if (nprefixes) bcast_send();
    pthread_mutex_unlock(&trk_lock);
    buf_reset(&tl_keys, 4096); /* clears failed too */
}

/* Every tracking client is told to drop everything (Redis's null), and the table is emptied. */
static void invalidate_all(void) {
    for (size_t i = 0; ids.b && i <= ids.mask; i++) {
        for (trk_client *t = ids.b[i]; t; t = t->next) {
            if (!t->flags) continue;
            if (resp_of(t) == 3) send_message(t, "_\r\n", 3);
            else send_message(t, "$-1\r\n", 5);
        }
    }
    for (size_t i = 0; keys.b && i <= keys.mask; i++) {
        for (trk_key *e = keys.b[i], *next; e; e = next) {
            next = e->next;
            free(e->ids);
            free(e);
        }
        keys.b[i] = NULL;
    }
    keys.count = 0;
    total_items = 0;
}

void trk_flushed(void) {
    pthread_mutex_lock(&trk_lock);
    invalidate_all();
    pthread_mutex_unlock(&trk_lock);
}

/* ---- tracking-table-max-keys (trk_lock held) ------------------------------------------------ */

/* Redis's trackingLimitUsedSlots: random keys leave the table, their clients told as if the keys
 * had changed, until the table is back under the limit (or the effort is spent). */
static void limit_keys(void) {
    for (int effort = 1000; max_keys && keys.count > max_keys && effort > 0; effort--) {
        rnd ^= rnd << 13;
        rnd ^= rnd >> 7;
        rnd ^= rnd << 17;
        size_t start = rnd & keys.mask;
        for (size_t i = 0; i <= keys.mask; i++) {
            trk_key *e = keys.b[(start + i) & keys.mask];
            if (!e) continue;
            invalidate_key(e->key, e->len, e->hash, NULL, 0);
            break;
        }
    }
}

/* ---- the fast path's read-only commands (their keys, written once at start-up) ------------------- */

typedef struct read_spec {
    int first, last, step; /* Redis's legacy key triple; first 0: not a read (or no keys), -1: movable */
} read_spec;

static read_spec read_specs[FP_MAX_COMMANDS];

rd_status rd_trk_command_keys(int i, int first, int last, int step) {
    if (i < 0 || i >= FP_MAX_COMMANDS || step < 0 || (first > 0 && step == 0)) return RD_NOT_FOUND;
    read_specs[i] = (read_spec){first, last, step};
    return RD_OK;
}

int trk_read_keys(int i, int *first, int *last, int *step) {
    if (i < 0 || i >= FP_MAX_COMMANDS) return 0;
    *first = read_specs[i].first;
    *last = read_specs[i].last;
    *step = read_specs[i].step;
    return *first != 0;
}

int trk_plain(const trk_client *t) {
    pthread_mutex_lock(&trk_lock); /* a delivery may set RD_TRK_BROKEN_REDIR meanwhile */
    int f = t->flags & ~RD_TRK_BROKEN_REDIR;
    pthread_mutex_unlock(&trk_lock);
    return f == RD_TRK_ON || f == (RD_TRK_ON | RD_TRK_NOLOOP);
}

/* ---- a client's side (tracking_conn.c maps a connection to its record) -------------------------- */

trk_client *trk_client_new(uint64_t id, const rd_conn *c, ps_client *ps) {
    trk_client *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->id = id;
    t->c = c;
    t->ps = ps;
    buf_init(&t->self_out);
    pthread_mutex_lock(&trk_lock);
    int failed = table_add(&ids, t, id_hash(id)) < 0;
    pthread_mutex_unlock(&trk_lock);
    if (failed) {
        free(t);
        return NULL;
    }
    return t;
}

static void disable(trk_client *t) {
    if (!t->flags) return;
    if (t->flags & RD_TRK_BCAST) prefixes_leave(t);
    t->flags = 0;
    if (--tracking_clients == 0) atomic_store_explicit(&trk_live, 0, memory_order_relaxed);
}

rd_status trk_enable(trk_client *t, int flags, uint64_t redirect, int n, const char **pfx, const size_t *plen) {
    rd_status st = RD_OK;
    pthread_mutex_lock(&trk_lock);
    if (!t->flags && tracking_clients++ == 0) atomic_store_explicit(&trk_live, 1, memory_order_relaxed);
    t->flags = RD_TRK_ON | (flags & (RD_TRK_BCAST | RD_TRK_OPTIN | RD_TRK_OPTOUT | RD_TRK_NOLOOP));
    t->redirect = redirect;
    if (flags & RD_TRK_BCAST) {
        if (n == 0 && prefix_join(t, "", 0) < 0) st = RD_ERR_NOMEM;
        for (int i = 0; i < n && st == RD_OK; i++)
            if (prefix_join(t, pfx[i], plen[i]) < 0) st = RD_ERR_NOMEM;
    }
    pthread_mutex_unlock(&trk_lock);
    return st;
}

void trk_disable(trk_client *t) {
    pthread_mutex_lock(&trk_lock);
    disable(t);
    pthread_mutex_unlock(&trk_lock);
}

int trk_flags(trk_client *t) {
    pthread_mutex_lock(&trk_lock);
    int flags = t->flags;
    pthread_mutex_unlock(&trk_lock);
    return flags;
}

rd_status trk_remember(trk_client *t, int n, const char **k, const size_t *klen) {
    rd_status st = RD_OK;
    /* What this hold changed so far (a transaction's earlier commands) is news from before the read:
     * told now, as Redis tells it at each write, not at the hold's end after this remember. */
    trk_after_gate();
    pthread_mutex_lock(&trk_lock);
    for (int i = 0; i < n && st == RD_OK; i++)
        if (key_add_id(k[i], klen[i], key_hash(k[i], klen[i]), t->id, t->c == tl_cur ? tl_cmd : 0) < 0)
            st = RD_ERR_NOMEM;
    limit_keys();
    pthread_mutex_unlock(&trk_lock);
    return st;
}

void rd_trk_enter(rd_conn *c) {
    tl_cur = c;
    if (c) tl_cmd = atomic_fetch_add_explicit(&commands, 1, memory_order_relaxed) + 1;
}

void rd_trk_set_max_keys(uint64_t n) {
    pthread_mutex_lock(&trk_lock);
    max_keys = n;
    limit_keys();
    pthread_mutex_unlock(&trk_lock);
}

void rd_trk_stats(uint64_t *out) {
    pthread_mutex_lock(&trk_lock);
    out[0] = (uint64_t)tracking_clients;
    out[1] = keys.count;
    out[2] = total_items;
    out[3] = (uint64_t)nprefixes;
    pthread_mutex_unlock(&trk_lock);
}

int trk_after_reply(trk_client *t, rd_buf *out) {
    if (!t->self_out.len) return 0;
    int r = buf_append(out, t->self_out.data, t->self_out.len);
    buf_reset(&t->self_out, 4096);
    return r;
}

void trk_client_free(trk_client *t) {
    if (!t) return;
    if (tl_cur == t->c) tl_cur = NULL;
    pthread_mutex_lock(&trk_lock);
    disable(t);
    table_unlink(&ids, t, id_hash(t->id));
    pthread_mutex_unlock(&trk_lock);
    buf_release(&t->self_out);
    free(t);
}
