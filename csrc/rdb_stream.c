/* rdb_stream.c: a stream in Redis 7.0's RDB encoding (RDB_TYPE_STREAM_LISTPACKS_2; type 15 is read
 * too): its entries as Redis's stream listpacks (t_stream.c's layout), each keyed by its master ID,
 * then the stream's IDs and counters, then the consumer groups with their pending entries and
 * consumers.
 *
 * Saving lays the live entries out as Redis's streamAppendItem fills its listpacks (a new one when
 * the bytes plus the new entry's field and value bytes reach stream-node-max-bytes, or the entries
 * reach stream-node-max-entries), so a stream built by XADD dumps as Redis's does.  Entries deleted
 * here are gone (Redis keeps tombstones in its listpacks): the counters saved keep what they mean.
 * Loading rebuilds the stream from the live entries, checking each listpack entry by entry. */
#include "rdb.h"

#include "stream.h"
#include "types.h"

#include <stdlib.h>
#include <string.h>

enum { SF_DELETED = 1, SF_SAMEFIELDS = 2 }; /* STREAM_ITEM_FLAG_* */
#define STREAM_LISTPACK_MAX_SIZE (1u << 30)

/* ==== saving ================================================================================== */

/* The bytes lpAppendInteger takes for v: its encoding and backlen. */
static size_t lp_int_size(int64_t v) {
    if (v >= 0 && v <= 127) return 2;
    if (v >= -4096 && v <= 4095) return 3;
    if (v >= -32768 && v <= 32767) return 4;
    if (v >= -8388608 && v <= 8388607) return 5;
    if (v >= INT32_MIN && v <= INT32_MAX) return 6;
    return 10;
}

static void put_id(rd_buf *b, const sid *id) { /* 128 bits, big-endian: a rax key */
    unsigned char k[16];
    for (int i = 0; i < 8; i++) {
        k[i] = (unsigned char)(id->ms >> (56 - 8 * i));
        k[8 + i] = (unsigned char)(id->seq >> (56 - 8 * i));
    }
    buf_append(b, k, 16);
}

/* The listpack being filled: its master entry's fields apart, as the count in front of them
 * grows with every entry; the entries after them. */
typedef struct node_saver {
    rd_buf *out; /* every finished listpack, with its key */
    uint64_t nodes;
    int open;
    sid master;
    rdb_lp fields;  /* the master fields, as listpack elements */
    uint64_t nf;
    rdb_lp entries; /* the entries, as listpack elements */
    uint64_t count;
    size_t max_bytes;
    long long max_entries;
} node_saver;

static size_t node_bytes(const node_saver *ns) {
    return 7 + lp_int_size((int64_t)ns->count) + lp_int_size(0) + lp_int_size((int64_t)ns->nf) +
           (ns->fields.b.len - 6) + lp_int_size(0) + (ns->entries.b.len - 6);
}

static void node_close(node_saver *ns) {
    rdb_lp lp;
    if (!ns->open) return;
    rdb_lp_begin(&lp);
    rdb_lp_add_int(&lp, (int64_t)ns->count);
    rdb_lp_add_int(&lp, 0); /* deleted */
    rdb_lp_add_int(&lp, (int64_t)ns->nf);
    buf_append(&lp.b, ns->fields.b.data + 6, ns->fields.b.len - 6);
    rdb_lp_add_int(&lp, 0); /* the master entry's terminator */
    buf_append(&lp.b, ns->entries.b.data + 6, ns->entries.b.len - 6);
    lp.count += ns->fields.count + ns->entries.count;
    {
        rd_buf key;
        buf_init(&key);
        put_id(&key, &ns->master);
        rdb_save_string(ns->out, key.data, key.len);
        if (key.failed) ns->out->failed = 1;
        buf_release(&key);
    }
    rdb_lp_save(ns->out, &lp);
    buf_release(&ns->fields.b);
    buf_release(&ns->entries.b);
    ns->nodes++;
    ns->open = 0;
}

