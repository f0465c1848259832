/* function.c: FUNCTION and FCALL (Redis 7.0's functions.c and function_lua.c): libraries of Lua
 * functions, in memory only, in a Lua state of their own beside EVAL's (as Redis has).
 *
 * Rules (docs/ARCHITECTURE.md, "Lua scripting"):
 *  1. Everything here but rd_function_stats and rd_function_info runs with the keyspace gate held
 *     exclusive by the caller (the table's rows), as EVAL: no lock of its own.
 *  2. A library's code runs once, at FUNCTION LOAD, with a globals view that holds only the library
 *     API (redis.register_function, redis.log, the version); the functions it registers run later
 *     with the full sandbox of script.c.  Both views are the same proxy table (the closures' env),
 *     whose metatable's __index is switched around the load, as Redis switches it.
 *  3. A library set (fn_ctx) is what FUNCTION RESTORE builds aside before it joins the current one,
 *     so that a failed restore changes nothing. */
#include "function.h"

#include <lauxlib.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "clock.h"
#include "resp.h"
#include "strconv.h"

#define LOAD_TIMEOUT_US 500000 /* Redis's LOAD_TIMEOUT_MS: a library's code only registers */

fn_ctx fn_cur;

static lua_State *FL;
static int fl_globals_ref = LUA_NOREF; /* the real globals (the run-time view) */
static int fl_loadenv_ref = LUA_NOREF; /* the library API globals (the load-time view) */
static fn_lib *loading;                /* the library FUNCTION LOAD runs, NULL otherwise */
static int64_t load_start_us;
static _Atomic uint64_t stat_vm_bytes, stat_libs, stat_funcs, stat_bytes;

void fn_publish(void) {
    stat_vm_bytes = FL ? script_lua_bytes(FL) : 0;
    stat_libs = fn_cur.nlibs;
    stat_funcs = fn_cur.nfuncs;
    stat_bytes = fn_cur.bytes;
}

/* ---- library sets ------------------------------------------------------------------ */

/* Function names are case-insensitive in the server-wide table (Redis's functionDictType). */
static size_t name_hash(const char *s, size_t n) {
    size_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)(s[i] | 0x20)) * 16777619u;
    return h;
}

fn_func *fn_ctx_find(const fn_ctx *x, const char *name, size_t n) {
    if (!x->nbuckets) return NULL;
    for (fn_func *f = x->buckets[name_hash(name, n) & (x->nbuckets - 1)]; f; f = f->next_hash)
        if (f->name_len == n && strncasecmp(f->name, name, n) == 0) return f;
    return NULL;
}

int function_flags(const char *name, size_t n, unsigned *flags) {
    const fn_func *f = fn_ctx_find(&fn_cur, name, n);
    if (f) *flags = f->flags;
    return f != NULL;
}

fn_lib *fn_ctx_find_lib(const fn_ctx *x, const char *name, size_t n) {
    for (fn_lib *l = x->libs; l; l = l->next)
        if (l->name_len == n && memcmp(l->name, name, n) == 0) return l;
    return NULL;
}

static int ctx_grow(fn_ctx *x) {
    size_t n = x->nbuckets ? x->nbuckets * 2 : 16;
    fn_func **nb = calloc(n, sizeof *nb);
    if (!nb) return -1;
    for (size_t i = 0; i < x->nbuckets; i++)
        for (fn_func *f = x->buckets[i], *next; f; f = next) {
            size_t b = name_hash(f->name, f->name_len) & (n - 1);
            next = f->next_hash;
            f->next_hash = nb[b];
            nb[b] = f;
        }
    free(x->buckets);
    x->buckets = nb;
    x->nbuckets = n;
    return 0;
}

static size_t lib_bytes(const fn_lib *l) {
    size_t b = sizeof *l + l->name_len + l->code_len;
    for (const fn_func *f = l->funcs; f; f = f->next) b += sizeof *f + f->name_len + f->desc_len;
    return b;
}

