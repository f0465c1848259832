/* evict.c: the memory limit and the eviction policies (Redis's eight and S3-FIFO), called from keyspace.c's write path.
 *
 * Rules:
 *  1. Queues, ghosts and entry metadata are touched only under the shard's lock:
 *     the ev_* hooks run inside keyspace.c's locked sections (all but ev_admit and
 *     ev_settle, rule 3).
 *  2. The limit is checked against one atomic counter (rd_keyspace.used), so a
 *     write that has nothing to evict pays one relaxed load.
 *  3. Eviction never runs inside a write's locks: ev_admit before the write and
 *     ev_settle after it are called with no lock held.  Each eviction compares
 *     the victims of EV_SHARD_SAMPLES random shards (a sweep of every shard when
 *     those offer none), one shard lock at a time, then locks the chosen shard
 *     again to evict (choosing again, a bounded number of times, when another
 *     thread changed its queue meanwhile).  A round stops once it has spent
 *     EV_BUDGET_US (checked every 16 evictions), so no write ever stalls for long.
 *  4. The entries just written (ev_settle's keep[]) are never chosen; an evicted
 *     entry is freed after its shard lock is released (table->release_free), so a
 *     value being copied out under a lock is never freed under it.
 *  5. Eviction is per shard: LRU is exact LRU within each of the 1024 shards
 *     (the shards split the keys evenly by hash, so together they approximate a
 *     global LRU much more closely than Redis's sampling); S3-FIFO runs its queues
 *     per shard.  LFU, random, TTL and volatile-lru sample EV_SAMPLES keys of a shard.
 */
#include "keyspace.h"
#include "notify.h"
#include "script_state.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EV_SAMPLES 10        /* keys a sampling policy compares per eviction (Redis: 5 plus a pool) */
#define EV_SHARD_SAMPLES 5   /* shards whose best victims one eviction compares (Redis: 5 keys) */
#define EV_RANDOM_PROBES 32  /* random shards tried before sweeping them all */
#define EV_BUDGET_US 2000    /* eviction one write may do in other shards */
#define EV_RETRIES 3         /* choices evict_one makes again when another thread changed the shard */
#define EV_SMALL 4           /* evbits: in the small FIFO */
#define EV_FREQ 3            /* evbits: S3-FIFO's 2-bit access frequency */
#define S3_SMALL_PERCENT 10  /* small FIFO's share of a shard's bytes */
#define S3_PROMOTE 1         /* accesses in the small FIFO that earn the main FIFO */
#define GHOST_STAMP_BITS 20
#define GHOST_STAMP_MASK ((1u << GHOST_STAMP_BITS) - 1)
#define GHOST_MIN_SLOTS 16
#define LFU_INIT_VAL 5       /* Redis's lfu counter of a new key */
#define LFU_LOG_FACTOR 10    /* Redis's lfu-log-factor default */
#define LFU_DECAY_MINUTES 1  /* Redis's lfu-decay-time default */

static const char *const policy_names[EV_NPOLICIES] = {
    [EV_NOEVICTION] = "noeviction",           [EV_ALLKEYS_LRU] = "allkeys-lru",
    [EV_ALLKEYS_LFU] = "allkeys-lfu",         [EV_ALLKEYS_RANDOM] = "allkeys-random",
    [EV_VOLATILE_LRU] = "volatile-lru",       [EV_VOLATILE_LFU] = "volatile-lfu",
    [EV_VOLATILE_RANDOM] = "volatile-random", [EV_VOLATILE_TTL] = "volatile-ttl",
    [EV_ALLKEYS_S3FIFO] = "allkeys-s3fifo",
};

static inline int policy_of(rd_keyspace *ks) {
    return atomic_load_explicit(&ks->policy, memory_order_relaxed);
}

static inline int is_lfu(int p) { return p == EV_ALLKEYS_LFU || p == EV_VOLATILE_LFU; }

static inline int is_volatile(int p) { return p >= EV_VOLATILE_LRU && p <= EV_VOLATILE_TTL; }

