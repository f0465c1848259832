/* clock.h: the clocks every part reads (clock.c): the wall clock, frozen while a thread holds the
 * keyspace gate (gate.c freezes and thaws it), and a monotonic clock for time budgets. */
#ifndef REDISTILL_CLOCK_H
#define REDISTILL_CLOCK_H

#include "platform.h"

#include <stdint.h>
#include "redistill.h"

/* While a thread holds the gate, rd_now_ms returns this: the time it took the gate
 * (Redis's cached time for one command, or a whole EXEC).  0 = not holding it. */
extern _Thread_local int64_t gate_now;
/* The same instant in microseconds (the fast path's SLOWLOG times a batch from it). */
extern _Thread_local int64_t gate_now_us;
/* Stops this thread's clock at the current time (gate_now, gate_now_us); thaw lets it run. */
void clock_freeze(void);
void clock_thaw(void);
/* A monotonic clock for time budgets (rd_now_ms/us are the wall clock, redistill.h). */
int64_t clock_mono_us(void);

#endif
