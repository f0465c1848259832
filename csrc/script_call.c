/* script_call.c: redis.call / redis.pcall and the other functions of the `redis` table, and the
 * command registry they check commands against (Redis's scriptCall: lookup, arity, noscript,
 * read-only, OOM).  A command C implements runs its C handler right here (rd_exec); any other goes to
 * Python's dispatcher through the function pointer Python registered (rd_script_set_python). */
#include "script.h"

#include <ctype.h>
#include <stdatomic.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gate.h"
#include "ksapi.h"
#include "resp.h"
#include "script_state.h"
#include "sha1.h"
#include "types.h"

/* ---- the command registry ------------------------------------------------------ */

#define REG_SLOTS 2048 /* a power of two, well above twice the table's rows and subcommands */

typedef struct reg_entry {
    char *name; /* lowercase, "container|sub" for a subcommand */
    size_t n;
    int arity;
    unsigned flags; /* RD_CMD_* */
    /* INFO commandstats of the calls scripts make: written by the script's thread (one script runs
     * at a time), read by INFO's (relaxed atomics). */
    _Atomic uint64_t calls, failed, rejected;
} reg_entry;

static reg_entry reg[REG_SLOTS];

static uint32_t name_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)tolower((unsigned char)s[i])) * 16777619u;
    return h;
}

static int name_eq(const reg_entry *e, const char *s, size_t n) {
    if (e->n != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (e->name[i] != tolower((unsigned char)s[i])) return 0;
    return 1;
}

static reg_entry *reg_slot(const char *s, size_t n) {
    for (uint32_t i = name_hash(s, n);; i++) {
        reg_entry *e = &reg[i & (REG_SLOTS - 1)];
        if (!e->name || name_eq(e, s, n)) return e;
    }
}

rd_status rd_script_command(const char *name, size_t n, int arity, unsigned flags) {
    reg_entry *e;
    static int used;
    if (n == 0 || n > 64) return RD_NOT_FOUND;
    e = reg_slot(name, n);
    if (!e->name) {
        if (used >= REG_SLOTS / 2) return RD_ERR_NOMEM;
        if (!(e->name = malloc(n + 1))) return RD_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) e->name[i] = (char)tolower((unsigned char)name[i]);
        e->name[n] = '\0';
        e->n = n;
        used++;
    }
    e->arity = arity;
    e->flags = flags;
    return RD_OK;
}

static void count(_Atomic uint64_t *c) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

rd_status rd_script_call_stats(const char *name, size_t n, uint64_t *out) {
    const reg_entry *e = n && n <= 64 ? reg_slot(name, n) : NULL;
    if (!e || !e->name) return RD_NOT_FOUND;
    out[0] = atomic_load_explicit(&e->calls, memory_order_relaxed);
    out[1] = atomic_load_explicit(&e->failed, memory_order_relaxed);
    out[2] = atomic_load_explicit(&e->rejected, memory_order_relaxed);
    return RD_OK;
}

void rd_script_call_stats_reset(void) {
    for (int i = 0; i < REG_SLOTS; i++) {
        atomic_store_explicit(&reg[i].calls, 0, memory_order_relaxed);
        atomic_store_explicit(&reg[i].failed, 0, memory_order_relaxed);
        atomic_store_explicit(&reg[i].rejected, 0, memory_order_relaxed);
    }
}

void script_registry_clear(void) {
    for (int i = 0; i < REG_SLOTS; i++) free(reg[i].name);
    memset(reg, 0, sizeof reg);
}

/* Redis's lookupCommand: a container with a second argument resolves to its subcommand (NULL when
 * it has none of that name); a container alone is itself (its arity then fails). */
static reg_entry *lookup(int argc, const char **argv, const size_t *argl) {
    reg_entry *e = reg_slot(argv[0], argl[0]);
    char full[160];
    if (!e->name) return NULL;
    if (!(e->flags & RD_CMD_CONTAINER) || argc < 2) return e;
    if (argl[0] + 1 + argl[1] > sizeof full) return NULL;
    memcpy(full, argv[0], argl[0]);
    full[argl[0]] = '|';
    memcpy(full + argl[0] + 1, argv[1], argl[1]);
    e = reg_slot(full, argl[0] + 1 + argl[1]);
    return e->name ? e : NULL;
}