/* The policies that pick from per-shard queues (the others sample the table). */
static inline int uses_queues(int p) { return p == EV_ALLKEYS_LRU || p == EV_ALLKEYS_S3FIFO; }

static uint64_t rng_next(ev_shard *ev) { /* xorshift64 */
    uint64_t x = ev->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return ev->rng = x;
}

static int kept(const entry *e, const entry *const *keep, int nkeep) {
    for (int i = 0; i < nkeep; i++)
        if (keep[i] == e) return 1;
    return 0;
}

/* ---- queues (head = newest) ---------------------------------------------------------------- */

static void q_push_head(ev_queue *q, entry *e) {
    entry_set_qprev(e, NULL);
    entry_set_qnext(e, q->head);
    if (q->head)
        entry_set_qprev(q->head, e);
    else
        q->tail = e;
    q->head = e;
    q->bytes += entry_mem(e);
}

/* prev's forward link (or the head) becomes to_next, next's backward link (or the tail) to_prev. */
static void q_point(ev_queue *q, entry *prev, entry *next, entry *to_next, entry *to_prev) {
    if (prev)
        entry_set_qnext(prev, to_next);
    else
        q->head = to_next;
    if (next)
        entry_set_qprev(next, to_prev);
    else
        q->tail = to_prev;
}

static void q_remove(ev_queue *q, entry *e) {
    entry *prev = entry_qprev(e), *next = entry_qnext(e);
    q_point(q, prev, next, next, prev);
    q->bytes -= entry_mem(e);
}

static inline ev_queue *queue_of(shard *s, entry *e) {
    return (e->evbits & EV_SMALL) ? &s->ev.small : &s->ev.main;
}

/* Leaving S3-FIFO: the small FIFO (the newest keys) goes in front of the main one. */
static void dissolve_small(shard *s) {
    ev_queue *sm = &s->ev.small, *m = &s->ev.main;
    for (entry *e = sm->head; e; e = entry_qnext(e)) e->evbits &= (uint8_t)~EV_SMALL;
    entry_set_qnext(sm->tail, m->head);
    if (m->head)
        entry_set_qprev(m->head, sm->tail);
    else
        m->tail = sm->tail;
    m->head = sm->head;
    m->bytes += sm->bytes;
    memset(sm, 0, sizeof *sm);
}

/* ---- S3-FIFO's ghost: recently evicted hashes, as tag + insertion stamp per slot -------------- */

static inline size_t ghost_slot(const shard *s, uint64_t h) {
    return (size_t)(h >> KS_SHARD_BITS) & s->ev.gmask;
}

static inline uint32_t ghost_tag(uint64_t h) { return (uint32_t)(h >> 52); } /* 12 bits */

/* The ghost remembers about as many evictions as the shard holds keys (the paper's 90%). */
static void ghost_fit(shard *s) {
    size_t want = GHOST_MIN_SLOTS;
    while (want < s->count) want *= 2;
    if (s->ev.ghost && want <= (size_t)s->ev.gmask + 1) return;
    uint32_t *g = calloc(want, sizeof *g); /* forgetting the old ghosts is fine: they are hints */
    if (!g) return;
    if (s->ev.ghost) used_sub(s, malloc_usable_size(s->ev.ghost) + KS_MALLOC_OVERHEAD);
    free(s->ev.ghost);
    s->ev.ghost = g;
    s->ev.gmask = (uint32_t)(want - 1);
    used_add(s, malloc_usable_size(g) + KS_MALLOC_OVERHEAD);
}

static void ghost_put(shard *s, uint64_t h) {
    ghost_fit(s);
    if (!s->ev.ghost) return;
    s->ev.gseq++;
    s->ev.ghost[ghost_slot(s, h)] = ghost_tag(h) << GHOST_STAMP_BITS | (s->ev.gseq & GHOST_STAMP_MASK);
}

/* 1 (and forgets it) when h was evicted within the last `count` ghost insertions. */
static int ghost_take(shard *s, uint64_t h) {
    if (!s->ev.ghost) return 0;
    uint32_t *slot = &s->ev.ghost[ghost_slot(s, h)];
    uint32_t age = (s->ev.gseq - (*slot & GHOST_STAMP_MASK)) & GHOST_STAMP_MASK;
    if (!*slot || *slot >> GHOST_STAMP_BITS != ghost_tag(h) || age > s->count) return 0;
    *slot = 0;
    return 1;
}

