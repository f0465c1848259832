/* t_stream_cg.c: consumer groups of streams (groups, consumers, pending entries) and their
 * commands: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO.  Replies and errors are Redis
 * 7.0's. */
#include "stream.h"
#include "resp.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- groups and consumers ------------------------------------------------------------- */

static int name_cmp(const char *a, size_t an, const char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

/* The index where name is or would go in a sorted array of named things. */
#define NAMED_SEEK(arr, count, nm, nl, found)                                   \
    ({                                                                          \
        size_t lo_ = 0, hi_ = (count);                                          \
        *(found) = 0;                                                           \
        while (lo_ < hi_) {                                                     \
            size_t mid_ = (lo_ + hi_) / 2;                                      \
            int c_ = name_cmp((arr)[mid_]->name, (arr)[mid_]->nlen, nm, nl);    \
            if (c_ == 0) {                                                      \
                *(found) = 1;                                                   \
                lo_ = mid_;                                                     \
                break;                                                          \
            }                                                                   \
            if (c_ < 0)                                                         \
                lo_ = mid_ + 1;                                                 \
            else                                                                \
                hi_ = mid_;                                                     \
        }                                                                       \
        lo_;                                                                    \
    })

sgroup *stream_group_find(const stream *s, const char *name, size_t n) {
    int found;
    size_t i = NAMED_SEEK(s->groups, s->ngroups, name, n, &found);
    return found ? s->groups[i] : NULL;
}

/* Inserts p at index i of an array of pointers, growing it: 0, -1 nomem. */
static int ptr_insert(stream *s, void ***arr, size_t *count, size_t *cap, size_t i, void *p) {
    if (*count == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        void **a = s_realloc(s, *arr, nc * sizeof *a);
        if (!a) return -1;
        *arr = a;
        *cap = nc;
    }
    memmove(*arr + i + 1, *arr + i, (*count - i) * sizeof **arr);
    (*arr)[i] = p;
    (*count)++;
    return 0;
}

static void ptr_remove(void **arr, size_t *count, size_t i) {
    memmove(arr + i, arr + i + 1, (*count - i - 1) * sizeof *arr);
    (*count)--;
}

/* streamCreateCG: NULL when the name exists (*nomem set on allocation failure). */
static sgroup *group_create(stream *s, const char *name, size_t n, const sid *id, long long entries_read,
                            int *nomem) {
    int found;
    size_t i = NAMED_SEEK(s->groups, s->ngroups, name, n, &found);
    sgroup *g;
    *nomem = 0;
    if (found) return NULL;
    if (!(g = s_alloc(s, sizeof *g + n))) goto fail;
    memset(g, 0, sizeof *g);
    g->last_id = *id;
    g->entries_read = entries_read;
    g->nlen = n;
    memcpy(g->name, name, n);
    if (ptr_insert(s, (void ***)&s->groups, &s->ngroups, &s->gcap, i, g) != 0) {
        s_free(s, g);
        goto fail;
    }
    return g;
fail:
    *nomem = 1;
    return NULL;
}

static void group_free(stream *s, sgroup *g) {
    for (size_t i = 0; i < g->ncons; i++) s_free(s, g->consumers[i]);
    s_free(s, g->consumers);
    s_free(s, g->pel_mem);
    s_free(s, g);
}

void stream_groups_free(stream *s) {
    for (size_t i = 0; i < s->ngroups; i++) group_free(s, s->groups[i]);
    s_free(s, s->groups);
    s->groups = NULL;
    s->ngroups = s->gcap = 0;
}

int stream_groups_dup(stream *dst, const stream *src) {
    for (size_t i = 0; i < src->ngroups; i++) {
        const sgroup *sg = src->groups[i];
        int nomem;
        sgroup *g = group_create(dst, sg->name, sg->nlen, &sg->last_id, sg->entries_read, &nomem);
        if (!g) return -1;
        for (size_t k = 0; k < sg->ncons; k++) {
            const sconsumer *sc = sg->consumers[k];
            sconsumer *c = s_alloc(dst, sizeof *c + sc->nlen);
            if (!c) return -1;
            memcpy(c, sc, sizeof *c + sc->nlen);
            if (ptr_insert(dst, (void ***)&g->consumers, &g->ncons, &g->ccap, g->ncons, c) != 0) {
                s_free(dst, c);
                return -1;
            }
        }
        if (sg->npel) {
            if (!(g->pel_mem = g->pel = s_alloc(dst, sg->npel * sizeof *g->pel))) return -1;
            g->pcap = g->npel = sg->npel;
            for (size_t k = 0; k < sg->npel; k++) {
                int found;
                const sconsumer *oc = sg->pel[k].consumer;
                g->pel[k] = sg->pel[k];
                g->pel[k].consumer = g->consumers[NAMED_SEEK(g->consumers, g->ncons, oc->name, oc->nlen, &found)];
            }
        }
    }
    return 0;
}

sconsumer *group_consumer(stream *s, sgroup *g, const char *name, size_t n, int create, int64_t now,
                          const char *key, size_t klen) {
    int found;
    size_t i = NAMED_SEEK(g->consumers, g->ncons, name, n, &found);
    sconsumer *c;
    if (found) {
        if (create >= 0) g->consumers[i]->seen_time = now; /* create < 0: SLC_NO_REFRESH */
        return g->consumers[i];
    }
    if (create <= 0 || !(c = s_alloc(s, sizeof *c + n))) return NULL;
    c->seen_time = now;
    c->npending = 0;
    c->nlen = n;
    memcpy(c->name, name, n);
    if (ptr_insert(s, (void ***)&g->consumers, &g->ncons, &g->ccap, i, c) != 0) {
        s_free(s, c);
        return NULL;
    }
    notify(NOTIFY_STREAM, "xgroup-createconsumer", key, klen);
    return c;
}

/* The PEL index of id, or where it would go. */
static size_t pel_seek(const sgroup *g, const sid *id, int *found) {
    size_t lo = 0, hi = g->npel;
    *found = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = sid_cmp(&g->pel[mid].id, id);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static snack *pel_insert(stream *s, sgroup *g, size_t i, const sid *id) {
    if (g->pel_off + g->npel == g->pcap) {
        if (g->pel_off >= g->pcap / 4 && g->pel_off) { /* room freed at the front: slide back */
            memmove(g->pel_mem, g->pel, g->npel * sizeof *g->pel);
            g->pel_off = 0;
        } else {
            size_t nc = g->pcap ? g->pcap * 2 : 8;
            snack *a = s_realloc(s, g->pel_mem, nc * sizeof *a);
            if (!a) return NULL;
            g->pel_mem = a;
            g->pcap = nc;
        }
        g->pel = g->pel_mem + g->pel_off;
    }
    memmove(g->pel + i + 1, g->pel + i, (g->npel - i) * sizeof *g->pel);
    g->npel++;
    memset(&g->pel[i], 0, sizeof g->pel[i]);
    g->pel[i].id = *id;
    return &g->pel[i];
}

static void pel_remove(sgroup *g, size_t i) {
    if (g->pel[i].consumer) g->pel[i].consumer->npending--;
    if (i < g->npel / 2) { /* the shorter side moves: acking the oldest is O(1) */
        memmove(g->pel + 1, g->pel, i * sizeof *g->pel);
        g->pel++;
        g->pel_off++;
    } else {
        memmove(g->pel + i, g->pel + i + 1, (g->npel - i - 1) * sizeof *g->pel);
    }
    g->npel--;
}

static void nack_assign(snack *k, sconsumer *c) {
    if (k->consumer == c) return;
    if (k->consumer) k->consumer->npending--;
    k->consumer = c;
    c->npending++;
}

int group_deliver(stream *s, sgroup *g, sconsumer *c, const sid *id, int noack, int64_t now) {
    if (sid_cmp(id, &g->last_id) > 0) {
        if (g->entries_read != -1 && !stream_range_has_tombstones(s, id))
            g->entries_read++;
        else if (s->entries_added)
            g->entries_read = stream_estimate_read(s, id);
        g->last_id = *id;
    }
    if (!noack) {
        int found;
        size_t i = pel_seek(g, id, &found);
        snack *k = found ? &g->pel[i] : pel_insert(s, g, i, id);
        if (!k) return -1;
        nack_assign(k, c);
        k->delivery_time = now;
        k->delivery_count = 1;
    }
    return 0;
}

sgroup *stream_group_add(stream *s, const char *name, size_t n, const sid *last, long long entries_read,
                         int *nomem) {
    return group_create(s, name, n, last, entries_read, nomem);
}

snack *stream_pel_add(stream *s, sgroup *g, const sid *id) {
    int found;
    size_t i = pel_seek(g, id, &found);
    return found ? NULL : pel_insert(s, g, i, id);
}

snack *stream_pel_find(sgroup *g, const sid *id) {
    int found;
    size_t i = pel_seek(g, id, &found);
    return found ? &g->pel[i] : NULL;
}

void stream_nack_assign(snack *k, sconsumer *c) { nack_assign(k, c); }

/* One entry of the stream by id, as XRANGE prints it; 0 when it is not there. */
static int reply_entry_by_id(tx_ctx *x, const stream *s, const sid *id) {
    sentry e;
    const snode *n;
    if (!stream_find(s, id, &e, &n)) return 0;
    stream_reply_entry(x, n, &e);
    return 1;
}

void reply_consumer_history(tx_ctx *x, stream *s, sgroup *g, sconsumer *c, const sid *start, long long count) {
    int found;
    size_t at = x->out->len, body;
    long long k = 0;
    resp_add_array_len(x->out, 0);
    body = x->out->len;
    for (size_t i = pel_seek(g, start, &found); i < g->npel && (!count || k < count); i++) {
        snack *nk = &g->pel[i];
        if (nk->consumer != c) continue;
        /* streamReplyWithRangeFromConsumerPEL: a deleted entry reads as [id, nil] */
        if (!reply_entry_by_id(x, s, &nk->id)) {
            resp_add_array_len(x->out, 2);
            reply_sid(x->out, &nk->id);
            reply_null_array(x->out, x->resp);
        } else {
            nk->delivery_time = x->now;
            nk->delivery_count++;
        }
        k++;
    }
    reply_patch_len(x->out, at, body, '*', k);
}

/* ---- lookups ------------------------------------------------------------------------------ */

/* The stream at key 1 and its group named by argv[2], for XACK & co.: 1 with *s and *g (either may
 * be NULL), 0 after WRONGTYPE. */
static int open_group(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl, stream **s, sgroup **g) {
    *g = NULL;
    if (!stream_get(x, v, 0, 1, s)) return 0;
    if (*s) *g = stream_group_find(*s, argv[2], argl[2]);
    return 1;
}

static int parse_entries_read(tx_ctx *x, const char *a, size_t n, long long *v) {
    if (!arg_long(x, a, n, v)) return -1;
    if (*v < 0 && *v != -1) {
        resp_add_status_error(x->out, RD_ERR_ENTRIES_READ);
        return -1;
    }
    return 0;
}

/* addReplySubcommandSyntaxError */
static void reply_subcommand(tx_ctx *x, const char *sub, size_t n, const char *container) {
    reply_error_names(x->out, RD_ERR_SUBCOMMAND, sub, n, container, strlen(container));
}

/* ---- XGROUP ---------------------------------------------------------------------------------- */

/* XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER key group ... (HELP and the
 * subcommand errors are the dispatcher's; the table checks each subcommand's arity). */
void tx_xgroup(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    const char *op = argv[1];
    size_t opl = argl[1];
    int create = arg_is(op, opl, "create"), setid = arg_is(op, opl, "setid");
    int mkstream = 0, is_dollar;
    long long entries_read = -1;
    ks_view v;
    stream *s;
    sgroup *g;
    sid id;
    if (argc < 4) {
        reply_subcommand(x, argv[1], argl[1], "XGROUP");
        return;
    }
    for (int i = 5; i < argc;) {
        if (create && arg_is(argv[i], argl[i], "mkstream")) {
            mkstream = 1;
            i++;
        } else if ((create || setid) && arg_is(argv[i], argl[i], "entriesread") && i + 1 < argc) {
            if (parse_entries_read(x, argv[i + 1], argl[i + 1], &entries_read) != 0) return;
            i += 2;
        } else {
            reply_subcommand(x, argv[1], argl[1], "XGROUP");
            return;
        }
    }
    if (tx_open(x, &v, argv + 2, argl + 2, 1) != 0) return;
    if (!stream_get(x, &v, 0, 0, &s)) goto done;
    g = s ? stream_group_find(s, argv[3], argl[3]) : NULL;
    if (!mkstream) {
        if (!s) {
            resp_add_status_error(x->out, RD_ERR_XGROUP_NOKEY);
            goto done;
        }
        if (!g && (setid || arg_is(op, opl, "createconsumer") || arg_is(op, opl, "delconsumer"))) {
            reply_error_names(x->out, RD_ERR_NOGROUP_KEY, argv[3], argl[3], argv[2], argl[2]);
            goto done;
        }
    }
    is_dollar = argc > 4 && argl[4] >= 1 && argv[4][0] == '$' && (argl[4] == 1 || argv[4][1] == '\0');
    if (create && argc >= 5 && argc <= 8) {
        int nomem;
        if (is_dollar) {
            if (s)
                id = s->last_id;
            else
                id.ms = id.seq = 0;
        } else if (parse_sid(x, argv[4], argl[4], &id, 0, 1, NULL) != 0) {
            goto done;
        }
        if (!s && (!(s = stream_new()) || ks_view_put(&v, 0, KS_TYPE_STREAM, s) != RD_OK)) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
            goto done;
        }
        if (group_create(s, argv[3], argl[3], &id, entries_read, &nomem)) {
            resp_add_raw(x->out, "+OK\r\n", 5);
            notify(NOTIFY_STREAM, "xgroup-create", argv[2], argl[2]);
        } else
            resp_add_status_error(x->out, nomem ? RD_ERR_NOMEM : RD_ERR_BUSYGROUP);
        ks_view_resized(&v, 0);
    } else if (setid && (argc == 5 || argc == 7)) {
        if (is_dollar)
            id = s->last_id;
        else if (parse_sid(x, argv[4], argl[4], &id, 0, 0, NULL) != 0)
            goto done;
        g->last_id = id;
        g->entries_read = entries_read;
        ks_view_resized(&v, 0);
        resp_add_raw(x->out, "+OK\r\n", 5);
        notify(NOTIFY_STREAM, "xgroup-setid", argv[2], argl[2]);
    } else if (arg_is(op, opl, "destroy") && argc == 4) {
        if (g) {
            int found;
            size_t i = NAMED_SEEK(s->groups, s->ngroups, argv[3], argl[3], &found);
            ptr_remove((void **)s->groups, &s->ngroups, i);
            group_free(s, g);
            ks_view_resized(&v, 0);
        }
        resp_add_int(x->out, g ? 1 : 0);
        if (g) notify(NOTIFY_STREAM, "xgroup-destroy", argv[2], argl[2]);
    } else if (arg_is(op, opl, "createconsumer") && argc == 5) {
        int found;
        NAMED_SEEK(g->consumers, g->ncons, argv[4], argl[4], &found);
        if (!found && !group_consumer(s, g, argv[4], argl[4], 1, x->now, argv[2], argl[2])) {
            resp_add_status_error(x->out, RD_ERR_NOMEM);
            goto done;
        }
        if (!found) ks_view_resized(&v, 0);
        resp_add_int(x->out, found ? 0 : 1);
    } else if (arg_is(op, opl, "delconsumer") && argc == 5) {
        int found;
        size_t i = NAMED_SEEK(g->consumers, g->ncons, argv[4], argl[4], &found);
        long long pending = 0;
        if (found) {
            sconsumer *c = g->consumers[i];
            pending = (long long)c->npending;
            for (size_t k = g->npel; k-- > 0;)
                if (g->pel[k].consumer == c) pel_remove(g, k);
            ptr_remove((void **)g->consumers, &g->ncons, i);
            s_free(s, c);
            notify(NOTIFY_STREAM, "xgroup-delconsumer", argv[2], argl[2]);
            ks_view_resized(&v, 0);
        }
        resp_add_int(x->out, pending);
    } else {
        reply_subcommand(x, argv[1], argl[1], "XGROUP");
    }
done:
    ks_view_close(&v);
}

/* ---- XACK, XPENDING ------------------------------------------------------------------------------ */

/* XACK key group id [id ...] */
void tx_xack(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    stream *s;
    sgroup *g;
    sid stack[16], *ids = stack;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!open_group(x, &v, argv, argl, &s, &g)) goto done;
    if (!g) {
        resp_add_int(x->out, 0);
        goto done;
    }
    if (!(ids = parse_ids(x, argc, argv, argl, 3, stack, 16))) goto done;
    {
        long long acked = 0;
        for (int j = 0; j < argc - 3; j++) {
            int found;
            size_t i = pel_seek(g, &ids[j], &found);
            if (!found) continue;
            pel_remove(g, i);
            acked++;
        }
        if (acked) ks_view_resized(&v, 0);
        resp_add_int(x->out, acked);
    }
done:
    if (ids && ids != stack) free(ids);
    ks_view_close(&v);
}

