/* acl.c: the fast path's copy of a user's permissions (Redis's ACL; redistill/acl.py owns the
 * model and the -NOPERM replies).
 *
 * A handle holds what the user's root selector allows for sure: a bit per fast-path command (the
 * rd_fast_command index) and, unless it may touch every key, the key patterns that allow both
 * reading and writing.  C only accepts: a command whose bit is clear, whose keys match no such
 * pattern or cannot be located without parsing (movable keys) goes to Python, which checks the
 * whole user (every selector, first-argument rules, read/write patterns, channels).  An open
 * handle (every command, key and channel) is the default user's usual state and costs one branch.
 *
 * Threads: a connection reads its handle on its own worker while it runs a batch under the gate
 * held shared; Python rewrites a handle (rd_acl_update) only under the gate held exclusive, so no
 * batch reads it meanwhile.  References are atomic: a connection drops its own on its thread. */
#include "fastpath.h"
#include "redistill.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The handle of connections that have none yet: open, never freed. */
static rd_acl acl_open_handle = {.refs = 1, .open = 1, .allkeys = 1};

rd_acl *acl_default_handle(void) { return &acl_open_handle; }

rd_acl *rd_acl_new(void) {
    rd_acl *a = calloc(1, sizeof *a);
    if (a) atomic_init(&a->refs, 1);
    return a;
}

static void acl_clear_patterns(rd_acl *a) {
    for (int i = 0; i < a->npat; i++) free(a->pat[i]);
    free(a->pat);
    free(a->plen);
    free(a->lit);
    a->pat = NULL;
    a->plen = NULL;
    a->lit = NULL;
    a->npat = 0;
}

void acl_retain(rd_acl *a) {
    if (a && a != &acl_open_handle) atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
}

void rd_acl_release(rd_acl *a) {
    if (!a || a == &acl_open_handle) return;
    if (atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) != 1) return;
    acl_clear_patterns(a);
    free(a);
}

/* The literal length of a "literal*" pattern (no other glob character), else SIZE_MAX. */
static size_t literal_prefix(const char *p, size_t len) {
    if (len == 0 || p[len - 1] != '*') return SIZE_MAX;
    for (size_t i = 0; i + 1 < len; i++)
        if (p[i] == '*' || p[i] == '?' || p[i] == '[' || p[i] == '\\') return SIZE_MAX;
    return len - 1;
}

rd_status rd_acl_update(rd_acl *a, int open, const unsigned char *bits, size_t nbytes, int allkeys,
                        const char *patterns, size_t plen) {
    if (!a || a == &acl_open_handle || nbytes > sizeof a->bits) return RD_NOT_FOUND;
    int n = 0;
    for (size_t i = 0; i < plen; i++) n += patterns[i] == '\0';
    char **pat = n ? calloc((size_t)n, sizeof *pat) : NULL;
    size_t *lens = n ? calloc((size_t)n, sizeof *lens) : NULL;
    size_t *lit = n ? calloc((size_t)n, sizeof *lit) : NULL;
    if (n && (!pat || !lens || !lit)) {
        free(pat);
        free(lens);
        free(lit);
        return RD_ERR_NOMEM;
    }
    for (int i = 0, off = 0; i < n; i++) { /* "pattern\0pattern\0..." */
        size_t len = strlen(patterns + off);
        if (!(pat[i] = malloc(len + 1))) {
            for (int j = 0; j < i; j++) free(pat[j]);
            free(pat);
            free(lens);
            free(lit);
            return RD_ERR_NOMEM;
        }
        memcpy(pat[i], patterns + off, len + 1);
        lens[i] = len;
        lit[i] = literal_prefix(pat[i], len);
        off += (int)len + 1;
    }
    acl_clear_patterns(a);
    memset(a->bits, 0, sizeof a->bits);
    if (bits) memcpy(a->bits, bits, nbytes);
    a->open = open != 0;
    a->allkeys = allkeys != 0;
    a->pat = pat;
    a->plen = lens;
    a->lit = lit;
    a->npat = n;
    return RD_OK;
}

static int acl_key_ok(const rd_acl *a, const char *key, size_t klen) {
    for (int i = 0; i < a->npat; i++) {
        size_t lit = a->lit[i];
        if (lit != SIZE_MAX ? klen >= lit && memcmp(key, a->pat[i], lit) == 0
                            : rd_glob_match(a->pat[i], a->plen[i], key, klen, 0))
            return 1;
    }
    return 0;
}

int acl_fast_ok(const rd_acl *a, int which, int argc, const char **argv, const size_t *argl) {
    if (which < 0 || which >= FP_MAX_COMMANDS || !(a->bits[which >> 3] >> (which & 7) & 1)) return 0;
    if (a->allkeys) return 1;
    int first, last, step;
    if (!cl_key_range(which, argc, &first, &last, &step)) return 0; /* movable keys: Python */
    for (int k = first; first > 0 && k <= last; k += step)
        if (!acl_key_ok(a, argv[k], argl[k])) return 0;
    return 1;
}