/* ---- busy mode (script_state.h) ------------------------------------------------ */

int script_busy_reply(int argc, const char **argv, const size_t *argl, int resp, rd_buf *out) {
    const reg_entry *e = argc > 0 ? lookup(argc, argv, argl) : NULL;
    if (!e || (e->arity > 0 ? argc != e->arity : argc < -e->arity)) return 1; /* Python's error */
    if (!(e->flags & RD_CMD_ALLOW_BUSY)) {
        resp_add_status_error(out, script_busy() == 2 ? RD_ERR_BUSY_FUNCTION : RD_ERR_BUSY);
        return 0;
    }
    if (name_eq(e, "script|kill", 11)) {
        rd_script_kill(out);
        return 0;
    }
    if (name_eq(e, "function|kill", 13)) {
        rd_function_kill(out);
        return 0;
    }
    if (name_eq(e, "function|stats", 14)) {
        rd_function_stats(resp, out);
        return 0;
    }
    if (name_eq(e, "shutdown", 8)) script_kill_for_shutdown();
    return 1;
}

/* ---- the Python path ------------------------------------------------------------ */

typedef int (*python_fn)(const char *frame, size_t len, int resp, rd_buf *out);
static python_fn python_call;
/* Scripts of restricted users started and not ended: while any, Python checks every command
 * (a count, as two threads' EVALs may overlap while one waits for the gate). */
static _Atomic int acl_python;

void rd_script_set_acl_python(int on) {
    if (on) atomic_fetch_add_explicit(&acl_python, 1, memory_order_relaxed);
    else atomic_fetch_sub_explicit(&acl_python, 1, memory_order_relaxed);
}

int script_python_set(void) { return python_call != NULL; }

rd_status rd_script_set_python(void *fn) {
    python_call = (python_fn)fn;
    return RD_OK;
}

/* The command as the canonical multibulk frame Python's dispatcher reads from every socket. */
static void run_in_python(int argc, const char **argv, const size_t *argl, int resp, rd_buf *out) {
    rd_buf frame;
    buf_init(&frame);
    resp_add_array_len(&frame, argc);
    for (int i = 0; i < argc; i++) resp_add_bulk(&frame, argv[i], argl[i]);
    if (frame.failed || !python_call || python_call(frame.data, frame.len, resp, out) != 0)
        resp_add_status_error(out, frame.failed ? RD_ERR_NOMEM : RD_ERR_INTERNAL);
    buf_release(&frame);
}

/* ---- redis.call / redis.pcall ---------------------------------------------------- */

void script_push_error(lua_State *L, const char *msg, size_t len) {
    const char *code = "ERR", *text = msg, *sp;
    size_t clen = 3, tlen = len;
    luaL_Buffer b;
    if (len && msg[0] == '-') { /* "-CODE msg": the code is the first word */
        sp = memchr(msg, ' ', len);
        if (sp) {
            code = msg + 1, clen = (size_t)(sp - msg - 1);
            text = sp + 1, tlen = len - (size_t)(sp + 1 - msg);
        } else {
            text = msg + 1, tlen = len - 1;
        }
    }
    while (tlen && (text[0] == '\r' || text[0] == '\n')) text++, tlen--; /* sdstrim */
    while (tlen && (text[tlen - 1] == '\r' || text[tlen - 1] == '\n')) tlen--;
    lua_newtable(L);
    lua_pushstring(L, "err");
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, code, clen);
    luaL_addchar(&b, ' ');
    luaL_addlstring(&b, text, tlen);
    luaL_pushresult(&b);
    lua_settable(L, -3);
}

static void push_error_str(lua_State *L, const char *msg) { script_push_error(L, msg, strlen(msg)); }

/* The scratch argv of redis.call: reused, grown as needed (one script runs at a time). */
static const char **call_argv;
static size_t *call_argl;
static char (*call_num)[32];
static int call_cap;

