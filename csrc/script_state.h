/* script_state.h: what the rest of the core asks of the Lua engine (script.c), without Lua's headers. */
#ifndef REDISTILL_SCRIPT_STATE_H
#define REDISTILL_SCRIPT_STATE_H

#include "platform.h"

#include <stddef.h>

struct rd_buf;

/* The state itself lives in script_state.c, the lowest layer, so that the gate, SORT and the
 * connections read it without calling up into script.c; script.c writes it. */
extern _Thread_local int script_running_flag; /* a script runs on this thread */
extern _Atomic int script_busy_flag;          /* the running script is past busy-reply-threshold */
/* MONITOR or CLIENT PAUSE is on (conn.c's rd_set_python_only): a script's commands go through Python's
 * dispatcher too, which feeds them to the monitors. */
extern _Atomic int script_python_only_flag;
/* A script runs on this thread now (SORT then orders a set's output, as Redis does for scripts). */
int script_running_here(void);
/* A script has run past busy-reply-threshold (any thread; one relaxed load): other clients get -BUSY. */
int script_busy(void);
/* Answers this thread's worker's other clients while its script is busy: the function conn.c
 * registers at load (worker_serve_busy), called from the script's hook. */
void script_set_busy_server(void (*fn)(void));
void script_serve_busy(void);
/* Busy mode's answer to one command (conn.c, while script_busy()): 1 when it must go to Python
 * (unknown command, wrong arity, or allowed while busy: Redis's allow_busy), 0 after writing its reply
 * to out (-BUSY; SCRIPT KILL and FUNCTION KILL are answered here, since Python may be stuck behind
 * the script on this very thread; SHUTDOWN also stops the script, then goes to Python). */
int script_busy_reply(int argc, const char **argv, const size_t *argl, int resp, struct rd_buf *out);

/* The fast path may run EVALSHA itself (the engine is set up: Python's redis.call path is there). */
int script_fast_ready(void);

#endif
