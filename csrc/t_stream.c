/* t_stream.c: stream objects (nodes of packed, delta-encoded entries in an ordered array) and
 * the commands on entries: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD; XREADGROUP
 * shares XREAD's parse and reply (its group parts are t_stream_cg.c's).  Replies and errors are
 * Redis 7.0's. */
#include "stream.h"
#include "resp.h"
#include "strconv.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SE_DELETED 1
#define SE_SAME 2
#define NODE_MAX_SIZE (1u << 30) /* Redis's STREAM_LISTPACK_MAX_SIZE */

/* ---- ids ------------------------------------------------------------------------ */

int sid_cmp(const sid *a, const sid *b) {
    if (a->ms != b->ms) return a->ms > b->ms ? 1 : -1;
    if (a->seq != b->seq) return a->seq > b->seq ? 1 : -1;
    return 0;
}

static int sid_incr(sid *id) {
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) return -1;
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return 0;
}

static int sid_decr(sid *id) {
    if (id->seq == 0) {
        if (id->ms == 0) return -1;
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return 0;
}

static int sid_zero(const sid *id) { return !id->ms && !id->seq; }

void format_sid(char *buf, size_t cap, const sid *id, size_t *len) {
    *len = (size_t)snprintf(buf, cap, "%llu-%llu", (unsigned long long)id->ms, (unsigned long long)id->seq);
}

void reply_sid(rd_buf *out, const sid *id) {
    char buf[48];
    size_t n;
    format_sid(buf, sizeof buf, id, &n);
    resp_add_bulk(out, buf, n);
}

/* Redis's string2ull: string2ll, else strtoull over the whole text. */
static int parse_ull(const char *s, unsigned long long *v) {
    long long ll;
    char *end = NULL;
    if (str2ll(s, strlen(s), &ll)) {
        if (ll < 0) return 0;
        *v = (unsigned long long)ll;
        return 1;
    }
    errno = 0;
    *v = strtoull(s, &end, 10);
    return !(errno == EINVAL || errno == ERANGE || !(*s != '\0' && *end == '\0'));
}

int parse_sid(tx_ctx *x, const char *a, size_t n, sid *id, uint64_t missing_seq, int strict, int *seq_given) {
    char buf[128], *dash;
    unsigned long long ms, seq;
    if (n > sizeof buf - 1) goto invalid;
    memcpy(buf, a, n);
    buf[n] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') goto invalid;
    if (seq_given) *seq_given = 1;
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = id->seq = 0;
        return 0;
    }
    if (buf[0] == '+' && buf[1] == '\0') {
        id->ms = id->seq = UINT64_MAX;
        return 0;
    }
    dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    if (!parse_ull(buf, &ms)) goto invalid;
    if (dash) {
        if (seq_given && dash[1] == '*' && dash[2] == '\0') {
            seq = 0;
            *seq_given = 0;
        } else if (!parse_ull(dash + 1, &seq)) {
            goto invalid;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return 0;
invalid:
    if (x) resp_add_status_error(x->out, RD_ERR_STREAM_ID);
    return -1;
}

/* An interval bound: "(" makes it exclusive (streamParseIntervalIDOrReply). */
static int parse_bound(tx_ctx *x, const char *a, size_t n, sid *id, int *excl, uint64_t missing_seq) {
    *excl = n > 1 && a[0] == '(';
    if (*excl) return parse_sid(x, a + 1, n - 1, id, missing_seq, 1, NULL);
    return parse_sid(x, a, n, id, missing_seq, 0, NULL);
}

/* Rewrites the placeholder header at out[at..body) (written before the count was known) as
 * `prefix` n, moving the body behind it. */
void reply_patch_len(rd_buf *out, size_t at, size_t body, char prefix, long long n) {
    char h[32];
    size_t hl = (size_t)snprintf(h, sizeof h, "%c%lld\r\n", prefix, n), old = body - at;
    if (out->failed) return;
    if (hl > old && buf_reserve(out, hl - old) != 0) return;
    memmove(out->data + at + hl, out->data + body, out->len - body);
    memcpy(out->data + at, h, hl);
    out->len = out->len + hl - old;
}

/* An error whose format (status.c) has %s holes for names (keys, groups): each name up to its
 * first NUL, CR and LF as spaces, as addReplyErrorFormat prints an sds. */
void reply_error_names(rd_buf *out, rd_status st, const char *a, size_t al, const char *b, size_t bl) {
    const char *f = rd_status_message(st), *names[2] = {a, b};
    size_t lens[2] = {al, bl};
    int k = 0;
    for (; *f; f++) {
        if (f[0] == '%' && f[1] == 's' && k < 2) {
            const char *p = names[k];
            size_t n = lens[k++];
            const char *z = memchr(p, '\0', n);
            if (z) n = (size_t)(z - p);
            for (size_t i = 0; i < n; i++) {
                char c = p[i] == '\r' || p[i] == '\n' ? ' ' : p[i];
                buf_append(out, &c, 1);
            }
            f++;
        } else {
            buf_append(out, f, 1);
        }
    }
    buf_append(out, "\r\n", 2);
}

int parse_interval(tx_ctx *x, const char *a, size_t n, sid *id, int start) {
    int excl;
    if (parse_bound(x, a, n, id, &excl, start ? 0 : UINT64_MAX) != 0) return -1;
    if (excl && (start ? sid_incr(id) : sid_decr(id)) != 0) {
        resp_add_status_error(x->out, start ? RD_ERR_START_ID : RD_ERR_END_ID);
        return -1;
    }
    return 0;
}

/* ---- allocation and varints ------------------------------------------------------------ */

void *s_alloc(stream *s, size_t n) {
    void *p = malloc(n);
    if (p) s->mem += malloc_usable_size(p);
    return p;
}

void *s_realloc(stream *s, void *p, size_t n) {
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n);
    if (!q) return NULL;
    s->mem += malloc_usable_size(q) - old;
    return q;
}

void s_free(stream *s, void *p) {
    if (!p) return;
    s->mem -= malloc_usable_size(p);
    free(p);
}

static size_t varint_len(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static unsigned char *varint_put(unsigned char *p, uint64_t v) {
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static const unsigned char *varint_get(const unsigned char *p, uint64_t *v) {
    uint64_t r = 0;
    int shift = 0;
    while (*p & 0x80) {
        r |= (uint64_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *v = r | (uint64_t)*p++ << shift;
    return p;
}

/* Skips one varint-length-prefixed string. */
static const unsigned char *str_skip(const unsigned char *p) {
    uint64_t n;
    p = varint_get(p, &n);
    return p + n;
}

static const unsigned char *str_get(const unsigned char *p, const char **s, size_t *n) {
    uint64_t l;
    p = varint_get(p, &l);
    *s = (const char *)p;
    *n = (size_t)l;
    return p + l;
}

/* ---- nodes ------------------------------------------------------------------------ */

/* Decodes the entry at off. */
static void node_entry(const snode *n, uint32_t off, sentry *e) {
    const unsigned char *p = n->data + off, *base = n->data;
    uint64_t dms, seq, nf;
    e->off = off;
    e->flags = *p++;
    p = varint_get(p, &dms);
    p = varint_get(p, &seq);
    e->id.ms = n->master.ms + dms;
    e->id.seq = dms ? seq : n->master.seq + seq;
    if (e->flags & SE_SAME) {
        varint_get(n->data, &nf);
    } else {
        p = varint_get(p, &nf);
    }
    e->nf = nf;
    e->fields = (uint32_t)(p - base);
    for (uint64_t i = 0; i < nf; i++) {
        if (!(e->flags & SE_SAME)) p = str_skip(p);
        p = str_skip(p);
    }
    e->end = (uint32_t)(p - base);
}

void sfield_start(sfield_it *f, const snode *n, const sentry *e) {
    uint64_t nf;
    f->same = (e->flags & SE_SAME) != 0;
    f->names = varint_get(n->data, &nf);
    f->p = n->data + e->fields;
}

void sfield_next(sfield_it *f, const char **k, size_t *kl, const char **v, size_t *vl) {
    if (f->same)
        f->names = str_get(f->names, k, kl);
    else
        f->p = str_get(f->p, k, kl);
    f->p = str_get(f->p, v, vl);
}

static uint32_t node_size_for(uint32_t want, uint32_t cap) {
    uint32_t c = cap ? cap : 64;
    while (c < want) c = c > (1u << 30) ? want : c * 2;
    return c;
}

/* A node's entry offsets in order (rev iteration, XDEL's search); NULL on malloc failure. */
static uint32_t *node_offsets(const snode *n, size_t *count) {
    size_t k = 0, total = (size_t)n->live + n->dead;
    uint32_t *offs = malloc((total ? total : 1) * sizeof *offs);
    sentry e;
    if (!offs) return NULL;
    for (uint32_t off = n->first; off < n->used && k < total; off = e.end) {
        node_entry(n, off, &e);
        offs[k++] = off;
    }
    *count = k;
    return offs;
}

static void stream_drop_node(stream *s, size_t i) {
    s_free(s, s->nodes[i]);
    memmove(s->nodes + i, s->nodes + i + 1, (s->nnodes - i - 1) * sizeof *s->nodes);
    s->nnodes--;
}

/* The index of the last node whose master id is <= id, or (size_t)-1. */
static size_t node_seek(const stream *s, const sid *id) {
    size_t lo = 0, hi = s->nnodes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sid_cmp(&s->nodes[mid]->master, id) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1; /* wraps to (size_t)-1 when none */
}

/* ---- the object -------------------------------------------------------------------- */

stream *stream_new(void) {
    stream *s = calloc(1, sizeof *s);
    return s;
}

void stream_free_obj(void *o) {
    stream *s = o;
    for (size_t i = 0; i < s->nnodes; i++) free(s->nodes[i]);
    free(s->nodes);
    stream_groups_free(s);
    free(s);
}

static void *stream_dup(const void *o) {
    const stream *src = o;
    stream *s = stream_new();
    if (!s) return NULL;
    *s = *src;
    s->nodes = NULL;
    s->groups = NULL;
    s->ngroups = s->gcap = 0;
    s->nnodes = s->ncap = 0;
    s->mem = 0;
    if (src->nnodes && !(s->nodes = s_alloc(s, src->nnodes * sizeof *s->nodes))) goto fail;
    s->ncap = src->nnodes;
    for (size_t i = 0; i < src->nnodes; i++) {
        size_t bytes = sizeof(snode) + src->nodes[i]->used;
        snode *n = s_alloc(s, bytes);
        if (!n) goto fail;
        memcpy(n, src->nodes[i], bytes);
        n->cap = src->nodes[i]->used;
        s->nodes[s->nnodes++] = n;
    }
    if (stream_groups_dup(s, src) != 0) goto fail;
    return s;
fail:
    stream_free_obj(s);
    return NULL;
}

static size_t stream_mem(const void *o) { return malloc_usable_size((void *)o) + ((const stream *)o)->mem; }
static int stream_encoding(const void *o) {
    (void)o;
    return RD_ENC_STREAM;
}
/* Never 0: Redis keeps a stream that XDEL or XTRIM empties. */
static size_t stream_len(const void *o) { return ((const stream *)o)->length + 1; }

const ks_type_ops stream_type_ops = {"stream", stream_free_obj, stream_dup, stream_mem, stream_encoding, stream_len, NULL,
                                     stream_freed, NULL};

/* ---- appending ------------------------------------------------------------------------ */

/* Does the entry's field list equal the node's? */
static int same_fields(const snode *n, int nf, const char **argv, const size_t *argl) {
    uint64_t mf;
    const unsigned char *p = varint_get(n->data, &mf);
    if (mf != (uint64_t)nf) return 0;
    for (int i = 0; i < nf; i++) {
        const char *k;
        size_t kl;
        p = str_get(p, &k, &kl);
        if (kl != argl[2 * i] || memcmp(k, argv[2 * i], kl) != 0) return 0;
    }
    return 1;
}

static unsigned char *put_str(unsigned char *p, const char *s, size_t n) {
    p = varint_put(p, n);
    memcpy(p, s, n);
    return p + n;
}

/* Appends an entry (fields and values in argv[0..2*nf)) with id > last_id.  0, -1 nomem. */
static int stream_append(stream *s, const sid *id, int nf, const char **argv, const size_t *argl) {
    snode *n = s->nnodes ? s->nodes[s->nnodes - 1] : NULL;
    long long max_bytes = ks_type_config[RD_CFG_STREAM_NODE_MAX_BYTES];
    long long max_entries = ks_type_config[RD_CFG_STREAM_NODE_MAX_ENTRIES];
    size_t total = 0, need;
    int same;
    unsigned char *p;
    if (max_bytes <= 0 || max_bytes > NODE_MAX_SIZE) max_bytes = NODE_MAX_SIZE;
    for (int i = 0; i < 2 * nf; i++) total += argl[i];
    if (n && ((size_t)n->used + total >= (size_t)max_bytes ||
              (max_entries && (long long)n->live + n->dead >= max_entries))) {
        if (n->cap > n->used) { /* the node is closed: shrink it to fit */
            snode *t = s_realloc(s, n, sizeof(snode) + n->used);
            if (t) {
                t->cap = t->used;
                s->nodes[s->nnodes - 1] = t;
            }
        }
        n = NULL;
    }
    if (!n) {
        size_t head = varint_len((uint64_t)nf), cap;
        for (int i = 0; i < nf; i++) head += varint_len(argl[2 * i]) + argl[2 * i];
        if (s->nnodes == s->ncap) {
            size_t nc = s->ncap ? s->ncap * 2 : 4;
            snode **arr = s_realloc(s, s->nodes, nc * sizeof *arr);
            if (!arr) return -1;
            s->nodes = arr;
            s->ncap = nc;
        }
        cap = node_size_for((uint32_t)head, 0);
        if (!(n = s_alloc(s, sizeof(snode) + cap))) return -1;
        n->master = *id;
        n->live = n->dead = 0;
        n->cap = (uint32_t)cap;
        p = varint_put(n->data, (uint64_t)nf);
        for (int i = 0; i < nf; i++) p = put_str(p, argv[2 * i], argl[2 * i]);
        n->used = n->first = (uint32_t)(p - n->data);
        s->nodes[s->nnodes++] = n;
    }
    same = same_fields(n, nf, argv, argl);
    need = 1 + varint_len(id->ms - n->master.ms) + 20;
    if (!same) need += varint_len((uint64_t)nf);
    for (int i = 0; i < nf; i++) {
        if (!same) need += varint_len(argl[2 * i]) + argl[2 * i];
        need += varint_len(argl[2 * i + 1]) + argl[2 * i + 1];
    }
    if (n->used + need > n->cap) {
        uint32_t cap = node_size_for((uint32_t)(n->used + need), n->cap);
        snode *t = s_realloc(s, n, sizeof(snode) + cap);
        if (!t) return -1;
        t->cap = cap;
        s->nodes[s->nnodes - 1] = n = t;
    }
    p = n->data + n->used;
    *p++ = (unsigned char)(same ? SE_SAME : 0);
    p = varint_put(p, id->ms - n->master.ms);
    p = varint_put(p, id->ms == n->master.ms ? id->seq - n->master.seq : id->seq);
    if (!same) p = varint_put(p, (uint64_t)nf);
    for (int i = 0; i < nf; i++) {
        if (!same) p = put_str(p, argv[2 * i], argl[2 * i]);
        p = put_str(p, argv[2 * i + 1], argl[2 * i + 1]);
    }
    n->used = (uint32_t)(p - n->data);
    n->live++;
    s->length++;
    s->entries_added++;
    s->last_id = *id;
    if (s->length == 1) s->first_id = *id;
    return 0;
}

int stream_obj_append(stream *s, const sid *id, int nf, const char **argv, const size_t *argl) {
    if (s->length && sid_cmp(id, &s->last_id) <= 0) return 1; /* ids only grow */
    return stream_append(s, id, nf, argv, argl);
}

/* ---- iteration ------------------------------------------------------------------------- */

void siter_start(siter *it, const stream *s, const sid *start, const sid *end, int rev) {
    memset(it, 0, sizeof *it);
    it->s = s;
    it->rev = rev;
    it->start = *start;
    it->end = *end;
    if (!rev) {
        size_t i = node_seek(s, start);
        it->node = i == (size_t)-1 ? 0 : i;
        it->off = it->node < s->nnodes ? s->nodes[it->node]->first : 0;
    } else {
        it->node = node_seek(s, end); /* (size_t)-1: nothing */
        it->offs = NULL;
    }
}

void siter_stop(siter *it) {
    free(it->offs);
    it->offs = NULL;
}

int siter_next(siter *it, sentry *e, const snode **np) {
    const stream *s = it->s;
    if (!it->rev) {
        while (it->node < s->nnodes) {
            const snode *n = s->nodes[it->node];
            if (it->off >= n->used) {
                it->node++;
                if (it->node < s->nnodes) it->off = s->nodes[it->node]->first;
                continue;
            }
            node_entry(n, it->off, e);
            it->off = e->end;
            if (sid_cmp(&e->id, &it->end) > 0) {
                it->node = s->nnodes;
                return 0;
            }
            if ((e->flags & SE_DELETED) || sid_cmp(&e->id, &it->start) < 0) continue;
            *np = n;
            return 1;
        }
        return 0;
    }
    while (it->node != (size_t)-1 && it->node < s->nnodes) {
        const snode *n = s->nodes[it->node];
        if (!it->offs) {
            it->offs = node_offsets(n, &it->noffs);
            if (!it->offs) return 0;
            it->ioff = it->noffs;
        }
        if (it->ioff == 0) {
            free(it->offs);
            it->offs = NULL;
            it->node--;
            continue;
        }
        node_entry(n, it->offs[--it->ioff], e);
        if (sid_cmp(&e->id, &it->start) < 0) {
            it->node = (size_t)-1;
            return 0;
        }
        if ((e->flags & SE_DELETED) || sid_cmp(&e->id, &it->end) > 0) continue;
        *np = n;
        return 1;
    }
    return 0;
}

void stream_reply_entry(tx_ctx *x, const snode *n, const sentry *e) {
    sfield_it f;
    resp_add_array_len(x->out, 2);
    reply_sid(x->out, &e->id);
    resp_add_array_len(x->out, (long long)e->nf * 2);
    sfield_start(&f, n, e);
    for (uint64_t i = 0; i < e->nf; i++) {
        const char *k, *v;
        size_t kl, vl;
        sfield_next(&f, &k, &kl, &v, &vl);
        resp_add_bulk(x->out, k, kl);
        resp_add_bulk(x->out, v, vl);
    }
}

int stream_find(const stream *s, const sid *id, sentry *e, const snode **n) {
    siter it;
    int found;
    siter_start(&it, s, id, id, 0);
    found = siter_next(&it, e, n);
    siter_stop(&it);
    return found;
}

/* The first or last live entry's id (streamGetEdgeID); 0 when empty. */
static int stream_edge(const stream *s, int first, sid *id) {
    sid lo = {0, 0}, hi = {UINT64_MAX, UINT64_MAX};
    siter it;
    sentry e;
    const snode *n;
    int found;
    siter_start(&it, s, &lo, &hi, !first);
    found = siter_next(&it, &e, &n);
    siter_stop(&it);
    if (found) *id = e.id;
    return found;
}

void stream_last_valid(const stream *s, sid *id) {
    if (!stream_edge(s, 0, id)) id->ms = id->seq = 0;
}

/* Marks the entry at (node i, off) deleted. */
static void stream_mark_deleted(stream *s, size_t i, uint32_t off) {
    snode *n = s->nodes[i];
    n->data[off] |= SE_DELETED;
    n->live--;
    n->dead++;
    s->length--;
    if (n->live == 0) stream_drop_node(s, i);
}

/* XDEL of one id: 1 when it was there. */
static int stream_delete(stream *s, const sid *id) {
    size_t i = node_seek(s, id);
    snode *n;
    sentry e;
    if (i == (size_t)-1) return 0;
    n = s->nodes[i];
    for (uint32_t off = n->first; off < n->used; off = e.end) {
        node_entry(n, off, &e);
        int c = sid_cmp(&e.id, id);
        if (c > 0) break;
        if (c == 0) {
            if (e.flags & SE_DELETED) return 0;
            stream_mark_deleted(s, i, off);
            return 1;
        }
    }
    return 0;
}

static void stream_update_first(stream *s) {
    if (s->length == 0)
        s->first_id.ms = s->first_id.seq = 0;
    else
        stream_edge(s, 1, &s->first_id);
}

/* ---- trimming -------------------------------------------------------------------------- */

enum { TRIM_NONE = 0, TRIM_MAXLEN, TRIM_MINID };

typedef struct trim_args {
    sid id;         /* XADD's id */
    int id_given, seq_given, nomkstream;
    int strategy, approx;
    long long limit, maxlen;
    sid minid;
} trim_args;

/* streamTrim: whole nodes from the head, then (exact trimming) entries of the next one. */
static long long stream_trim(stream *s, const trim_args *a) {
    long long deleted = 0;
    if (a->strategy == TRIM_NONE) return 0;
    while (s->nnodes) {
        snode *n = s->nodes[0];
        long long entries = n->live;
        int remove;
        if (a->strategy == TRIM_MAXLEN && s->length <= (uint64_t)a->maxlen) break;
        if (a->limit && deleted + entries > a->limit) break;
        if (a->strategy == TRIM_MAXLEN) {
            remove = (long long)(s->length - (uint64_t)entries) >= a->maxlen;
        } else {
            sentry last;
            size_t k;
            uint32_t *offs = node_offsets(n, &k);
            if (!offs) break;
            node_entry(n, offs[k - 1], &last);
            free(offs);
            remove = sid_cmp(&last.id, &a->minid) < 0;
        }
        if (remove) {
            s->length -= (uint64_t)entries;
            deleted += entries;
            stream_drop_node(s, 0);
            continue;
        }
        if (a->approx) break;
        sentry e;
        for (uint32_t off = n->first; off < n->used; off = e.end) {
            node_entry(n, off, &e);
            if (a->strategy == TRIM_MAXLEN ? s->length <= (uint64_t)a->maxlen : sid_cmp(&e.id, &a->minid) >= 0)
                break;
            if (!(e.flags & SE_DELETED)) {
                n->data[off] |= SE_DELETED;
                n->live--;
                n->dead++;
                s->length--;
                deleted++;
            }
        }
        break;
    }
    if (deleted || s->length == 0) stream_update_first(s);
    return deleted;
}

/* MAXLEN / MINID at argv[*i]: only one of them, then an optional "~" or "=" (skipped). */
static int trim_strategy(tx_ctx *x, const char **argv, const size_t *argl, int more, int *i, trim_args *a) {
    if (a->strategy != TRIM_NONE) {
        resp_add_status_error(x->out, RD_ERR_MAXLEN_MINID);
        return -1;
    }
    a->approx = 0;
    if (more >= 2 && arg_is(argv[*i + 1], argl[*i + 1], "~")) {
        a->approx = 1;
        (*i)++;
    } else if (more >= 2 && arg_is(argv[*i + 1], argl[*i + 1], "=")) {
        (*i)++;
    }
    return 0;
}

/* streamParseAddOrTrimArgsOrReply: the index of XADD's id argument, or -1 after the error. */
static int parse_trim(tx_ctx *x, int argc, const char **argv, const size_t *argl, trim_args *a, int xadd) {
    int i = 2, limit_given = 0;
    memset(a, 0, sizeof *a);
    for (; i < argc; i++) {
        int more = argc - 1 - i;
        const char *opt = argv[i];
        if (xadd && argl[i] >= 1 && opt[0] == '*' && (argl[i] == 1 || opt[1] == '\0')) {
            break;
        } else if (arg_is(opt, argl[i], "maxlen") && more) {
            if (trim_strategy(x, argv, argl, more, &i, a) != 0) return -1;
            if (!arg_long(x, argv[i + 1], argl[i + 1], &a->maxlen)) return -1;
            if (a->maxlen < 0) {
                resp_add_status_error(x->out, RD_ERR_MAXLEN_GE0);
                return -1;
            }
            i++;
            a->strategy = TRIM_MAXLEN;
        } else if (arg_is(opt, argl[i], "minid") && more) {
            if (trim_strategy(x, argv, argl, more, &i, a) != 0) return -1;
            if (parse_sid(x, argv[i + 1], argl[i + 1], &a->minid, 0, 1, NULL) != 0) return -1;
            i++;
            a->strategy = TRIM_MINID;
        } else if (arg_is(opt, argl[i], "limit") && more) {
            if (!arg_long(x, argv[i + 1], argl[i + 1], &a->limit)) return -1;
            if (a->limit < 0) {
                resp_add_status_error(x->out, RD_ERR_LIMIT_GE0);
                return -1;
            }
            limit_given = 1;
            i++;
        } else if (xadd && arg_is(opt, argl[i], "nomkstream")) {
            a->nomkstream = 1;
        } else if (xadd) {
            if (parse_sid(x, argv[i], argl[i], &a->id, 0, 1, &a->seq_given) != 0) return -1;
            a->id_given = 1;
            break;
        } else {
            reply_syntax(x->out);
            return -1;
        }
    }
    if (a->limit && a->strategy == TRIM_NONE) {
        resp_add_status_error(x->out, RD_ERR_LIMIT_NO_STRATEGY);
        return -1;
    }
    if (!xadd && a->strategy == TRIM_NONE) {
        resp_add_status_error(x->out, RD_ERR_XTRIM_STRATEGY);
        return -1;
    }
    if (limit_given) {
        if (!a->approx) {
            resp_add_status_error(x->out, RD_ERR_LIMIT_NO_APPROX);
            return -1;
        }
    } else if (a->approx) {
        long long per = ks_type_config[RD_CFG_STREAM_NODE_MAX_ENTRIES];
        a->limit = per > 10000 ? 1000000 : 100 * per; /* at most 100 nodes' worth */
        if (a->limit <= 0) a->limit = 10000;
        if (a->limit > 1000000) a->limit = 1000000;
    } else {
        a->limit = 0;
    }
    return i;
}

sid *parse_ids(tx_ctx *x, int argc, const char **argv, const size_t *argl, int from, sid *stack, int nstack) {
    sid *ids = stack;
    if (argc - from > nstack && !(ids = malloc((size_t)(argc - from) * sizeof *ids))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return NULL;
    }
    for (int j = from; j < argc; j++) {
        if (parse_sid(x, argv[j], argl[j], &ids[j - from], 0, 1, NULL) != 0) {
            if (ids != stack) free(ids);
            return NULL;
        }
    }
    return ids;
}

/* ---- lookups --------------------------------------------------------------------------- */

int stream_get(tx_ctx *x, ks_view *v, int i, int read, stream **s) {
    void *o;
    if (!tx_get(x, v, i, KS_TYPE_STREAM, read, &o)) return 0;
    *s = o;
    return 1;
}

/* ---- commands ---------------------------------------------------------------------------- */

/* XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [...] */
void tx_xadd(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    trim_args a;
    ks_view v;
    stream *s;
    sid id;
    int idpos = parse_trim(x, argc, argv, argl, &a, 1), fpos;
    if (idpos < 0) return;
    fpos = idpos + 1;
    if (argc - fpos < 2 || (argc - fpos) % 2 == 1) {
        resp_add_status_errorf(x->out, RD_ERR_ARITY, "xadd");
        return;
    }
    if (a.id_given && a.seq_given && sid_zero(&a.id)) {
        resp_add_status_error(x->out, RD_ERR_XADD_ZERO);
        return;
    }
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!stream_get(x, &v, 0, 0, &s)) goto done;
    if (!s) {
        if (a.nomkstream) {
            resp_add_nil(x->out, x->resp);
            goto done;
        }
        if (!(s = stream_new()) || ks_view_put(&v, 0, KS_TYPE_STREAM, s) != RD_OK) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
            goto done;
        }
    }
    if (s->last_id.ms == UINT64_MAX && s->last_id.seq == UINT64_MAX) {
        resp_add_status_error(x->out, RD_ERR_XADD_EXHAUSTED);
        goto failed;
    }
    if (a.id_given) {
        id = a.id;
        if (!a.seq_given) {
            if (s->last_id.ms == a.id.ms) {
                if (s->last_id.seq == UINT64_MAX) { /* Redis leaves errno unset: its other text */
                    resp_add_status_error(x->out, RD_ERR_TOOLARGE);
                    goto failed;
                }
                id = s->last_id;
                id.seq++;
            }
        }
    } else {
        uint64_t ms = (uint64_t)x->now;
        if (ms > s->last_id.ms) {
            id.ms = ms;
            id.seq = 0;
        } else {
            id = s->last_id;
            if (sid_incr(&id) != 0) id = s->last_id;
        }
    }
    if (sid_cmp(&id, &s->last_id) <= 0) {
        resp_add_status_error(x->out, RD_ERR_XADD_SMALLER);
        goto failed;
    }
    {
        size_t total = 0;
        for (int i = fpos; i < argc; i++) total += argl[i];
        if (total > NODE_MAX_SIZE) {
            resp_add_status_error(x->out, RD_ERR_TOOLARGE);
            goto failed;
        }
    }
    if (stream_append(s, &id, (argc - fpos) / 2, argv + fpos, argl + fpos) != 0) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        goto failed;
    }
    reply_sid(x->out, &id);
    notify(NOTIFY_STREAM, "xadd", argv[1], argl[1]);
    if (stream_trim(s, &a)) notify(NOTIFY_STREAM, "xtrim", argv[1], argl[1]);
    ks_view_changed(&v, 0);
    goto done;
failed: /* no write for WATCH, as Redis; a stream created just now may have grown */
    ks_view_resized(&v, 0);
done:
    ks_view_close(&v);
}

/* XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n] */
static void xrange_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int rev) {
    sid start, end;
    long long count = -1;
    ks_view v;
    stream *s;
    int si = rev ? 3 : 2, ei = rev ? 2 : 3;
    if (parse_interval(x, argv[si], argl[si], &start, 1) != 0) return;
    if (parse_interval(x, argv[ei], argl[ei], &end, 0) != 0) return;
    for (int j = 4; j < argc; j++) {
        if (arg_is(argv[j], argl[j], "count") && j + 1 < argc) {
            if (!arg_long(x, argv[j + 1], argl[j + 1], &count)) return;
            if (count < 0) count = 0;
            j++;
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (stream_get(x, &v, 0, 1, &s)) {
        if (!s) {
            resp_add_array_len(x->out, 0);
        } else if (count == 0) {
            reply_null_array(x->out, x->resp);
        } else {
            siter it;
            sentry e;
            const snode *n;
            size_t at = x->out->len;
            long long k = 0;
            resp_add_array_len(x->out, 0); /* patched below */
            size_t body = x->out->len;
            siter_start(&it, s, &start, &end, rev);
            while ((count < 0 || k < count) && siter_next(&it, &e, &n)) {
                stream_reply_entry(x, n, &e);
                k++;
            }
            siter_stop(&it);
            reply_patch_len(x->out, at, body, '*', k);
        }
    }
    ks_view_close(&v);
}

void tx_xrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    xrange_generic(x, argc, argv, argl, 0);
}

void tx_xrevrange(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    xrange_generic(x, argc, argv, argl, 1);
}

/* XLEN key */
void tx_xlen(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    stream *s;
    (void)argc;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (stream_get(x, &v, 0, 1, &s)) resp_add_int(x->out, s ? (long long)s->length : 0);
    ks_view_close(&v);
}

/* XDEL key id [id ...] */
void tx_xdel(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    stream *s;
    sid stack[16], *ids = stack;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!stream_get(x, &v, 0, 0, &s)) goto done;
    if (!s) {
        resp_add_int(x->out, 0);
        goto done;
    }
    if (!(ids = parse_ids(x, argc, argv, argl, 2, stack, 16))) goto done;
    {
        long long deleted = 0;
        int first = 0;
        for (int j = 0; j < argc - 2; j++) {
            if (!stream_delete(s, &ids[j])) continue;
            if (sid_cmp(&ids[j], &s->first_id) == 0) first = 1;
            if (sid_cmp(&ids[j], &s->max_deleted) > 0) s->max_deleted = ids[j];
            deleted++;
        }
        if (deleted && (s->length == 0 || first)) stream_update_first(s);
        if (deleted) notify(NOTIFY_STREAM, "xdel", argv[1], argl[1]);
        if (deleted) ks_view_changed(&v, 0);
        resp_add_int(x->out, deleted);
    }
done:
    if (ids && ids != stack) free(ids);
    ks_view_close(&v);
}

/* XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
void tx_xtrim(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    trim_args a;
    ks_view v;
    stream *s;
    if (parse_trim(x, argc, argv, argl, &a, 0) < 0) return;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!stream_get(x, &v, 0, 0, &s)) goto done;
    if (!s) {
        resp_add_int(x->out, 0);
        goto done;
    }
    {
        long long deleted = stream_trim(s, &a);
        if (deleted) notify(NOTIFY_STREAM, "xtrim", argv[1], argl[1]);
        if (deleted) ks_view_changed(&v, 0);
        resp_add_int(x->out, deleted);
    }
done:
    ks_view_close(&v);
}

/* XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id] */
void tx_xsetid(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    sid id, maxdel = {0, 0};
    long long added = -1;
    ks_view v;
    stream *s;
    if (parse_sid(x, argv[2], argl[2], &id, 0, 1, NULL) != 0) return;
    for (int i = 3; i < argc; i += 2) {
        int more = argc - 1 - i;
        if (arg_is(argv[i], argl[i], "entriesadded") && more) {
            if (!arg_long(x, argv[i + 1], argl[i + 1], &added)) return;
            if (added < 0) {
                resp_add_status_error(x->out, RD_ERR_ENTRIES_ADDED);
                return;
            }
        } else if (arg_is(argv[i], argl[i], "maxdeletedid") && more) {
            if (parse_sid(x, argv[i + 1], argl[i + 1], &maxdel, 0, 1, NULL) != 0) return;
            if (sid_cmp(&id, &maxdel) < 0) {
                resp_add_status_error(x->out, RD_ERR_XSETID_MAXDEL);
                return;
            }
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!stream_get(x, &v, 0, 0, &s)) goto done;
    if (!s) {
        resp_add_status_error(x->out, RD_ERR_NOSUCHKEY);
        goto done;
    }
    if (s->length > 0) {
        sid top;
        stream_last_valid(s, &top);
        if (sid_cmp(&id, &top) < 0) {
            resp_add_status_error(x->out, RD_ERR_XSETID_SMALLER);
            goto done;
        }
        if (added != -1 && s->length > (uint64_t)added) {
            resp_add_status_error(x->out, RD_ERR_XSETID_ADDED);
            goto done;
        }
    }
    s->last_id = id;
    if (added != -1) s->entries_added = (uint64_t)added;
    if (!sid_zero(&maxdel)) s->max_deleted = maxdel;
    ks_view_resized(&v, 0);
    resp_add_raw(x->out, "+OK\r\n", 5);
    notify(NOTIFY_STREAM, "xsetid", argv[1], argl[1]);
done:
    ks_view_close(&v);
}

/* ---- group helpers shared with t_stream_cg.c -------------------------------------------- */

int stream_range_has_tombstones(const stream *s, const sid *start) {
    if (!s->length || sid_zero(&s->max_deleted)) return 0;
    if (sid_cmp(&s->first_id, &s->max_deleted) > 0) return 0;
    return sid_cmp(start, &s->max_deleted) <= 0;
}

long long stream_estimate_read(const stream *s, const sid *id) {
    int cmp_last, cmp_first;
    if (!s->entries_added) return 0;
    if (!s->length && sid_cmp(id, &s->last_id) < 1) return (long long)s->entries_added;
    cmp_last = sid_cmp(id, &s->last_id);
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return -1;
    cmp_first = sid_cmp(id, &s->first_id);
    if (sid_zero(&s->max_deleted) || sid_cmp(&s->max_deleted, &s->first_id) < 0) {
        if (cmp_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return -1;
}

/* ---- XREAD / XREADGROUP -------------------------------------------------------------------- */

/* Entries after `after` (at most count, 0 = all) as an array; with a group, delivered to c. */
static void reply_range_after(tx_ctx *x, stream *s, const sid *after, long long count, sgroup *g,
                              sconsumer *c, int noack) {
    sid start = *after, end = {UINT64_MAX, UINT64_MAX};
    siter it;
    sentry e;
    const snode *n;
    size_t at = x->out->len, body;
    long long k = 0;
    resp_add_array_len(x->out, 0);
    body = x->out->len;
    if (sid_incr(&start) == 0) {
        siter_start(&it, s, &start, &end, 0);
        while ((!count || k < count) && siter_next(&it, &e, &n)) {
            stream_reply_entry(x, n, &e);
            if (g && group_deliver(s, g, c, &e.id, noack, x->now) != 0) x->out->failed = 1;
            k++;
        }
        siter_stop(&it);
    }
    reply_patch_len(x->out, at, body, '*', k);
}

/* XREAD [COUNT n] [BLOCK ms] STREAMS key [key ...] id [id ...]
 * XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key [key ...] id [id ...]
 * Waiting is Python's (commands/streams.py): with nothing to serve, BLOCK on the fast path hands
 * the command over; through rd_exec it answers as at its timeout (as Redis inside MULTI). */
void stream_xread(tx_ctx *x, int argc, const char **argv, const size_t *argl, int xreadgroup) {
    long long count = 0;
    int streams_arg = 0, nstreams = 0, noack = 0, gi = 0, block = 0;
    sid stack[8], *ids = stack;
    ks_view v;
    int opened = 0;
    for (int i = 1; i < argc; i++) {
        int more = argc - i - 1;
        if (arg_is(argv[i], argl[i], "block") && more) {
            block = 1;
            i++;
        } else if (arg_is(argv[i], argl[i], "count") && more) {
            i++;
            if (!arg_long(x, argv[i], argl[i], &count)) return;
            if (count < 0) count = 0;
        } else if (arg_is(argv[i], argl[i], "streams") && more) {
            streams_arg = i + 1;
            nstreams = argc - streams_arg;
            if (nstreams % 2 != 0) {
                resp_add_status_error(x->out, RD_ERR_XREAD_UNBALANCED);
                return;
            }
            nstreams /= 2;
            break;
        } else if (arg_is(argv[i], argl[i], "group") && more >= 2) {
            if (!xreadgroup) {
                resp_add_status_error(x->out, RD_ERR_XREAD_GROUP);
                return;
            }
            gi = i + 1;
            i += 2;
        } else if (arg_is(argv[i], argl[i], "noack")) {
            if (!xreadgroup) {
                resp_add_status_error(x->out, RD_ERR_XREAD_NOACK);
                return;
            }
            noack = 1;
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (!streams_arg) {
        reply_syntax(x->out);
        return;
    }
    if (xreadgroup && !gi) {
        resp_add_status_error(x->out, RD_ERR_XREADGROUP_MISSING);
        return;
    }
    if (nstreams > 8 && !(ids = malloc((size_t)nstreams * sizeof *ids))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    if (tx_open(x, &v, argv + streams_arg, argl + streams_arg, nstreams) != 0) goto out;
    opened = 1;
    for (int k = 0; k < nstreams; k++) {
        int i = streams_arg + nstreams + k;
        stream *s;
        const char *a = argv[i];
        int is_dollar = argl[i] >= 1 && a[0] == '$' && (argl[i] == 1 || a[1] == '\0');
        int is_gt = argl[i] >= 1 && a[0] == '>' && (argl[i] == 1 || a[1] == '\0');
        if (!stream_get(x, &v, k, 1, &s)) goto out;
        if (gi && (!s || !stream_group_find(s, argv[gi], argl[gi]))) {
            reply_error_names(x->out, RD_ERR_NOGROUP_XREADGROUP, argv[streams_arg + k], argl[streams_arg + k],
                              argv[gi], argl[gi]);
            goto out;
        }
        if (is_dollar) {
            if (xreadgroup) {
                resp_add_status_error(x->out, RD_ERR_XREADGROUP_DOLLAR);
                goto out;
            }
            if (s)
                ids[k] = s->last_id;
            else
                ids[k].ms = ids[k].seq = 0;
        } else if (is_gt) {
            if (!xreadgroup) {
                resp_add_status_error(x->out, RD_ERR_XREAD_GT);
                goto out;
            }
            ids[k].ms = ids[k].seq = UINT64_MAX;
        } else if (parse_sid(x, a, argl[i], &ids[k], 0, 1, NULL) != 0) {
            goto out;
        }
    }
    {
        size_t at = x->out->len, body;
        long long served = 0;
        reply_map_len(x->out, x->resp, 0);
        body = x->out->len;
        for (int k = 0; k < nstreams; k++) {
            stream *s;
            sgroup *g = NULL;
            int history = 0, serve = 0;
            sid maxid;
            stream_get(x, &v, k, 0, &s); /* the type was checked above */
            if (!s) continue;
            if (gi) {
                g = stream_group_find(s, argv[gi], argl[gi]);
                if (ids[k].ms != UINT64_MAX || ids[k].seq != UINT64_MAX) {
                    serve = history = 1;
                } else if (s->length) {
                    stream_last_valid(s, &maxid);
                    serve = sid_cmp(&maxid, &g->last_id) > 0;
                }
            } else if (s->length) {
                stream_last_valid(s, &maxid);
                serve = sid_cmp(&maxid, &ids[k]) > 0;
            }
            if (!serve) continue;
            served++;
            if (x->resp == 2) resp_add_array_len(x->out, 2);
            resp_add_bulk(x->out, argv[streams_arg + k], argl[streams_arg + k]);
            if (g) {
                sconsumer *c = group_consumer(s, g, argv[gi + 1], argl[gi + 1], 1, x->now, argv[streams_arg + k],
                                              argl[streams_arg + k]);
                if (!c) {
                    x->out->failed = 1;
                    break;
                }
                if (history) {
                    sid from = ids[k];
                    sid_incr(&from);
                    reply_consumer_history(x, s, g, c, &from, count);
                } else
                    reply_range_after(x, s, &g->last_id, count, g, c, noack);
                ks_view_resized(&v, k);
            } else {
                reply_range_after(x, s, &ids[k], count, NULL, NULL, 0);
            }
        }
        if (served) {
            reply_patch_len(x->out, at, body, x->resp == 2 ? '*' : '%', served);
        } else if (block && x->fastpath) { /* it waits: never sent, fp_type_dispatch hands it over */
            x->out->len = at;
            resp_add_status_error(x->out, RD_ERR_DEFERRED);
        } else {
            x->out->len = at;
            reply_null_array(x->out, x->resp);
        }
    }
out:
    if (opened) ks_view_close(&v);
    if (ids != stack) free(ids);
}

void tx_xread(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    stream_xread(x, argc, argv, argl, 0);
}

void tx_xreadgroup(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    stream_xread(x, argc, argv, argl, 1);
}

/* ---- streams freed while clients are blocked ------------------------------------------------ */

/* Redis unblocks an XREADGROUP whose stream is deleted or overwritten (signalDeletedKeyAsReady):
 * entry_free queues the key and wakes the server's cron thread (an eventfd), which hands the queue
 * to the blocking registry; it serves the key's waiters as after a write. */
static pthread_mutex_t freed_lock = PTHREAD_MUTEX_INITIALIZER;
static rd_buf freed_queue;
static _Atomic int freed_fd = -1; /* an eventfd the cron waits on: readable once keys are queued */
static pthread_once_t freed_once = PTHREAD_ONCE_INIT;

static void freed_fd_init(void) { freed_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int rd_stream_freed_fd(void) {
    pthread_once(&freed_once, freed_fd_init);
    return freed_fd;
}

void stream_freed(const char *key, size_t n) {
    unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 24)};
    if (!clients_blocked()) return;
    uint64_t one = 1;
    int fd = freed_fd;
    pthread_mutex_lock(&freed_lock);
    buf_append(&freed_queue, len, 4);
    buf_append(&freed_queue, key, n);
    pthread_mutex_unlock(&freed_lock);
    if (fd >= 0 && write(fd, &one, sizeof one) < 0) {
        /* the counter is full or gone: the cron's next tick drains the queue anyway */
    }
}

rd_status rd_stream_freed_keys(rd_buf *out) {
    rd_status st = RD_NOT_FOUND;
    pthread_mutex_lock(&freed_lock);
    if (freed_queue.len) {
        buf_append(out, freed_queue.data, freed_queue.len);
        buf_reset(&freed_queue, 0);
        st = RD_OK;
    }
    pthread_mutex_unlock(&freed_lock);
    return st;
}

/* ---- the C API for blocking reads --------------------------------------------------------- */

rd_status rd_stream_last_id(rd_keyspace *ks, const char *key, size_t klen, uint64_t *ms, uint64_t *seq) {
    ks_view v;
    void *o = NULL;
    const char *keys[1] = {key};
    size_t lens[1] = {klen};
    rd_status st;
    if (ks_view_open(&v, ks, 1, keys, lens) != RD_OK) return RD_ERR_NOMEM;
    st = ks_view_get(&v, 0, KS_TYPE_STREAM, 0, &o);
    if (st == RD_OK) {
        *ms = ((stream *)o)->last_id.ms;
        *seq = ((stream *)o)->last_id.seq;
    }
    ks_view_close(&v);
    return st;
}
