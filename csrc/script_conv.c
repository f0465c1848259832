/* script_conv.c: a command's RESP reply as a Lua value (what redis.call returns) and a script's
 * Lua return value as a RESP reply, both as Redis 7.0 converts them (script_lua.c). */
#include "script.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resp.h"

/* ---- RESP -> Lua ---------------------------------------------------------------- */

/* The reply was written by our own handlers, so it is well formed; a bound on every read keeps a
 * malformed one from reading past the buffer all the same. */
static const char *line_end(const char *p, const char *end) {
    const char *cr = memchr(p, '\r', (size_t)(end - p));
    return cr ? cr : end;
}

static long long line_ll(const char *p, const char *e) {
    char tmp[32];
    size_t n = (size_t)(e - p) < sizeof tmp - 1 ? (size_t)(e - p) : sizeof tmp - 1;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    return strtoll(tmp, NULL, 10);
}

static const char *to_lua(lua_State *L, const char *p, const char *end, int push);

/* An aggregate of n elements (pairs for a map): {..}, {map={..}} or {set={..}}. */
static const char *aggregate(lua_State *L, char kind, long long n, const char *p, const char *end, int push) {
    if (push) {
        luaL_checkstack(L, 4, "reply too deep");
        lua_newtable(L);
        if (kind != '*') {
            lua_pushstring(L, kind == '%' ? "map" : "set");
            lua_newtable(L);
        }
    }
    for (long long j = 0; j < n && p < end; j++) {
        if (kind == '*' && push) lua_pushnumber(L, (lua_Number)(j + 1));
        p = to_lua(L, p, end, push);
        if (kind == '%') p = to_lua(L, p, end, push);
        if (kind == '~' && push) lua_pushboolean(L, 1);
        if (push) lua_settable(L, -3);
    }
    if (push && kind != '*') lua_settable(L, -3);
    return p;
}

static void single_field(lua_State *L, const char *field, const char *s, size_t n) {
    lua_newtable(L);
    lua_pushstring(L, field);
    lua_pushlstring(L, s, n);
    lua_settable(L, -3);
}

/* One reply at p; pushes its value unless push is 0 (an attribute, which scripts never see). */
static const char *to_lua(lua_State *L, const char *p, const char *end, int push) {
    char type = *p;
    const char *e = line_end(p + 1, end), *next = e + 2 <= end ? e + 2 : end;
    long long n;
    luaL_checkstack(L, 4, "reply too deep");
    switch (type) {
    case ':':
        if (push) lua_pushnumber(L, (lua_Number)line_ll(p + 1, e));
        return next;
    case '+':
        if (push) single_field(L, "ok", p + 1, (size_t)(e - p - 1));
        return next;
    case '-':
        if (push) {
            script_push_error(L, p, (size_t)(e - p));
            lua_pushstring(L, "ignore_error_stats_update");
            lua_pushboolean(L, 1);
            lua_settable(L, -3);
        }
        return next;
    case '$':
    case '=':
        n = line_ll(p + 1, e);
        if (n < 0) {
            if (push) lua_pushboolean(L, 0);
            return next;
        }
        if (n > end - next) n = end - next;
        if (push && type == '$') {
            lua_pushlstring(L, next, (size_t)n);
        } else if (push) { /* "txt:" then the text */
            lua_newtable(L);
            lua_pushstring(L, "verbatim_string");
            lua_newtable(L);
            lua_pushstring(L, "string");
            lua_pushlstring(L, n >= 4 ? next + 4 : next, n >= 4 ? (size_t)n - 4 : 0);
            lua_settable(L, -3);
            lua_pushstring(L, "format");
            lua_pushlstring(L, next, n >= 3 ? 3 : (size_t)n);
            lua_settable(L, -3);
            lua_settable(L, -3);
        }
        return next + n + 2 <= end ? next + n + 2 : end;
    case '*':
    case '%':
    case '~':
    case '>':
        n = line_ll(p + 1, e);
        if (n < 0) {
            if (push) lua_pushboolean(L, 0);
            return next;
        }
        return aggregate(L, type == '>' ? '*' : type, n, next, end, push);
    case '|': /* attributes: skipped, then the reply they annotate */
        n = line_ll(p + 1, e);
        for (long long j = 0; j < 2 * n && next < end; j++) next = to_lua(L, next, end, 0);
        return next < end ? to_lua(L, next, end, push) : next;
    case '_':
        if (push) lua_pushnil(L);
        return next;
    case '#':
        if (push) lua_pushboolean(L, p[1] == 't');
        return next;
    case ',': {
        char tmp[64];
        size_t k = (size_t)(e - p - 1) < sizeof tmp - 1 ? (size_t)(e - p - 1) : sizeof tmp - 1;
        memcpy(tmp, p + 1, k);
        tmp[k] = '\0';
        if (push) {
            lua_newtable(L);
            lua_pushstring(L, "double");
            lua_pushnumber(L, strtod(tmp, NULL));
            lua_settable(L, -3);
        }
        return next;
    }
    case '(':
        if (push) single_field(L, "big_number", p + 1, (size_t)(e - p - 1));
        return next;
    default:
        if (push) lua_pushnil(L);
        return end;
    }
}