/* ---- LFU: Redis's logarithmic counter with decay (evict.c of Redis 7) ----------------------- */

static inline uint32_t lfu_minutes(int64_t now) { return (uint32_t)(now / 60000) & 0xFFFF; }

static unsigned lfu_decayed(uint32_t access, int64_t now) {
    uint32_t ldt = access >> 8, counter = access & 255, cur = lfu_minutes(now);
    uint32_t elapsed = cur >= ldt ? cur - ldt : 65535 - ldt + cur;
    uint32_t periods = elapsed / LFU_DECAY_MINUTES;
    return periods >= counter ? 0 : counter - periods;
}

unsigned ev_lfu_freq(const entry *e, int64_t now) { return lfu_decayed(e->access, now); }

/* objectSetLRUOrLFU: an LFU policy takes freq (0..255, -1: none), the others an idle time (-1:
 * none; past 2^31 ms, ~24.8 days, it is capped, as the ms access clock is 32 bits). */
void ev_set_access(rd_keyspace *ks, entry *e, long long freq, long long idle_ms, int64_t now) {
    if (is_lfu(policy_of(ks))) {
        if (freq >= 0) e->access = lfu_minutes(now) << 8 | (uint32_t)freq;
    } else if (idle_ms >= 0) {
        e->access = (uint32_t)now - (uint32_t)(idle_ms < 0x7FFFFFFF ? idle_ms : 0x7FFFFFFF);
    }
}

static unsigned lfu_incr(ev_shard *ev, unsigned counter) {
    if (counter == 255) return 255;
    double r = (double)(rng_next(ev) >> 11) / (double)(1ULL << 53);
    double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
    return r < 1.0 / (base * LFU_LOG_FACTOR + 1) ? counter + 1 : counter;
}

/* ---- hooks (shard lock held) ----------------------------------------------------------------- */

void ev_link(rd_keyspace *ks, shard *s, entry *e, uint64_t h, int64_t now) {
    int p = policy_of(ks);
    e->evbits = 0;
    e->access = is_lfu(p) ? lfu_minutes(now) << 8 | LFU_INIT_VAL : (uint32_t)now;
    if (!s->ev.linked) {
        return; /* no queues: sampling policies and no limit read only `access` */
    } else if (p != EV_ALLKEYS_S3FIFO) {
        if (s->ev.small.head) dissolve_small(s);
        q_push_head(&s->ev.main, e);
    } else if (ghost_take(s, h)) {
        q_push_head(&s->ev.main, e); /* evicted too early last time: straight to main */
    } else {
        e->evbits = EV_SMALL;
        q_push_head(&s->ev.small, e);
    }
}

void ev_unlink(shard *s, entry *e) {
    if (s->ev.linked) q_remove(queue_of(s, e), e);
}

void ev_touch(rd_keyspace *ks, shard *s, entry *e, int64_t now) {
    int p = policy_of(ks);
    if (is_lfu(p)) {
        e->access = lfu_minutes(now) << 8 | lfu_incr(&s->ev, lfu_decayed(e->access, now));
        return;
    }
    e->access = (uint32_t)now;
    if (p == EV_ALLKEYS_S3FIFO) {
        if ((e->evbits & EV_FREQ) < EV_FREQ) e->evbits++;
    } else if (p == EV_ALLKEYS_LRU && s->ev.linked && s->ev.main.head != e && !(e->evbits & EV_SMALL)) {
        q_remove(&s->ev.main, e);
        q_push_head(&s->ev.main, e);
    }
}

void ev_requeue(rd_keyspace *ks, shard *s, entry *e, int64_t now) {
    if (s->ev.linked) q_push_head(queue_of(s, e), e);
    ev_touch(ks, s, e, now);
}