/* Does the entry's field list equal the master entry's? */
static int same_as_master(const node_saver *ns, const snode *n, const sentry *e) {
    sfield_it f;
    rdb_lp check;
    int same;
    if (e->nf != ns->nf) return 0;
    rdb_lp_begin(&check);
    sfield_start(&f, n, e);
    for (uint64_t i = 0; i < e->nf; i++) {
        const char *k, *v;
        size_t kl, vl;
        sfield_next(&f, &k, &kl, &v, &vl);
        rdb_lp_add(&check, k, kl);
    }
    same = !check.b.failed && check.b.len == ns->fields.b.len &&
           memcmp(check.b.data + 6, ns->fields.b.data + 6, check.b.len - 6) == 0;
    buf_release(&check.b);
    return same;
}

static void save_entry(node_saver *ns, const snode *n, const sentry *e) {
    sfield_it f;
    size_t total = 0;
    int same;
    sfield_start(&f, n, e);
    for (uint64_t i = 0; i < e->nf; i++) {
        const char *k, *v;
        size_t kl, vl;
        sfield_next(&f, &k, &kl, &v, &vl);
        total += kl + vl;
    }
    if (ns->open && (node_bytes(ns) + total >= ns->max_bytes ||
                     (ns->max_entries && (long long)ns->count >= ns->max_entries)))
        node_close(ns);
    if (!ns->open) { /* a new listpack: this entry's fields are its master fields */
        ns->open = 1;
        ns->master = e->id;
        ns->count = 0;
        ns->nf = e->nf;
        rdb_lp_begin(&ns->fields);
        rdb_lp_begin(&ns->entries);
        sfield_start(&f, n, e);
        for (uint64_t i = 0; i < e->nf; i++) {
            const char *k, *v;
            size_t kl, vl;
            sfield_next(&f, &k, &kl, &v, &vl);
            rdb_lp_add(&ns->fields, k, kl);
        }
    }
    same = same_as_master(ns, n, e);
    rdb_lp_add_int(&ns->entries, same ? SF_SAMEFIELDS : 0);
    rdb_lp_add_int(&ns->entries, (int64_t)(e->id.ms - ns->master.ms));
    rdb_lp_add_int(&ns->entries, (int64_t)(e->id.seq - ns->master.seq));
    if (!same) rdb_lp_add_int(&ns->entries, (int64_t)e->nf);
    sfield_start(&f, n, e);
    for (uint64_t i = 0; i < e->nf; i++) {
        const char *k, *v;
        size_t kl, vl;
        sfield_next(&f, &k, &kl, &v, &vl);
        if (!same) rdb_lp_add(&ns->entries, k, kl);
        rdb_lp_add(&ns->entries, v, vl);
    }
    rdb_lp_add_int(&ns->entries, (int64_t)(e->nf + 3 + (same ? 0 : e->nf + 1))); /* lp-count */
    ns->count++;
}

static void save_pel_id(rd_buf *b, const sid *id) { put_id(b, id); } /* raw, not a string */

static void save_group(rd_buf *b, const sgroup *g) {
    rdb_save_string(b, g->name, g->nlen);
    rdb_save_len(b, g->last_id.ms);
    rdb_save_len(b, g->last_id.seq);
    rdb_save_len(b, (uint64_t)g->entries_read); /* -1 (unknown) as Redis writes it: 2^64 - 1 */
    rdb_save_len(b, g->npel);
    for (size_t i = 0; i < g->npel; i++) {
        save_pel_id(b, &g->pel[i].id);
        rdb_save_millis(b, g->pel[i].delivery_time);
        rdb_save_len(b, g->pel[i].delivery_count);
    }
    rdb_save_len(b, g->ncons);
    for (size_t c = 0; c < g->ncons; c++) {
        const sconsumer *con = g->consumers[c];
        rdb_save_string(b, con->name, con->nlen);
        rdb_save_millis(b, con->seen_time);
        rdb_save_len(b, con->npending);
        for (size_t i = 0; i < g->npel; i++)
            if (g->pel[i].consumer == con) save_pel_id(b, &g->pel[i].id);
    }
}