/* XPENDING key group [[IDLE min-idle] start end count [consumer]] */
void tx_xpending(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int justinfo = argc == 3, startidx = 3;
    long long count = 0, minidle = 0;
    const char *cname = NULL;
    size_t cnl = 0;
    sid start, end;
    ks_view v;
    stream *s;
    sgroup *g;
    if (argc != 3 && (argc < 6 || argc > 9)) {
        reply_syntax(x->out);
        return;
    }
    if (argc >= 6) {
        if (arg_is(argv[3], argl[3], "idle")) {
            if (!arg_long(x, argv[4], argl[4], &minidle)) return;
            if (argc < 8) {
                reply_syntax(x->out);
                return;
            }
            startidx += 2;
        }
        if (!arg_long(x, argv[startidx + 2], argl[startidx + 2], &count)) return;
        if (count < 0) count = 0;
        if (parse_interval(x, argv[startidx], argl[startidx], &start, 1) != 0) return;
        if (parse_interval(x, argv[startidx + 1], argl[startidx + 1], &end, 0) != 0) return;
        if (startidx + 3 < argc) {
            cname = argv[startidx + 3];
            cnl = argl[startidx + 3];
        }
    }
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!open_group(x, &v, argv, argl, &s, &g)) goto done;
    if (!g) {
        reply_error_names(x->out, RD_ERR_NOGROUP_XPENDING, argv[1], argl[1], argv[2], argl[2]);
        goto done;
    }
    if (justinfo) {
        resp_add_array_len(x->out, 4);
        resp_add_int(x->out, (long long)g->npel);
        if (!g->npel) {
            resp_add_nil(x->out, x->resp);
            resp_add_nil(x->out, x->resp);
            reply_null_array(x->out, x->resp);
        } else {
            long long n = 0;
            reply_sid(x->out, &g->pel[0].id);
            reply_sid(x->out, &g->pel[g->npel - 1].id);
            for (size_t i = 0; i < g->ncons; i++) n += g->consumers[i]->npending > 0;
            resp_add_array_len(x->out, n);
            for (size_t i = 0; i < g->ncons; i++) {
                const sconsumer *c = g->consumers[i];
                char num[24];
                if (!c->npending) continue;
                resp_add_array_len(x->out, 2);
                resp_add_bulk(x->out, c->name, c->nlen);
                resp_add_bulk(x->out, num, (size_t)snprintf(num, sizeof num, "%zu", c->npending));
            }
        }
    } else {
        sconsumer *c = NULL;
        int found;
        size_t at, body;
        long long k = 0;
        if (cname && !(c = group_consumer(s, g, cname, cnl, -1, x->now, NULL, 0))) {
            resp_add_array_len(x->out, 0);
            goto done;
        }
        at = x->out->len;
        resp_add_array_len(x->out, 0);
        body = x->out->len;
        for (size_t i = pel_seek(g, &start, &found); count && i < g->npel && sid_cmp(&g->pel[i].id, &end) <= 0; i++) {
            const snack *nk = &g->pel[i];
            int64_t idle = x->now - nk->delivery_time;
            if (c && nk->consumer != c) continue;
            if (minidle && idle < minidle) continue;
            k++;
            count--;
            resp_add_array_len(x->out, 4);
            reply_sid(x->out, &nk->id);
            resp_add_bulk(x->out, nk->consumer->name, nk->consumer->nlen);
            resp_add_int(x->out, idle < 0 ? 0 : idle);
            resp_add_int(x->out, (long long)nk->delivery_count);
        }
        reply_patch_len(x->out, at, body, '*', k);
    }