/* Adds lib and its functions (whose names the caller has checked are free). */
int fn_ctx_link(fn_ctx *x, fn_lib *lib) {
    while (x->nfuncs + lib->nfuncs > x->nbuckets)
        if (ctx_grow(x) != 0) return -1;
    for (fn_func *f = lib->funcs; f; f = f->next) {
        size_t b = name_hash(f->name, f->name_len) & (x->nbuckets - 1);
        f->next_hash = x->buckets[b];
        x->buckets[b] = f;
    }
    lib->next = x->libs;
    x->libs = lib;
    x->nlibs++;
    x->nfuncs += lib->nfuncs;
    x->bytes += lib_bytes(lib);
    return 0;
}

void fn_ctx_unlink(fn_ctx *x, fn_lib *lib) {
    for (fn_func *f = lib->funcs; f; f = f->next) {
        fn_func **pp = &x->buckets[name_hash(f->name, f->name_len) & (x->nbuckets - 1)];
        while (*pp && *pp != f) pp = &(*pp)->next_hash;
        if (*pp) *pp = f->next_hash;
        f->next_hash = NULL;
    }
    for (fn_lib **pp = &x->libs; *pp; pp = &(*pp)->next)
        if (*pp == lib) {
            *pp = lib->next;
            break;
        }
    lib->next = NULL;
    x->nlibs--;
    x->nfuncs -= lib->nfuncs;
    x->bytes -= lib_bytes(lib);
}

void fn_lib_free(fn_lib *lib) {
    if (!lib) return;
    for (fn_func *f = lib->funcs, *next; f; f = next) {
        next = f->next;
        if (FL) luaL_unref(FL, LUA_REGISTRYINDEX, f->ref);
        free(f);
    }
    free(lib);
}

void fn_ctx_clear(fn_ctx *x) {
    for (fn_lib *l = x->libs, *next; l; l = next) {
        next = l->next;
        fn_lib_free(l);
    }
    free(x->buckets);
    memset(x, 0, sizeof *x);
}

/* ---- the library API: redis.register_function ---------------------------------------- */

static int lua_fail(lua_State *l, const char *msg) {
    script_push_error(l, msg, strlen(msg));
    return lua_error(l);
}

/* [a-zA-Z0-9_]+ (functionsVerifyName). */
static int valid_name(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_'))
            return 0;
    return 1;
}

typedef struct reg_args {
    rd_buf name, desc;
    int has_name, has_desc;
    unsigned flags;
    int ref; /* the callback, LUA_NOREF until read */
} reg_args;

/* The flags table on top of the stack (luaRegisterFunctionReadFlags). */
static int read_flags(lua_State *l, unsigned *flags) {
    for (int j = 1;; j++) {
        unsigned f;
        const char *s;
        lua_rawgeti(l, -1, j);
        if (lua_isnil(l, -1)) {
            lua_pop(l, 1);
            return 0;
        }
        s = lua_isstring(l, -1) ? lua_tostring(l, -1) : NULL;
        if (!s || script_flag_of(s, strlen(s), &f) != 0) {
            lua_pop(l, 1);
            return -1;
        }
        *flags |= f;
        lua_pop(l, 1);
    }
}

/* The string at idx copied into b (luaGetStringSds: numbers are strings too); 0, or -1. */
static int copy_string(lua_State *l, int idx, rd_buf *b, int *has) {
    size_t n;
    const char *s;
    if (!lua_isstring(l, idx)) return -1;
    s = lua_tolstring(l, idx, &n);
    b->len = 0;
    buf_append(b, s, n);
    *has = 1;
    return 0;
}