int rdb_save_stream(rd_buf *b, const void *obj) {
    const stream *s = obj;
    rd_buf nodes;
    node_saver ns;
    siter it;
    sentry e;
    const snode *n;
    sid lo = {0, 0}, hi = {UINT64_MAX, UINT64_MAX};
    long long max_bytes = ks_type_config[RD_CFG_STREAM_NODE_MAX_BYTES];
    memset(&ns, 0, sizeof ns);
    buf_init(&nodes);
    ns.out = &nodes;
    ns.max_bytes = max_bytes <= 0 || max_bytes > STREAM_LISTPACK_MAX_SIZE ? STREAM_LISTPACK_MAX_SIZE : (size_t)max_bytes;
    ns.max_entries = ks_type_config[RD_CFG_STREAM_NODE_MAX_ENTRIES];
    siter_start(&it, s, &lo, &hi, 0);
    while (siter_next(&it, &e, &n)) save_entry(&ns, n, &e);
    siter_stop(&it);
    node_close(&ns);
    rdb_save_len(b, ns.nodes);
    buf_append(b, nodes.data, nodes.len);
    if (nodes.failed) b->failed = 1;
    buf_release(&nodes);
    rdb_save_len(b, s->length);
    rdb_save_len(b, s->last_id.ms);
    rdb_save_len(b, s->last_id.seq);
    rdb_save_len(b, s->first_id.ms);
    rdb_save_len(b, s->first_id.seq);
    rdb_save_len(b, s->max_deleted.ms);
    rdb_save_len(b, s->max_deleted.seq);
    rdb_save_len(b, s->entries_added);
    rdb_save_len(b, s->ngroups);
    for (size_t i = 0; i < s->ngroups; i++) save_group(b, s->groups[i]);
    return b->failed ? -1 : 0;
}

/* ==== loading ================================================================================= */

static int next_int(rdb_reader *r, rdb_lp_it *it, long long *v) {
    rdb_elem e;
    if (rdb_lp_next(it, &e) != 1 || !e.is_int) return rdb_fail(r, "invalid stream listpack");
    *v = e.v;
    return 0;
}

/* Strings read from a listpack, kept (an integer's text lives in its rdb_elem). */
typedef struct elems {
    rdb_elem *e;
    size_t n, cap;
} elems;

static int read_strings(rdb_reader *r, rdb_lp_it *it, elems *a, uint64_t n) {
    a->n = 0;
    if (n > (uint64_t)(it->end - it->p)) return rdb_fail(r, "invalid stream listpack"); /* 1 byte each at least */
    if (n > a->cap) {
        rdb_elem *e = realloc(a->e, (size_t)n * sizeof *e);
        if (!e) return rdb_fail(r, "allocation failure");
        a->e = e;
        a->cap = (size_t)n;
    }
    for (; a->n < n; a->n++) {
        if (rdb_lp_next(it, &a->e[a->n]) != 1) return rdb_fail(r, "invalid stream listpack");
        if (a->e[a->n].is_int) a->e[a->n].p = a->e[a->n].num; /* its own copy, not the iterator's */
    }
    return 0;
}

