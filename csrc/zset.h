/* zset.h: what t_zset.c lends to the other commands built on sorted sets (t_geo.c): the ZADD
 * core, score lookups, a walk over a score range and building a sorted set to store.  A sorted
 * set object stays opaque here (void *: a key's value of type KS_TYPE_ZSET). */
#ifndef REDISTILL_ZSET_H
#define REDISTILL_ZSET_H

#include "platform.h"

#include <stddef.h>
#include "types.h"

enum { ZADD_NX = 1, ZADD_XX = 2, ZADD_GT = 4, ZADD_LT = 8, ZADD_CH = 16, ZADD_INCR = 32 };

/* ZADD's work once its arguments are parsed (zaddGenericCommand after the scores): n pairs,
 * member j at members[j * stride], into the sorted set at key; writes the whole reply. */
void zadd_scores(tx_ctx *x, const char *key, size_t klen, int flags, int n, const double *scores,
                 const char *const *members, const size_t *mlens, size_t stride);
/* getDoubleFromObject: 1 with *out when a..n is a float (no NaN), else 0. */
int zset_arg_double(const char *a, size_t n, double *out);
/* zsetScore: 1 with *score when member m is in z (z may be NULL), else 0. */
int zset_score(const void *z, const char *m, size_t n, double *score);
/* Calls fn on each element with min <= score < max, in order, until fn returns nonzero. */
typedef int (*zset_elem_fn)(void *ctx, const char *m, size_t n, double score);
void zset_each_in(const void *z, double min, double max, zset_elem_fn fn, void *ctx);
/* A sorted set built with zset_obj_new/zset_obj_add (types.h, shared with the RDB loader) is
 * freed, or stored as view key i with its count as the reply (when empty, key i is deleted and
 * the reply is 0), its encoding picked from its size and maxlen, the longest member
 * (zsetConvertToListpackIfNeeded); `event` its keyspace event. */
void zset_obj_free(void *z);
void zset_obj_store(tx_ctx *x, ks_view *v, int i, void *z, long long maxlen, const char *event);

#endif
