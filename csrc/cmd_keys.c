/* cmd_keys.c: the generic key commands that run in C (DEL, UNLINK, EXISTS); complete replies, as cmd_string.c's. */
#include "ksapi.h"
#include "resp.h"
#include "types.h"

/* DEL or EXISTS of argv[1..]: one key alone takes the single-stripe call; several
 * are one instant under all their stripes (ks_multi), as Redis runs them. */
static void multi_key(tx_ctx *x, int op, int argc, const char **argv, const size_t *argl) {
    int64_t n = 0;
    rd_status st = RD_OK;
    if (argc == 2)
        n = (op == RD_MULTI_DEL ? ks_del : ks_exists)(x->ks, argv[1], argl[1], x->now) == RD_OK;
    else
        st = ks_multi(x->ks, op, argc - 1, argv + 1, argl + 1, x->now, &n);
    if (st == RD_OK)
        resp_add_int(x->out, n);
    else
        resp_add_status_error(x->out, st); /* out of memory for the hashes: nothing done */
}

/* DEL key [key ...], and UNLINK (the table's c_fn: freeing is cheap here, the same as DEL) */
void cmd_del(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    multi_key(x, RD_MULTI_DEL, argc, argv, argl);
}

/* EXISTS key [key ...]  (a key named twice counts twice) */
void cmd_exists(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    multi_key(x, RD_MULTI_EXISTS, argc, argv, argl);
}