/* The new value takes the old one's place in its queue, with its history, then counts as an access. */
void ev_replace(rd_keyspace *ks, shard *s, entry *old, entry *ne, int64_t now) {
    if (s->ev.linked) {
        ev_queue *q = queue_of(s, old);
        entry *prev = entry_qprev(old), *next = entry_qnext(old);
        entry_set_qprev(ne, prev);
        entry_set_qnext(ne, next);
        q_point(q, prev, next, ne, ne);
        q->bytes += entry_mem(ne) - entry_mem(old);
    }
    ne->evbits = old->evbits;
    ne->access = old->access;
    ev_touch(ks, s, ne, now);
}

void ev_shard_free(shard *s) {
    free(s->ev.ghost);
    s->ev.ghost = NULL;
    s->ev.gmask = 0;
}

/* The flush has already taken the shard's whole `used` off, the ghost's included: a ghost kept
 * past it would be uncounted, and its later regrowth would subtract bytes never added. */
void ev_shard_reset(shard *s) {
    memset(&s->ev.main, 0, sizeof s->ev.main);
    memset(&s->ev.small, 0, sizeof s->ev.small);
    ev_shard_free(s);
}

/* ---- choosing a victim in one shard ----------------------------------------------------------- */

/* Exact LRU within the shard: the oldest entry not kept. */
static entry *pick_lru(shard *s, const entry *const *keep, int nkeep) {
    if (s->ev.small.head) dissolve_small(s);
    for (entry *e = s->ev.main.tail; e; e = entry_qprev(e))
        if (!kept(e, keep, nkeep)) return e;
    return NULL;
}

/* S3-FIFO (Yang et al., SOSP'23) within the shard.  Small FIFO: an entry read
 * S3_PROMOTE times since insertion moves to main, else it is evicted and its hash
 * goes to the ghost.  Main FIFO: an entry with frequency > 0 is reinserted with
 * frequency - 1 (a 2-bit CLOCK), else evicted. */
static entry *pick_s3fifo(shard *s, const entry *const *keep, int nkeep) {
    ev_queue *sm = &s->ev.small, *m = &s->ev.main;
    for (size_t guard = 4 * s->count + 8; guard; guard--) {
        entry *t = sm->tail;
        if (t && !kept(t, keep, nkeep) &&
            (!m->tail || sm->bytes * 100 >= (sm->bytes + m->bytes) * S3_SMALL_PERCENT)) {
            if ((t->evbits & EV_FREQ) < S3_PROMOTE) return t; /* evict_one puts it in the ghost */
            q_remove(sm, t);
            t->evbits = 0;
            q_push_head(m, t);
            continue;
        }
        t = m->tail;
        if (!t) return NULL;
        if (!kept(t, keep, nkeep) && !(t->evbits & EV_FREQ)) return t;
        if (!kept(t, keep, nkeep)) t->evbits--;
        q_remove(m, t);
        q_push_head(m, t);
    }
    return NULL;
}

/* Higher = better victim. */
static uint64_t sample_score(int p, entry *e, int64_t now, ev_shard *ev) {
    switch (p) {
    case EV_ALLKEYS_LFU:
    case EV_VOLATILE_LFU: return 255 - lfu_decayed(e->access, now);
    case EV_VOLATILE_TTL: return UINT64_MAX - (uint64_t)entry_expire(e);
    case EV_VOLATILE_LRU:
    case EV_ALLKEYS_LRU: /* a shard whose queues are still being built (see pick) */
    case EV_ALLKEYS_S3FIFO: return (uint32_t)((uint32_t)now - e->access); /* idle ms, wrap-safe */
    default: return rng_next(ev); /* random */
    }
}

/* Redis-style sampling: EV_SAMPLES keys from a random bucket onwards, the best
 * victim among them.  A shard holds 1/1024 of the keys, so it is often most of it. */