/* luaRegisterFunctionReadNamedArgs: NULL, or the error. */
static const char *read_named(lua_State *l, reg_args *a) {
    if (!lua_istable(l, 1))
        return "calling redis.register_function with a single argument is only applicable to Lua table "
               "(representing named arguments).";
    lua_pushnil(l);
    while (lua_next(l, 1)) {
        const char *key;
        if (!lua_isstring(l, -2)) return "named argument key given to redis.register_function is not a string";
        key = lua_tostring(l, -2);
        if (!strcasecmp(key, "function_name")) {
            if (copy_string(l, -1, &a->name, &a->has_name) != 0)
                return "function_name argument given to redis.register_function must be a string";
        } else if (!strcasecmp(key, "description")) {
            if (copy_string(l, -1, &a->desc, &a->has_desc) != 0)
                return "description argument given to redis.register_function must be a string";
        } else if (!strcasecmp(key, "callback")) {
            if (!lua_isfunction(l, -1)) return "callback argument given to redis.register_function must be a function";
            if (a->ref != LUA_NOREF) luaL_unref(l, LUA_REGISTRYINDEX, a->ref);
            a->ref = luaL_ref(l, LUA_REGISTRYINDEX);
            continue; /* luaL_ref popped the value */
        } else if (!strcasecmp(key, "flags")) {
            if (!lua_istable(l, -1))
                return "flags argument to redis.register_function must be a table representing function flags";
            if (read_flags(l, &a->flags) != 0) return "unknown flag given";
        } else {
            return "unknown argument given to redis.register_function";
        }
        lua_pop(l, 1);
    }
    if (!a->has_name) return "redis.register_function must get a function name argument";
    if (a->ref == LUA_NOREF) return "redis.register_function must get a callback argument";
    return NULL;
}

static const char *read_positional(lua_State *l, reg_args *a) {
    if (copy_string(l, 1, &a->name, &a->has_name) != 0) return "first argument to redis.register_function must be a string";
    if (!lua_isfunction(l, 2)) return "second argument to redis.register_function must be a function";
    a->ref = luaL_ref(l, LUA_REGISTRYINDEX);
    return NULL;
}

/* Redis's functionLibCreateFunction: the function joins the library being loaded. */
static const char *add_function(fn_lib *lib, const reg_args *a) {
    fn_func *f, **tail = &lib->funcs;
    size_t nlen = a->name.len, dlen = a->desc.len;
    if (a->name.failed || a->desc.failed) return "Out of memory";
    if (!valid_name(a->name.data, nlen)) return rd_status_message(RD_ERR_FN_BAD_NAME); /* "-ERR ...": the code is kept */
    for (f = lib->funcs; f; f = f->next) {
        if (f->name_len == nlen && memcmp(f->name, a->name.data, nlen) == 0)
            return "Function already exists in the library";
        tail = &f->next;
    }
    if (!(f = calloc(1, sizeof *f + nlen + 1 + dlen + 1))) return "Out of memory";
    f->name = (char *)(f + 1);
    memcpy(f->name, a->name.data, nlen);
    f->name_len = nlen;
    if (a->has_desc) {
        f->desc = f->name + nlen + 1;
        if (dlen) memcpy(f->desc, a->desc.data, dlen);
        f->desc_len = dlen;
    }
    f->flags = a->flags;
    f->ref = a->ref;
    f->lib = lib;
    *tail = f;
    lib->nfuncs++;
    return NULL;
}

static int l_register_function(lua_State *l) {
    reg_args a;
    int argc = lua_gettop(l);
    const char *err;
    if (!loading) return lua_fail(l, "redis.register_function can only be called on FUNCTION LOAD command");
    if (argc < 1 || argc > 2) return lua_fail(l, "wrong number of arguments to redis.register_function");
    memset(&a, 0, sizeof a);
    buf_init(&a.name);
    buf_init(&a.desc);
    a.ref = LUA_NOREF;
    err = argc == 1 ? read_named(l, &a) : read_positional(l, &a);
    if (!err) err = add_function(loading, &a);
    buf_release(&a.name);
    buf_release(&a.desc);
    if (err) {
        if (a.ref != LUA_NOREF) luaL_unref(l, LUA_REGISTRYINDEX, a.ref);
        return lua_fail(l, err);
    }
    return 0;
}

/* t (on top) reads missing names as an error and refuses writes: replaced by an empty view of it. */
static void protect(lua_State *l) {
    lua_newtable(l); /* t's own metatable: a missing name is an error */
    lua_pushcfunction(l, script_missing_global);
    lua_setfield(l, -2, "__index");
    lua_setmetatable(l, -2);
    lua_newtable(l); /* t, view */
    lua_newtable(l); /* t, view, mt */
    lua_pushvalue(l, -3);
    lua_setfield(l, -2, "__index");
    lua_pushcfunction(l, script_readonly_write);
    lua_setfield(l, -2, "__newindex");
    lua_pushboolean(l, 0);
    lua_setfield(l, -2, "__metatable");
    lua_setmetatable(l, -2);
    lua_replace(l, -2);
}