done:
    ks_view_close(&v);
}

/* ---- XCLAIM, XAUTOCLAIM ---------------------------------------------------------------------------- */

/* Gives the NACK to c (created on first use): delivery time, count, and the entry in the reply. */
static void claim_one(tx_ctx *x, stream *s, snack *k, sconsumer *c, int64_t when, long long retry, int justid) {
    nack_assign(k, c);
    k->delivery_time = when;
    if (retry >= 0)
        k->delivery_count = (uint64_t)retry;
    else if (!justid)
        k->delivery_count++;
    if (justid)
        reply_sid(x->out, &k->id);
    else
        reply_entry_by_id(x, s, &k->id);
}

/* XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
 * [JUSTID] [LASTID id] */
void tx_xclaim(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long minidle, retry = -1, when = -1;
    int force = 0, justid = 0, j, last_id_arg;
    sid last = {0, 0}, stack[16], *ids = stack;
    ks_view v;
    stream *s;
    sgroup *g;
    sconsumer *c = NULL;
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!open_group(x, &v, argv, argl, &s, &g)) goto done;
    if (!g) {
        reply_error_names(x->out, RD_ERR_NOGROUP_XPENDING, argv[1], argl[1], argv[2], argl[2]);
        goto done;
    }
    if (!arg_ll(argv[4], argl[4], &minidle)) {
        resp_add_status_error(x->out, RD_ERR_XCLAIM_MINIDLE);
        goto done;
    }
    if (minidle < 0) minidle = 0;
    if (argc - 5 > 16 && !(ids = malloc((size_t)(argc - 5) * sizeof *ids))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        goto done;
    }
    for (j = 5; j < argc; j++)
        if (parse_sid(NULL, argv[j], argl[j], &ids[j - 5], 0, 1, NULL) != 0) break;
    last_id_arg = j - 1;
    for (; j < argc; j++) {
        int more = argc - 1 - j;
        if (arg_is(argv[j], argl[j], "force")) {
            force = 1;
        } else if (arg_is(argv[j], argl[j], "justid")) {
            justid = 1;
        } else if (arg_is(argv[j], argl[j], "idle") && more) {
            j++;
            if (!arg_ll(argv[j], argl[j], &when)) {
                resp_add_status_error(x->out, RD_ERR_XCLAIM_IDLE);
                goto done;
            }
            when = x->now - when;
        } else if (arg_is(argv[j], argl[j], "time") && more) {
            j++;
            if (!arg_ll(argv[j], argl[j], &when)) {
                resp_add_status_error(x->out, RD_ERR_XCLAIM_TIME);
                goto done;
            }
        } else if (arg_is(argv[j], argl[j], "retrycount") && more) {
            j++;
            if (!arg_ll(argv[j], argl[j], &retry)) {
                resp_add_status_error(x->out, RD_ERR_XCLAIM_RETRY);
                goto done;
            }
        } else if (arg_is(argv[j], argl[j], "lastid") && more) {
            j++;
            if (parse_sid(x, argv[j], argl[j], &last, 0, 1, NULL) != 0) goto done;
        } else {
            reply_error_names(x->out, RD_ERR_XCLAIM_OPTION, argv[j], argl[j], "", 0);
            goto done;
        }
    }
    if (sid_cmp(&last, &g->last_id) > 0) g->last_id = last;
    if (when != -1) {
        if (when < 0 || when > x->now) when = x->now;
    } else {
        when = x->now;
    }
    {
        size_t at = x->out->len, body;
        long long k = 0;
        resp_add_array_len(x->out, 0);
        body = x->out->len;
        for (j = 5; j <= last_id_arg; j++) {
            const sid *id = &ids[j - 5];
            sentry e;
            const snode *n;
            int found;
            size_t i = pel_seek(g, id, &found);
            if (!stream_find(s, id, &e, &n)) {
                if (found) pel_remove(g, i);
                continue;
            }
            if (force && !found) { /* the consumer first: a NACK never names nobody */
                if ((!c && !(c = group_consumer(s, g, argv[3], argl[3], 1, x->now, argv[1], argl[1]))) ||
                    !pel_insert(s, g, i, id)) {
                    x->out->failed = 1;
                    break;
                }
                found = 1;
            }
            if (!found) continue;
            if (g->pel[i].consumer && minidle && x->now - g->pel[i].delivery_time < minidle) continue;
            if (!c && !(c = group_consumer(s, g, argv[3], argl[3], 1, x->now, argv[1], argl[1]))) {
                x->out->failed = 1;
                break;
            }
            claim_one(x, s, &g->pel[i], c, when, retry, justid);
            k++;
        }
        reply_patch_len(x->out, at, body, '*', k);
        ks_view_resized(&v, 0);
    }