size_t script_reply_to_lua(lua_State *L, const char *p, size_t len) {
    if (len == 0) {
        lua_pushnil(L);
        return 0;
    }
    return (size_t)(to_lua(L, p, p + len, 1) - p);
}

/* ---- Lua -> RESP ---------------------------------------------------------------- */

void script_add_error_line(rd_buf *out, const char *msg, size_t len) {
    size_t at = out->len;
    while (len && (msg[len - 1] == '\r' || msg[len - 1] == '\n')) len--; /* sdstrim */
    resp_add_raw(out, "-", 1);
    resp_add_raw(out, msg, len);
    if (!out->failed)
        for (size_t i = at + 1; i < out->len; i++)
            if (out->data[i] == '\r' || out->data[i] == '\n') out->data[i] = ' ';
    resp_add_raw(out, "\r\n", 2);
}

/* A string with CR and LF as spaces after a one-byte prefix (status and big number lines). */
static void add_mapped_line(rd_buf *out, char prefix, const char *s, size_t n) {
    size_t at = out->len;
    resp_add_raw(out, &prefix, 1);
    resp_add_raw(out, s, n);
    if (!out->failed)
        for (size_t i = at + 1; i < out->len; i++)
            if (out->data[i] == '\r' || out->data[i] == '\n') out->data[i] = ' ';
    resp_add_raw(out, "\r\n", 2);
}

static void add_double(rd_buf *out, double d, int resp) {
    char num[64];
    int n;
    if (isinf(d))
        n = snprintf(num, sizeof num, "%s", d > 0 ? "inf" : "-inf");
    else
        n = snprintf(num, sizeof num, "%.17g", d);
    if (resp == 2) {
        resp_add_bulk(out, num, (size_t)n);
    } else {
        resp_add_raw(out, ",", 1);
        resp_add_raw(out, num, (size_t)n);
        resp_add_raw(out, "\r\n", 2);
    }
}

/* Redis casts with (long long): out of range is x86's "integer indefinite", LLONG_MIN (made
 * explicit here, the cast itself being undefined). */
static long long number_to_ll(lua_Number d) {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return (long long)(-0x7fffffffffffffffLL - 1);
    return (long long)d;
}

/* Writes an aggregate header whose count is known only at the end: reserved, then filled. */
typedef struct deferred {
    size_t at;
} deferred;

static deferred defer_len(rd_buf *out) {
    deferred d = {out->len};
    resp_add_raw(out, "*00000000000000000000\r\n", 23); /* room for any count; shifted later */
    return d;
}

static void set_deferred(rd_buf *out, deferred d, char prefix, long long n) {
    char head[32];
    int hn;
    if (out->failed) return;
    hn = snprintf(head, sizeof head, "%c%lld\r\n", prefix, n);
    memmove(out->data + d.at + hn, out->data + d.at + 23, out->len - d.at - 23);
    memcpy(out->data + d.at, head, (size_t)hn);
    out->len -= (size_t)(23 - hn);
}

/* The field `name` of the table at idx (negative) pushed when it has that type (1), else nothing
 * pushed (0); raw, as Redis reads them. */
static int raw_field_at(lua_State *L, int idx, const char *name, int type) {
    lua_pushstring(L, name);
    lua_rawget(L, idx - 1);
    if (lua_type(L, -1) == type) return 1;
    lua_pop(L, 1);
    return 0;
}

static int raw_field(lua_State *L, const char *name, int type) { return raw_field_at(L, -1, name, type); }

