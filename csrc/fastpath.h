/* fastpath.h: the fast path's dispatch (fastpath.c, and cmdtable.c for type commands) and
 * emulated cluster mode's ownership check (cluster.c). */
#ifndef REDISTILL_FASTPATH_H
#define REDISTILL_FASTPATH_H

#include "platform.h"

#include <stddef.h>

enum { FP_DONE = 0, FP_SLOW = 1 };

/* Room for per-command call counters in rd_worker (fastpath.c checks the table fits). */
#define FP_MAX_COMMANDS 256

/* Runs argv if it is a fast command with a valid arity: FP_DONE after its reply (an argument
 * error among them, which the caller drops: Python runs the same handler through rd_exec to
 * write and count it), or FP_SLOW with nothing written.  On FP_DONE *which is the command's
 * index in the table (rd_fast_command order).  x->now is the batch's clock. */
struct tx_ctx;
int fp_dispatch(struct tx_ctx *x, int argc, const char **argv, const size_t *argl, int *which);

/* The counter slot of EVALSHA (ro 0) or EVALSHA_RO (ro 1), which the fast path runs itself
 * (conn.c): after the fast and type commands, in rd_fast_command order too. */
int fp_script_slot(int ro);

/* Emulated cluster mode (cluster.c): set at start-up, read-only afterwards. */
extern int cl_enabled;
/* 1 when the keys of the which-th fast command (rd_fast_command order) all hash to one slot this
 * node owns (or it has none); 0 sends it to Python, which writes -MOVED or -CROSSSLOT. */
int cl_keys_local(int which, int argc, const char **argv, const size_t *argl);

/* The fast path's entry to type commands (cmdtable.c): FP_SLOW, nothing written,
 * for unknown names, bad arity, every error reply (Python writes errors), while
 * used memory is over maxmemory, and while a client is blocked for a write that
 * could wake it. */
int fp_type_dispatch(struct tx_ctx *x, int argc, const char **argv, const size_t *argl,
                     int *which);

#endif
