/* script.h: the Lua engine's parts (script.c: the state, the sandbox, the script cache, EVAL and
 * SCRIPT; script_call.c: redis.call and the other redis.* functions; script_conv.c: replies to Lua
 * values and back).  One Lua state for the process, as Redis has, used only under the keyspace gate
 * held exclusive (docs/LOCKING.md), so nothing here takes a lock of its own. */
#ifndef REDISTILL_SCRIPT_H
#define REDISTILL_SCRIPT_H

#include "platform.h"

#include <lua.h>
#include <stdint.h>
#include "buf.h"
#include "redistill.h"

/* Redis's shebang flags (SCRIPT_FLAG_*); COMPAT: no shebang, EVAL's old rules. */
enum {
    SF_NO_WRITES = 1, SF_ALLOW_OOM = 2, SF_ALLOW_STALE = 4, SF_NO_CLUSTER = 8,
    SF_ALLOW_CROSS_SLOT = 16, SF_COMPAT = 32
};

/* One script run (Redis's scriptRunCtx). */
typedef struct script_run {
    rd_keyspace *ks;
    char sha[41];
    int resp;        /* the protocol redis.call replies in (redis.setresp) */
    int caller_resp; /* the caller's, for the script's return value */
    int read_only;   /* EVAL_RO, or a no-writes script: write commands refused */
    int allow_oom;
    int oom;         /* over maxmemory when the script started */
    int dirty;       /* a write command ran (SCRIPT KILL can no longer stop it) */
    int is_function; /* FCALL (FUNCTION KILL stops it, FUNCTION STATS shows it), else EVAL */
    const char *name; /* in error suffixes: the SHA1, or the function's name */
    size_t name_len;
    int argc;         /* the caller's command (FUNCTION STATS) */
    const char **argv;
    const size_t *argl;
    int64_t start_us;
} script_run;

/* A sandboxed Lua state (Redis's libraries, the redis table, the error handler, read-only globals
 * behind a proxy); *globals_ref is the registry reference of its real globals table.  NULL: no memory. */
lua_State *script_sandbox_new(int *globals_ref);
/* EVAL's and FCALL's numkeys against argc (more keys than arguments, negative): 0, or 1 after
 * writing the error. */
int script_bad_numkeys(long long numkeys, int argc, rd_buf *out);
/* Redis's scriptPrepareForRun checks for a script with shebang flags (ro: EVAL_RO/FCALL_RO), then
 * the run's fields; 0, or -1 after writing the error. */
int script_prepare(script_run *r, rd_keyspace *ks, unsigned flags, int ro, int resp, rd_buf *out);
/* Runs the function under nargs arguments on top of l's stack (both popped) as run r: the busy hook,
 * the reply or the error (with r->name) appended to out.  globals_ref: the state's real globals. */
void script_exec(lua_State *l, int globals_ref, script_run *r, int nargs, rd_buf *out);
/* The error line of status st, its "%s" parts filled with a and b (CR, LF as spaces). */
void script_status_with(rd_buf *out, rd_status st, const char *a, size_t an, const char *b, size_t bn);
/* The sandbox's metamethods: a missing global's error (__index), a read-only table's (__newindex). */
int script_missing_global(lua_State *l);
int script_readonly_write(lua_State *l);
/* The busy hook's work (busy-reply-threshold, serving the worker's other clients, SCRIPT KILL) run
 * from redis.call after a command that went through Python: such calls are slow, so a script making
 * them runs few Lua instructions between the count hook's calls. */
void script_busy_check(lua_State *l);
/* Pushes the array {argv[0], ..., argv[n-1]} (KEYS, ARGV). */
void script_push_array(lua_State *l, int n, const char **argv, const size_t *argl);
/* Heap bytes of a Lua state. */
uint64_t script_lua_bytes(lua_State *l);
/* The SF_* flag of a shebang flag name (register_function's flags, case-insensitive): 0, or -1. */
int script_flag_of(const char *name, size_t n, unsigned *flag);
/* The names of flags' SF_* bits, in Redis's order (FUNCTION LIST). */
int script_flag_names(unsigned flags, const char **names);
/* FUNCTION STATS' running_script entry (nil when no function runs) and FUNCTION KILL, for any
 * thread (busy mode answers them in C). */
void script_stats_running(rd_buf *out, int resp);
/* 0: no script runs, 1: an EVAL script, 2: a function.  Any thread. */
int script_running_kind(void);
/* function.c: a function's flags by name (1), or 0 when there is none of that name. */
int function_flags(const char *name, size_t n, unsigned *flags);

/* The run in progress, NULL between scripts. */
extern script_run *script_cur;

/* SHUTDOWN while a script is busy: stop it at its next hook, written or not. */
void script_kill_for_shutdown(void);

/* Marks the running script as having written (SCRIPT KILL then refuses: -UNKILLABLE). */
void script_dirty(void);
/* Marks the running script as having called a read-only command (rd_script_read_seen). */
void script_read(void);

/* Python has registered its redis.call path (the fast path's EVALSHA needs it). */
int script_python_set(void);

/* script_call.c: redis.* into the table on top of the stack; the global pcall replacement. */
void script_register_api(lua_State *L);
int script_pcall(lua_State *L);
/* Pushes Redis's error table {err = "CODE msg"} from "-CODE msg" or "msg" (luaPushErrorBuff). */
void script_push_error(lua_State *L, const char *msg, size_t len);
/* The command registry Python fills at start (rd_script_command). */
void script_registry_clear(void);

/* script_conv.c */
/* Pushes the Lua value of one RESP reply at p (redisProtocolToLuaType); returns the bytes read. */
size_t script_reply_to_lua(lua_State *L, const char *p, size_t len);
/* Converts and pops the value on top of the stack into out, in caller_resp (luaReplyToRedisReply). */
void script_lua_to_reply(lua_State *L, rd_buf *out, int script_resp, int caller_resp);
/* "-msg\r\n" with CR and LF mapped to spaces (addReplyErrorFormat's sanitising). */
void script_add_error_line(rd_buf *out, const char *msg, size_t len);

#endif
