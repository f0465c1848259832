/* glob.c: Redis's glob matcher (util.c stringmatchlen), used by KEYS and SCAN MATCH.
 *
 * A line-by-line port of Redis 7.0's stringmatchlen_impl, bounds-checked where
 * Redis relies on the sds NUL terminator.  Bytes compare as `char` (signed on
 * x86), as in Redis, so ranges over bytes >= 0x80 order like Redis's do.
 * redistill/commands/glob.py is the Python twin (CONFIG GET patterns).
 */
#include "internal.h"

#include <ctype.h>

static int lower(int c) { return tolower((unsigned char)c); }

/* One class "[...]" against c; *p, *plen are past the '[' and end on its ']'. */
static int match_class(const char **pp, size_t *plenp, char c, int nocase) {
    const char *p = *pp;
    size_t plen = *plenp;
    int not = plen && p[0] == '^', match = 0;
    if (not) p++, plen--;
    for (;;) {
        if (plen >= 2 && p[0] == '\\') {
            p++, plen--;
            if (p[0] == c) match = 1;
        } else if (plen && p[0] == ']') {
            break;
        } else if (plen == 0) {
            p--, plen++; /* unterminated: the class ends with the pattern */
            break;
        } else if (plen >= 3 && p[1] == '-') {
            int start = p[0], end = p[2], ch = c;
            if (start > end) {
                int t = start;
                start = end;
                end = t;
            }
            if (nocase) start = lower(start), end = lower(end), ch = lower(ch);
            p += 2, plen -= 2;
            if (ch >= start && ch <= end) match = 1;
        } else if (nocase ? lower(p[0]) == lower(c) : p[0] == c) {
            match = 1;
        }
        p++, plen--;
    }
    *pp = p;
    *plenp = plen;
    return not ? !match : match;
}

static int match_impl(const char *p, size_t plen, const char *s, size_t slen, int nocase,
                      int *skip_longer) {
    while (plen && slen) {
        switch (p[0]) {
        case '*':
            while (plen > 1 && p[1] == '*') p++, plen--;
            if (plen == 1) return 1;
            while (slen) {
                if (match_impl(p + 1, plen - 1, s, slen, nocase, skip_longer)) return 1;
                /* The rest failed from every later position too: a longer match for
                 * this '*' cannot help (Redis's guard against exponential patterns). */
                if (*skip_longer) return 0;
                s++, slen--;
            }
            *skip_longer = 1;
            return 0;
        case '?':
            s++, slen--;
            break;
        case '[':
            p++, plen--;
            if (!match_class(&p, &plen, s[0], nocase)) return 0;
            s++, slen--;
            break;
        case '\\':
            if (plen >= 2) p++, plen--;
            /* fall through */
        default:
            if (nocase ? lower(p[0]) != lower(s[0]) : p[0] != s[0]) return 0;
            s++, slen--;
            break;
        }
        p++, plen--;
        if (slen == 0) {
            while (plen && p[0] == '*') p++, plen--;
            break;
        }
    }
    return plen == 0 && slen == 0;
}

int rd_glob_match(const char *pattern, size_t plen, const char *s, size_t slen, int nocase) {
    int skip_longer = 0;
    return match_impl(pattern, plen, s, slen, nocase, &skip_longer);
}
