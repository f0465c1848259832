/* gate.h: the keyspace-wide gate (gate.c), the clock frozen while it is held and the
 * monotonic clock (clock.c), and lazy freeing of what FLUSHALL detached. */
#ifndef REDISTILL_GATE_H
#define REDISTILL_GATE_H

#include "platform.h"

#include <pthread.h>
#include <stdint.h>
#include "redistill.h"

/* The keyspace-wide gate: commands hold it shared, EXEC exclusive (docs/LOCKING.md).
 * Re-entrant per thread: a thread that holds it (either way) only counts nested entries. */
typedef struct ks_gate {
    pthread_rwlock_t lock; /* writer-preferring, so a waiting EXEC is not starved */
} ks_gate;

int gate_init(ks_gate *g);
void gate_destroy(ks_gate *g);
void gate_enter_shared(ks_gate *g);
/* The same, or -1 without it once a script is busy (script_state.h): the fast path's batch. */
int gate_enter_shared_or_busy(ks_gate *g);
/* -1 when this thread already holds the gate shared (an upgrade would deadlock). */
int gate_enter_exclusive(ks_gate *g);
void gate_leave(ks_gate *g);
ks_gate *ks_gate_of(rd_keyspace *ks);
/* Exclusive (re-entrant), or one more nesting of this thread's shared hold. */
void gate_enter_whole(ks_gate *g);
/* Frees what this thread's FLUSHALLs detached while it held the gate (gate_leave
 * calls it once the gate is released). */
void ks_lazyfree(void);
/* While a thread holds the gate, rd_now_ms returns this: the time it took the gate
 * (Redis's cached time for one command, or a whole EXEC).  0 = not holding it. */
extern _Thread_local int64_t gate_now;
/* clock.c: a monotonic clock for time budgets (rd_now_ms/us are the wall clock, redistill.h). */
int64_t clock_mono_us(void);
/* Re-reads the clock for a batch's next commands (outermost shared hold only). */
int64_t gate_tick(void);
/* The same instant in microseconds (the fast path's SLOWLOG times a batch from it). */
extern _Thread_local int64_t gate_now_us;

#endif
