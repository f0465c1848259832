/* hash.h: SipHash-1-3, the keyspace's and the dictionaries' hash (hash.c). */
#ifndef REDISTILL_HASH_H
#define REDISTILL_HASH_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>

uint64_t siphash13(const void *data, size_t len, uint64_t k0, uint64_t k1);

#endif