static entry *pick_sampled(shard *s, int p, const entry *const *keep, int nkeep, int64_t now) {
    int vol = is_volatile(p), found = 0;
    size_t buckets = s->mask + 1, b = (size_t)rng_next(&s->ev) & s->mask;
    entry *best = NULL;
    uint64_t best_score = 0;

    if (vol ? !s->expires : !s->count) return NULL;
    for (size_t i = 0; i < buckets && found < EV_SAMPLES; i++) {
        for (entry *e = s->table[(b + i) & s->mask]; e; e = e->next) {
            int64_t at = entry_expire(e);
            if ((vol && !at) || kept(e, keep, nkeep)) continue;
            if (at && now > at) return e; /* already expired: free to take */
            uint64_t sc = sample_score(p, e, now, &s->ev);
            if (!best || sc > best_score) {
                best = e;
                best_score = sc;
            }
            found++;
        }
    }
    return best;
}

static entry *pick(shard *s, int p, const entry *const *keep, int nkeep,
                   int64_t now) {
    if (!s->ev.linked && uses_queues(p)) return pick_sampled(s, p, keep, nkeep, now); /* see ev_sync_queues */
    switch (p) {
    case EV_NOEVICTION: return NULL;
    case EV_ALLKEYS_LRU: return pick_lru(s, keep, nkeep);
    case EV_ALLKEYS_S3FIFO: return pick_s3fifo(s, keep, nkeep);
    default: return pick_sampled(s, p, keep, nkeep, now);
    }
}

/* How good a victim v is (higher = evict first), to compare candidates of different shards. */
static uint64_t victim_score(int p, entry *v, int64_t now) {
    switch (p) {
    case EV_ALLKEYS_LFU:
    case EV_VOLATILE_LFU: return 255 - lfu_decayed(v->access, now);
    case EV_VOLATILE_TTL: return UINT64_MAX - (uint64_t)entry_expire(v);
    case EV_ALLKEYS_RANDOM:
    case EV_VOLATILE_RANDOM: return 0; /* the first candidate found: any is as good */
    default: return (uint32_t)((uint32_t)now - v->access); /* idle ms: LRU, S3-FIFO */
    }
}

static _Thread_local uint64_t tl_rng;

static uint32_t random_shard(void) {
    if (!tl_rng) tl_rng = (((uint64_t)(uintptr_t)&tl_rng * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)clock_mono_us()) | 1;
    tl_rng ^= tl_rng << 13;
    tl_rng ^= tl_rng >> 7;
    tl_rng ^= tl_rng << 17;
    return (uint32_t)tl_rng & (KS_NSHARDS - 1);
}

/* The shard with the best victim among EV_SHARD_SAMPLES random shards (each shard
 * offers its own policy's choice, exact for LRU), like Redis's sampling but with
 * whole shards as samples; *cand is that victim.  One shard lock at a time. */
static shard *choose_shard(rd_keyspace *ks, int p, const entry *const *keep, int nkeep, int64_t now,
                           entry **cand) {
    shard *best = NULL;
    uint64_t best_score = 0;
    int found = 0;
    entry *v;

    /* Random shards first; when they hold nothing to evict (few keys, or few
     * volatile ones), a sweep over all of them from a random start. */
    uint32_t sweep = random_shard();
    for (unsigned probes = 0; found < EV_SHARD_SAMPLES && probes < EV_RANDOM_PROBES + KS_NSHARDS;
         probes++) {
        uint32_t i = probes < EV_RANDOM_PROBES ? random_shard() : (sweep + probes) & (KS_NSHARDS - 1);
        shard *s = &ks->shards[i];
        pthread_mutex_lock(&s->lock);
        if ((v = pick(s, p, keep, nkeep, now)) != NULL) {
            uint64_t sc = victim_score(p, v, now);
            if (!best || sc > best_score) {
                best = s;
                best_score = sc;
                *cand = v;
            }
            found++;
        }
        pthread_mutex_unlock(&s->lock);
        if (found && (p == EV_ALLKEYS_RANDOM || p == EV_VOLATILE_RANDOM)) break;
    }
    return best;
}

/* One eviction from the shard choose_shard found.  Another thread may have evicted
 * from it meanwhile: a queue's new tail (LRU, S3-FIFO) was never compared with the
 * other shards' victims (it may be a key just read), so the choice is made again, a
 * bounded number of times.  Sampling policies take the shard's new sample.  1 if evicted. */
