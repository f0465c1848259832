/* script_state.c: the Lua engine's state that the rest of the core reads (script_state.h).  It sits
 * in the lowest layer: the gate, SORT and the connections ask it without calling up into script.c,
 * and the busy hook reaches the worker's connections through the function conn.c registers. */
#include "script_state.h"

#include <stdatomic.h>

_Thread_local int script_running_flag;
_Atomic int script_busy_flag;
_Atomic int script_python_only_flag;
static void (*busy_server)(void);

int script_running_here(void) { return script_running_flag; }

int script_busy(void) { return atomic_load_explicit(&script_busy_flag, memory_order_relaxed); }

void script_set_busy_server(void (*fn)(void)) { busy_server = fn; }

void script_serve_busy(void) {
    if (busy_server) busy_server();
}
