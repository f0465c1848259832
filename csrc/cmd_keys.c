/* cmd_keys.c: the generic key commands the C fast path serves (DEL, EXISTS). */
#include "internal.h"

/* DEL key [key ...] */
int cmd_del(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long n = 0;
    for (int i = 1; i < argc; i++) n += ks_del(x->ks, argv[i], argl[i], x->now) == RD_OK;
    resp_add_int(x->out, n);
    return FP_DONE;
}

/* EXISTS key [key ...]  (a key named twice counts twice) */
int cmd_exists(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    long long n = 0;
    for (int i = 1; i < argc; i++) n += ks_exists(x->ks, argv[i], argl[i], x->now) == RD_OK;
    resp_add_int(x->out, n);
    return FP_DONE;
}
