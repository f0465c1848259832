/* resp.h: RESP framing (resp_parse.c) and reply encoding (resp_write.c, status.c). */
#ifndef REDISTILL_RESP_H
#define REDISTILL_RESP_H

#include "platform.h"

#include <stddef.h>
#include "buf.h"

#define RESP_INLINE_MAX (64 * 1024)            /* PROTO_INLINE_MAX_SIZE */
#define RESP_BULK_MAX (512LL * 1024 * 1024)    /* proto-max-bulk-len default */
#define RESP_UNAUTH_MBULK_MAX 10               /* Redis 7.0 limits before AUTH */
#define RESP_UNAUTH_BULK_MAX 16384

/* proto-max-bulk-len as CONFIG SET last set it (rd_set_proto_max_bulk_len): the parser's bulk
 * limit, and the largest string SETRANGE/APPEND may make and LCS's table (Redis's checks). */
long long resp_max_bulk_len(void);

typedef struct resp_arg {
    size_t off, len;
} resp_arg;

enum {
    RESP_PARTIAL = 0, /* need more bytes; progress is kept in the parser */
    RESP_FRAME,       /* a command: argc/argv are set, fpos bytes make up the frame */
    RESP_EMPTY,       /* fpos bytes consumed, no command (empty inline line, *0, *-1) */
    RESP_ERROR,       /* protocol error: err holds the text after "-ERR " */
    RESP_NOMEM        /* allocation failure */
};

/* Parser state survives partial reads, like Redis's multibulklen/bulklen, so a
 * big bulk arriving in pieces is never re-parsed from the start. */
typedef struct resp_parser {
    long long mbulk_left; /* args still to read in this multibulk frame; 0 = at a frame start */
    long long bulklen;    /* length of the bulk being read; -1 = its header is not read yet */
    size_t fpos;          /* bytes of the current frame consumed so far */
    int canonical;        /* every line ending of the frame is CRLF (so it can go to Python as is) */
    int is_inline;        /* args point into the scratch buffer, not the input */
    size_t inline_frame;  /* inline: offset of the converted multibulk frame in the scratch */
    int argc, argcap;
    resp_arg *argv;       /* multibulk: offsets from the frame start; inline: into the scratch */
    char err[96];
} resp_parser;

void resp_parser_init(resp_parser *p);
void resp_parser_release(resp_parser *p);
/* Parses from buf (the start of the current frame) over len bytes. */
int resp_parse(resp_parser *p, const char *buf, size_t len, int authenticated, rd_buf *scratch);
/* Readies the parser for the next frame after RESP_FRAME / RESP_EMPTY. */
void resp_next_frame(resp_parser *p);
/* Appends "*argc\r\n$len\r\narg\r\n..." for args at base + argv[i].off. */
int resp_build_frame(rd_buf *out, const char *base, const resp_arg *argv, int argc);


void resp_add_raw(rd_buf *b, const char *s, size_t n);
void resp_add_bulk(rd_buf *b, const char *p, size_t n);
void resp_add_int(rd_buf *b, long long v);
/* "<prefix><n>\r\n" (a length or integer line). */
void resp_add_header(rd_buf *b, char prefix, long long n);
void resp_add_array_len(rd_buf *b, long long n);
void resp_add_nil(rd_buf *b, int proto);
/* The error line of a keyspace status, from status.c. */
void resp_add_status_error(rd_buf *b, rd_status st);
/* The error line of a status whose text is a format (status.c's "%s" entries). */
void resp_add_status_errorf(rd_buf *b, rd_status st, ...);
/* The error line of a status whose "%s" parts are user words (status.c), as addReplyErrorFormat
 * prints them: words[i] (lens[i] bytes) fills the i-th "%s", cut at its first NUL, CR/LF as spaces. */
void resp_add_status_error_words(rd_buf *b, rd_status st, const char *const *words, const size_t *lens);
/* The status whose error line (status.c) `line` starts with, or -1 (an error of the arguments). */
int status_of_error(const char *line, size_t len);
/* The first status whose error code (the reply's first word, "-ERR") is line's, or -1: a script's
 * error counted in INFO errorstats under its code. */
int status_of_code(const char *line, size_t len);
/* "-ERR <text>\r\n" with CR/LF in text mapped to spaces (Redis addReplyErrorFormat):
 * for protocol errors, whose text the parser built. */
void resp_add_err_text(rd_buf *b, const char *text);
/* ks_sink that appends v as a bulk to the rd_buf ctx (GET, SET GET: v is never NULL). */
int resp_bulk_sink(void *ctx, const char *v, size_t n);

#endif
