/* sha1.h: SHA-1 of a byte string as 40 lowercase hex digits (sha1.c): the names of cached
 * scripts, as Redis's sha1hex gives them. */
#ifndef REDISTILL_SHA1_H
#define REDISTILL_SHA1_H

#include <stddef.h>

/* out gets 40 hex digits and a NUL. */
void sha1_hex(char out[41], const void *data, size_t len);

#endif
