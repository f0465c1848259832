/* script_state.h: what the rest of the core asks of the Lua engine (script.c), without Lua's headers. */
#ifndef REDISTILL_SCRIPT_STATE_H
#define REDISTILL_SCRIPT_STATE_H

#include "platform.h"

#include <stddef.h>

/* A script runs on this thread now (SORT then orders a set's output, as Redis does for scripts). */
int script_running_here(void);
/* A script has run past busy-reply-threshold (any thread; one relaxed load): other clients get -BUSY. */
int script_busy(void);
/* Busy mode's answer to one command (conn.c, while script_busy()): 1 when it must go to Python
 * (unknown command, wrong arity, or allowed while busy: Redis's allow_busy), 0 after writing its reply
 * to out (-BUSY; SCRIPT KILL and FUNCTION KILL are answered here, since Python may be stuck behind
 * the script on this very thread; SHUTDOWN also stops the script, then goes to Python). */
int script_busy_reply(int argc, const char **argv, const size_t *argl, struct rd_buf *out);

#endif