/* One listpack's entries, the live ones appended to s. */
static int load_node(rdb_reader *r, stream *s, const sid *master, const rdb_str *lp, elems *fields, elems *vals) {
    rdb_lp_it it;
    uint32_t num;
    long long count, deleted, nf, zero, seen = 0;
    const char **argv = NULL;
    size_t *argl = NULL;
    int rc = -1;
    if (rdb_lp_open(&it, lp, &num) != 0) return rdb_fail(r, "invalid stream listpack");
    if (next_int(r, &it, &count) || next_int(r, &it, &deleted) || next_int(r, &it, &nf)) return -1;
    if (nf < 0 || count < 0 || deleted < 0 || read_strings(r, &it, fields, (uint64_t)nf) ||
        next_int(r, &it, &zero))
        return -1;
    if (zero != 0) return rdb_fail(r, "invalid stream listpack");
    while (it.p != it.end) {
        long long flags, dms, dseq, enf, lpc;
        sid id;
        const elems *names = fields;
        if (next_int(r, &it, &flags) || next_int(r, &it, &dms) || next_int(r, &it, &dseq)) goto out;
        id.ms = master->ms + (uint64_t)dms;
        id.seq = master->seq + (uint64_t)dseq;
        if (flags & SF_SAMEFIELDS) {
            enf = nf;
        } else if (next_int(r, &it, &enf) != 0) {
            goto out;
        }
        if (enf < 0 || read_strings(r, &it, vals, (uint64_t)enf * ((flags & SF_SAMEFIELDS) ? 1 : 2)) ||
            next_int(r, &it, &lpc))
            goto out;
        if (lpc != enf + 3 + ((flags & SF_SAMEFIELDS) ? 0 : enf + 1)) {
            rdb_fail(r, "invalid stream listpack");
            goto out;
        }
        seen++;
        if (flags & SF_DELETED) continue;
        free(argv);
        free(argl);
        argv = malloc(((size_t)enf * 2 + 1) * sizeof *argv);
        argl = malloc(((size_t)enf * 2 + 1) * sizeof *argl);
        if (!argv || !argl) {
            rdb_fail(r, "allocation failure");
            goto out;
        }
        for (long long i = 0; i < enf; i++) {
            const rdb_elem *k = (flags & SF_SAMEFIELDS) ? &names->e[i] : &vals->e[2 * i];
            const rdb_elem *v = &vals->e[(flags & SF_SAMEFIELDS) ? i : 2 * i + 1];
            argv[2 * i] = k->p;
            argl[2 * i] = k->n;
            argv[2 * i + 1] = v->p;
            argl[2 * i + 1] = v->n;
        }
        int st = stream_obj_append(s, &id, (int)enf, argv, argl);
        if (st != 0) {
            rdb_fail(r, st > 0 ? "stream entries out of order" : "allocation failure");
            goto out;
        }
    }
    if (seen != count + deleted || (num != 65535 && num != it.count)) {
        rdb_fail(r, "stream listpack counts mismatch");
        goto out;
    }
    if (seen == 0) {
        rdb_fail(r, "empty listpack inside stream");
        goto out;
    }
    rc = 0;
out:
    free(argv);
    free(argl);
    return rc;
}

static int load_u64(rdb_reader *r, uint64_t *v) { return rdb_load_len(r, v, NULL); }

static int load_raw_id(rdb_reader *r, sid *id) {
    unsigned char k[16];
    if ((size_t)(r->end - r->p) < 16) return rdb_fail(r, "unexpected end of data");
    memcpy(k, r->p, 16);
    r->p += 16;
    id->ms = id->seq = 0;
    for (int i = 0; i < 8; i++) {
        id->ms = id->ms << 8 | k[i];
        id->seq = id->seq << 8 | k[8 + i];
    }
    return 0;
}

