/* lcs.c: the LCS command's table and walk (Redis 7.0 lcsCommand), a pure function over two byte strings.
 *
 * Python reads the values (one MGET instant) and formats the reply; the O(len(a) * len(b)) work runs
 * here without the GIL.  The walk emits ranges exactly where Redis 7.0 emits them.
 */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

typedef struct lcs_range {
    uint32_t a_start, a_end, b_start, b_end;
} lcs_range;

static int add_range(rd_buf *ranges, uint32_t as, uint32_t ae, uint32_t bs, uint32_t be) {
    lcs_range r = {as, ae, bs, be};
    return buf_append(ranges, &r, sizeof r);
}

rd_status rd_lcs(const char *a, size_t alen, const char *b, size_t blen, rd_buf *out) {
    uint64_t cells = ((uint64_t)alen + 1) * ((uint64_t)blen + 1);
    uint32_t *t, i, j, idx, total;
    uint32_t as = (uint32_t)alen, ae = 0, bs = 0, be = 0; /* as == alen: no range open */
    rd_buf ranges;
    char *result;
#define LCS(x, y) t[(size_t)(y) + (size_t)(x) * (blen + 1)]

    rd_buf_clear(out);
    if (alen >= UINT32_MAX || blen >= UINT32_MAX || cells > SIZE_MAX / sizeof *t) return RD_ERR_NOMEM;
    if (!(t = malloc((size_t)cells * sizeof *t))) return RD_ERR_NOMEM;
    for (i = 0; i <= alen; i++)
        for (j = 0; j <= blen; j++)
            if (i == 0 || j == 0)
                LCS(i, j) = 0;
            else if (a[i - 1] == b[j - 1])
                LCS(i, j) = LCS(i - 1, j - 1) + 1;
            else
                LCS(i, j) = LCS(i - 1, j) > LCS(i, j - 1) ? LCS(i - 1, j) : LCS(i, j - 1);

    total = idx = LCS(alen, blen);
    buf_init(&ranges);
    result = malloc(total ? total : 1);
    i = (uint32_t)alen, j = (uint32_t)blen;
    while (result && i > 0 && j > 0) {
        int emit = 0;
        if (a[i - 1] == b[j - 1]) {
            result[idx - 1] = a[i - 1];
            if (as == alen) {
                as = ae = i - 1;
                bs = be = j - 1;
            } else if (as == i && bs == j) { /* contiguous: extend backwards */
                as--;
                bs--;
            } else {
                emit = 1;
            }
            if (as == 0 || bs == 0) emit = 1;
            idx--, i--, j--;
        } else {
            if (LCS(i - 1, j) > LCS(i, j - 1))
                i--;
            else
                j--;
            if (as != alen) emit = 1;
        }
        if (emit) {
            add_range(&ranges, as, ae, bs, be);
            as = (uint32_t)alen;
        }
    }
    free(t);
#undef LCS
    /* out: uint32 total, the LCS bytes, then lcs_range records in emission order. */
    if (result) {
        buf_append(out, &total, sizeof total);
        buf_append(out, result, total);
        buf_append(out, ranges.data, ranges.len);
    }
    free(result);
    buf_release(&ranges);
    return !result || out->failed || ranges.failed ? RD_ERR_NOMEM : RD_OK;
}
