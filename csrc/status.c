/* status.c: the one place keyspace statuses become Redis's exact error lines (fast path and Python both read it). */
#include "internal.h"

#include <string.h>

static const char *const messages[RD_STATUS_COUNT] = {
    [RD_ERR_WRONGTYPE] = "-WRONGTYPE Operation against a key holding the wrong kind of value",
    [RD_ERR_NOTINT] = "-ERR value is not an integer or out of range",
    [RD_ERR_OVERFLOW] = "-ERR increment or decrement would overflow",
    [RD_ERR_OOM] = "-OOM command not allowed when used memory > 'maxmemory'.",
    /* Redis aborts on allocation failure; we answer instead and keep serving. */
    [RD_ERR_NOMEM] = "-ERR out of memory",
    [RD_ERR_NOTFLOAT] = "-ERR value is not a valid float",
    [RD_ERR_NANINF] = "-ERR increment would produce NaN or Infinity",
    [RD_ERR_TOOBIG] = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)",
};

const char *rd_status_message(rd_status st) {
    if ((unsigned)st >= RD_STATUS_COUNT || !messages[st]) return "";
    return messages[st];
}

int status_of_error(const char *line, size_t len) {
    for (int st = 0; st < RD_STATUS_COUNT; st++) {
        const char *m = messages[st];
        size_t n = m ? strlen(m) : 0;
        if (n && n <= len && memcmp(line, m, n) == 0) return st;
    }
    return -1;
}
