/* script.c: the Lua engine: one Lua 5.1 state for the process (as Redis has), its sandbox, the
 * script cache (functions f_<sha1> in the Lua registry), EVAL/EVALSHA[_RO], SCRIPT LOAD/EXISTS/
 * FLUSH/KILL and the busy-script hook.
 *
 * Rules (docs/ARCHITECTURE.md, "Lua scripting"):
 *  1. Everything here but rd_script_kill, rd_script_stats and rd_script_set_busy_threshold runs
 *     with the keyspace gate held exclusive by the caller, so a script is atomic against every
 *     worker thread (as MULTI/EXEC) and the state needs no lock of its own.
 *  2. The sandbox is Redis 7.0's: base (less loadfile, dofile, print), table, string, math, cjson,
 *     bit (and cmsgpack, struct when linked); globals are read-only and reading a missing one is an
 *     error.  Stock Lua has no read-only tables (Redis patches its copy), so the globals a script
 *     sees are an empty proxy: reads fall through to the real table, writes raise Redis's error.
 *  3. Errors keep Redis's texts and its "script: <sha>, on @user_script:<line>." suffix. */
#include "script.h"

#include <lauxlib.h>
#include <limits.h>
#include <lualib.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include "gate.h"
#include "ksapi.h"
#include "notify.h"
#include "resp.h"
#include "script_state.h"
#include "sha1.h"
#include "strconv.h"

LUALIB_API int luaopen_cjson(lua_State *L);
LUALIB_API int luaopen_bit(lua_State *L);
/* ---- cmsgpack and struct: our own C (csrc/lua/), registered when linked in. ---- */
LUALIB_API int luaopen_cmsgpack(lua_State *L) __attribute__((weak));
LUALIB_API int luaopen_struct(lua_State *L) __attribute__((weak));

script_run *script_cur;

static lua_State *L;
static int globals_ref = LUA_NOREF; /* the real globals table */

/* What other threads read without the gate (rd_script_kill, rd_script_stats). */
static _Atomic int running;           /* a script runs now: 1 EVAL, 2 a function */
static _Atomic int dirty;             /* ... and it has called a write command */
static _Atomic int reads;             /* ... or a read-only one (rd_script_read_seen) */
static _Atomic int kill_requested;    /* SCRIPT KILL asked it to stop */
static _Atomic int64_t busy_threshold_ms = 5000;
static _Atomic uint64_t stat_vm_bytes, stat_count, stat_cache_bytes;

/* ---- the script cache -------------------------------------------------------------- */

typedef struct script_entry {
    struct script_entry *next;
    char sha[41];
    unsigned flags; /* SF_* */
    size_t body_len;
} script_entry;

static script_entry **buckets;
static size_t nbuckets, nscripts, cache_bytes;

/* The first 8 hex digits are as random as any hash. */
static size_t sha_hash(const char *sha) {
    char head[9];
    memcpy(head, sha, 8);
    head[8] = '\0';
    return (size_t)strtoull(head, NULL, 16);
}

static size_t sha_bucket(const char *sha) { return sha_hash(sha) & (nbuckets - 1); }

static script_entry *cache_find(const char *sha) {
    if (!nbuckets) return NULL;
    for (script_entry *e = buckets[sha_bucket(sha)]; e; e = e->next)
        if (memcmp(e->sha, sha, 40) == 0) return e;
    return NULL;
}

static int cache_grow(void) {
    size_t n = nbuckets ? nbuckets * 2 : 256;
    script_entry **nb = calloc(n, sizeof *nb);
    if (!nb) return -1;
    for (size_t i = 0; i < nbuckets; i++)
        for (script_entry *e = buckets[i], *next; e; e = next) {
            size_t b;
            next = e->next;
            b = sha_hash(e->sha) & (n - 1);
            e->next = nb[b];
            nb[b] = e;
        }
    free(buckets);
    buckets = nb;
    nbuckets = n;
    return 0;
}

static script_entry *cache_add(const char *sha, unsigned flags, size_t body_len) {
    script_entry *e;
    size_t b;
    if (nscripts >= nbuckets && cache_grow() != 0) return NULL;
    if (!(e = malloc(sizeof *e))) return NULL;
    memcpy(e->sha, sha, 41);
    e->flags = flags;
    e->body_len = body_len;
    b = sha_bucket(sha);
    e->next = buckets[b];
    buckets[b] = e;
    nscripts++;
    cache_bytes += body_len + sizeof *e + 48; /* the body, the entry, the Lua function's name */
    return e;
}