done:
    if (ids != stack) free(ids);
    ks_view_close(&v);
}

/* XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
void tx_xautoclaim(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long minidle, count = 100, attempts, ndel = 0;
    int justid = 0;
    sid start, *deleted = NULL;
    ks_view v;
    stream *s;
    sgroup *g;
    sconsumer *c = NULL;
    if (!arg_ll(argv[4], argl[4], &minidle)) {
        resp_add_status_error(x->out, RD_ERR_XAUTOCLAIM_MINIDLE);
        return;
    }
    if (minidle < 0) minidle = 0;
    if (parse_interval(x, argv[5], argl[5], &start, 1) != 0) return;
    for (int j = 6; j < argc; j++) {
        int more = argc - 1 - j;
        if (arg_is(argv[j], argl[j], "count") && more) {
            if (!arg_ll(argv[j + 1], argl[j + 1], &count) || count < 1 || count > LONG_MAX / 16) {
                resp_add_status_error(x->out, RD_ERR_XAUTOCLAIM_COUNT);
                return;
            }
            j++;
        } else if (arg_is(argv[j], argl[j], "justid")) {
            justid = 1;
        } else {
            reply_syntax(x->out);
            return;
        }
    }
    if (tx_open(x, &v, argv + 1, argl + 1, 1) != 0) return;
    if (!open_group(x, &v, argv, argl, &s, &g)) goto done;
    if (!g) {
        reply_error_names(x->out, RD_ERR_NOGROUP_XPENDING, argv[1], argl[1], argv[2], argl[2]);
        goto done;
    }
    if (!(deleted = malloc((size_t)count * sizeof *deleted))) {
        resp_add_status_error(x->out, RD_ERR_XAUTOCLAIM_MEMORY);
        goto done;
    }
    attempts = count * 10;
    {
        int found;
        size_t i = pel_seek(g, &start, &found), at, body;
        long long k = 0;
        sid endid = {0, 0};
        resp_add_array_len(x->out, 3);
        at = x->out->len;
        resp_add_array_len(x->out, 0);
        body = x->out->len;
        while (attempts-- && count && i < g->npel) {
            snack *nk = &g->pel[i];
            sentry e;
            const snode *n;
            if (!stream_find(s, &nk->id, &e, &n)) {
                deleted[ndel++] = nk->id;
                pel_remove(g, i);
                count--;
                continue;
            }
            if (minidle && x->now - nk->delivery_time < minidle) {
                i++;
                continue;
            }
            if (!c && !(c = group_consumer(s, g, argv[3], argl[3], 1, x->now, argv[1], argl[1]))) {
                x->out->failed = 1;
                break;
            }
            claim_one(x, s, nk, c, x->now, -1, justid);
            k++;
            count--;
            i++;
        }
        if (i < g->npel) endid = g->pel[i].id;
        /* The cursor goes before the claimed entries: patch the array, then insert the id. */
        reply_patch_len(x->out, at, body, '*', k);
        {
            rd_buf idb;
            buf_init(&idb);
            reply_sid(&idb, &endid);
            if (!idb.failed && buf_reserve(x->out, idb.len) == 0) {
                memmove(x->out->data + at + idb.len, x->out->data + at, x->out->len - at);
                memcpy(x->out->data + at, idb.data, idb.len);
                x->out->len += idb.len;
            }
            buf_release(&idb);
        }
        resp_add_array_len(x->out, ndel);
        for (long long d = 0; d < ndel; d++) reply_sid(x->out, &deleted[d]);
        ks_view_resized(&v, 0);
    }
