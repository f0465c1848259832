/* buf.c: growable byte buffers, the rd_buf handle Python reads keyspace results through. */
#include "buf.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

/* Never hand cffi a NULL pointer for an empty buffer. */
static const char empty_bytes[1] = "";

void buf_init(rd_buf *b) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void buf_release(rd_buf *b) {
    free(b->data);
    buf_init(b);
}

int buf_reserve(rd_buf *b, size_t extra) {
    if (b->failed) return -1;
    if (b->cap - b->len >= extra) return 0;
    if (extra > SIZE_MAX / 2 - b->len) goto fail;
    size_t want = b->len + extra;
    size_t cap = b->cap ? b->cap * 2 : 64;
    if (cap < want) cap = want;
    char *p = realloc(b->data, cap);
    if (!p) goto fail;
    b->data = p;
    b->cap = cap;
    return 0;
fail:
    b->failed = 1;
    return -1;
}

int buf_append(rd_buf *b, const void *p, size_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void buf_reset(rd_buf *b, size_t keep) {
    b->len = 0;
    b->failed = 0;
    if (b->cap > keep) {
        /* A 100 MB reply should not pin 100 MB for the connection's lifetime. */
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
}

rd_buf *rd_buf_new(void) {
    rd_buf *b = malloc(sizeof *b);
    if (b) buf_init(b);
    return b;
}

void rd_buf_free(rd_buf *b) {
    if (!b) return;
    free(b->data);
    free(b);
}

const char *rd_buf_data(const rd_buf *b) {
    return b->data ? b->data : empty_bytes;
}

size_t rd_buf_len(const rd_buf *b) {
    return b->len;
}

void rd_buf_clear(rd_buf *b) {
    b->len = 0;
    b->failed = 0;
}

rd_status rd_buf_append(rd_buf *b, const char *p, size_t n) {
    return buf_append(b, p, n) == 0 ? RD_OK : RD_ERR_NOMEM;
}

/* Hands glibc's free heap back to the kernel (FLUSHALL SYNC, the idle-buffer sweep): it lives in
 * the lowest layer so that any file may call it. */
void rd_release_free_memory(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

int array_grow(void **v, int *cap, int need, size_t size) {
    if (need <= *cap) return 0;
    int n = *cap ? *cap * 2 : 4;
    while (n < need) n *= 2;
    void *p = realloc(*v, (size_t)n * size);
    if (!p) return -1;
    *v = p;
    *cap = n;
    return 0;
}
