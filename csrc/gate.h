/* gate.h: the keyspace-wide gate (gate.c), and the clocks (clock.h) whose wall clock it freezes. */
#ifndef REDISTILL_GATE_H
#define REDISTILL_GATE_H

#include "platform.h"

#include <pthread.h>
#include <stdint.h>
#include "clock.h"
#include "redistill.h"

/* The keyspace-wide gate: commands hold it shared, EXEC exclusive (docs/LOCKING.md).
 * Re-entrant per thread: a thread that holds it (either way) only counts nested entries. */
typedef struct ks_gate {
    pthread_rwlock_t lock; /* writer-preferring, so a waiting EXEC is not starved */
    void (*after_release)(void); /* run by a thread once it released the gate (may be NULL) */
} ks_gate;

int gate_init(ks_gate *g, void (*after_release)(void));
void gate_destroy(ks_gate *g);
void gate_enter_shared(ks_gate *g);
/* The same, or -1 without it once a script is busy (script_state.h): the fast path's batch. */
int gate_enter_shared_or_busy(ks_gate *g);
/* Exclusive, or -1 when this thread holds it shared, or -2 once a script is busy (EVAL, EXEC). */
int gate_enter_exclusive_or_busy(ks_gate *g);
/* -1 when this thread already holds the gate shared (an upgrade would deadlock). */
int gate_enter_exclusive(ks_gate *g);
void gate_leave(ks_gate *g);
/* Exclusive (re-entrant), or one more nesting of this thread's shared hold. */
void gate_enter_whole(ks_gate *g);
/* Re-reads the clock for a batch's next commands (outermost shared hold only). */
int64_t gate_tick(void);

#endif
