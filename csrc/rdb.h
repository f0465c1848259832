/* rdb.h: Redis 7.0's RDB value encoding, version 10 (rdb.c): the serializer behind DUMP and
 * MIGRATE, the loader behind RESTORE, and the pieces an RDB file is made of (lengths, strings
 * with LZF, listpacks), so a snapshot writer and loader reuse them key by key. */
#ifndef REDISTILL_RDB_H
#define REDISTILL_RDB_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define RDB_VERSION 10

/* Object type bytes (Redis's RDB_TYPE_*): every one Redis 7.0 loads, modules aside. */
enum {
    RDB_TYPE_STRING = 0, RDB_TYPE_LIST = 1, RDB_TYPE_SET = 2, RDB_TYPE_ZSET = 3, RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5, RDB_TYPE_HASH_ZIPMAP = 9, RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11, RDB_TYPE_ZSET_ZIPLIST = 12, RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14, RDB_TYPE_STREAM_LISTPACKS = 15, RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17, RDB_TYPE_LIST_QUICKLIST_2 = 18, RDB_TYPE_STREAM_LISTPACKS_2 = 19
};

/* ---- writing: each appends to b (b->failed is sticky on allocation failure) ---- */
void rdb_save_len(rd_buf *b, uint64_t len);
/* rdbSaveRawString with rdbcompression on: a small integer as its encoding, more than 20 bytes
 * LZF-compressed when that saves at least 4, else length and bytes. */
void rdb_save_string(rd_buf *b, const char *s, size_t n);
void rdb_save_millis(rd_buf *b, int64_t ms);
/* The object type byte and the value of a key of KS_TYPE_* `type`: a string's n bytes at s, or
 * a collection's object.  0, or -1 when b failed. */
int rdb_save_value(rd_buf *b, int type, const void *obj, const char *s, size_t n);
/* DUMP's payload: the value, then RDB_VERSION (2 bytes) and the CRC64 of all before (8 bytes),
 * both little-endian. */
int rdb_dump_payload(rd_buf *b, int type, const void *obj, const char *s, size_t n);

/* ---- reading: a cursor over bytes in memory; every read is bounds-checked ---- */
typedef struct rdb_reader {
    const unsigned char *p, *end;
    const unsigned char *start; /* for offsets in error reports */
    const char *err;            /* why the last read failed (a static text) */
} rdb_reader;

/* A string read from an RDB stream: p points into the input, into num, or into heap (LZF). */
typedef struct rdb_str {
    const char *p;
    size_t n;
    char *heap;
    char num[24];
} rdb_str;

void rdb_reader_init(rdb_reader *r, const void *p, size_t n);
int rdb_load_len(rdb_reader *r, uint64_t *len, int *encoded);
int rdb_load_string(rdb_reader *r, rdb_str *s);
void rdb_str_free(rdb_str *s);
int rdb_load_millis(rdb_reader *r, int64_t *ms);

/* One key's value: a KS_TYPE_* with its object, or a string's len bytes at `bytes`: in the input
 * itself when it was stored plain (valid as long as the input is: no copy of a big value), else in
 * str, which the value owns. */
typedef struct rdb_value {
    int type;
    void *obj;
    const char *bytes;
    char *str;
    size_t len;
} rdb_value;

/* Reads an object type byte and its value: 0, or -1 with r->err (corrupt, truncated, a type
 * Redistill has no object for, an empty collection, allocation failure).  Nothing leaks on -1. */
int rdb_load_value(rdb_reader *r, rdb_value *v);
void rdb_value_free(rdb_value *v);
/* verifyDumpPayload: length, version (at most RDB_VERSION) and CRC64.  1 valid. */
int rdb_verify_payload(const void *p, size_t n);

/* ---- listpacks (listpack.c's layout), for the types that save them (rdb_stream.c too) ---- */
typedef struct rdb_lp {
    rd_buf b;
    size_t count;
} rdb_lp;

void rdb_lp_begin(rdb_lp *w);
/* lpAppend: a string that is an integer (string2ll) goes in an integer encoding. */
void rdb_lp_add(rdb_lp *w, const char *s, size_t n);
void rdb_lp_add_int(rdb_lp *w, int64_t v);
/* Closes the listpack, saves it to out as one string, releases w. */
void rdb_lp_save(rd_buf *out, rdb_lp *w);

/* One element read from a listpack or ziplist: bytes, or an integer (then also its text in num). */
typedef struct rdb_elem {
    const char *p;
    size_t n;
    int is_int;
    long long v;
    char num[24];
} rdb_elem;

typedef struct rdb_lp_it {
    const unsigned char *p, *end; /* end: the terminator's position */
    uint64_t count;               /* elements read */
} rdb_lp_it;

/* A listpack's header checked (total bytes, terminator): 0 with its element count, or -1. */
int rdb_lp_open(rdb_lp_it *it, const rdb_str *s, uint32_t *num);
/* The next entry, every byte checked (its backlen too): 1, 0 at the end, -1 corrupt. */
int rdb_lp_next(rdb_lp_it *it, rdb_elem *e);
/* Records why reading failed (the first reason stays): -1. */
int rdb_fail(rdb_reader *r, const char *why);

/* Streams (rdb_stream.c): RDB_TYPE_STREAM_LISTPACKS_2's body; loading takes that and type 15. */
int rdb_save_stream(rd_buf *b, const void *obj);
int rdb_load_stream(rdb_reader *r, int rdbtype, void **obj);

/* LZF (liblzf 3.6 as Redis configures it): out_len bytes at most; 0 when it does not fit. */
size_t rdb_lzf_compress(const void *in, size_t in_len, void *out, size_t out_len);
size_t rdb_lzf_decompress(const void *in, size_t in_len, void *out, size_t out_len);

#endif
