/* resp_parse.c: request framing exactly as Redis 7.0's processMultibulkBuffer/processInlineBuffer, resumable across partial reads.
 *
 * Redis quirks kept on purpose (the reply bytes must match):
 *  - Header lines end at the first '\r' and the next byte is skipped unchecked;
 *    the 2 bytes after a bulk payload are skipped unchecked too.
 *  - Redis searches lines with strchr, so a NUL byte before the line end hides
 *    it: the frame waits (and errors past 64 KB) like Redis.
 *  - "*0" and "*-1" are consumed silently; an empty inline line too.
 */
#include "buf.h"
#include "resp.h"
#include "strconv.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void resp_parser_init(resp_parser *p) {
    memset(p, 0, sizeof *p);
    p->bulklen = -1;
}

void resp_parser_release(resp_parser *p) {
    free(p->argv);
    resp_parser_init(p);
}

/* Frames with more args than this give their argv array back afterwards,
 * so one huge MSET does not pin its array for the connection's lifetime. */
#define ARGV_KEEP 1024

void resp_next_frame(resp_parser *p) {
    if (p->argcap > ARGV_KEEP) {
        free(p->argv);
        p->argv = NULL;
        p->argcap = 0;
    }
    p->mbulk_left = 0;
    p->bulklen = -1;
    p->fpos = 0;
    p->argc = 0;
    p->is_inline = 0;
}

/* strchr(s, c) over a byte range: the first c, or NULL when a NUL or the end comes first. */
static const char *find_line_end(const char *s, size_t n, char c) {
    const char *hit = memchr(s, c, n);
    if (!hit || memchr(s, '\0', (size_t)(hit - s))) return NULL;
    return hit;
}

/* p->err is the text after "-ERR " (conn.c writes the line): status.c's text of err. */
static int fail(resp_parser *p, rd_status err, ...) {
    static const size_t prefix = sizeof "-ERR " - 1;
    va_list ap;
    va_start(ap, err);
    vsnprintf(p->err, sizeof p->err, rd_status_message(err) + prefix, ap);
    va_end(ap);
    return RESP_ERROR;
}

/* Upper bound of the canonical frame of argv (headers are at most 32 bytes). */
static size_t frame_bound(const resp_arg *argv, int argc) {
    size_t n = 32;
    for (int i = 0; i < argc; i++) n += argv[i].len + 32;
    return n;
}

static int push_arg(resp_parser *p, size_t off, size_t len) {
    if (p->argc == p->argcap) {
        int cap = p->argcap ? p->argcap * 2 : 16;
        resp_arg *a = realloc(p->argv, (size_t)cap * sizeof *a);
        if (!a) return -1;
        p->argv = a;
        p->argcap = cap;
    }
    p->argv[p->argc].off = off;
    p->argv[p->argc].len = len;
    p->argc++;
    return 0;
}

/* ---- multibulk --------------------------------------------------------------- */

/* The common header "<c><digits>\r?" read without memchr or str2ll: c, then 1 to
 * 18 digits with no leading zero, then '\r' with the byte after it present.  Then
 * the first '\r' is the one after the digits (no NUL can hide it) and str2ll
 * would accept the digits, so the slow path would read the same number.
 * Returns the offset of the '\r', or 0 when the slow path must decide. */
static inline size_t quick_header(const char *q, size_t rem, long long *out) {
    size_t i = 1;
    long long v;
    if (rem < 4 || q[1] < '1' || q[1] > '9') return 0;
    v = q[1] - '0';
    for (i = 2; i < rem && i <= 18 && q[i] >= '0' && q[i] <= '9'; i++) v = v * 10 + (q[i] - '0');
    if (i + 1 >= rem || q[i] != '\r') return 0;
    *out = v;
    return i;
}

