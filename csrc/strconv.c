/* strconv.c: integer and long double <-> decimal text with exactly the rules of Redis's string2ll /
 * ll2string and string2ld / ld2string. */
#include "strconv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Redis's string2ld: strtold over the whole text (a NUL inside fails), no
 * leading space, no NaN, no overflow. */
int parse_long_double(const char *p, size_t n, long double *out) {
    char buf[KS_MAX_FLOAT_CHARS], *end;
    long double v;
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    errno = 0;
    v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || end != buf + n ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) ||
        errno == EINVAL || isnan(v))
        return 0;
    *out = v;
    return 1;
}

/* Redis's ld2string(LD_STR_HUMAN): %.17Lf, trailing zeros (and a bare '.') cut, "-0" -> "0". */
size_t format_long_double(char *buf, size_t cap, long double v) {
    int n = snprintf(buf, cap, "%.17Lf", v);
    size_t l;
    if (n < 0 || (size_t)n + 1 > cap) return 0;
    l = (size_t)n;
    if (memchr(buf, '.', l)) {
        while (buf[l - 1] == '0') l--;
        if (buf[l - 1] == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    return l;
}

int arg_is(const char *a, size_t n, const char *word) {
    size_t i = 0;
    for (; word[i]; i++) {
        char c = i < n ? a[i] : '\0';
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return 0;
    }
    return i == n || a[i] == '\0';
}
