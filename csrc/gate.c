/* gate.c: the keyspace-wide gate: every command holds it shared; EXEC and the whole-keyspace commands exclusive.
 *
 * Rules (docs/LOCKING.md):
 *  1. The gate comes before every other lock: it is taken with no shard lock
 *     and no Python lock held, and nothing waits for it while holding one.
 *  2. The fast path holds it shared for a whole batch (one lock per
 *     rd_conn_io call, not per command); Python's dispatch for one command;
 *     EXEC exclusive for the check of its WATCHed keys and its whole queue.
 *  3. Re-entrant per thread through a thread-local depth, so the rd_ks_* calls
 *     of a command (or of a transaction) never wait on the gate their own
 *     thread holds.  A shared holder can never upgrade: that would deadlock.
 *  4. Writer-preferring: once an EXEC waits, new batches and commands queue
 *     behind it instead of starving it.
 *  5. Waiting happens in C with the GIL released (cffi), so a thread blocked
 *     here never holds up the EXEC thread's Python.
 *  6. The clock stands still while a thread holds the gate: rd_now_ms returns
 *     the time the gate was taken, so a command (and a whole transaction) sees
 *     one instant, as under Redis's cached time (a key cannot expire between
 *     two commands of one EXEC).  A fast-path batch moves it on every few
 *     commands (gate_tick), so a long batch does not see a stale time.
 *  7. Whole-keyspace calls (FLUSHALL, KEYS, DBSIZE, RANDOMKEY's "none") take
 *     it exclusive themselves (gate_enter_whole); the dispatcher runs their
 *     commands without its shared hold, as EXEC.  Nested in a shared hold they
 *     go on under it, stripe by stripe (an upgrade would deadlock).
 *  8. What a FLUSHALL detached from the keyspace while its thread held the gate
 *     is freed when that thread releases it (ks_lazyfree): freeing millions of
 *     keys never delays an EXEC waiting for the gate, nor what queues behind it.
 */
#include "gate.h"

#include <time.h>
#include "script_state.h"

static _Thread_local int depth;     /* nesting of this thread's hold; 0 = not held */
static _Thread_local int exclusive; /* the hold (depth > 0) is exclusive */
_Thread_local int64_t gate_now;     /* rule 6; 0 = not held */
_Thread_local int64_t gate_now_us;  /* the same instant in microseconds */

static void freeze_clock(void) {
    gate_now_us = rd_now_us();
    gate_now = gate_now_us / 1000;
}

int gate_init(ks_gate *g) {
    pthread_rwlockattr_t attr;
    int rc;
    if (pthread_rwlockattr_init(&attr) != 0) return -1;
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    rc = pthread_rwlock_init(&g->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

void gate_destroy(ks_gate *g) { pthread_rwlock_destroy(&g->lock); }

void gate_enter_shared(ks_gate *g) {
    if (depth++ > 0) return;
    pthread_rwlock_rdlock(&g->lock);
    freeze_clock();
}

/* As gate_enter_shared, but gives up (-1, not holding it) once a script runs past
 * busy-reply-threshold: a batch then answers -BUSY instead of waiting for the script. */
int gate_enter_shared_or_busy(ks_gate *g) {
    if (depth > 0) {
        depth++;
        return 0;
    }
    while (pthread_rwlock_tryrdlock(&g->lock) != 0) {
        struct timespec until;
        if (script_busy()) return -1;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 10 * 1000000L; /* look at the busy flag every 10 ms */
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        if (pthread_rwlock_timedrdlock(&g->lock, &until) == 0) break;
    }
    depth = 1;
    freeze_clock();
    return 0;
}

int gate_enter_exclusive(ks_gate *g) {
    if (depth > 0) {
        if (!exclusive) return -1;
        depth++;
        return 0;
    }
    pthread_rwlock_wrlock(&g->lock);
    depth = 1;
    exclusive = 1;
    freeze_clock();
    return 0;
}

/* Between two commands of a fast-path batch its clock moves on, as Redis reads
 * the time per command outside a transaction; a transaction's instant (an
 * exclusive or nested hold) never moves.  Returns the clock. */
int64_t gate_tick(void) {
    if (depth == 1 && !exclusive) freeze_clock();
    return rd_now_ms();
}

void gate_enter_whole(ks_gate *g) {
    if (gate_enter_exclusive(g) != 0) depth++; /* held shared: nest in that hold */
}

void gate_leave(ks_gate *g) {
    if (depth <= 0 || --depth > 0) return;
    exclusive = 0;
    gate_now = 0;
    pthread_rwlock_unlock(&g->lock);
    ks_lazyfree(); /* rule 8 */
}

/* ---- public API ------------------------------------------------------------- */

void rd_ks_shared_begin(rd_keyspace *ks) { gate_enter_shared(ks_gate_of(ks)); }
void rd_ks_shared_end(rd_keyspace *ks) { gate_leave(ks_gate_of(ks)); }

rd_status rd_ks_exclusive_begin(rd_keyspace *ks) {
    return gate_enter_exclusive(ks_gate_of(ks)) == 0 ? RD_OK : RD_NOT_DONE;
}

void rd_ks_exclusive_end(rd_keyspace *ks) { gate_leave(ks_gate_of(ks)); }