/* "*<count>\r\n" at a frame start. */
static int parse_count(resp_parser *p, const char *buf, size_t len, int authenticated) {
    long long ll;
    size_t at = quick_header(buf, len, &ll);
    const char *cr = buf + at;
    if (!at) {
        cr = find_line_end(buf, len, '\r');
        if (!cr) return len > RESP_INLINE_MAX ? fail(p, RD_ERR_PROTO_MBULK_BIG) : RESP_PARTIAL;
        if ((size_t)(cr - buf) + 2 > len) return RESP_PARTIAL; /* the byte after '\r' must be here */
        if (!str2ll(buf + 1, (size_t)(cr - buf - 1), &ll)) return fail(p, RD_ERR_PROTO_MBULK_LEN);
    }
    if (ll > INT_MAX) return fail(p, RD_ERR_PROTO_MBULK_LEN);
    if (ll > RESP_UNAUTH_MBULK_MAX && !authenticated)
        return fail(p, RD_ERR_PROTO_MBULK_UNAUTH);
    p->canonical = cr[1] == '\n';
    p->fpos = (size_t)(cr - buf) + 2;
    if (ll <= 0) return RESP_EMPTY;
    p->mbulk_left = ll;
    return RESP_FRAME;
}

/* proto-max-bulk-len (CONFIG SET), read relaxed: a change applies from the next bulk header. */
static int64_t proto_max_bulk_len = RESP_BULK_MAX;

void rd_set_proto_max_bulk_len(int64_t max) {
    __atomic_store_n(&proto_max_bulk_len, max, __ATOMIC_RELAXED);
}

int64_t resp_proto_max_bulk_len(void) { return __atomic_load_n(&proto_max_bulk_len, __ATOMIC_RELAXED); }

/* "$<len>\r\n" before each argument. */
static int parse_bulk_header(resp_parser *p, const char *buf, size_t len, int authenticated) {
    const char *q = buf + p->fpos, *cr;
    size_t rem = len - p->fpos;
    long long ll;

    if (rem == 0) return RESP_PARTIAL; /* not a byte of it yet (q[0] is past the input) */
    size_t at = q[0] == '$' ? quick_header(q, rem, &ll) : 0;
    if (at) {
        cr = q + at;
    } else {
        cr = find_line_end(q, rem, '\r');
        if (!cr) return rem > RESP_INLINE_MAX ? fail(p, RD_ERR_PROTO_BULK_BIG) : RESP_PARTIAL;
        if ((size_t)(cr - q) + 2 > rem) return RESP_PARTIAL;
        if (q[0] != '$') return fail(p, RD_ERR_PROTO_EXPECTED, q[0]);
        if (!str2ll(q + 1, (size_t)(cr - q - 1), &ll)) return fail(p, RD_ERR_PROTO_BULK_LEN);
    }
    if (ll < 0 || ll > __atomic_load_n(&proto_max_bulk_len, __ATOMIC_RELAXED)) return fail(p, RD_ERR_PROTO_BULK_LEN);
    if (ll > RESP_UNAUTH_BULK_MAX && !authenticated)
        return fail(p, RD_ERR_PROTO_BULK_UNAUTH);
    if (cr[1] != '\n') p->canonical = 0;
    p->fpos += (size_t)(cr - q) + 2;
    p->bulklen = ll;
    return RESP_FRAME;
}

static int parse_multibulk(resp_parser *p, const char *buf, size_t len, int authenticated) {
    int r;
    if (p->mbulk_left == 0) {
        p->argc = 0;
        r = parse_count(p, buf, len, authenticated);
        if (r != RESP_FRAME) return r;
    }
    while (p->mbulk_left) {
        if (p->bulklen == -1) {
            r = parse_bulk_header(p, buf, len, authenticated);
            if (r != RESP_FRAME) return r;
        }
        size_t n = (size_t)p->bulklen;
        if (len - p->fpos < n + 2) return RESP_PARTIAL;
        if (push_arg(p, p->fpos, n) < 0) return RESP_NOMEM;
        if (buf[p->fpos + n] != '\r' || buf[p->fpos + n + 1] != '\n') p->canonical = 0;
        p->fpos += n + 2;
        p->bulklen = -1;
        p->mbulk_left--;
    }
    return RESP_FRAME;
}

/* ---- inline ------------------------------------------------------------------ */

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int hex_val(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The line as sdssplitargs sees it: a C string, so reading past the end gives NUL. */
typedef struct {
    const char *s, *end;
} line;

static inline char at(const line *l, const char *q) {
    return q < l->end ? *q : '\0';
}

static char unescape(char c) {
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
    }
}

/* One token of sdssplitargs starting at *qp (not blank); bytes go to out.
 * Returns 0, or -1 for unbalanced quotes. */