done:
    free(deleted);
    ks_view_close(&v);
}

/* ---- XINFO ------------------------------------------------------------------------------------------- */

static void reply_key(rd_buf *out, const char *s) { resp_add_bulk(out, s, strlen(s)); }

static void reply_entries_read(tx_ctx *x, const sgroup *g) {
    if (g->entries_read != -1)
        resp_add_int(x->out, g->entries_read);
    else
        resp_add_nil(x->out, x->resp);
}

/* streamReplyWithCGLag */
static void reply_lag(tx_ctx *x, const stream *s, const sgroup *g) {
    long long read;
    if (!s->entries_added) {
        resp_add_int(x->out, 0);
    } else if (g->entries_read != -1 && !stream_range_has_tombstones(s, &g->last_id)) {
        resp_add_int(x->out, (long long)s->entries_added - g->entries_read);
    } else if ((read = stream_estimate_read(s, &g->last_id)) != -1) {
        resp_add_int(x->out, (long long)s->entries_added - read);
    } else {
        resp_add_nil(x->out, x->resp);
    }
}

/* First or last entry (XINFO STREAM), nil when empty. */
static void reply_edge_entry(tx_ctx *x, const stream *s, int rev) {
    sid lo = {0, 0}, hi = {UINT64_MAX, UINT64_MAX};
    siter it;
    sentry e;
    const snode *n;
    siter_start(&it, s, &lo, &hi, rev);
    if (siter_next(&it, &e, &n))
        stream_reply_entry(x, n, &e);
    else
        resp_add_nil(x->out, x->resp);
    siter_stop(&it);
}