static int evict_one(rd_keyspace *ks, int p, const entry *const *keep, int nkeep, int64_t now) {
    for (int tries = 0;; tries++) {
        entry *dead = NULL, *v, *cand = NULL;
        shard *best = choose_shard(ks, p, keep, nkeep, now, &cand);
        if (!best) return 0;
        pthread_mutex_lock(&best->lock);
        v = pick(best, p, keep, nkeep, now);
        if (v && v != cand && best->ev.linked && uses_queues(p) && tries < EV_RETRIES) v = NULL;
        else if (v) {
            if (best->ev.linked && (v->evbits & EV_SMALL)) ghost_put(best, siphash13(entry_key(v), entry_klen(v), ks->k0, ks->k1));
            ks->table->remove(ks, best, v, &dead);
            best->evicted++;
            notify(NOTIFY_EVICTED, "evicted", entry_key(v), entry_klen(v));
        }
        ks->table->release_free(ks, best, dead);
        if (v || tries >= EV_RETRIES) return v != NULL;
    }
}

/* ---- the write path ---------------------------------------------------------------------------- */

int ev_refuse(rd_keyspace *ks, int64_t delta) {
    uint64_t max = atomic_load_explicit(&ks->maxmemory, memory_order_relaxed);
    if (delta <= 0 || !max || policy_of(ks) != EV_NOEVICTION || script_running_here()) return 0;
    return atomic_load_explicit(&ks->used, memory_order_relaxed) + delta > (int64_t)max;
}

/* Evicts while over the limit, until the budget is spent or nothing is left
 * to evict.  Returns the keys evicted. */
static uint64_t evict_loop(rd_keyspace *ks, const entry *const *keep, int nkeep, int64_t now,
                           int64_t budget_us) {
    int p = policy_of(ks);
    int64_t start = clock_mono_us();
    uint64_t total = 0;

    if (p == EV_NOEVICTION) return 0;
    while (ev_over(ks) && evict_one(ks, p, keep, nkeep, now))
        if (++total % 16 == 0 && clock_mono_us() - start >= budget_us) break;
    return total;
}

rd_status ev_admit(rd_keyspace *ks, int64_t now) {
    if (!ev_over(ks) || (evict_loop(ks, NULL, 0, now, EV_BUDGET_US) > 0 && !ev_over(ks))) return RD_OK;
    /* A script's writes were judged before it ran and at each redis.call (allow-oom, or a script
     * that has already written, may go on writing), as Redis judges them: not here. */
    if (script_running_here()) return RD_OK;
    /* Still over.  Redis refuses the write once nothing is left to evict (maxmemory 1
     * after evicting everything), and lets it run only while its time limit, not the
     * keys, cut eviction short: a second round tells the two apart. */
    return evict_loop(ks, NULL, 0, now, EV_BUDGET_US) == 0 && ev_over(ks) ? RD_ERR_OOM : RD_OK;
}

void ev_settle(rd_keyspace *ks, entry *const *keep, int nkeep, int64_t now) {
    if (ev_over(ks)) evict_loop(ks, (const entry *const *)keep, nkeep, now, EV_BUDGET_US);
}

/* ---- queues on and off ------------------------------------------------------------------------- */

static _Thread_local uint32_t sort_now; /* by_idle's clock, read once per sort */

/* The wall clock in ms, as `access` holds it.  Not rd_now_ms: this thread's clock stands
 * still from its command's start (gate.c), and an entry another thread wrote since would
 * look 49 days idle (the uint32 difference wraps) and be queued as the oldest. */
