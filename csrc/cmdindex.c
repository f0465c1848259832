/* cmdindex.c: case-insensitive command-name lookup in O(1) for the fast path and rd_exec.
 * A linear scan of ~100 names with a case fold per character cost ~2,000 instructions
 * per type command (ZADD sits near the end of the table): more than ZADD itself. */
#include "types.h"

#include <string.h>

/* FNV-1a over the ASCII-folded bytes (c | 0x20 folds A-Z to a-z; other bytes map the same
 * way for the stored lowercase names and the query, and arg_is confirms the match). */
static unsigned name_hash(const char *a, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)(a[i] | 0x20)) * 16777619u;
    return h & (NAME_INDEX_SLOTS - 1);
}

void name_index_add(name_index *ix, const char *name, int id) {
    unsigned s = name_hash(name, strlen(name));
    while (ix->slot[s].name) s = (s + 1) & (NAME_INDEX_SLOTS - 1); /* linear probing */
    ix->slot[s].name = name;
    ix->slot[s].id = id;
}

int name_index_find(const name_index *ix, const char *a, size_t n) {
    for (unsigned s = name_hash(a, n); ix->slot[s].name; s = (s + 1) & (NAME_INDEX_SLOTS - 1))
        if (arg_is(a, n, ix->slot[s].name)) return ix->slot[s].id;
    return -1;
}
