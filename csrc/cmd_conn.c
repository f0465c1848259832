/* cmd_conn.c: the connection commands the C fast path serves (PING, ECHO). */
#include "internal.h"

/* PING [message] */
int cmd_ping(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    if (argc > 2) return FP_SLOW; /* Redis's wrong-arity error */
    if (argc == 2)
        resp_add_bulk(x->out, argv[1], argl[1]);
    else
        resp_add_raw(x->out, "+PONG\r\n", 7);
    return FP_DONE;
}

/* ECHO message */
int cmd_echo(fp_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_bulk(x->out, argv[1], argl[1]);
    return FP_DONE;
}