static void cache_clear(void) {
    for (size_t i = 0; i < nbuckets; i++)
        for (script_entry *e = buckets[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    free(buckets);
    buckets = NULL;
    nbuckets = nscripts = cache_bytes = 0;
}

static void publish_stats(void) {
    stat_vm_bytes = L ? script_lua_bytes(L) : 0;
    stat_count = nscripts;
    stat_cache_bytes = cache_bytes;
}

/* The error line of status st, its "%s" parts filled with the given texts (any bytes: CR and LF
 * become spaces, as addReplyErrorFormat writes them). */
void script_status_with(rd_buf *out, rd_status st, const char *a, size_t an, const char *b, size_t bn) {
    const char *fmt = rd_status_message(st), *hole;
    rd_buf line;
    buf_init(&line);
    for (int part = 0; (hole = strstr(fmt, "%s")); part++) {
        buf_append(&line, fmt, (size_t)(hole - fmt));
        if (part == 0) buf_append(&line, a, an);
        else buf_append(&line, b, bn);
        fmt = hole + 2;
    }
    buf_append(&line, fmt, strlen(fmt));
    if (line.failed) resp_add_status_error(out, RD_ERR_NOMEM);
    else script_add_error_line(out, line.data + 1, line.len - 1); /* without its '-' */
    buf_release(&line);
}

/* ---- the sandbox ------------------------------------------------------------------ */

int script_missing_global(lua_State *l) {
    const char *name = lua_tostring(l, 2);
    return luaL_error(l, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

int script_readonly_write(lua_State *l) { return luaL_error(l, "Attempt to modify a readonly table"); }

/* Is the table at idx one of the read-only proxies? */
static int is_protected(lua_State *l, int idx) {
    int yes = 0;
    if (lua_type(l, idx) == LUA_TTABLE && lua_getmetatable(l, idx)) {
        lua_getfield(l, -1, "__newindex");
        yes = lua_tocfunction(l, -1) == script_readonly_write;
        lua_pop(l, 2);
    }
    return yes;
}

/* Raised by the C function itself, without a position, as Redis's patched lua_rawset does. */
static int readonly_error(lua_State *l) {
    lua_pushliteral(l, "Attempt to modify a readonly table");
    return lua_error(l);
}

/* rawset and setmetatable on a protected table would bypass the proxy. */
static int safe_rawset(lua_State *l) {
    luaL_checktype(l, 1, LUA_TTABLE);
    if (is_protected(l, 1)) return readonly_error(l);
    luaL_checkany(l, 2);
    luaL_checkany(l, 3);
    lua_settop(l, 3);
    lua_rawset(l, 1);
    return 1;
}

/* Lua 5.1.5's unpack overflows on huge ranges (unpack({}, -2, 2^31-1) crashes); Redis's copy is
 * patched, and this is its patched version. */
static int safe_unpack(lua_State *l) {
    int i, e;
    unsigned int n;
    luaL_checktype(l, 1, LUA_TTABLE);
    i = luaL_optint(l, 2, 1);
    e = luaL_opt(l, luaL_checkint, 3, (int)lua_objlen(l, 1));
    if (i > e) return 0;
    n = (unsigned int)e - (unsigned int)i;
    if (n >= INT_MAX || !lua_checkstack(l, (int)++n)) return luaL_error(l, "too many results to unpack");
    lua_rawgeti(l, 1, i);
    while (i++ < e) lua_rawgeti(l, 1, i);
    return (int)n;
}

/* LuaBitOp 1.0.2's tohex overflows on n = -2^31 (bit.tohex(65535, -2147483648) crashes); this is
 * Redis's patched version.  The number to 32 bits as LuaBitOp's barg does (2^52 + 2^51 added). */
static uint32_t bit_arg(lua_State *l, int idx) {
    union {
        lua_Number n;
        uint64_t b;
    } bn;
    bn.n = luaL_checknumber(l, idx) + 6755399441055744.0;
    return (uint32_t)bn.b;
}

static int safe_tohex(lua_State *l) {
    uint32_t b = bit_arg(l, 1);
    int32_t n = lua_isnone(l, 2) ? 8 : (int32_t)bit_arg(l, 2);
    const char *digits = "0123456789abcdef";
    char buf[8];
    if (n == INT32_MIN) n = INT32_MIN + 1;
    if (n < 0) n = -n, digits = "0123456789ABCDEF";
    if (n > 8) n = 8;
    for (int i = n; --i >= 0;) buf[i] = digits[b & 15], b >>= 4;
    lua_pushlstring(l, buf, (size_t)n);
    return 1;
}

/* Redis's Lua refuses precompiled chunks (string.dump's output): loadstring and load return nil. */
static int text_only_load(lua_State *l) {
    size_t n = 0;
    const char *s = lua_type(l, 1) == LUA_TSTRING ? lua_tolstring(l, 1, &n) : NULL;
    if (s && n && s[0] == LUA_SIGNATURE[0]) {
        lua_pushnil(l);
        lua_pushliteral(l, "binary chunks are not allowed");
        return 2;
    }
    lua_pushvalue(l, lua_upvalueindex(1));
    lua_insert(l, 1);
    lua_call(l, lua_gettop(l) - 1, LUA_MULTRET);
    return lua_gettop(l);
}

static int safe_setmetatable(lua_State *l) {
    if (is_protected(l, 1)) return readonly_error(l);
    lua_pushvalue(l, lua_upvalueindex(1));
    lua_insert(l, 1);
    lua_call(l, lua_gettop(l) - 1, LUA_MULTRET);
    return lua_gettop(l);
}

/* Replaces the table at -1 with an empty table that reads through to it and refuses writes (a
 * field already present would take a plain assignment without asking __newindex). */
static void make_view(lua_State *l) {
    lua_newtable(l);                  /* t, view */
    lua_newtable(l);                  /* t, view, mt */
    lua_pushvalue(l, -3);
    lua_setfield(l, -2, "__index");
    lua_pushcfunction(l, script_readonly_write);
    lua_setfield(l, -2, "__newindex");
    lua_setmetatable(l, -2);
    lua_replace(l, -2);
}

/* Real library table -> its read-only proxy (make_proxy), so that no view hands out a real table. */
static const char proxies_key[] = "redistill_proxies";

/* getmetatable(v) of the value at idx shows a read-only copy of its metatable (__metatable), its
 * tables replaced by their proxies, so a script can neither change it nor reach a real table
 * through it (setmetatable refuses a value with __metatable). */
static void protect_metatable(lua_State *l, int idx) {
    idx = idx < 0 ? lua_gettop(l) + idx + 1 : idx;
    if (!lua_getmetatable(l, idx)) return;
    lua_getfield(l, LUA_REGISTRYINDEX, proxies_key); /* mt, proxies */
    lua_newtable(l);                                 /* mt, proxies, view */
    lua_pushnil(l);
    while (lua_next(l, -4)) {                        /* mt, proxies, view, k, v */
        if (lua_istable(l, -1)) {
            lua_rawget(l, -4);                       /* v -> proxies[v] (nil: left out) */
        }
        lua_pushvalue(l, -2);
        lua_insert(l, -2);
        lua_rawset(l, -4);
    }
    make_view(l);                                    /* the copy behind an empty read-only table */
    lua_setfield(l, -3, "__metatable");              /* mt.__metatable = view */
    lua_pop(l, 2);
}

/* Replaces the table at -1 with a read-only proxy of it (the proxy's __index is the table, so a
 * read costs one more table lookup in the VM, no C call). */
static void make_proxy(lua_State *l) {
    lua_newtable(l);                  /* t, proxy */
    lua_newtable(l);                  /* t, proxy, mt */
    lua_pushvalue(l, -3);
    lua_setfield(l, -2, "__index");
    lua_pushcfunction(l, script_readonly_write);
    lua_setfield(l, -2, "__newindex");
    lua_setmetatable(l, -2);
    lua_getfield(l, LUA_REGISTRYINDEX, proxies_key); /* t, proxy, proxies */
    lua_pushvalue(l, -3);
    lua_pushvalue(l, -3);
    lua_rawset(l, -3);
    lua_pop(l, 1);
    lua_replace(l, -2);
    protect_metatable(l, -1);
}

static void load_lib(lua_State *l, const char *name, lua_CFunction open) {
    lua_pushcfunction(l, open);
    lua_pushstring(l, name);
    lua_call(l, 1, 1);
    if (name[0] && lua_istable(l, -1))
        lua_setglobal(l, name);
    else
        lua_pop(l, 1);
}

/* Redis 7.0's globals allow lists (script_lua.c): anything else a library added is dropped.
 * 7.0.15's own Lua has no getfenv, setfenv or newproxy (removed from its base library). */
static const char *const allowed_globals[] = {
    "string", "cjson", "bit", "cmsgpack", "math", "table", "struct", "redis", "__redis__err__handler",
    "xpcall", "tostring", "setmetatable", "next", "assert", "tonumber", "rawequal",
    "collectgarbage", "getmetatable", "rawset", "pcall", "coroutine", "type", "_G", "select", "unpack",
    "gcinfo", "pairs", "rawget", "loadstring", "ipairs", "_VERSION", "load", "error", "debug" /* removed by the error handler's chunk, which keeps it */, NULL};

static int is_allowed(const char *name) {
    for (int i = 0; allowed_globals[i]; i++)
        if (strcmp(allowed_globals[i], name) == 0) return 1;
    return 0;
}

static void drop_unlisted_globals(lua_State *l) {
    lua_pushvalue(l, LUA_GLOBALSINDEX);
    lua_pushnil(l);
    while (lua_next(l, -2)) {
        lua_pop(l, 1);
        if (lua_type(l, -1) == LUA_TSTRING && !is_allowed(lua_tostring(l, -1))) {
            lua_pushvalue(l, -1);
            lua_pushnil(l);
            lua_rawset(l, -4);
        }
    }
    lua_pop(l, 1);
}

static const char err_handler[] =
    "local dbg = debug\n"
    "debug = nil\n"
    "function __redis__err__handler(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then\n"
    "    i = dbg.getinfo(3,'nSl')\n"
    "  end\n"
    "  if type(err) ~= 'table' then\n"
    "    err = {err='ERR ' .. tostring(err)}"
    "  end"
    "  if i then\n"
    "    err['source'] = i.source\n"
    "    err['line'] = i.currentline\n"
    "  end"
    "  return err\n"
    "end\n";

/* Locks the globals: every library table becomes a proxy, then the globals themselves. */
static int protect_globals(lua_State *l) {
    int gref;
    static const char *const libs[] = {"string", "cjson", "bit", "cmsgpack", "math", "table", "struct",
                                       "redis", "coroutine", NULL};
    lua_newtable(l);
    lua_setfield(l, LUA_REGISTRYINDEX, proxies_key);
    lua_getglobal(l, "bit"); /* before the library becomes read-only */
    lua_pushcfunction(l, safe_tohex);
    lua_setfield(l, -2, "tohex");
    lua_pop(l, 1);
    for (int i = 0; libs[i]; i++) {
        lua_getglobal(l, libs[i]);
        if (lua_istable(l, -1)) {
            make_proxy(l);
            lua_setglobal(l, libs[i]);
        } else {
            lua_pop(l, 1);
        }
    }
    lua_pushcfunction(l, safe_rawset);
    lua_setglobal(l, "rawset");
    lua_pushcfunction(l, safe_unpack);
    lua_setglobal(l, "unpack");
    lua_getglobal(l, "loadstring");
    lua_pushcclosure(l, text_only_load, 1);
    lua_setglobal(l, "loadstring");
    lua_getglobal(l, "load");
    lua_pushcclosure(l, text_only_load, 1);
    lua_setglobal(l, "load");
    lua_getglobal(l, "setmetatable");
    lua_pushcclosure(l, safe_setmetatable, 1);
    lua_setglobal(l, "setmetatable");
    /* A missing global is an error: the real table's own metatable. */
    lua_pushvalue(l, LUA_GLOBALSINDEX);
    lua_newtable(l);
    lua_pushcfunction(l, script_missing_global);
    lua_setfield(l, -2, "__index");
    lua_setmetatable(l, -2);
    lua_pushvalue(l, -1);
    gref = luaL_ref(l, LUA_REGISTRYINDEX);
    make_proxy(l);
    /* getmetatable(_G) shows the real globals' metatable (Redis's: __index is the missing-global
     * error), read-only, not the proxy's. */
    lua_getmetatable(l, -1);
    lua_newtable(l);
    lua_pushcfunction(l, script_missing_global);
    lua_setfield(l, -2, "__index");
    make_view(l);
    lua_setfield(l, -2, "__metatable");
    lua_pop(l, 1);
    lua_pushliteral(l, ""); /* strings' metatable (its __index is the string library) */
    protect_metatable(l, -1);
    lua_pop(l, 1);
    lua_pushvalue(l, -1);
    lua_setfield(l, LUA_GLOBALSINDEX, "_G"); /* _G is the proxy too */
    lua_replace(l, LUA_GLOBALSINDEX);        /* scripts compiled from now on see the proxy */
    return gref;
}

lua_State *script_sandbox_new(int *gref) {
    lua_State *l = luaL_newstate();
    if (!l) return NULL;
    load_lib(l, "", luaopen_base);
    load_lib(l, LUA_TABLIBNAME, luaopen_table);
    load_lib(l, LUA_STRLIBNAME, luaopen_string);
    load_lib(l, LUA_MATHLIBNAME, luaopen_math);
    load_lib(l, LUA_DBLIBNAME, luaopen_debug);
    load_lib(l, "cjson", luaopen_cjson);
    load_lib(l, "bit", luaopen_bit);
    /* ---- cmsgpack and struct (csrc/lua/) are registered here when linked in. ---- */
    if (luaopen_struct) load_lib(l, "struct", luaopen_struct);
    if (luaopen_cmsgpack) load_lib(l, "cmsgpack", luaopen_cmsgpack);
    drop_unlisted_globals(l);
    lua_pushcfunction(l, script_pcall);
    lua_setglobal(l, "pcall");
    lua_newtable(l);
    script_register_api(l);
    lua_setglobal(l, "redis");
    if (luaL_loadbuffer(l, err_handler, sizeof err_handler - 1, "@err_handler_def") || lua_pcall(l, 0, 0, 0)) {
        lua_close(l);
        return NULL;
    }
    *gref = protect_globals(l);
    return l;
}

static int state_init(void) {
    if (L) return 0;
    if (!(L = script_sandbox_new(&globals_ref))) return -1;
    publish_stats();
    return 0;
}

/* ---- compiling ---------------------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned flag;
} shebang_flags[] = {{"no-writes", SF_NO_WRITES}, {"allow-oom", SF_ALLOW_OOM}, {"allow-stale", SF_ALLOW_STALE},
                     {"no-cluster", SF_NO_CLUSTER}, {"allow-cross-slot-keys", SF_ALLOW_CROSS_SLOT}};

/* One comma-separated flag list (sdssplitlen: "" has no flags, "a," has an empty one). */
static int parse_flag_list(const char *p, size_t n, unsigned *flags, rd_buf *err) {
    size_t start = 0;
    if (n == 0) return 0;
    for (size_t i = 0; i <= n; i++) {
        size_t k;
        if (i < n && p[i] != ',') continue;
        for (k = 0; k < sizeof shebang_flags / sizeof shebang_flags[0]; k++)
            if (strlen(shebang_flags[k].name) == i - start && memcmp(shebang_flags[k].name, p + start, i - start) == 0) break;
        if (k == sizeof shebang_flags / sizeof shebang_flags[0]) {
            script_status_with(err, RD_ERR_SHEBANG_FLAG, p + start, i - start, NULL, 0);
            return -1;
        }
        *flags |= shebang_flags[k].flag;
        start = i + 1;
    }
    return 0;
}

int script_flag_of(const char *name, size_t n, unsigned *flag) {
    for (size_t k = 0; k < sizeof shebang_flags / sizeof shebang_flags[0]; k++)
        if (strlen(shebang_flags[k].name) == n && strncasecmp(shebang_flags[k].name, name, n) == 0) {
            *flag = shebang_flags[k].flag;
            return 0;
        }
    return -1;
}

int script_flag_names(unsigned flags, const char **names) {
    int n = 0;
    for (size_t k = 0; k < sizeof shebang_flags / sizeof shebang_flags[0]; k++)
        if (flags & shebang_flags[k].flag) names[n++] = shebang_flags[k].name;
    return n;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Redis's evalExtractShebangFlags: the flags, and the shebang's length (its newline stays, so line
 * numbers hold); -1 after writing the error. */
static int parse_shebang(const char *body, size_t len, unsigned *flags, size_t *skip, rd_buf *err) {
    const char *nl, *p, *end;
    int first = 1;
    *flags = SF_COMPAT;
    *skip = 0;
    if (len < 2 || body[0] != '#' || body[1] != '!') return 0;
    if (!(nl = memchr(body, '\n', len))) {
        resp_add_status_error(err, RD_ERR_SHEBANG);
        return -1;
    }
    *skip = (size_t)(nl - body);
    *flags = 0;
    for (p = body, end = nl; p < end;) {
        const char *w;
        while (p < end && is_space(*p)) p++;
        if (p == end) break;
        for (w = p; p < end && !is_space(*p); p++) {}
        if (first) {
            first = 0;
            if (p - w != 5 || memcmp(w, "#!lua", 5) != 0) {
                script_status_with(err, RD_ERR_SHEBANG_ENGINE, w, (size_t)(p - w), NULL, 0);
                return -1;
            }
        } else if (p - w >= 6 && memcmp(w, "flags=", 6) == 0) {
            if (parse_flag_list(w + 6, (size_t)(p - w - 6), flags, err) != 0) return -1;
        } else {
            script_status_with(err, RD_ERR_SHEBANG_OPTION, w, (size_t)(p - w), NULL, 0);
            return -1;
        }
    }
    return 0;
}

static void function_name(char name[43], const char *sha) {
    name[0] = 'f';
    name[1] = '_';
    memcpy(name + 2, sha, 41);
}

/* Redis's luaCreateFunction: the cached entry of body (compiled and stored when new), or NULL after
 * writing the error. */
static script_entry *create_function(const char *body, size_t len, rd_buf *out) {
    char sha[41], fname[43];
    unsigned flags;
    size_t skip;
    script_entry *e;
    sha1_hex(sha, body, len);
    if ((e = cache_find(sha))) return e;
    if (parse_shebang(body, len, &flags, &skip, out) != 0) return NULL;
    if (luaL_loadbuffer(L, body + skip, len - skip, "@user_script")) {
        size_t n = 0;
        const char *msg = lua_tolstring(L, -1, &n);
        script_status_with(out, RD_ERR_SCRIPT_COMPILE, msg ? msg : "", n, NULL, 0);
        lua_pop(L, 1);
        return NULL;
    }
    if (!(e = cache_add(sha, flags, len))) {
        lua_pop(L, 1);
        resp_add_status_error(out, RD_ERR_NOMEM);
        return NULL;
    }
    function_name(fname, sha);
    lua_setfield(L, LUA_REGISTRYINDEX, fname);
    return e;
}

/* ---- running ------------------------------------------------------------------------ */

/* Held by the run's end while the script is busy and by FUNCTION STATS' readers on other threads,
 * so that a reader never sees the caller's command after the run has returned. */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;

static void busy_hook(lua_State *l, lua_Debug *ar) {
    (void)ar;
    if (!script_cur) return;
    if (!script_busy_flag && clock_mono_us() - script_cur->start_us >= busy_threshold_ms * 1000)
        atomic_store(&script_busy_flag, script_cur->is_function ? 2 : 1);
    if (script_busy_flag) script_serve_busy(); /* this thread's other clients get -BUSY (or SCRIPT KILL) too */
    if (kill_requested) {
        /* Every line from now on, so that a pcall in the script cannot swallow the kill. */
        lua_sethook(l, busy_hook, LUA_MASKLINE, 0);
        script_push_error(l, "Script killed by user with SCRIPT KILL...", 41);
        lua_error(l);
    }
}

void script_busy_check(lua_State *l) { busy_hook(l, NULL); }

void script_push_array(lua_State *l, int n, const char **argv, const size_t *argl) {
    lua_createtable(l, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushlstring(l, argv[i], argl[i]);
        lua_rawseti(l, -2, i + 1);
    }
}

static void set_real_global(lua_State *l, const char *name) {
    lua_rawgeti(l, LUA_REGISTRYINDEX, globals_ref);
    lua_insert(l, -2);
    lua_setfield(l, -2, name); /* the real table has only a __index metamethod: a plain set */
    lua_pop(l, 1);
}

/* The error a raised Lua error becomes (luaCallFunction). */
static void error_reply(lua_State *l, const script_run *r, rd_buf *out) {
    rd_buf msg;
    if (!lua_istable(l, -1)) {
        const char *m = lua_isstring(l, -1) ? lua_tostring(l, -1) : "execution failure";
        script_status_with(out, RD_ERR_SCRIPT_RUN, r->name, r->name_len, m, strlen(m) > 100 ? 100 : strlen(m));
        lua_pop(l, 1);
        return;
    }
    buf_init(&msg);
    {
        const char *text = NULL, *source = NULL, *line = NULL;
        lua_getfield(l, -1, "err");
        if (lua_isstring(l, -1)) text = lua_tostring(l, -1);
        lua_getfield(l, -2, "source");
        if (lua_isstring(l, -1)) source = lua_tostring(l, -1);
        lua_getfield(l, -3, "line");
        if (lua_isstring(l, -1)) line = lua_tostring(l, -1);
        if (text) resp_add_raw(&msg, text, strlen(text));
        if (line && source) {
            resp_add_raw(&msg, " script: ", 9);
            resp_add_raw(&msg, r->name, r->name_len);
            resp_add_raw(&msg, ", on ", 5);
            resp_add_raw(&msg, source, strlen(source));
            resp_add_raw(&msg, ":", 1);
            resp_add_raw(&msg, line, strlen(line));
            resp_add_raw(&msg, ".", 1);
        }
        lua_pop(l, 3);
    }
    if (msg.failed) resp_add_status_error(out, RD_ERR_NOMEM);
    else script_add_error_line(out, msg.data ? msg.data : "", msg.len);
    buf_release(&msg);
    lua_pop(l, 1);
}

void script_exec(lua_State *l, int gref, script_run *r, int nargs, rd_buf *out) {
    int err;
    static long gc_count;
    lua_rawgeti(l, LUA_REGISTRYINDEX, gref);
    lua_getfield(l, -1, "__redis__err__handler");
    lua_replace(l, -2);
    lua_insert(l, -(nargs + 2)); /* the handler under the function and its arguments */
    script_cur = r;
    script_running_flag = 1;
    kill_requested = 0;
    dirty = 0;
    atomic_store_explicit(&reads, 0, memory_order_relaxed);
    running = r->is_function ? 2 : 1;
    rd_buf *self = notify_self_enter(out); /* the caller's own events before the script's reply */
    if (busy_threshold_ms > 0) lua_sethook(l, busy_hook, LUA_MASKCOUNT, 100000);
    err = lua_pcall(l, nargs, 1, -(nargs + 2));
    lua_sethook(l, NULL, 0, 0);
    if (++gc_count == 50) { /* a GC step now and then, not a full cycle at a bad moment (Redis) */
        lua_gc(l, LUA_GCSTEP, 50);
        gc_count = 0;
    }
    if (err)
        error_reply(l, r, out);
    else
        script_lua_to_reply(l, out, r->resp, r->caller_resp);
    lua_pop(l, 1); /* the error handler */
    notify_self_leave(self);
    if (script_busy_flag) { /* FUNCTION STATS may be reading the run from another thread */
        pthread_mutex_lock(&stats_lock);
        script_busy_flag = 0;
        pthread_mutex_unlock(&stats_lock);
    }
    running = 0;
    script_running_flag = 0;
    script_cur = NULL;
    publish_stats();
}

int script_bad_numkeys(long long numkeys, int argc, rd_buf *out) {
    if (numkeys > argc - 3) resp_add_status_error(out, RD_ERR_NUMKEYS_ARGS);
    else if (numkeys < 0) resp_add_status_error(out, RD_ERR_NUMKEYS_NEGATIVE);
    else return 0;
    return 1;
}

int script_prepare(script_run *r, rd_keyspace *ks, unsigned flags, int ro, int resp, rd_buf *out) {
    /* Before the run, as processCommand and scriptPrepareForRun check (rd_ks_admit evicts first). */
    r->oom = rd_ks_admit(ks) == RD_ERR_OOM;
    if (!(flags & SF_COMPAT)) {
        if (!(flags & SF_NO_WRITES) && ro) {
            resp_add_status_error(out, RD_ERR_SCRIPT_RO);
            return -1;
        }
        if (r->oom && !(flags & (SF_ALLOW_OOM | SF_NO_WRITES))) {
            resp_add_status_error(out, RD_ERR_OOM);
            return -1;
        }
    }
    r->ks = ks;
    r->resp = 2;
    r->caller_resp = resp;
    r->read_only = ro || (!(flags & SF_COMPAT) && (flags & SF_NO_WRITES));
    r->allow_oom = !(flags & SF_COMPAT) && (flags & SF_ALLOW_OOM);
    r->start_us = clock_mono_us();
    return 0;
}

/* The first 40 characters of an EVALSHA's argument, lowercase (evalCalcFunctionName). */
static void sha_of_arg(char sha[41], const char *a, size_t n) {
    size_t i;
    for (i = 0; i < 40 && i < n; i++) sha[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i]);
    sha[i] = '\0';
}

rd_status rd_script_eval(rd_keyspace *ks, int argc, const char **argv, const size_t *argl, int resp, int mode,
                         rd_buf *out) {
    script_run r;
    script_entry *e;
    long long numkeys;
    char fname[43];
    if (argc < 3) return RD_NOT_FOUND;
    if ((mode & RD_EVAL_SHA) && argl[1] != 40) {
        resp_add_status_error(out, RD_ERR_NOSCRIPT);
        return RD_OK;
    }
    if (!str2ll(argv[2], argl[2], &numkeys)) {
        resp_add_status_error(out, RD_ERR_NOTINT);
        return RD_OK;
    }
    if (script_bad_numkeys(numkeys, argc, out)) return RD_OK;
    if (state_init() != 0) {
        resp_add_status_error(out, RD_ERR_NOMEM);
        return RD_OK;
    }
    memset(&r, 0, sizeof r);
    if (mode & RD_EVAL_SHA) {
        sha_of_arg(r.sha, argv[1], argl[1]);
        if (!(e = cache_find(r.sha))) {
            resp_add_status_error(out, RD_ERR_NOSCRIPT);
            return RD_OK;
        }
    } else if (!(e = create_function(argv[1], argl[1], out))) {
        publish_stats();
        return RD_OK;
    } else {
        memcpy(r.sha, e->sha, 41);
    }
    if (script_prepare(&r, ks, e->flags, mode & RD_EVAL_RO, resp, out) != 0) return RD_OK;
    r.name = r.sha;
    r.name_len = 40;
    r.argc = argc, r.argv = argv, r.argl = argl;
    function_name(fname, r.sha);
    lua_getfield(L, LUA_REGISTRYINDEX, fname);
    script_push_array(L, (int)numkeys, argv + 3, argl + 3);
    set_real_global(L, "KEYS");
    script_push_array(L, argc - 3 - (int)numkeys, argv + 3 + numkeys, argl + 3 + numkeys);
    set_real_global(L, "ARGV");
    script_exec(L, globals_ref, &r, 0, out);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

/* Redis's evalGetCommandFlags / fcallGetCommandFlags, reduced to "may it write": a script with
 * shebang flags (every function has flags) writes unless no-writes; one without keeps its
 * command's flags (EVAL, EVALSHA and FCALL may replicate; the _RO forms do not). */
int rd_script_may_write(int kind, int ro, const char *s, size_t n) {
    unsigned flags = SF_COMPAT;
    if (kind == RD_SCRIPT_BODY) {
        size_t skip;
        rd_buf err;
        buf_init(&err);
        if (parse_shebang(s, n, &flags, &skip, &err) != 0) flags = SF_COMPAT;
        buf_release(&err);
    } else if (kind == RD_SCRIPT_SHA) {
        char sha[41];
        const script_entry *e = NULL;
        if (n == 40) {
            sha_of_arg(sha, s, n);
            e = cache_find(sha);
        }
        if (e) flags = e->flags;
    } else if (!function_flags(s, n, &flags)) {
        flags = SF_COMPAT;
    }
    return flags & SF_COMPAT ? !ro : !(flags & SF_NO_WRITES);
}

rd_status rd_script_load(const char *body, size_t len, rd_buf *out) {
    script_entry *e;
    if (state_init() != 0) return RD_ERR_NOMEM;
    e = create_function(body, len, out);
    if (e) resp_add_bulk(out, e->sha, 40);
    publish_stats();
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

int rd_script_exists(const char *sha, size_t len) {
    char s[41];
    if (len != 40) return 0;
    sha_of_arg(s, sha, len); /* case-insensitive, as Redis's dict of scripts */
    return cache_find(s) != NULL;
}

void rd_script_flush(void) {
    if (L) lua_close(L);
    L = NULL;
    globals_ref = LUA_NOREF;
    cache_clear();
    publish_stats();
}

void script_dirty(void) { dirty = 1; }

void script_read(void) { atomic_store_explicit(&reads, 1, memory_order_relaxed); }

int rd_script_read_seen(void) { return atomic_load_explicit(&reads, memory_order_relaxed); }

int script_fast_ready(void) { return script_python_set(); }

int rd_script_busy(void) { return script_busy(); }

uint64_t script_lua_bytes(lua_State *l) {
    return (uint64_t)lua_gc(l, LUA_GCCOUNT, 0) * 1024 + (uint64_t)lua_gc(l, LUA_GCCOUNTB, 0);
}

void script_kill_for_shutdown(void) {
    if (running) kill_requested = 1; /* even after writes: the server is going away */
}

/* Redis's scriptKill: SCRIPT KILL stops an EVAL script, FUNCTION KILL a function. */
static void kill_run(int function, rd_buf *out) {
    int kind = running;
    if (!kind) {
        resp_add_status_error(out, RD_ERR_NOTBUSY);
    } else if (dirty) {
        resp_add_status_error(out, RD_ERR_UNKILLABLE);
    } else if (function != (kind == 2)) {
        resp_add_status_error(out, function ? RD_ERR_BUSY : RD_ERR_BUSY_FUNCTION);
    } else {
        kill_requested = 1;
        resp_add_raw(out, "+OK\r\n", 5);
    }
}

rd_status rd_script_kill(rd_buf *out) {
    kill_run(0, out);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_function_kill(rd_buf *out) {
    kill_run(1, out);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

void script_stats_running(rd_buf *out, int resp) {
    pthread_mutex_lock(&stats_lock);
    if (running != 2 || !script_cur) {
        resp_add_nil(out, resp);
    } else {
        const script_run *r = script_cur;
        resp_add_header(out, resp == 3 ? '%' : '*', resp == 3 ? 3 : 6);
        resp_add_bulk(out, "name", 4);
        resp_add_bulk(out, r->name, r->name_len);
        resp_add_bulk(out, "command", 7);
        resp_add_array_len(out, r->argc);
        for (int i = 0; i < r->argc; i++) resp_add_bulk(out, r->argv[i], r->argl[i]);
        resp_add_bulk(out, "duration_ms", 11);
        resp_add_int(out, (clock_mono_us() - r->start_us) / 1000);
    }
    pthread_mutex_unlock(&stats_lock);
}

int script_running_kind(void) { return running; }

void rd_script_set_busy_threshold(int64_t ms) { busy_threshold_ms = ms; }

rd_status rd_script_stats(uint64_t *out, size_t n) {
    uint64_t v[RD_SCRIPT_NSTATS] = {stat_vm_bytes, stat_count, stat_cache_bytes};
    for (size_t i = 0; i < n && i < RD_SCRIPT_NSTATS; i++) out[i] = v[i];
    return RD_OK;
}