static void table_to_reply(lua_State *L, rd_buf *out, int sresp, int cresp) {
    if (raw_field(L, "err", LUA_TSTRING)) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        script_add_error_line(out, s, n);
        lua_pop(L, 1);
        return;
    }
    if (raw_field(L, "ok", LUA_TSTRING)) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        add_mapped_line(out, '+', s, n);
        lua_pop(L, 1);
        return;
    }
    if (raw_field(L, "double", LUA_TNUMBER)) {
        add_double(out, lua_tonumber(L, -1), cresp);
        lua_pop(L, 1);
        return;
    }
    if (raw_field(L, "big_number", LUA_TSTRING)) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        if (cresp == 2) {
            size_t at = out->len + 1;
            resp_add_bulk(out, s, n);
            if (!out->failed) /* after the length line */
                for (size_t i = (size_t)((char *)memchr(out->data + at, '\n', out->len - at) - out->data) + 1;
                     i < out->len - 2; i++)
                    if (out->data[i] == '\r' || out->data[i] == '\n') out->data[i] = ' ';
        } else {
            add_mapped_line(out, '(', s, n);
        }
        lua_pop(L, 1);
        return;
    }
    if (raw_field(L, "verbatim_string", LUA_TTABLE)) {
        if (raw_field(L, "format", LUA_TSTRING)) {
            if (raw_field_at(L, -2, "string", LUA_TSTRING)) {
                size_t n, fn;
                const char *s = lua_tolstring(L, -1, &n), *f = lua_tolstring(L, -2, &fn);
                if (cresp == 2) {
                    resp_add_bulk(out, s, n);
                } else {
                    char ext[3];
                    for (int i = 0; i < 3; i++) ext[i] = (size_t)i < fn && f[i] ? f[i] : ' ';
                    resp_add_header(out, '=', (long long)n + 4);
                    resp_add_raw(out, ext, 3);
                    resp_add_raw(out, ":", 1);
                    resp_add_raw(out, s, n);
                    resp_add_raw(out, "\r\n", 2);
                }
                lua_pop(L, 3);
                return;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    if (raw_field(L, "map", LUA_TTABLE)) {
        deferred d = defer_len(out);
        long long n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            script_lua_to_reply(L, out, sresp, cresp); /* the key */
            script_lua_to_reply(L, out, sresp, cresp); /* the value */
            n++;
        }
        set_deferred(out, d, cresp == 3 ? '%' : '*', cresp == 3 ? n : n * 2);
        lua_pop(L, 1);
        return;
    }
    if (raw_field(L, "set", LUA_TTABLE)) {
        deferred d = defer_len(out);
        long long n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            script_lua_to_reply(L, out, sresp, cresp);
            n++;
        }
        set_deferred(out, d, cresp == 3 ? '~' : '*', n);
        lua_pop(L, 1);
        return;
    }
    {
        deferred d = defer_len(out);
        long long n = 0;
        for (;;) {
            lua_pushnumber(L, (lua_Number)(n + 1));
            lua_rawget(L, -2);
            if (lua_isnil(L, -1)) {
                lua_pop(L, 1);
                break;
            }
            script_lua_to_reply(L, out, sresp, cresp);
            n++;
        }
        set_deferred(out, d, '*', n);
    }
}

void script_lua_to_reply(lua_State *L, rd_buf *out, int sresp, int cresp) {
    if (!lua_checkstack(L, 4)) {
        static const char msg[] = "ERR reached lua stack limit";
        script_add_error_line(out, msg, sizeof msg - 1);
        lua_pop(L, 1);
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        resp_add_bulk(out, s, n);
        break;
    }
    case LUA_TBOOLEAN:
        if (sresp == 2) {
            if (lua_toboolean(L, -1))
                resp_add_int(out, 1);
            else
                resp_add_nil(out, cresp);
        } else if (cresp == 2) {
            resp_add_int(out, lua_toboolean(L, -1));
        } else {
            resp_add_raw(out, lua_toboolean(L, -1) ? "#t\r\n" : "#f\r\n", 4);
        }
        break;
    case LUA_TNUMBER:
        resp_add_int(out, number_to_ll(lua_tonumber(L, -1)));
        break;
    case LUA_TTABLE:
        table_to_reply(L, out, sresp, cresp);
        break;
    default:
        resp_add_nil(out, cresp);
    }
    lua_pop(L, 1);
}