/* The load-time globals: redis = {register_function, log, LOG_*, REDIS_VERSION*}, nothing else
 * (luaEngineInitEngine's library API). */
static void push_load_env(lua_State *l) {
    static const char *const copied[] = {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION",
                                         "REDIS_VERSION_NUM", NULL};
    lua_newtable(l); /* env */
    lua_newtable(l); /* env, api */
    lua_pushcfunction(l, l_register_function);
    lua_setfield(l, -2, "register_function");
    lua_rawgeti(l, LUA_REGISTRYINDEX, fl_globals_ref);
    lua_getfield(l, -1, "redis"); /* env, api, G, redis */
    for (int i = 0; copied[i]; i++) {
        lua_getfield(l, -1, copied[i]);
        lua_setfield(l, -4, copied[i]);
    }
    lua_pop(l, 2);
    protect(l);
    lua_setfield(l, -2, "redis");
    protect(l);
}

static int engine_init(void) {
    if (FL) return 0;
    if (!(FL = script_sandbox_new(&fl_globals_ref))) return -1;
    push_load_env(FL);
    fl_loadenv_ref = luaL_ref(FL, LUA_REGISTRYINDEX);
    return 0;
}

/* The globals' proxy reads through to the load-time API (load 1) or to the real globals. */
static void switch_env(int load) {
    lua_pushvalue(FL, LUA_GLOBALSINDEX);
    lua_getmetatable(FL, -1); /* the proxy's real metatable (the API ignores __metatable) */
    lua_rawgeti(FL, LUA_REGISTRYINDEX, load ? fl_loadenv_ref : fl_globals_ref);
    lua_setfield(FL, -2, "__index");
    lua_pop(FL, 2);
}

static void load_hook(lua_State *l, lua_Debug *ar) {
    (void)ar;
    if (clock_mono_us() - load_start_us > LOAD_TIMEOUT_US) {
        lua_sethook(l, load_hook, LUA_MASKLINE, 0);
        script_push_error(l, "FUNCTION LOAD timeout", 21);
        lua_error(l);
    }
}

/* Compiles and runs a library's code (after its shebang line) so that it registers its functions
 * into lib (luaEngineCreate); -1 after writing the error. */
static int engine_create(fn_lib *lib, const char *body, size_t len, rd_buf *out) {
    int rc = -1;
    if (luaL_loadbuffer(FL, body, len, "@user_function")) {
        size_t n = 0;
        const char *msg = lua_tolstring(FL, -1, &n);
        script_status_with(out, RD_ERR_FN_COMPILE, msg ? msg : "", n, NULL, 0);
        lua_pop(FL, 1);
        return -1;
    }
    switch_env(1);
    loading = lib;
    load_start_us = clock_mono_us();
    lua_sethook(FL, load_hook, LUA_MASKCOUNT, 100000);
    if (lua_pcall(FL, 0, 0, 0)) {
        const char *msg = NULL;
        size_t n = 0;
        if (lua_isstring(FL, -1)) {
            lua_pushliteral(FL, "ERR ");
            lua_insert(FL, -2);
            lua_concat(FL, 2);
            msg = lua_tolstring(FL, -1, &n);
        } else if (lua_istable(FL, -1)) {
            lua_getfield(FL, -1, "err");
            if (lua_isstring(FL, -1)) msg = lua_tolstring(FL, -1, &n);
            lua_replace(FL, -2);
        }
        script_status_with(out, RD_ERR_FN_REGISTER, msg ? msg : "", msg ? n : 0, NULL, 0);
        lua_pop(FL, 1);
    } else {
        rc = 0;
    }
    lua_sethook(FL, NULL, 0, 0);
    loading = NULL;
    switch_env(0);
    return rc;
}

