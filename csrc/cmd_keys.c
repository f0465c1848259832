/* cmd_keys.c: the generic key commands the C fast path serves (DEL, EXISTS). */
#include "internal.h"

/* DEL or EXISTS of argv[1..]: one key alone takes the single-stripe call; several
 * are one instant under all their stripes (ks_multi), as Redis runs them. */
static int multi_key(fp_ctx *x, int op, int argc, const char **argv, const size_t *argl) {
    int64_t n = 0;
    if (argc == 2)
        n = (op == RD_MULTI_DEL ? ks_del : ks_exists)(x->ks, argv[1], argl[1], x->now) == RD_OK;
    else if (ks_multi(x->ks, op, argc - 1, argv + 1, argl + 1, x->now, &n) != RD_OK)
        return FP_SLOW; /* out of memory for the hashes: Python runs it (and reports it) */
    resp_add_int(x->out, n);
    return FP_DONE;
}

/* DEL key [key ...] */
int cmd_del(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    return multi_key(x, RD_MULTI_DEL, argc, argv, argl);
}

/* EXISTS key [key ...]  (a key named twice counts twice) */
int cmd_exists(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    return multi_key(x, RD_MULTI_EXISTS, argc, argv, argl);
}
