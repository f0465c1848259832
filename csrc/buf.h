/* buf.h: growable byte buffers (buf.c). */
#ifndef REDISTILL_BUF_H
#define REDISTILL_BUF_H

#include "platform.h"

#include <stddef.h>
#include "redistill.h"

/* A growable byte string.  `failed` is sticky: after an allocation failure
 * appends are dropped, so callers check once per command instead of per append. */
struct rd_buf {
    char *data;
    size_t len, cap;
    int failed;
};

void buf_init(rd_buf *b);
void buf_release(rd_buf *b);
/* Room for `extra` more bytes; 0 or -1 (and b->failed set). */
int buf_reserve(rd_buf *b, size_t extra);
int buf_append(rd_buf *b, const void *p, size_t n);
/* Empties b and gives back memory above `keep` bytes of capacity. */
void buf_reset(rd_buf *b, size_t keep);
/* An array *v of *cap elements of `size` bytes grown (doubling, from 4) to hold at least `need`;
 * 0, or -1 with *v unchanged when realloc fails. */
int array_grow(void **v, int *cap, int need, size_t size);

#endif
