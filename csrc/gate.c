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
 *     is freed when that thread releases it (the after_release hook the keyspace
 *     gives gate_init: ks_lazyfree): freeing millions of keys never delays an
 *     EXEC waiting for the gate, nor what queues behind it.
 *  The gate knows nothing of the keyspace (keyspace.c owns it and its public
 *  rd_ks_shared_begin ... calls), so the two do not call each other in a circle.
 */
#include "gate.h"

#include <time.h>
#include "script_state.h"

static _Thread_local int depth;     /* nesting of this thread's hold; 0 = not held */
static _Thread_local int exclusive; /* the hold (depth > 0) is exclusive */

int gate_init(ks_gate *g, void (*after_release)(void)) {
    pthread_rwlockattr_t attr;
    int rc;
    if (pthread_rwlockattr_init(&attr) != 0) return -1;
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    rc = pthread_rwlock_init(&g->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    g->after_release = after_release;
    return rc == 0 ? 0 : -1;
}

void gate_destroy(ks_gate *g) { pthread_rwlock_destroy(&g->lock); }

void gate_enter_shared(ks_gate *g) {
    if (depth++ > 0) return;
    pthread_rwlock_rdlock(&g->lock);
    clock_freeze(); /* rule 6 */
}

/* Waits for the lock (try, then 10 ms slices), giving up (-1) once a script runs past
 * busy-reply-threshold: the caller answers -BUSY instead of waiting for the script. */
static int lock_unless_busy(ks_gate *g, int excl) {
    while ((excl ? pthread_rwlock_trywrlock(&g->lock) : pthread_rwlock_tryrdlock(&g->lock)) != 0) {
        struct timespec until;
        if (script_busy()) return -1;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 10 * 1000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        if ((excl ? pthread_rwlock_timedwrlock(&g->lock, &until) : pthread_rwlock_timedrdlock(&g->lock, &until)) == 0)
            break;
    }
    return 0;
}

int gate_enter_shared_or_busy(ks_gate *g) {
    if (depth > 0) {
        depth++;
        return 0;
    }
    if (lock_unless_busy(g, 0) != 0) return -1;
    depth = 1;
    clock_freeze(); /* rule 6 */
    return 0;
}

int gate_enter_exclusive_or_busy(ks_gate *g) {
    if (depth > 0) return gate_enter_exclusive(g);
    if (lock_unless_busy(g, 1) != 0) return -2;
    depth = 1;
    exclusive = 1;
    clock_freeze(); /* rule 6 */
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
    clock_freeze(); /* rule 6 */
    return 0;
}

/* Between two commands of a fast-path batch its clock moves on, as Redis reads
 * the time per command outside a transaction; a transaction's instant (an
 * exclusive or nested hold) never moves.  Returns the clock. */
int64_t gate_tick(void) {
    if (depth == 1 && !exclusive) clock_freeze(); /* rule 6 */
    return rd_now_ms();
}

void gate_enter_whole(ks_gate *g) {
    if (gate_enter_exclusive(g) != 0) depth++; /* held shared: nest in that hold */
}

void gate_leave(ks_gate *g) {
    if (depth <= 0 || --depth > 0) return;
    exclusive = 0;
    clock_thaw();
    pthread_rwlock_unlock(&g->lock);
    if (g->after_release) g->after_release(); /* rule 8 */
}