static int grow_args(int argc) {
    const char **av;
    size_t *al;
    char(*nb)[32];
    int cap = argc < 16 ? 16 : argc;
    if (argc <= call_cap) return 0;
    av = realloc(call_argv, (size_t)cap * sizeof *av);
    if (av) call_argv = av;
    al = realloc(call_argl, (size_t)cap * sizeof *al);
    if (al) call_argl = al;
    nb = realloc(call_num, (size_t)cap * sizeof *nb);
    if (nb) call_num = nb;
    if (!av || !al || !nb) return -1;
    call_cap = cap;
    return 0;
}

/* Redis's scriptCall checks, in its order: NULL or the error text. */
static const char *check_command(script_run *r, const reg_entry *e, int argc) {
    if (!e) return "Unknown Redis command called from script";
    if (e->arity > 0 ? argc != e->arity : argc < -e->arity)
        return "Wrong number of args calling Redis command from script";
    if (e->flags & RD_CMD_NOSCRIPT) return "This Redis command is not allowed from script";
    if (r->read_only && (e->flags & (RD_CMD_WRITE | RD_CMD_MAY_REPLICATE)))
        return "Write commands are not allowed from read-only scripts.";
    /* Over maxmemory a script may not start writing (it may finish what it started). */
    if (!r->allow_oom && r->oom && !r->dirty && (e->flags & RD_CMD_DENYOOM))
        return rd_status_message(RD_ERR_OOM);
    return NULL;
}

static int nomem_error(lua_State *L) {
    const char *m = rd_status_message(RD_ERR_NOMEM);
    script_push_error(L, m, strlen(m));
    return lua_error(L);
}

static int slow_call; /* the last redis.call went through Python (one script runs at a time) */

static int redis_call(lua_State *L, int raise) {
    script_run *r = script_cur;
    int argc = lua_gettop(L), j;
    reg_entry *e;
    const char *err;
    rd_buf out;
    if (!r) {
        push_error_str(L, "redis.call/pcall can only be called inside a script invocation");
        return lua_error(L);
    }
    if (slow_call) { /* before anything is allocated: the check may raise the kill */
        slow_call = 0;
        script_busy_check(L);
    }
    if (argc == 0) {
        push_error_str(L, "Please specify at least one argument for this redis lib call");
        return raise ? lua_error(L) : 1;
    }
    if (grow_args(argc) != 0) return nomem_error(L);
    for (j = 0; j < argc; j++) {
        if (lua_type(L, j + 1) == LUA_TNUMBER) { /* lua_tolstring's %.14g would lose digits */
            int n = snprintf(call_num[j], sizeof call_num[j], "%.17g", (double)lua_tonumber(L, j + 1));
            call_argv[j] = call_num[j];
            call_argl[j] = (size_t)n;
        } else if (!(call_argv[j] = lua_tolstring(L, j + 1, &call_argl[j]))) {
            break;
        }
    }
    if (j != argc) {
        lua_pop(L, argc);
        push_error_str(L, "Lua redis lib command arguments must be strings or integers");
        return raise ? lua_error(L) : 1;
    }
    e = lookup(argc, call_argv, call_argl);
    err = check_command(r, e, argc);
    if (err) {
        if (e) count(&e->rejected); /* Redis's incrCommandStatsOnError(REJECTED) */
        lua_pop(L, argc);
        push_error_str(L, err);
        lua_pushstring(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
        return raise ? lua_error(L) : 1;
    }
    if (e->flags & RD_CMD_WRITE) {
        r->dirty = 1;
        script_dirty();
    }
    if (e->flags & RD_CMD_READONLY) script_read();
    buf_init(&out);
    /* A command that may fill a key a client blocks on goes through Python while any client is
     * blocked, which serves the waiters (after the script, as EXEC's are); every command does while a
     * monitor watches (Python feeds it), or while the script's user is not the open default one (Python
     * checks its ACL). */
    if (atomic_load_explicit(&script_python_only_flag, memory_order_relaxed) ||
        atomic_load_explicit(&acl_python, memory_order_relaxed) ||
        ((e->flags & RD_CMD_WAKES) && clients_blocked()) ||
        rd_exec(r->ks, argc, call_argv, call_argl, r->resp, &out) == RD_NOT_FOUND) {
        run_in_python(argc, call_argv, call_argl, r->resp, &out); /* Python's dispatcher counts it */
        slow_call = 1;
    } else {
        count(&e->calls);
        if (out.len && out.data[0] == '-') count(&e->failed);
    }
    lua_pop(L, argc); /* the arguments were pointing into these strings until now */
    if (out.failed || out.len == 0) {
        buf_release(&out);
        return nomem_error(L);
    }
    if (raise && out.data[0] != '-') raise = 0;
    script_reply_to_lua(L, out.data, out.len);
    buf_release(&out);
    return raise ? lua_error(L) : 1;
}

static int l_call(lua_State *L) { return redis_call(L, 1); }
static int l_pcall(lua_State *L) { return redis_call(L, 0); }

/* The global pcall: an error table raised inside it comes back as the table (luaRedisPcall). */
int script_pcall(lua_State *L) {
    int argc = lua_gettop(L);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
        lua_remove(L, 1);
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            if (lua_isstring(L, -1))
                lua_replace(L, -2);
            else
                lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

/* ---- the other redis.* functions ------------------------------------------------- */

static int l_sha1hex(lua_State *L) {
    char digest[41];
    size_t len = 0;
    const char *s;
    if (lua_gettop(L) != 1) {
        push_error_str(L, "wrong number of arguments");
        return lua_error(L);
    }
    s = lua_tolstring(L, 1, &len);
    sha1_hex(digest, s ? s : "", s ? len : 0);
    lua_pushstring(L, digest);
    return 1;
}

static int single_field_table(lua_State *L, const char *field) {
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        push_error_str(L, "wrong number or type of arguments");
        return 1;
    }
    lua_newtable(L);
    lua_pushstring(L, field);
    lua_pushvalue(L, -3);
    lua_settable(L, -3);
    return 1;
}

static int l_error_reply(lua_State *L) {
    size_t n;
    const char *s;
    luaL_Buffer b;
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        push_error_str(L, "wrong number or type of arguments");
        return 1;
    }
    s = lua_tolstring(L, -1, &n);
    n = strlen(s); /* Redis reads it as a C string */
    if (s[0] == '-') {
        script_push_error(L, s, n);
    } else {
        luaL_buffinit(L, &b);
        luaL_addchar(&b, '-');
        luaL_addlstring(&b, s, n);
        luaL_pushresult(&b);
        s = lua_tolstring(L, -1, &n);
        script_push_error(L, s, n);
    }
    return 1;
}

