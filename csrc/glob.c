/* glob.c: Redis's glob matcher (util.c stringmatchlen): KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH,
 * CONFIG GET and COMMAND LIST FILTERBY PATTERN.
 *
 * A line-by-line port of Redis 7.0's stringmatchlen_impl, bounds-checked where
 * Redis relies on the sds NUL terminator.  Bytes compare as `char` (signed on
 * x86), as in Redis, so ranges over bytes >= 0x80 order like Redis's do.
 * tests/core/glob_ref.py is the Python oracle the tests hold it to.
 *
 * Recursion is bounded as Redis bounds it: each '*' that must try several
 * positions recurses once, and past GLOB_MAX_NESTING levels that attempt fails
 * (Redis's "protection against abusive patterns"; Debian's 7.0.15 has it), so a
 * pattern of 100,000 stars costs at most GLOB_MAX_NESTING frames of this
 * function on the worker's stack and answers what Redis answers.
 */
#include "redistill.h"

/* glibc's tolower() in the C locale, which Redis runs under (ours would follow the process's
 * LC_CTYPE, which Python sets from the environment): A-Z become a-z, a negative char comes back
 * as its unsigned byte except -1, which is EOF and stays -1.  Ranges compare these values. */
static int lower(int c) {
    if (c < -1) return c + 256;
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

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

/* Redis's limit, part of the semantics: a match needing a deeper '*' is no match. */
#define GLOB_MAX_NESTING 1000

static int match_impl(const char *p, size_t plen, const char *s, size_t slen, int nocase,
                      int *skip_longer, int nesting) {
    if (nesting > GLOB_MAX_NESTING) return 0;
    while (plen && slen) {
        switch (p[0]) {
        case '*':
            while (plen > 1 && p[1] == '*') p++, plen--;
            if (plen == 1) return 1;
            while (slen) {
                if (match_impl(p + 1, plen - 1, s, slen, nocase, skip_longer, nesting + 1)) return 1;
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
    return match_impl(pattern, plen, s, slen, nocase, &skip_longer, 0);
}