/* ---- the shebang (functionExtractLibMetaData) ----------------------------------------- */

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Redis's sdssplitargs: the next word of [*p, end) into w (quotes and escapes resolved); 1, 0 at the
 * end, -1 on unbalanced quotes. */
static int next_arg(const char **p, const char *end, rd_buf *w) {
    const char *s = *p;
    int inq = 0, insq = 0;
    w->len = 0;
    while (s < end && strchr(" \n\r\t\v\f", *s) && *s) s++;
    if (s >= end) return 0;
    for (;;) {
        if (inq) {
            if (s >= end) return -1;
            if (s[0] == '\\' && s + 3 < end && s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0) {
                char c = (char)(hexval(s[2]) * 16 + hexval(s[3]));
                buf_append(w, &c, 1);
                s += 3;
            } else if (s[0] == '\\' && s + 1 < end) {
                char c = s[1] == 'n' ? '\n' : s[1] == 'r' ? '\r' : s[1] == 't' ? '\t' : s[1] == 'b' ? '\b' : s[1] == 'a' ? '\a' : s[1];
                buf_append(w, &c, 1);
                s++;
            } else if (*s == '"') {
                if (s + 1 < end && !strchr(" \n\r\t\v\f", s[1])) return -1;
                s++;
                break;
            } else {
                buf_append(w, s, 1);
            }
        } else if (insq) {
            if (s >= end) return -1;
            if (s[0] == '\\' && s + 1 < end && s[1] == '\'') {
                buf_append(w, "'", 1);
                s++;
            } else if (*s == '\'') {
                if (s + 1 < end && !strchr(" \n\r\t\v\f", s[1])) return -1;
                s++;
                break;
            } else {
                buf_append(w, s, 1);
            }
        } else {
            if (s >= end || strchr(" \n\r\t\v\f", *s)) break;
            if (*s == '"') inq = 1;
            else if (*s == '\'') insq = 1;
            else buf_append(w, s, 1);
        }
        s++;
    }
    *p = s;
    return 1;
}

/* The library's name from its shebang (into name), and where the code after it starts; -1 after
 * writing the error. */
static int parse_metadata(const char *code, size_t len, rd_buf *name, size_t *body, rd_buf *out) {
    const char *nl, *p, *end;
    size_t clen = strnlen(code, len); /* Redis reads the payload as a C string here */
    rd_buf w, engine;
    int got_name = 0, first = 1, rc = -1, st;
    if (clen < 2 || code[0] != '#' || code[1] != '!') {
        resp_add_status_error(out, RD_ERR_FN_NO_METADATA);
        return -1;
    }
    if (!(nl = memchr(code, '\n', clen))) {
        resp_add_status_error(out, RD_ERR_FN_BAD_METADATA);
        return -1;
    }
    buf_init(&w);
    buf_init(&engine);
    for (p = code, end = nl; (st = next_arg(&p, end, &w)) == 1; first = 0) {
        if (first) {
            buf_append(&engine, w.len > 2 ? w.data + 2 : "", w.len > 2 ? w.len - 2 : 0);
        } else if (w.len >= 5 && strncasecmp(w.data, "name=", 5) == 0) {
            if (got_name) {
                resp_add_status_error(out, RD_ERR_FN_NAME_TWICE);
                goto done;
            }
            got_name = 1;
            buf_append(name, w.data + 5, w.len - 5);
        } else {
            const char *word = w.data ? w.data : "";
            resp_add_status_error_words(out, RD_ERR_FN_METADATA_VALUE, &word, &w.len);
            goto done;
        }
    }
    if (st < 0 || first) {
        resp_add_status_error(out, RD_ERR_FN_BAD_METADATA);
        goto done;
    }
    if (!got_name) {
        resp_add_status_error(out, RD_ERR_FN_NO_NAME);
        goto done;
    }
    if (!valid_name(name->data, name->len)) {
        resp_add_status_error(out, RD_ERR_FN_BAD_NAME);
        goto done;
    }
    if (engine.len != 3 || strncasecmp(engine.data, "lua", 3) != 0) {
        const char *word = engine.data ? engine.data : "";
        resp_add_status_error_words(out, RD_ERR_FN_ENGINE, &word, &engine.len);
        goto done;
    }
    *body = (size_t)(nl - code);
    rc = 0;
done:
    buf_release(&w);
    buf_release(&engine);
    return rc;
}

