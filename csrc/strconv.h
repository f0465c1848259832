/* strconv.h: numbers parsed and printed exactly as Redis's util.c does (strconv.c). */
#ifndef REDISTILL_STRCONV_H
#define REDISTILL_STRCONV_H

#include "platform.h"

#include <stddef.h>

/* Redis string2ll: no '+', no spaces, no leading zeros, no "-0", no overflow.  1 = ok. */
int str2ll(const char *s, size_t len, long long *out);
/* Writes v in decimal (no NUL); returns the length (at most 20). */
size_t ll2str(char *dst, long long v);

/* Redis's string2ld and ld2string(LD_STR_HUMAN), shared with INCRBYFLOAT (ks_string.c). */
#define KS_MAX_FLOAT_CHARS 5120
int parse_long_double(const char *p, size_t n, long double *out);
size_t format_long_double(char *buf, size_t cap, long double v);

/* An option word, case-insensitive (word is lowercase): compared as a C string, as Redis's
 * strcasecmp does, so "nx\0junk" reads as NX. */
int arg_is(const char *a, size_t n, const char *word);

#endif