static void xinfo_stream(tx_ctx *x, const stream *s, int full, long long count) {
    reply_map_len(x->out, x->resp, full ? 9 : 10);
    reply_key(x->out, "length");
    resp_add_int(x->out, (long long)s->length);
    reply_key(x->out, "radix-tree-keys");
    resp_add_int(x->out, (long long)s->nnodes);
    reply_key(x->out, "radix-tree-nodes");
    resp_add_int(x->out, (long long)(s->nnodes ? s->nnodes * 2 : 1));
    reply_key(x->out, "last-generated-id");
    reply_sid(x->out, &s->last_id);
    reply_key(x->out, "max-deleted-entry-id");
    reply_sid(x->out, &s->max_deleted);
    reply_key(x->out, "entries-added");
    resp_add_int(x->out, (long long)s->entries_added);
    reply_key(x->out, "recorded-first-entry-id");
    reply_sid(x->out, &s->first_id);
    if (!full) {
        reply_key(x->out, "groups");
        resp_add_int(x->out, (long long)s->ngroups);
        reply_key(x->out, "first-entry");
        reply_edge_entry(x, s, 0);
        reply_key(x->out, "last-entry");
        reply_edge_entry(x, s, 1);
        return;
    }
    reply_key(x->out, "entries");
    {
        sid lo = {0, 0}, hi = {UINT64_MAX, UINT64_MAX};
        siter it;
        sentry e;
        const snode *n;
        size_t at = x->out->len, body;
        long long k = 0;
        resp_add_array_len(x->out, 0);
        body = x->out->len;
        siter_start(&it, s, &lo, &hi, 0);
        while ((!count || k < count) && siter_next(&it, &e, &n)) {
            stream_reply_entry(x, n, &e);
            k++;
        }
        siter_stop(&it);
        reply_patch_len(x->out, at, body, '*', k);
    }
    reply_key(x->out, "groups");
    resp_add_array_len(x->out, (long long)s->ngroups);
    for (size_t gi = 0; gi < s->ngroups; gi++) {
        const sgroup *g = s->groups[gi];
        long long k = 0;
        reply_map_len(x->out, x->resp, 7);
        reply_key(x->out, "name");
        resp_add_bulk(x->out, g->name, g->nlen);
        reply_key(x->out, "last-delivered-id");
        reply_sid(x->out, &g->last_id);
        reply_key(x->out, "entries-read");
        reply_entries_read(x, g);
        reply_key(x->out, "lag");
        reply_lag(x, s, g);
        reply_key(x->out, "pel-count");
        resp_add_int(x->out, (long long)g->npel);
        reply_key(x->out, "pending");
        k = count && (long long)g->npel > count ? count : (long long)g->npel;
        resp_add_array_len(x->out, k);
        for (long long i = 0; i < k; i++) {
            const snack *nk = &g->pel[i];
            resp_add_array_len(x->out, 4);
            reply_sid(x->out, &nk->id);
            resp_add_bulk(x->out, nk->consumer->name, nk->consumer->nlen);
            resp_add_int(x->out, nk->delivery_time);
            resp_add_int(x->out, (long long)nk->delivery_count);
        }
        reply_key(x->out, "consumers");
        resp_add_array_len(x->out, (long long)g->ncons);
        for (size_t ci = 0; ci < g->ncons; ci++) {
            const sconsumer *c = g->consumers[ci];
            long long m = 0, want = count && (long long)c->npending > count ? count : (long long)c->npending;
            reply_map_len(x->out, x->resp, 4);
            reply_key(x->out, "name");
            resp_add_bulk(x->out, c->name, c->nlen);
            reply_key(x->out, "seen-time");
            resp_add_int(x->out, c->seen_time);
            reply_key(x->out, "pel-count");
            resp_add_int(x->out, (long long)c->npending);
            reply_key(x->out, "pending");
            resp_add_array_len(x->out, want);
            for (size_t i = 0; i < g->npel && m < want; i++) {
                const snack *nk = &g->pel[i];
                if (nk->consumer != c) continue;
                resp_add_array_len(x->out, 3);
                reply_sid(x->out, &nk->id);
                resp_add_int(x->out, nk->delivery_time);
                resp_add_int(x->out, (long long)nk->delivery_count);
                m++;
            }
        }
    }
}

