/* fastpath.h: the fast path's dispatch (fastpath.c, and cmdtable.c for type commands) and
 * emulated cluster mode's ownership check (cluster.c). */
#ifndef REDISTILL_FASTPATH_H
#define REDISTILL_FASTPATH_H

#include "platform.h"

#include <stdatomic.h>

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
/* The command's index in rd_fast_command's order (its fast table, then the type commands), or -1. */
int fp_command_index(const char *name, size_t n);

/* The which-th fast command's key arguments for argc arguments: first (0: none), last, step; 0
 * when they follow a numkeys argument (movable), or do not fit argc. */
int cl_key_range(int which, int argc, int *first, int *last, int *step);

/* ACL (acl.c): a user's permissions as the fast path checks them.  Defined here so that the check
 * of an open handle (the default user's) inlines to one load and branch per command. */
struct rd_acl {
    _Atomic int refs;
    int open;    /* every command, key and channel: nothing to check */
    int allkeys; /* the bits decide alone */
    unsigned char bits[(FP_MAX_COMMANDS + 7) / 8];
    int npat;
    char **pat;
    size_t *plen;
    size_t *lit; /* per pattern: its literal length when it is "literal*" (the usual "app:*"), matched
                    by memcmp; SIZE_MAX for any other pattern (the glob matcher) */
};
static inline int acl_is_open(const struct rd_acl *a) { return a->open; }
/* The handle of a connection with no user yet (open); 1 when a handle allows the which-th fast
 * command with these arguments for sure (0: Python decides and writes -NOPERM).  acl_retain takes
 * a reference (rd_acl_release drops it). */
struct rd_acl *acl_default_handle(void);
int acl_fast_ok(const struct rd_acl *a, int which, int argc, const char **argv, const size_t *argl);
void acl_retain(struct rd_acl *a);

/* The fast path's entry to type commands (cmdtable.c): FP_SLOW, nothing written,
 * for unknown names, bad arity, every error reply (Python writes errors), while
 * used memory is over maxmemory, and while a client is blocked for a write that
 * could wake it. */
int fp_type_dispatch(struct tx_ctx *x, int argc, const char **argv, const size_t *argl,
                     int *which);

#endif
