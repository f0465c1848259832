/* function.h: the functions engine's library sets (function.c), for FUNCTION DUMP/RESTORE
 * (function_dump.c).  Gate held exclusive by every caller. */
#ifndef REDISTILL_FUNCTION_H
#define REDISTILL_FUNCTION_H

#include "platform.h"

#include <stddef.h>
#include "buf.h"
#include "script.h"

typedef struct fn_func {
    struct fn_func *next;      /* in its library, in registration order */
    struct fn_func *next_hash; /* in its set's name table */
    struct fn_lib *lib;
    char *name, *desc;         /* desc NULL: none given */
    size_t name_len, desc_len;
    unsigned flags;            /* SF_* */
    int ref;                   /* the callback in the Lua registry */
} fn_func;

typedef struct fn_lib {
    struct fn_lib *next;
    char *name, *code;         /* code: the whole FUNCTION LOAD payload, shebang included */
    size_t name_len, code_len;
    fn_func *funcs;
    size_t nfuncs;
} fn_lib;

/* A set of libraries and the table of their functions' names (Redis's functionsLibCtx). */
typedef struct fn_ctx {
    fn_lib *libs;
    fn_func **buckets;
    size_t nbuckets, nlibs, nfuncs, bytes;
} fn_ctx;

/* The server's libraries. */
extern fn_ctx fn_cur;

fn_func *fn_ctx_find(const fn_ctx *x, const char *name, size_t n);
fn_lib *fn_ctx_find_lib(const fn_ctx *x, const char *name, size_t n);
/* Adds a library whose function names the caller has checked: 0, or -1 (no memory). */
int fn_ctx_link(fn_ctx *x, fn_lib *lib);
void fn_ctx_unlink(fn_ctx *x, fn_lib *lib);
void fn_ctx_clear(fn_ctx *x);
void fn_lib_free(fn_lib *lib);
/* Loads code as a library into x (REPLACE when replace): the library, or NULL after writing the
 * error to out (x then unchanged). */
fn_lib *fn_create(fn_ctx *x, const char *code, size_t len, int replace, rd_buf *out);
/* The counters INFO and FUNCTION STATS read, after a change to fn_cur. */
void fn_publish(void);

#endif