/* ---- loading a library (functionsCreateWithLibraryCtx) -------------------------------- */

fn_lib *fn_create(fn_ctx *x, const char *code, size_t len, int replace, rd_buf *out) {
    rd_buf name;
    size_t body;
    fn_lib *lib = NULL, *old;
    if (engine_init() != 0) {
        resp_add_status_error(out, RD_ERR_NOMEM);
        return NULL;
    }
    buf_init(&name);
    if (parse_metadata(code, len, &name, &body, out) != 0) goto fail;
    old = fn_ctx_find_lib(x, name.data, name.len);
    if (old && !replace) {
        const char *word = name.data;
        resp_add_status_error_words(out, RD_ERR_FN_LIB_EXISTS, &word, &name.len);
        goto fail;
    }
    if (old) fn_ctx_unlink(x, old);
    if (!(lib = calloc(1, sizeof *lib + name.len + 1 + len + 1))) {
        resp_add_status_error(out, RD_ERR_NOMEM);
        goto restore;
    }
    lib->name = (char *)(lib + 1);
    memcpy(lib->name, name.data, name.len);
    lib->name_len = name.len;
    lib->code = lib->name + name.len + 1;
    memcpy(lib->code, code, len);
    lib->code_len = len;
    if (engine_create(lib, code + body, len - body, out) != 0) goto restore;
    if (!lib->funcs) {
        resp_add_status_error(out, RD_ERR_FN_NONE);
        goto restore;
    }
    for (fn_func *f = lib->funcs; f; f = f->next)
        if (fn_ctx_find(x, f->name, f->name_len)) {
            const char *word = f->name;
            resp_add_status_error_words(out, RD_ERR_FN_EXISTS, &word, &f->name_len);
            goto restore;
        }
    if (fn_ctx_link(x, lib) != 0) {
        resp_add_status_error(out, RD_ERR_NOMEM);
        goto restore;
    }
    if (old) fn_lib_free(old);
    buf_release(&name);
    return lib;
restore:
    fn_lib_free(lib);
    lib = NULL;
    if (old) fn_ctx_link(x, old);
fail:
    buf_release(&name);
    return NULL;
}

