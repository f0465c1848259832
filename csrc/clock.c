/* clock.c: the clocks every part reads: wall time (frozen while a thread holds the
 * keyspace gate, as Redis caches the time for one command) and a monotonic one for budgets. */
#include "clock.h"

#include <time.h>

_Thread_local int64_t gate_now;    /* 0 = not frozen */
_Thread_local int64_t gate_now_us;

void clock_freeze(void) {
    gate_now_us = rd_now_us();
    gate_now = gate_now_us / 1000;
}

void clock_thaw(void) { gate_now = 0; }

int64_t rd_now_ms(void) {
    struct timespec ts;
    if (gate_now) return gate_now; /* a command's (or a transaction's) time stands still: gate.c */
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rd_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
