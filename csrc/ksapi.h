/* ksapi.h: the keyspace calls the rest of csrc/ makes (keyspace.c, ks_string.c, ks_keys.c): string and key
 * operations under the stripe locks, prefetch hints, big-value adoption, and ks_view, the
 * locked view type commands work through.  The layout itself is keyspace.h. */
#ifndef REDISTILL_KSAPI_H
#define REDISTILL_KSAPI_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>
#include "redistill.h"

/* Receives a value while the stripe lock is held, so the fast path can copy it
 * straight into a reply.  v == NULL means "no string here" (MGET only): n is 0
 * for a missing key, 1 for a key of another type.
 * Returns 0, or -1 when it could not store the bytes (allocation failure). */
typedef int (*ks_sink)(void *ctx, const char *v, size_t n);

rd_status ks_get(rd_keyspace *ks, const char *key, size_t klen, int64_t now,
                 ks_sink fn, void *ctx);
rd_status ks_set(rd_keyspace *ks, const char *key, size_t klen, const char *val, size_t vlen,
                 int flags, int64_t expire_at, int64_t now, ks_sink old_fn, void *old_ctx,
                 int *old_found);
/* GETEX / GETDEL: fn gets key's string (NULL fn: the lookup alone), then mode (RD_GETEX_*) applies. */
rd_status ks_getex(rd_keyspace *ks, const char *key, size_t klen, int mode, int64_t at_ms, int64_t now,
                   ks_sink fn, void *ctx);
rd_status ks_incrby(rd_keyspace *ks, const char *key, size_t klen, int64_t delta, int64_t now,
                    int64_t *result);
/* GETRANGE: fn gets the slice by Redis's index rules (maybe empty) under the lock.
 * RD_OK, RD_NOT_FOUND, RD_ERR_WRONGTYPE, RD_ERR_NOMEM (fn failed). */
rd_status ks_getrange(rd_keyspace *ks, const char *key, size_t klen, int64_t start, int64_t end,
                      int64_t now, ks_sink fn, void *ctx);
/* SETRANGE (offset >= 0) / APPEND (offset -1): rd_ks_setrange at the command's clock. */
rd_status ks_setrange(rd_keyspace *ks, const char *key, size_t klen, int64_t offset, const char *val,
                      size_t vlen, uint64_t max_len, int64_t now, int64_t *newlen);
/* INCRBYFLOAT: the new value's text (as Redis formats it) in text[KS_MAX_FLOAT_CHARS], *tlen
 * bytes.  RD_OK, RD_ERR_WRONGTYPE, RD_ERR_NOTFLOAT, RD_ERR_NANINF, RD_ERR_NOMEM. */
rd_status ks_incrbyfloat(rd_keyspace *ks, const char *key, size_t klen, const char *incr, size_t ilen,
                         int64_t now, char *text, size_t *tlen);
rd_status ks_del(rd_keyspace *ks, const char *key, size_t klen, int64_t now);
rd_status ks_exists(rd_keyspace *ks, const char *key, size_t klen, int64_t now);
/* DEL / EXISTS / TOUCH of several keys (op: RD_MULTI_*), all their stripes locked together. */
rd_status ks_multi(rd_keyspace *ks, int op, int nkeys, const char *const *keys, const size_t *klens,
                   int64_t now, int64_t *count);
/* Multi-key calls take `stride` so argv-style interleaved arrays work without copying:
 * key i is keys[i * stride]. */
rd_status ks_mset(rd_keyspace *ks, int npairs, const char *const *keys, const size_t *klens,
                  const char *const *vals, const size_t *vlens, size_t stride, int64_t now);
/* MSETNX: every pair written together only if none of the keys exists: RD_OK, RD_NOT_DONE
 * (some key existed), RD_ERR_NOMEM. */
rd_status ks_msetnx(rd_keyspace *ks, int npairs, const char *const *keys, const size_t *klens,
                    const char *const *vals, const size_t *vlens, size_t stride, int64_t now);
/* MGET: calls fn once per key, in order, with every involved stripe locked. */
rd_status ks_mget(rd_keyspace *ks, int nkeys, const char *const *keys, const size_t *klens,
                  int64_t now, ks_sink fn, void *ctx);

/* Prefetching a batch's keys (conn.c): hash, then bucket (a lock-free hint),
 * then the chain's first entry (under the lock). */
uint64_t ks_hash(rd_keyspace *ks, const char *key, size_t klen);
void ks_prefetch_bucket(rd_keyspace *ks, uint64_t h);
void ks_prefetch_entry(rd_keyspace *ks, uint64_t h);
/* h = ks_hash(ks, key, klen) for the command about to run: its keyspace call
 * reuses it.  ks_set_hint(NULL, NULL, 0, 0) right after the command. */
void ks_set_hint(rd_keyspace *ks, const char *key, size_t klen, uint64_t h);
/* A big SET value read straight into its own block (conn.c), as Redis reads a
 * big bulk into the object it stores: the block is malloc'd, the value sits
 * ks_adopt_room(klen) bytes from its start, and the block holds nothing else
 * that is still needed.  ks_adopt_offer before the command; ks_set then builds
 * the entry in that block instead of copying the value (the key moves in front
 * of it).  ks_adopt_taken() after it: 1 when an entry took the block (the
 * caller forgets it, and the command's argument pointers into it), and clears
 * the offer.  One per thread. */