static uint32_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint32_t)((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Idle time, longest first: the order a shard's entries go onto its new queue. */
static int by_idle(const void *a, const void *b) {
    uint32_t ia = sort_now - (*(entry *const *)a)->access, ib = sort_now - (*(entry *const *)b)->access;
    return ia < ib ? 1 : ia > ib ? -1 : 0;
}

/* Shard lock held: gives s queues (every entry reallocated with links, then queued
 * oldest first, so LRU order is the `access` clock's order; S3-FIFO keeps the access
 * counts and starts them all in its main FIFO), or takes them away (the links are
 * dropped too, so the memory comes back).  -1 when the allocator fails: s then stays
 * without queues and pick samples it. */
static int shard_set_queues(rd_keyspace *ks, shard *s, int on) {
    entry **all = malloc((s->count ? s->count : 1) * sizeof *all);
    int rc = -1;
    if (!all) return -1;
    if (!on) {
        memset(&s->ev.main, 0, sizeof s->ev.main);
        memset(&s->ev.small, 0, sizeof s->ev.small);
        s->ev.linked = 0;
    }
    if (ks->table->reshape_links(s, on, all) == 0) {
        sort_now = wall_ms(); /* under the shard lock: no entry of s is newer */
        if (on) qsort(all, s->count, sizeof *all, by_idle);
        for (size_t i = 0; i < s->count; i++) {
            all[i]->evbits &= EV_FREQ;
            if (on) q_push_head(&s->ev.main, all[i]);
        }
        s->ev.linked = on;
        rc = 0;
    }
    free(all);
    return rc;
}

/* Brings every shard's queues in line with the limit and policy just stored: one
 * shard lock at a time, so the other shards keep serving.  Meanwhile an entry built
 * before a shard's lock checks that shard's `linked` under the lock (entry_fit_links),
 * and eviction samples the shards without queues yet.  Serialised, so when two
 * CONFIG SETs race the last one's view of limit and policy wins. */
static rd_status ev_sync_queues(rd_keyspace *ks) {
    static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
    rd_status st = RD_OK;
    pthread_mutex_lock(&sync_lock);
    int on = atomic_load_explicit(&ks->maxmemory, memory_order_relaxed) && uses_queues(policy_of(ks));
    atomic_store_explicit(&ks->queues, on, memory_order_relaxed);
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        shard *s = &ks->shards[i];
        pthread_mutex_lock(&s->lock);
        if (s->ev.linked != on && shard_set_queues(ks, s, on) != 0) st = RD_ERR_NOMEM;
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(&sync_lock);
    return st;
}

/* ---- public API -------------------------------------------------------------------------------- */

rd_status rd_ks_set_maxmemory(rd_keyspace *ks, uint64_t bytes) {
    atomic_store_explicit(&ks->maxmemory, bytes, memory_order_relaxed);
    return ev_sync_queues(ks);
}

rd_status rd_ks_set_policy(rd_keyspace *ks, const char *name) {
    for (int p = 0; p < EV_NPOLICIES; p++) {
        if (strcmp(name, policy_names[p]) == 0) {
            atomic_store_explicit(&ks->policy, p, memory_order_relaxed);
            return ev_sync_queues(ks);
        }
    }
    return RD_NOT_FOUND;
}

/* Both hold the gate shared (re-entrant: free under a command's own hold), so no key
 * is evicted in the middle of an EXEC on another thread (csrc/gate.c). */
rd_status rd_ks_admit(rd_keyspace *ks) {
    rd_status st;
    gate_enter_shared(&ks->gate);
    st = ev_admit(ks, rd_now_ms());
    gate_leave(&ks->gate);
    return st;
}

rd_status rd_ks_evict(rd_keyspace *ks, int64_t budget_us, uint64_t *evicted) {
    uint64_t n;
    gate_enter_shared(&ks->gate);
    n = evict_loop(ks, NULL, 0, rd_now_ms(), budget_us);
    gate_leave(&ks->gate);
    if (evicted) *evicted = n;
    return RD_OK;
}

/* ---- what OBJECT reports under the policy (cmd_keys.c) ---------------------------------------- */

int ks_lfu_policy(rd_keyspace *ks) { return is_lfu(policy_of(ks)); }

/* Redis's MAXMEMORY_FLAG_NO_SHARED_INTEGERS: under a limit an LRU or LFU policy tells keys apart
 * by their access clocks, so no value is one of the shared integers. */
int ks_shared_integers(rd_keyspace *ks) {
    int p = policy_of(ks);
    return !atomic_load_explicit(&ks->maxmemory, memory_order_relaxed) ||
           !(is_lfu(p) || p == EV_ALLKEYS_LRU || p == EV_VOLATILE_LRU);
}
