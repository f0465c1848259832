/* fastpath.c: the list of commands C serves itself, and the dispatch from a parsed frame to their handlers. */
#include "fastpath.h"
#include "types.h"

#include <string.h>

typedef struct fp_command {
    const char *name; /* lowercase */
    int arity;        /* Redis convention: N exact, -N at least N */
    tx_handler fn;
} fp_command;

/* The table's c="fast" rows (commands_generated.h); rd_fast_command lists them for Python. */
#define FP_ENTRY(name, arity, fn) {#name, arity, fn},
static const fp_command fast_commands[] = {FAST_COMMANDS(FP_ENTRY)};
#undef FP_ENTRY
#define N_FAST (sizeof fast_commands / sizeof fast_commands[0])
_Static_assert(N_FAST <= FP_MAX_COMMANDS, "raise FP_MAX_COMMANDS (per-command counters)");

static name_index fp_index;

__attribute__((constructor)) static void fp_index_build(void) {
    for (size_t i = 0; i < N_FAST; i++) name_index_add(&fp_index, fast_commands[i].name, (int)i);
}

static const fp_command *fp_lookup(const char *name, size_t n) {
    int i = name_index_find(&fp_index, name, n);
    return i < 0 ? NULL : &fast_commands[i];
}

/* Cluster mode: 1 when the command may run here; otherwise Python writes -MOVED/-CROSSSLOT. */
static int fp_cluster_ok(const fp_command *cmd, int argc, const char **argv, const size_t *argl) {
    int i = cmd ? (int)(cmd - fast_commands) : tx_index(argv[0], argl[0]);
    if (i < 0) return 0;
    return cl_keys_local(cmd ? i : (int)N_FAST + i, argc, argv, argl);
}

/* The user may not be allowed: 0 sends it to Python, which checks the whole user. */
static int fp_acl_ok(const struct rd_acl *acl, const fp_command *cmd, int argc, const char **argv,
                     const size_t *argl) {
    int i = cmd ? (int)(cmd - fast_commands) : tx_index(argv[0], argl[0]);
    if (i < 0) return 0;
    return acl_fast_ok(acl, cmd ? i : (int)N_FAST + i, argc, argv, argl);
}

int fp_dispatch(tx_ctx *x, int argc, const char **argv, const size_t *argl, int *which) {
    const fp_command *cmd = fp_lookup(argv[0], argl[0]);
    if (x->acl && !fp_acl_ok(x->acl, cmd, argc, argv, argl)) return FP_SLOW;
    if (cl_enabled && !fp_cluster_ok(cmd, argc, argv, argl)) return FP_SLOW;
    if (!cmd) {
        int rc = fp_type_dispatch(x, argc, argv, argl, which);
        if (rc == FP_DONE) *which += (int)N_FAST; /* type commands count after this table */
        return rc;
    }
    if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity) return FP_SLOW;
    *which = (int)(cmd - fast_commands);
    cmd->fn(x, argc, argv, argl);
    return FP_DONE;
}

static const char *const script_names[] = {"evalsha", "evalsha_ro"};

int fp_script_slot(int ro) { return (int)N_FAST + tx_command_count() + (ro != 0); }

int fp_command_index(const char *name, size_t n) {
    const fp_command *cmd = fp_lookup(name, n);
    if (cmd) return (int)(cmd - fast_commands);
    int i = tx_index(name, n);
    return i < 0 || i >= tx_command_count() ? -1 : (int)N_FAST + i; /* EXEC-only ones: no slot */
}

rd_status rd_fast_command(int i, const char **name, int *arity) {
    if (i < 0) return RD_NOT_FOUND;
    if ((size_t)i >= N_FAST && i < fp_script_slot(0)) return tx_command_at(i - (int)N_FAST, name, arity);
    if (i == fp_script_slot(0) || i == fp_script_slot(1)) {
        *name = script_names[i - fp_script_slot(0)];
        *arity = -3;
        return RD_OK;
    }
    if ((size_t)i >= N_FAST) return RD_NOT_FOUND;
    *name = fast_commands[i].name;
    *arity = fast_commands[i].arity;
    return RD_OK;
}
