/* cmdtable.c: the C command table, above every handler: each command C runs, by name (rd_exec, and
 * fp_type_dispatch for the fast path's share), the commands that wake blocked clients (the
 * table's wakes column), and the collection types' registry the keyspace reads.  Everything here
 * is generated from redistill/commands/table.py (commands_generated.h) or fixed at load, so the
 * handlers, the types and the keyspace below never call up into it. */
#include "buf.h"
#include "fastpath.h"
#include "ksapi.h"
#include "resp.h"
#include "types.h"

typedef struct tx_command {
    const char *name;
    int arity;
    tx_handler fn;
} tx_command;

#define TX_ENTRY(name, arity) {#name, arity, tx_##name},
#define CMD_ENTRY(name, arity, fn) {#name, arity, fn},
static const tx_command tx_commands[] = {TYPE_COMMANDS(TX_ENTRY) EXEC_COMMANDS(TX_ENTRY) FAST_COMMANDS(CMD_ENTRY)};
#undef TX_ENTRY
#undef CMD_ENTRY
#define N_TX ((int)(sizeof tx_commands / sizeof tx_commands[0]))
#define TX_ONE(name, arity) +1
enum { N_TX_FAST = 0 TYPE_COMMANDS(TX_ONE) }; /* the fast path's share: EXEC_COMMANDS come after */
#undef TX_ONE
#define FAST_ONE(name, arity, fn) +1
/* rd_worker counts each command the fast path runs: its own table's, then these. */
_Static_assert(0 FAST_COMMANDS(FAST_ONE) + N_TX_FAST + 2 <= FP_MAX_COMMANDS, "raise FP_MAX_COMMANDS"); /* + EVALSHA[_RO] */
#undef FAST_ONE

int tx_command_count(void) { return N_TX_FAST; }

static name_index tx_names;

/* At load, before any keyspace exists: the name index, and the type registry the keyspace
 * reads (types.h's ks_types). */
__attribute__((constructor)) static void cmdtable_build(void) {
    for (int i = 0; i < N_TX; i++) name_index_add(&tx_names, tx_commands[i].name, i);
    ks_types[KS_TYPE_HASH] = &hash_type_ops;
    ks_types[KS_TYPE_SET] = &set_type_ops;
    ks_types[KS_TYPE_ZSET] = &zset_type_ops;
    ks_types[KS_TYPE_LIST] = &list_type_ops;
    ks_types[KS_TYPE_STREAM] = &stream_type_ops;
}

int fills_waited_keys(tx_handler fn) {
#define FILLS(name) fn == tx_##name ||
    return WAKING_COMMANDS(FILLS) 0;
#undef FILLS
}

static const tx_command *tx_lookup(const char *name, size_t n) {
    int i = name_index_find(&tx_names, name, n);
    return i < 0 ? NULL : &tx_commands[i];
}

int tx_index(const char *name, size_t n) {
    const tx_command *cmd = tx_lookup(name, n);
    return cmd ? (int)(cmd - tx_commands) : -1;
}

rd_status rd_exec(rd_keyspace *ks, int argc, const char **argv, const size_t *argl, int resp,
                  rd_buf *out) {
    const tx_command *cmd = argc > 0 ? tx_lookup(argv[0], argl[0]) : NULL;
    tx_ctx x = {ks, out, resp, 0, rd_now_ms(), 0, NULL};
    if (!cmd) return RD_NOT_FOUND;
    rd_buf *self = notify_self_enter(out);
    if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity) /* handlers trust their arity */
        resp_add_status_errorf(out, RD_ERR_ARITY, cmd->name);
    else
        cmd->fn(&x, argc, argv, argl);
    notify_self_leave(self);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

int fp_type_dispatch(tx_ctx *x, int argc, const char **argv, const size_t *argl, int *which) {
    const tx_command *cmd = tx_lookup(argv[0], argl[0]);
    size_t start = x->out->len;
    tx_ctx t = *x;
    t.fastpath = 1;
    if (!cmd || cmd - tx_commands >= N_TX_FAST) return FP_SLOW;
    if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity) return FP_SLOW;
    t.defer = fills_waited_keys(cmd->fn); /* Python wakes blocked clients (tx_open) */
    if (ks_over_maxmemory(x->ks)) return FP_SLOW; /* Python's dispatch admits or refuses it */
    cmd->fn(&t, argc, argv, argl);
    /* Errors come before any write in every type command, so Python can run
     * it again to write (and count) the error. */
    if (x->out->len > start && x->out->data[start] == '-') {
        x->out->len = start;
        return FP_SLOW;
    }
    *which = (int)(cmd - tx_commands);
    return FP_DONE;
}

rd_status tx_command_at(int i, const char **name, int *arity) {
    if (i < 0 || i >= N_TX_FAST) return RD_NOT_FOUND;
    *name = tx_commands[i].name;
    *arity = tx_commands[i].arity;
    return RD_OK;
}