rd_status rd_function_load(const char *code, size_t len, int replace, rd_buf *out) {
    fn_lib *lib = fn_create(&fn_cur, code, len, replace, out);
    if (lib) resp_add_bulk(out, lib->name, lib->name_len);
    fn_publish();
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_function_delete(const char *name, size_t len, rd_buf *out) {
    fn_lib *lib = fn_ctx_find_lib(&fn_cur, name, len);
    if (!lib) {
        resp_add_status_error(out, RD_ERR_FN_LIB_NOT_FOUND);
    } else {
        fn_ctx_unlink(&fn_cur, lib);
        fn_lib_free(lib);
        resp_add_raw(out, "+OK\r\n", 5);
    }
    fn_publish();
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

void rd_function_flush(void) {
    fn_ctx_clear(&fn_cur);
    if (FL) lua_gc(FL, LUA_GCCOLLECT, 0); /* the functions' closures go with them */
    fn_publish();
}

/* ---- FCALL -------------------------------------------------------------------------- */

rd_status rd_function_call(rd_keyspace *ks, int argc, const char **argv, const size_t *argl, int resp, int ro,
                           rd_buf *out) {
    script_run r;
    fn_func *f;
    long long numkeys;
    if (argc < 3) return RD_NOT_FOUND;
    if (!(f = fn_ctx_find(&fn_cur, argv[1], argl[1]))) {
        resp_add_status_error(out, RD_ERR_FN_NOT_FOUND);
        return RD_OK;
    }
    if (!str2ll(argv[2], argl[2], &numkeys)) {
        resp_add_status_error(out, RD_ERR_FN_NUMKEYS);
        return RD_OK;
    }
    if (script_bad_numkeys(numkeys, argc, out)) return RD_OK;
    memset(&r, 0, sizeof r);
    if (script_prepare(&r, ks, f->flags, ro, resp, out) != 0) return RD_OK;
    r.is_function = 1;
    r.name = f->name;
    r.name_len = f->name_len;
    r.argc = argc, r.argv = argv, r.argl = argl;
    lua_rawgeti(FL, LUA_REGISTRYINDEX, f->ref);
    script_push_array(FL, (int)numkeys, argv + 3, argl + 3);
    script_push_array(FL, argc - 3 - (int)numkeys, argv + 3 + numkeys, argl + 3 + numkeys);
    script_exec(FL, fl_globals_ref, &r, 2, out);
    stat_vm_bytes = script_lua_bytes(FL);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

/* ---- FUNCTION LIST, STATS ------------------------------------------------------------ */

static void add_map(rd_buf *out, int resp, long long n) { resp_add_header(out, resp == 3 ? '%' : '*', resp == 3 ? n : 2 * n); }

static void add_key(rd_buf *out, const char *k) { resp_add_bulk(out, k, strlen(k)); }

static void list_function(rd_buf *out, int resp, const fn_func *f) {
    const char *names[8];
    int n = script_flag_names(f->flags, names);
    add_map(out, resp, 3);
    add_key(out, "name");
    resp_add_bulk(out, f->name, f->name_len);
    add_key(out, "description");
    if (f->desc) resp_add_bulk(out, f->desc, f->desc_len);
    else resp_add_nil(out, resp);
    add_key(out, "flags");
    resp_add_header(out, resp == 3 ? '~' : '*', n);
    for (int i = 0; i < n; i++) {
        resp_add_raw(out, "+", 1);
        resp_add_raw(out, names[i], strlen(names[i]));
        resp_add_raw(out, "\r\n", 2);
    }
}

rd_status rd_function_list(const char *pattern, size_t plen, int withcode, int resp, rd_buf *out) {
    long long n = 0;
    for (const fn_lib *l = fn_cur.libs; l; l = l->next)
        n += !pattern || rd_glob_match(pattern, plen, l->name, l->name_len, 1);
    resp_add_array_len(out, n);
    for (const fn_lib *l = fn_cur.libs; l; l = l->next) {
        if (pattern && !rd_glob_match(pattern, plen, l->name, l->name_len, 1)) continue;
        add_map(out, resp, withcode ? 4 : 3);
        add_key(out, "library_name");
        resp_add_bulk(out, l->name, l->name_len);
        add_key(out, "engine");
        add_key(out, "LUA");
        add_key(out, "functions");
        resp_add_array_len(out, (long long)l->nfuncs);
        for (const fn_func *f = l->funcs; f; f = f->next) list_function(out, resp, f);
        if (withcode) {
            add_key(out, "library_code");
            resp_add_bulk(out, l->code, l->code_len);
        }
    }
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_function_stats(int resp, rd_buf *out) {
    if (script_running_kind() == 1) { /* an EVAL script: Redis answers as to any other command */
        resp_add_status_error(out, RD_ERR_BUSY);
        return out->failed ? RD_ERR_NOMEM : RD_OK;
    }
    add_map(out, resp, 2);
    add_key(out, "running_script");
    script_stats_running(out, resp);
    add_key(out, "engines");
    add_map(out, resp, 1);
    add_key(out, "LUA");
    add_map(out, resp, 2);
    add_key(out, "libraries_count");
    resp_add_int(out, (long long)stat_libs);
    add_key(out, "functions_count");
    resp_add_int(out, (long long)stat_funcs);
    return out->failed ? RD_ERR_NOMEM : RD_OK;
}

rd_status rd_function_info(uint64_t *out, size_t n) {
    uint64_t v[RD_FN_NINFO] = {stat_vm_bytes, stat_libs, stat_funcs, stat_bytes};
    for (size_t i = 0; i < n && i < RD_FN_NINFO; i++) out[i] = v[i];
    return RD_OK;
}
