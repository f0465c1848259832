/* stream.h: the stream object (t_stream.c, t_stream_cg.c): entries in nodes, consumer groups. */
#ifndef REDISTILL_STREAM_H
#define REDISTILL_STREAM_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>
#include "types.h"

typedef struct sid {
    uint64_t ms, seq;
} sid;

/* A node: up to stream-node-max-entries entries / stream-node-max-bytes bytes, packed.  data
 * starts with the node's field names (its first entry's, varint count then varint length +
 * bytes each), then the entries: a flags byte (SE_DELETED, SE_SAME: the names are the node's),
 * the id as varint ms - master.ms and varint seq (seq - master.seq when the ms are equal), then
 * unless SE_SAME a varint field count, then per field [varint length + name] varint length +
 * value.  Deleting marks the flags byte (Redis's tombstone); a node whose entries are all
 * deleted goes. */
typedef struct snode {
    sid master;            /* the first entry's id */
    uint32_t live, dead;   /* entries present / marked deleted */
    uint32_t used, cap;    /* bytes of data */
    uint32_t first;        /* offset of the first entry (after the field names) */
    unsigned char data[];
} snode;

struct sgroup;

typedef struct stream {
    snode **nodes;
    size_t nnodes, ncap;
    uint64_t length;
    sid last_id, first_id, max_deleted;
    uint64_t entries_added;
    size_t mem;            /* usable bytes of every allocation below the struct, kept current */
    struct sgroup **groups; /* sorted by name (Redis's rax order) */
    size_t ngroups, gcap;
} stream;

/* A decoded entry: its id, flags, field count and where its fields start. */
typedef struct sentry {
    sid id;
    int flags;
    uint64_t nf;
    uint32_t off, fields, end; /* entry start, its fields, the next entry */
} sentry;

/* Walks fields of an entry: names from the node's field list when SE_SAME. */
typedef struct sfield_it {
    const unsigned char *names, *p;
    int same;
} sfield_it;

int sid_cmp(const sid *a, const sid *b);
/* Memory accounting wrappers: every allocation a stream owns goes through them. */
void *s_alloc(stream *s, size_t n);
void *s_realloc(stream *s, void *p, size_t n);
void s_free(stream *s, void *p);

/* Entry iteration: the first entry with id >= start (fwd) or <= end (rev). */
typedef struct siter {
    const stream *s;
    size_t node;
    uint32_t off;
    int rev;
    uint32_t *offs; /* rev: the current node's entry offsets */
    size_t noffs, ioff;
    sid start, end;
} siter;
void siter_start(siter *it, const stream *s, const sid *start, const sid *end, int rev);
/* The next live entry inside the range: 1 (e, n set) or 0 at the end. */
int siter_next(siter *it, sentry *e, const snode **n);
void siter_stop(siter *it);
void sfield_start(sfield_it *f, const snode *n, const sentry *e);
void sfield_next(sfield_it *f, const char **k, size_t *kl, const char **v, size_t *vl);

/* *2 id *2N f v ... */
void stream_reply_entry(tx_ctx *x, const snode *n, const sentry *e);
void reply_sid(rd_buf *out, const sid *id);
void reply_error_names(rd_buf *out, rd_status st, const char *a, size_t al, const char *b, size_t bl);
/* A length learnt after the body: the placeholder header at out[at..body) becomes `prefix` n. */
void reply_patch_len(rd_buf *out, size_t at, size_t body, char prefix, long long n);
/* The entry with exactly this id: 1 when present (not deleted). */
int stream_find(const stream *s, const sid *id, sentry *e, const snode **n);
/* Redis's streamEstimateDistanceFromFirstEverEntry; -1 when unknown. */
long long stream_estimate_read(const stream *s, const sid *id);
int stream_range_has_tombstones(const stream *s, const sid *start);
/* The last id of an entry still present (streamLastValidID), 0-0 when empty. */
void stream_last_valid(const stream *s, sid *id);

