/* cluster.c: emulated cluster mode: Redis's key hash slots, and the fast path's check
 * that a command's keys all hash to one slot this node owns.
 *
 * Python owns the topology (redistill/cluster.py) and writes every -MOVED / -CROSSSLOT reply; C
 * only keeps the 16384-bit ownership map and each fast command's key positions, so it can hand a
 * command that must be redirected to Python (FP_SLOW, before any side effect).  Both are written
 * once at start-up, before any worker thread runs, and only read afterwards.  The key positions
 * are set in every mode: the fast path's ACL check (acl.c) finds keys with them too. */
#include "fastpath.h"
#include "redistill.h"

#include <string.h>

#define CL_SLOTS 16384
#define CL_MOVABLE (-1) /* first_key of a command whose keys follow a numkeys argument */

typedef struct cl_keyspec {
    int first, last, step; /* Redis's legacy key triple; first 0 = no keys */
} cl_keyspec;

int cl_enabled; /* 0 unless cluster_mode = "emulated": the fast path's only cost when off */
static unsigned char cl_owned[CL_SLOTS / 8];
static cl_keyspec cl_specs[FP_MAX_COMMANDS];

/* CRC16-CCITT (XMODEM: poly 0x1021, init 0), the CRC Redis's keyHashSlot uses.  Bitwise: this
 * runs only in cluster mode, on keys that are short. */
static uint16_t crc16(const char *buf, size_t len) {
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((unsigned char)buf[i] << 8);
        for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* Redis's keyHashSlot: only the part between the first '{' and the next '}' is hashed, when
 * that part is not empty ("{}a" and "a{" hash whole). */
int rd_cluster_keyslot(const char *key, size_t len) {
    const char *open = memchr(key, '{', len);
    if (open) {
        size_t start = (size_t)(open - key) + 1;
        const char *close = memchr(open + 1, '}', len - start);
        if (close && close > open + 1) return crc16(open + 1, (size_t)(close - open - 1)) & (CL_SLOTS - 1);
    }
    return crc16(key, len) & (CL_SLOTS - 1);
}

void rd_cluster_configure(const unsigned char *owned) {
    if (owned) memcpy(cl_owned, owned, sizeof cl_owned);
    cl_enabled = owned != NULL;
}

rd_status rd_cluster_command_keys(int i, int first, int last, int step) {
    if (i < 0 || i >= FP_MAX_COMMANDS || step < 0 || (first > 0 && step == 0)) return RD_NOT_FOUND;
    cl_specs[i] = (cl_keyspec){first, last, step};
    return RD_OK;
}

int cl_key_range(int which, int argc, int *first, int *last, int *step) {
    if (which < 0 || which >= FP_MAX_COMMANDS) return 0;
    cl_keyspec s = cl_specs[which];
    if (s.first == CL_MOVABLE) return 0;
    *first = s.first >= argc ? 0 : s.first; /* no keys (or a bad arity Python reports) */
    *last = s.last < 0 ? argc + s.last : s.last;
    *step = s.step;
    return *last < argc;
}

static int cl_owns(int slot) { return cl_owned[slot >> 3] >> (slot & 7) & 1; }

int cl_keys_local(int which, int argc, const char **argv, const size_t *argl) {
    if (which < 0 || which >= FP_MAX_COMMANDS) return 0;
    cl_keyspec s = cl_specs[which];
    if (s.first == CL_MOVABLE) return 0;
    if (s.first == 0 || s.first >= argc) return 1; /* no keys (or a bad arity Python reports) */
    int last = s.last < 0 ? argc + s.last : s.last;
    if (last >= argc) return 0;
    int slot = rd_cluster_keyslot(argv[s.first], argl[s.first]);
    for (int k = s.first + s.step; k <= last; k += s.step)
        if (rd_cluster_keyslot(argv[k], argl[k]) != slot) return 0; /* Python: -CROSSSLOT */
    return cl_owns(slot);                                             /* Python: -MOVED */
}