static int load_group(rdb_reader *r, stream *s, int rdbtype) {
    rdb_str name;
    sid last;
    uint64_t entries_read, npel, ncons;
    sgroup *g;
    int nomem;
    if (rdb_load_string(r, &name) != 0) return -1;
    if (load_u64(r, &last.ms) || load_u64(r, &last.seq)) {
        rdb_str_free(&name);
        return -1;
    }
    if (rdbtype == RDB_TYPE_STREAM_LISTPACKS_2) {
        if (load_u64(r, &entries_read)) {
            rdb_str_free(&name);
            return -1;
        }
    } else {
        entries_read = (uint64_t)stream_estimate_read(s, &last);
    }
    g = stream_group_add(s, name.p, name.n, &last, (long long)entries_read, &nomem);
    rdb_str_free(&name);
    if (!g) return rdb_fail(r, nomem ? "allocation failure" : "duplicated consumer group name");
    if (load_u64(r, &npel)) return -1;
    for (uint64_t i = 0; i < npel; i++) {
        sid id;
        snack *k;
        uint64_t cnt;
        int64_t t;
        if (load_raw_id(r, &id) || rdb_load_millis(r, &t) || load_u64(r, &cnt)) return -1;
        if (!(k = stream_pel_add(s, g, &id)))
            return rdb_fail(r, stream_pel_find(g, &id) ? "duplicated global PEL entry" : "allocation failure");
        k->delivery_time = t;
        k->delivery_count = cnt;
    }
    if (load_u64(r, &ncons)) return -1;
    for (uint64_t c = 0; c < ncons; c++) {
        rdb_str cname;
        sconsumer *con;
        int64_t seen;
        if (rdb_load_string(r, &cname) != 0) return -1;
        if (group_consumer(s, g, cname.p, cname.n, -1, 0, NULL, 0)) {
            rdb_str_free(&cname);
            return rdb_fail(r, "duplicate stream consumer");
        }
        con = group_consumer(s, g, cname.p, cname.n, 1, 0, NULL, 0);
        rdb_str_free(&cname);
        if (!con) return rdb_fail(r, "allocation failure");
        if (rdb_load_millis(r, &seen) || load_u64(r, &npel)) return -1;
        con->seen_time = seen;
        for (uint64_t i = 0; i < npel; i++) {
            sid id;
            snack *k;
            if (load_raw_id(r, &id) != 0) return -1;
            if (!(k = stream_pel_find(g, &id))) return rdb_fail(r, "consumer entry not found in group global PEL");
            if (k->consumer) return rdb_fail(r, "a pending entry with two consumers");
            stream_nack_assign(k, con);
        }
    }
    for (size_t i = 0; i < g->npel; i++)
        if (!g->pel[i].consumer) return rdb_fail(r, "a pending entry without a consumer");
    return 0;
}

int rdb_load_stream(rdb_reader *r, int rdbtype, void **obj) {
    stream *s = stream_new();
    elems fields = {0}, vals = {0};
    uint64_t nodes, length, ngroups;
    sid last, first = {0, 0}, maxdel = {0, 0};
    uint64_t added;
    int rc = -1;
    if (!(*obj = s)) return rdb_fail(r, "allocation failure");
    if (load_u64(r, &nodes)) goto out;
    while (nodes--) {
        rdb_str key, lp;
        sid master;
        if (rdb_load_string(r, &key) != 0) goto out;
        if (key.n != 16) {
            rdb_str_free(&key);
            rdb_fail(r, "stream node key is not a stream ID");
            goto out;
        }
        master.ms = master.seq = 0;
        for (int i = 0; i < 8; i++) {
            master.ms = master.ms << 8 | (unsigned char)key.p[i];
            master.seq = master.seq << 8 | (unsigned char)key.p[8 + i];
        }
        rdb_str_free(&key);
        if (rdb_load_string(r, &lp) != 0) goto out;
        rc = load_node(r, s, &master, &lp, &fields, &vals);
        rdb_str_free(&lp);
        if (rc != 0) goto out;
        rc = -1;
    }
    if (load_u64(r, &length) || load_u64(r, &last.ms) || load_u64(r, &last.seq)) goto out;
    if (rdbtype == RDB_TYPE_STREAM_LISTPACKS_2) {
        if (load_u64(r, &first.ms) || load_u64(r, &first.seq) || load_u64(r, &maxdel.ms) ||
            load_u64(r, &maxdel.seq) || load_u64(r, &added))
            goto out;
    } else {
        first = s->first_id;
        added = length;
    }
    if (length != s->length) {
        rdb_fail(r, "stream length inconsistent with its entries");
        goto out;
    }
    if (s->length && sid_cmp(&last, &s->last_id) < 0) {
        rdb_fail(r, "stream last ID below an entry's");
        goto out;
    }
    s->last_id = last;
    (void)first; /* the first live entry's, as Redis keeps it: the entries say it already */
    if (!s->length) s->first_id = (sid){0, 0};
    s->max_deleted = maxdel;
    s->entries_added = added;
    if (load_u64(r, &ngroups)) goto out;
    while (ngroups--)
        if (load_group(r, s, rdbtype) != 0) goto out;
    rc = 0;
out:
    free(fields.e);
    free(vals.e);
    return rc;
}
