/* strconv.c: integer <-> decimal text with exactly the rules of Redis's string2ll / ll2string. */
#include "internal.h"

#include <limits.h>

/* Redis rejects 21+ characters before looking at them (LONG_STR_SIZE). */
#define STR2LL_MAX_LEN 20

int str2ll(const char *s, size_t len, long long *out) {
    size_t i = 0;
    int negative = 0;
    unsigned long long v;

    if (len == 0 || len > STR2LL_MAX_LEN) return 0;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    if (s[0] == '-') {
        negative = 1;
        if (++i == len) return 0;
    }
    /* The first digit must be 1-9: no leading zeros, no "-0". */
    if (s[i] < '1' || s[i] > '9') return 0;
    v = (unsigned long long)(s[i++] - '0');
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > ULLONG_MAX / 10) return 0;
        v *= 10;
        if (v > ULLONG_MAX - d) return 0;
        v += d;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

size_t ll2str(char *dst, long long v) {
    char tmp[24];
    size_t n = 0, len = 0;
    /* Work on the unsigned magnitude so LLONG_MIN needs no special case. */
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) dst[len++] = '-';
    while (n) dst[len++] = tmp[--n];
    return len;
}
