/* slowlog.h: the fast path's side of SLOWLOG (slowlog.c). */
#ifndef REDISTILL_SLOWLOG_H
#define REDISTILL_SLOWLOG_H

#include "platform.h"

#include <stddef.h>
#include <stdint.h>

/* The threshold (relaxed read) and the queueing of one slow fast-path command;
 * who is "addr\0name". */
int64_t sl_threshold(void);
#define SL_MAX_ARGC 32 /* arguments an entry keeps (SLOWLOG_ENTRY_MAX_ARGC) */
void sl_record(int argc, const char **argv, const size_t *argl, int64_t usec, const char *who,
               size_t who_len);

#endif
