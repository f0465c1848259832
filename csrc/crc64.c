/* crc64.c: Redis's CRC64 (crc64.c there: the Jones polynomial 0xad93d23594c935a9, reflected in and
 * out, no final xor), which DUMP payloads and RDB files end with.  Self-contained: a table filled at
 * load, read-only after. */
#include "redistill.h"

#include <stdint.h>

#define POLY_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t table[256];

__attribute__((constructor)) static void crc64_init(void) {
    for (uint64_t i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY_REFLECTED : c >> 1;
        table[i] = c;
    }
}

uint64_t rd_crc64(uint64_t crc, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ s[i]) & 0xff] ^ (crc >> 8);
    return crc;
}
