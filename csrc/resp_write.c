/* resp_write.c: reply encoders that append exact Redis 7 reply bytes to a caller-owned rd_buf. */
#include "buf.h"
#include "resp.h"
#include "strconv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void resp_add_raw(rd_buf *b, const char *s, size_t n) {
    buf_append(b, s, n);
}

/* Writes "<prefix><n>\r\n" at dst (room for 24 bytes); returns its length. */
static inline size_t put_prefixed_ll(char *dst, char prefix, long long n) {
    size_t len = 1;
    dst[0] = prefix;
    if (n >= 0 && n < 10) {
        dst[len++] = (char)('0' + n); /* lengths of small values, the common case */
    } else {
        len += ll2str(dst + len, n);
    }
    dst[len++] = '\r';
    dst[len++] = '\n';
    return len;
}

/* buf_reserve with the common case (room left) inline. */
static inline int reserve(rd_buf *b, size_t extra) {
    if (!b->failed && b->cap - b->len >= extra) return 0;
    return buf_reserve(b, extra);
}

/* "<prefix><n>\r\n": integers, bulk and array lengths. */
void resp_add_header(rd_buf *b, char prefix, long long n) {
    if (reserve(b, 24) < 0) return;
    b->len += put_prefixed_ll(b->data + b->len, prefix, n);
}

/* One reserve, then the header, payload and CRLF: the value is copied once. */
void resp_add_bulk(rd_buf *b, const char *p, size_t n) {
    if (reserve(b, n + 32) < 0) return;
    b->len += put_prefixed_ll(b->data + b->len, '$', (long long)n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
}

void resp_add_int(rd_buf *b, long long v) {
    resp_add_header(b, ':', v);
}

void resp_add_array_len(rd_buf *b, long long n) {
    resp_add_header(b, '*', n);
}

void resp_add_nil(rd_buf *b, int proto) {
    if (proto == 3)
        buf_append(b, "_\r\n", 3);
    else
        buf_append(b, "$-1\r\n", 5);
}

void resp_add_status_error(rd_buf *b, rd_status st) {
    const char *m = rd_status_message(st);
    buf_append(b, m, strlen(m));
    buf_append(b, "\r\n", 2);
}

void resp_add_status_errorf(rd_buf *b, rd_status st, ...) {
    char line[1024]; /* the arguments are command names or two %f numbers (309 digits at most): a line always fits */
    va_list ap;
    va_start(ap, st);
    int n = vsnprintf(line, sizeof line, rd_status_message(st), ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    buf_append(b, line, (size_t)n);
    buf_append(b, "\r\n", 2);
}

void resp_add_status_error_words(rd_buf *b, rd_status st, const char *const *words, const size_t *lens) {
    const char *m = rd_status_message(st);
    for (; *m; m++) {
        if (m[0] != '%' || m[1] != 's') {
            buf_append(b, m, 1);
            continue;
        }
        const char *w = *words++;
        size_t n = *lens++;
        const char *nul = memchr(w, '\0', n);
        if (nul) n = (size_t)(nul - w); /* printed with %s: the word ends at its first NUL */
        for (size_t i = 0; i < n; i++) buf_append(b, w[i] == '\r' || w[i] == '\n' ? " " : &w[i], 1);
        m++;
    }
    buf_append(b, "\r\n", 2);
}

void resp_add_err_text(rd_buf *b, const char *text) {
    size_t n = strlen(text);
    if (buf_reserve(b, n + 7) < 0) return;
    buf_append(b, "-ERR ", 5);
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        b->data[b->len++] = (c == '\r' || c == '\n') ? ' ' : c;
    }
    buf_append(b, "\r\n", 2);
}

int resp_bulk_sink(void *ctx, const char *v, size_t n) {
    rd_buf *b = ctx;
    resp_add_bulk(b, v, n);
    return b->failed ? -1 : 0;
}