static int l_status_reply(lua_State *L) { return single_field_table(L, "ok"); }

static int need_run(lua_State *L, const char *what) {
    if (script_cur) return 1;
    lua_pushfstring(L, "%s can only be called inside a script invocation", what);
    script_push_error(L, lua_tostring(L, -1), lua_strlen(L, -1));
    return 0;
}

enum { REPL_NONE = 0, REPL_AOF = 1, REPL_REPLICA = 2, REPL_ALL = 3 };

/* Accepted and checked as Redis does; there is no replication to steer. */
static int l_set_repl(lua_State *L) {
    int flags;
    if (!need_run(L, "redis.set_repl")) return lua_error(L);
    if (lua_gettop(L) != 1) {
        push_error_str(L, "redis.set_repl() requires two arguments.");
        return lua_error(L);
    }
    flags = (int)lua_tonumber(L, -1);
    if ((flags & ~REPL_ALL) != 0) {
        push_error_str(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        return lua_error(L);
    }
    return 0;
}

static int l_replicate_commands(lua_State *L) {
    lua_pushboolean(L, 1);
    return 1;
}

/* Without the Lua debugger (SCRIPT DEBUG) these do nothing, as in Redis. */
static int l_breakpoint(lua_State *L) {
    lua_pushboolean(L, 0);
    return 1;
}
static int l_debug(lua_State *L) {
    (void)L;
    return 0;
}

enum { LL_DEBUG = 0, LL_VERBOSE, LL_NOTICE, LL_WARNING };

/* Checked as Redis checks it; the line itself is not written anywhere (there is no server log). */
static int l_log(lua_State *L) {
    int argc = lua_gettop(L), level;
    if (argc < 2) {
        push_error_str(L, "redis.log() requires two arguments or more.");
        return lua_error(L);
    }
    if (!lua_isnumber(L, -argc)) {
        push_error_str(L, "First argument must be a number (log level).");
        return lua_error(L);
    }
    level = (int)lua_tonumber(L, -argc);
    if (level < LL_DEBUG || level > LL_WARNING) {
        push_error_str(L, "Invalid debug level.");
        return lua_error(L);
    }
    return 0;
}

static int l_setresp(lua_State *L) {
    int resp;
    if (!need_run(L, "redis.setresp")) return lua_error(L);
    if (lua_gettop(L) != 1) {
        push_error_str(L, "redis.setresp() requires one argument.");
        return lua_error(L);
    }
    resp = (int)lua_tonumber(L, -1);
    if (resp != 2 && resp != 3) {
        push_error_str(L, "RESP version must be 2 or 3.");
        return lua_error(L);
    }
    script_cur->resp = resp;
    return 0;
}

/* Whether the script's user may run the command: an unrestricted user (no restricted script
 * running anywhere) may run every known command; otherwise Python checks the user's rules (its
 * function called with resp 0). */
static int l_acl_check_cmd(lua_State *L) {
    int argc = lua_gettop(L), allowed = 1;
    size_t n;
    const char *name;
    if (!need_run(L, "redis.acl_check_cmd")) return lua_error(L);
    if (argc == 0) {
        push_error_str(L, "Please specify at least one argument for this redis lib call");
        return lua_error(L);
    }
    name = lua_tolstring(L, 1, &n);
    if (!name || !reg_slot(name, n)->name) {
        push_error_str(L, "Invalid command passed to redis.acl_check_cmd()");
        return lua_error(L);
    }
    if (atomic_load_explicit(&acl_python, memory_order_relaxed) && grow_args(argc) == 0) {
        rd_buf out;
        for (int i = 0; i < argc; i++) {
            call_argv[i] = lua_tolstring(L, i + 1, &call_argl[i]);
            if (!call_argv[i]) call_argv[i] = "", call_argl[i] = 0;
        }
        buf_init(&out);
        run_in_python(argc, call_argv, call_argl, 0, &out);
        allowed = out.len >= 2 && out.data[0] == ':' && out.data[1] == '1';
        buf_release(&out);
    }
    lua_pushboolean(L, allowed);
    return 1;
}

static void set_fn(lua_State *L, const char *name, lua_CFunction fn) {
    lua_pushcfunction(L, fn);
    lua_setfield(L, -2, name);
}

static void set_num(lua_State *L, const char *name, double v) {
    lua_pushnumber(L, v);
    lua_setfield(L, -2, name);
}

void script_register_api(lua_State *L) {
    set_fn(L, "call", l_call);
    set_fn(L, "pcall", l_pcall);
    set_fn(L, "log", l_log);
    set_num(L, "LOG_DEBUG", LL_DEBUG);
    set_num(L, "LOG_VERBOSE", LL_VERBOSE);
    set_num(L, "LOG_NOTICE", LL_NOTICE);
    set_num(L, "LOG_WARNING", LL_WARNING);
    /* The version HELLO and INFO report (commands/connection.py REDIS_VERSION). */
    set_num(L, "REDIS_VERSION_NUM", 0x070000);
    lua_pushstring(L, "7.0.0");
    lua_setfield(L, -2, "REDIS_VERSION");
    set_fn(L, "setresp", l_setresp);
    set_fn(L, "sha1hex", l_sha1hex);
    set_fn(L, "error_reply", l_error_reply);
    set_fn(L, "status_reply", l_status_reply);
    set_fn(L, "set_repl", l_set_repl);
    set_num(L, "REPL_NONE", REPL_NONE);
    set_num(L, "REPL_AOF", REPL_AOF);
    set_num(L, "REPL_SLAVE", REPL_REPLICA);
    set_num(L, "REPL_REPLICA", REPL_REPLICA);
    set_num(L, "REPL_ALL", REPL_ALL);
    set_fn(L, "acl_check_cmd", l_acl_check_cmd);
    set_fn(L, "breakpoint", l_breakpoint);
    set_fn(L, "debug", l_debug);
    set_fn(L, "replicate_commands", l_replicate_commands);
}
