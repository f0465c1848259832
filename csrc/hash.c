/* hash.c: SipHash-1-3, the keyed hash that spreads keys over stripes and buckets so crafted keys cannot flood one chain. */
#include "hash.h"

#include <string.h>

/* Rounds are overridable only so a test build can check the code against the
 * published SipHash-2-4 vectors; the keyspace always uses 1-3 (as Redis does). */
#ifndef SIP_C_ROUNDS
#define SIP_C_ROUNDS 1
#endif
#ifndef SIP_D_ROUNDS
#define SIP_D_ROUNDS 3
#endif

static inline uint64_t rotl(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

/* One unaligned load (memcpy compiles to a mov); byte order fixed up on big-endian hosts. */
static inline uint64_t load_le64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

typedef struct {
    uint64_t v0, v1, v2, v3;
} sipstate;

static inline void sipround(sipstate *s) {
    s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
    s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
    s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

static inline void sip_absorb(sipstate *s, uint64_t m) {
    s->v3 ^= m;
    for (int i = 0; i < SIP_C_ROUNDS; i++) sipround(s);
    s->v0 ^= m;
}

uint64_t siphash13(const void *data, size_t len, uint64_t k0, uint64_t k1) {
    const unsigned char *p = data;
    sipstate s = {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
                  0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
    size_t whole = len - (len % 8);
    for (size_t i = 0; i < whole; i += 8) sip_absorb(&s, load_le64(p + i));
    uint64_t last = (uint64_t)len << 56;
    switch (len % 8) { /* the tail bytes, little-endian, without a loop */
    case 7: last |= (uint64_t)p[whole + 6] << 48; /* fall through */
    case 6: last |= (uint64_t)p[whole + 5] << 40; /* fall through */
    case 5: last |= (uint64_t)p[whole + 4] << 32; /* fall through */
    case 4: last |= (uint64_t)p[whole + 3] << 24; /* fall through */
    case 3: last |= (uint64_t)p[whole + 2] << 16; /* fall through */
    case 2: last |= (uint64_t)p[whole + 1] << 8;  /* fall through */
    case 1: last |= (uint64_t)p[whole]; break;
    default: break;
    }
    sip_absorb(&s, last);
    s.v2 ^= 0xff;
    for (int i = 0; i < SIP_D_ROUNDS; i++) sipround(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