size_t ks_adopt_room(size_t klen);
void ks_adopt_offer(char *block, const char *val, size_t vlen);
int ks_adopt_taken(void);

/* A type command's keys, all their stripes locked together (ascending, rule 2)
 * for the whole command.  ks_view_close unlocks, then frees what was removed. */
typedef struct ks_view {
    rd_keyspace *ks;
    int64_t now;
    int n;
    const char *const *keys;
    const size_t *klens;
    uint64_t *hs, hstack[8];
    void *dead;        /* entries to free after unlocking */
    uint64_t set[16];  /* locked stripes, one bit each (KS_NSHARDS bits); unused when n == 1 */
} ks_view;

rd_status ks_view_open(ks_view *v, rd_keyspace *ks, int n, const char *const *keys,
                       const size_t *klens);
void ks_view_close(ks_view *v);
/* Key i's object of `type`: RD_OK (*obj set), RD_NOT_FOUND, RD_ERR_WRONGTYPE.
 * Counts a keyspace hit or miss when `read`; touches the access clock. */
rd_status ks_view_get(ks_view *v, int i, int type, int read, void **obj);
/* Stores obj as key i's value: a new key, or replacing any old value and its
 * expiry (SUNIONSTORE).  The entry owns obj from here on (freed on RD_ERR_NOMEM). */
rd_status ks_view_put(ks_view *v, int i, int type, void *obj);
/* Key i's object was changed in place: WATCH hook, memory recount, and the key
 * is deleted once its collection is empty (as Redis). */
void ks_view_changed(ks_view *v, int i);
/* The same recount for a change Redis does not count as a write of the key for WATCH (a stream's
 * consumer groups: XREADGROUP, XACK, XCLAIM, XGROUP SETID...). */
void ks_view_resized(ks_view *v, int i);
/* Key i's value becomes obj, of its type still (the object grew into another allocation: a hash
 * whose first field gets a TTL); ks_view_changed recounts it. */
void ks_view_set_obj(ks_view *v, int i, void *obj);
/* An item of key i's collection got a TTL: the active expiry visits its stripe (expire_items). */
void ks_view_item_ttls(ks_view *v, int i);
/* Used memory is past maxmemory: type commands then go to Python, which admits
 * (evicts, or refuses denyoom commands with -OOM) before running them, as Redis. */
int ks_over_maxmemory(rd_keyspace *ks);
/* Deletes key i (any type): 1 if it existed. */
int ks_view_delete(ks_view *v, int i);
/* The bit commands' strings (ks_string.c).  Pointers stay valid until the view closes, or
 * until the next call that writes key i.  Key i's string: RD_OK with *val and *len,
 * RD_NOT_FOUND, RD_ERR_WRONGTYPE; counts a hit or miss when `read`. */
rd_status ks_view_str(ks_view *v, int i, int read, const char **val, size_t *len);
/* Key i's string to write in place, at least n bytes long (created, or grown zero-filled, as
 * Redis's lookupStringForBitCommand): RD_OK with *val, *len and *grown (created or longer),
 * RD_ERR_WRONGTYPE, RD_ERR_NOMEM.  No WATCH signal: ks_view_str_changed after a real change. */
rd_status ks_view_str_room(ks_view *v, int i, size_t n, char **val, size_t *len, int *grown);
void ks_view_str_changed(ks_view *v, int i);
/* Key i becomes a new n-byte string without expiry, replacing any value (Redis's setKey);
 * the caller fills *val before the view closes. */
rd_status ks_view_str_new(ks_view *v, int i, size_t n, char **val);
/* Key i's string (it exists) becomes the n bytes at val, keeping its expiry, as Redis edits an sds in
 * place (HyperLogLog): in its chunk when they fit, else grown with APPEND's slack, or with `exact` into
 * a chunk of their size.  RD_OK, RD_NOT_FOUND, RD_ERR_WRONGTYPE, RD_ERR_NOMEM.  No WATCH signal:
 * ks_view_str_changed after a change Redis signals. */
rd_status ks_view_str_set(ks_view *v, int i, const char *val, size_t n, int exact);

/* DUMP: key i whatever its type: RD_OK with *type and a string's val and len or a collection's
 * *obj (valid until the view closes), or RD_NOT_FOUND; counts a hit or miss when `read`. */
rd_status ks_view_any(ks_view *v, int i, int read, int *type, void **obj, const char **val, size_t *len);
/* RESTORE: key i becomes a new value of `type` (a string's n bytes copied from str, or obj, which
 * the entry owns from here on: freed on RD_ERR_NOMEM) expiring at `expire` (0: never).  An old
 * value is deleted first (Redis's dbDelete + dbAdd: no access history kept); then freq / idle_ms
 * (-1: not given) set the access clock as the maxmemory-policy reads it. */
rd_status ks_view_restore(ks_view *v, int i, int type, void *obj, const char *str, size_t n, int64_t expire,
                          long long freq, long long idle_ms);

/* OBJECT under the maxmemory-policy (evict.c): 1 under an LFU policy (FREQ served, IDLETIME
 * refused); 1 when values 0..9999 count as Redis's shared integers (OBJECT REFCOUNT). */
int ks_lfu_policy(rd_keyspace *ks);
int ks_shared_integers(rd_keyspace *ks);
/* The keyspace's gate (gate.h), for a worker's batches. */
struct ks_gate *ks_gate_of(rd_keyspace *ks);

/* The keyspace's random source (SPOP, RANDOMKEY and the like). */
uint64_t ks_random64(void);

#endif