static int split_token(const line *l, const char **qp, rd_buf *out) {
    const char *q = *qp;
    int inq = 0, insq = 0, done = 0;
    while (!done) {
        char c = at(l, q), c1 = at(l, q + 1);
        if (inq) {
            if (c == '\\' && c1 == 'x' && hex_val(at(l, q + 2)) >= 0 && hex_val(at(l, q + 3)) >= 0) {
                out->data[out->len++] = (char)(hex_val(at(l, q + 2)) * 16 + hex_val(at(l, q + 3)));
                q += 3;
            } else if (c == '\\' && c1) {
                q++;
                out->data[out->len++] = unescape(c1);
            } else if (c == '"') {
                /* A closing quote must be followed by a space or nothing at all. */
                if (c1 && !is_blank(c1)) return -1;
                done = 1;
            } else if (!c) {
                return -1;
            } else {
                out->data[out->len++] = c;
            }
        } else if (insq) {
            if (c == '\\' && c1 == '\'') {
                q++;
                out->data[out->len++] = '\'';
            } else if (c == '\'') {
                if (c1 && !is_blank(c1)) return -1;
                done = 1;
            } else if (!c) {
                return -1;
            } else {
                out->data[out->len++] = c;
            }
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
            done = 1;
        } else if (c == '"') {
            inq = 1;
        } else if (c == '\'') {
            insq = 1;
        } else {
            out->data[out->len++] = c;
        }
        if (q < l->end) q++;
    }
    *qp = q;
    return 0;
}

/* sdssplitargs into the scratch: token bytes first, then the canonical frame
 * built from them, with argv pointing at the args inside that frame. */
static int split_inline(resp_parser *p, const line *l, rd_buf *scratch) {
    const char *q = l->s;
    buf_reset(scratch, 1 << 20);
    if (buf_reserve(scratch, (size_t)(l->end - l->s)) < 0) return RESP_NOMEM;
    p->argc = 0;
    for (;;) {
        while (q < l->end && is_blank(*q)) q++;
        if (q >= l->end) break;
        size_t start = scratch->len;
        if (split_token(l, &q, scratch) < 0) return fail(p, RD_ERR_PROTO_QUOTES);
        if (push_arg(p, start, scratch->len - start) < 0) return RESP_NOMEM;
    }
    if (p->argc == 0) return RESP_EMPTY;
    /* Reserved up front, so copying tokens from earlier in the same buffer is safe. */
    if (buf_reserve(scratch, frame_bound(p->argv, p->argc)) < 0) return RESP_NOMEM;
    p->inline_frame = scratch->len;
    resp_add_array_len(scratch, p->argc);
    for (int i = 0; i < p->argc; i++) {
        resp_add_bulk(scratch, scratch->data + p->argv[i].off, p->argv[i].len);
        p->argv[i].off = scratch->len - p->argv[i].len - 2;
    }
    return RESP_FRAME;
}

static int parse_inline(resp_parser *p, const char *buf, size_t len, rd_buf *scratch) {
    const char *nl = find_line_end(buf, len, '\n');
    line l;
    int r;
    if (!nl) return len > RESP_INLINE_MAX ? fail(p, RD_ERR_PROTO_INLINE_BIG) : RESP_PARTIAL;
    l.s = buf;
    l.end = nl;
    if (nl > buf && nl[-1] == '\r') l.end--;
    p->is_inline = 1;
    r = split_inline(p, &l, scratch);
    p->fpos = (size_t)(nl - buf) + 1;
    return r;
}

/* ---- entry points ------------------------------------------------------------- */

int resp_parse(resp_parser *p, const char *buf, size_t len, int authenticated, rd_buf *scratch) {
    if (p->mbulk_left == 0 && p->fpos == 0) {
        if (len == 0) return RESP_PARTIAL;
        if (buf[0] != '*') return parse_inline(p, buf, len, scratch);
    }
    return parse_multibulk(p, buf, len, authenticated);
}

int resp_build_frame(rd_buf *out, const char *base, const resp_arg *argv, int argc) {
    if (buf_reserve(out, frame_bound(argv, argc)) < 0) return -1;
    resp_add_array_len(out, argc);
    for (int i = 0; i < argc; i++) resp_add_bulk(out, base + argv[i].off, argv[i].len);
    return out->failed ? -1 : 0;
}