/* XINFO STREAM key [FULL [COUNT n]] | GROUPS key | CONSUMERS key group (HELP is the dispatcher's) */
void tx_xinfo(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    ks_view v;
    stream *s;
    int full = 0;
    long long count = 10;
    if (argc < 3) {
        reply_subcommand(x, argv[1], argl[1], "XINFO");
        return;
    }
    if (tx_open(x, &v, argv + 2, argl + 2, 1) != 0) return;
    if (!stream_get(x, &v, 0, 1, &s)) goto done;
    if (!s) {
        resp_add_status_error(x->out, RD_ERR_NOSUCHKEY);
        goto done;
    }
    if (arg_is(argv[1], argl[1], "consumers") && argc == 4) {
        sgroup *g = stream_group_find(s, argv[3], argl[3]);
        if (!g) {
            reply_error_names(x->out, RD_ERR_NOGROUP_KEY, argv[3], argl[3], argv[2], argl[2]);
            goto done;
        }
        resp_add_array_len(x->out, (long long)g->ncons);
        for (size_t i = 0; i < g->ncons; i++) {
            const sconsumer *c = g->consumers[i];
            int64_t idle = x->now - c->seen_time;
            reply_map_len(x->out, x->resp, 3);
            reply_key(x->out, "name");
            resp_add_bulk(x->out, c->name, c->nlen);
            reply_key(x->out, "pending");
            resp_add_int(x->out, (long long)c->npending);
            reply_key(x->out, "idle");
            resp_add_int(x->out, idle < 0 ? 0 : idle);
        }
    } else if (arg_is(argv[1], argl[1], "groups") && argc == 3) {
        resp_add_array_len(x->out, (long long)s->ngroups);
        for (size_t i = 0; i < s->ngroups; i++) {
            const sgroup *g = s->groups[i];
            reply_map_len(x->out, x->resp, 6);
            reply_key(x->out, "name");
            resp_add_bulk(x->out, g->name, g->nlen);
            reply_key(x->out, "consumers");
            resp_add_int(x->out, (long long)g->ncons);
            reply_key(x->out, "pending");
            resp_add_int(x->out, (long long)g->npel);
            reply_key(x->out, "last-delivered-id");
            reply_sid(x->out, &g->last_id);
            reply_key(x->out, "entries-read");
            reply_entries_read(x, g);
            reply_key(x->out, "lag");
            reply_lag(x, s, g);
        }
    } else if (arg_is(argv[1], argl[1], "stream")) {
        int optc = argc - 3;
        if (optc) {
            if ((optc != 1 && optc != 3) || !arg_is(argv[3], argl[3], "full") ||
                (optc == 3 && !arg_is(argv[4], argl[4], "count"))) {
                reply_subcommand(x, argv[1], argl[1], "XINFO");
                goto done;
            }
            if (optc == 3) {
                if (!arg_long(x, argv[5], argl[5], &count)) goto done;
                if (count < 0) count = 10;
            }
            full = 1;
        }
        xinfo_stream(x, s, full, count);
    } else {
        reply_subcommand(x, argv[1], argl[1], "XINFO");
    }
done:
    ks_view_close(&v);
}
