/* crc64.c: Redis's CRC-64 (Jones polynomial 0xad93d23594c935a9, reflected in and out, no final
 * xor; crc64(0, "123456789") = 0xe9c6d914c4b8d9ca), the checksum of DUMP payloads and RDB files.
 * Slicing by 8: eight 256-entry tables built once, eight bytes per step (an RDB file is checksummed
 * whole, so its speed is the save's and the load's). */
#include "redistill.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define POLY_REFLECTED 0x95ac9329ac4bc9b5ULL /* 0xad93d23594c935a9 bit-reversed */

static uint64_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
    for (int i = 0; i < 256; i++) {
        uint64_t c = (uint64_t)i;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ POLY_REFLECTED : c >> 1;
        table[0][i] = c;
    }
    for (int i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint64_t rd_crc64(uint64_t crc, const void *p, size_t n) {
    const unsigned char *s = p;
    pthread_once(&table_once, build_tables);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8); /* little-endian hosts only (platform.h) */
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        s += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