/* Parses an id argument (streamGenericParseIDOrReply): 0, or -1 after writing the error.
 * strict refuses "-" and "+"; seq_given (may be NULL) is cleared for "ms-*". */
int parse_sid(tx_ctx *x, const char *a, size_t n, sid *id, uint64_t missing_seq, int strict, int *seq_given);
/* XDEL/XACK's ids, argv[from..argc): stack (nstack ids) or a malloc'ed array, NULL after the error. */
sid *parse_ids(tx_ctx *x, int argc, const char **argv, const size_t *argl, int from, sid *stack, int nstack);
/* A range bound: "(" excludes it (the next / previous id); start or end of the interval. */
int parse_interval(tx_ctx *x, const char *a, size_t n, sid *id, int start);
void format_sid(char *buf, size_t cap, const sid *id, size_t *len);

/* Consumer groups (t_stream_cg.c).  A pending entry (NACK) is in its group's PEL, sorted by id;
 * a consumer's own PEL is the group's entries that name it. */
struct sconsumer;
typedef struct snack {
    sid id;
    int64_t delivery_time;
    uint64_t delivery_count;
    struct sconsumer *consumer;
} snack;

typedef struct sconsumer {
    int64_t seen_time;
    size_t npending;
    size_t nlen;
    char name[];
} sconsumer;

typedef struct sgroup {
    sid last_id;
    long long entries_read; /* -1: unknown (SCG_INVALID_ENTRIES_READ) */
    snack *pel;             /* sorted by id: pel_mem + pel_off (XACK of the oldest moves the start) */
    snack *pel_mem;         /* the allocation: pcap entries */
    size_t npel, pcap, pel_off;
    sconsumer **consumers;  /* sorted by name */
    size_t ncons, ccap;
    size_t nlen;
    char name[];
} sgroup;

sgroup *stream_group_find(const stream *s, const char *name, size_t n);
/* streamLookupConsumer (seen_time refreshed) or, with create, streamCreateConsumer (its event on
 * key); NULL on nomem. */
sconsumer *group_consumer(stream *s, sgroup *g, const char *name, size_t n, int create, int64_t now,
                          const char *key, size_t klen);
/* XREADGROUP delivering entry id to c: the group's last id and read counter, and (unless noack)
 * its NACK.  0, -1 nomem. */
int group_deliver(stream *s, sgroup *g, sconsumer *c, const sid *id, int noack, int64_t now);
/* XREADGROUP with an id: the consumer's pending entries after start, at most count (0 = all). */
void reply_consumer_history(tx_ctx *x, stream *s, sgroup *g, sconsumer *c, const sid *start, long long count);
void stream_groups_free(stream *s);
int stream_groups_dup(stream *dst, const stream *src);
/* Key i of the view as a stream: 1 (*s NULL when absent), 0 after WRONGTYPE. */
int stream_get(tx_ctx *x, ks_view *v, int i, int read, stream **s);
stream *stream_new(void);
void stream_free_obj(void *o);
/* XREADGROUP's part of XREAD's handler. */
void stream_xread(tx_ctx *x, int argc, const char **argv, const size_t *argl, int group);

/* The RDB loader (rdb_stream.c): an entry appended (0; 1 when id is not above the last one; -1
 * nomem); a group created (NULL: the name exists, or *nomem); a pending entry added in id order
 * (NULL: already there, or nomem) and found; a pending entry given to a consumer. */
int stream_obj_append(stream *s, const sid *id, int nf, const char **argv, const size_t *argl);
sgroup *stream_group_add(stream *s, const char *name, size_t n, const sid *last, long long entries_read,
                         int *nomem);
snack *stream_pel_add(stream *s, sgroup *g, const sid *id);
snack *stream_pel_find(sgroup *g, const sid *id);
void stream_nack_assign(snack *k, sconsumer *c);

/* A stream entry is being freed (stream_type_ops.key_freed) (deleted, overwritten, expired, evicted): while clients are
 * blocked its key is queued for rd_stream_freed_keys.  Any thread; no stripe lock held. */
void stream_freed(const char *key, size_t n);

#endif
