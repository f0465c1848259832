/* cmd_conn.c: the connection commands that run in C (PING, ECHO); complete replies, as cmd_string.c's. */
#include "resp.h"
#include "types.h"

/* PING [message] */
void cmd_ping(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    if (argc > 2) /* the upper bound of arity -1, checked in the command, as Redis does */
        resp_add_status_errorf(x->out, RD_ERR_ARITY, "ping");
    else if (argc == 2)
        resp_add_bulk(x->out, argv[1], argl[1]);
    else
        resp_add_raw(x->out, "+PONG\r\n", 7);
}

/* ECHO message */
void cmd_echo(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    (void)argc;
    resp_add_bulk(x->out, argv[1], argl[1]);
}
