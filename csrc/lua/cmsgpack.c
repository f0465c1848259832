/* cmsgpack.c: the MessagePack library Redis gives scripts (cmsgpack.pack, unpack, unpack_one,
 * unpack_limit), with the encoding choices, limits and error texts of the lua-cmsgpack 0.4.0 that
 * Redis 7 embeds, so that a script packs the same bytes here as on Redis.
 *
 * What Redis's version does and this one therefore does too:
 *   - a number that is a whole int64 is packed as the smallest MessagePack integer; any other number as
 *     float 32 when that is exact (inf included), else as float 64 (NaN included);
 *   - a table whose keys are exactly 1..n is an array (the empty table too), any other a map; tables
 *     nested deeper than MP_MAX_NESTING levels pack as nil; nil, functions and userdata pack as nil;
 *   - strings use fixstr/str8/str16/str32; bin, ext and 0xc1 do not unpack ("Bad data format");
 *   - a uint 64 unpacks as a signed int64 (Redis pushes it as a lua_Integer);
 *   - the Lua stack limits (8000 slots per C call) bound the nesting that unpacks, with Redis's messages. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lualibs.h"

#define MP_MAX_NESTING 16 /* deeper tables pack as nil */

static const char MSG_MANY_RESULTS[] =
    "too many return values at once; use unpack_one or unpack_limit instead.";

/* ---- packing ------------------------------------------------------------------------------------ */

/* The packed bytes live in a userdata at a fixed stack slot, so an error (out of memory) leaves
 * nothing to free by hand: the collector takes it.  Growing moves them to a bigger userdata. */
typedef struct {
    lua_State *L;
    int slot;
    unsigned char *p;
    size_t len, cap;
} mp_buf;

static void buf_init(lua_State *L, mp_buf *b) {
    b->L = L;
    b->len = 0;
    b->cap = 64;
    b->p = lua_newuserdata(L, b->cap);
    b->slot = lua_gettop(L);
}

/* Room for n more bytes; returns where they go.  Needs one free stack slot. */
static unsigned char *buf_take(mp_buf *b, size_t n) {
    if (b->cap - b->len < n) {
        size_t cap = b->cap;
        while (cap - b->len < n) cap *= 2;
        unsigned char *p = lua_newuserdata(b->L, cap);
        memcpy(p, b->p, b->len);
        lua_replace(b->L, b->slot);
        b->p = p;
        b->cap = cap;
    }
    unsigned char *at = b->p + b->len;
    b->len += n;
    return at;
}

/* A type byte followed by `width` bytes of v, big-endian (MessagePack's order). */
static void put_tagged(mp_buf *b, unsigned char tag, uint64_t v, int width) {
    unsigned char *p = buf_take(b, 1 + (size_t)width);
    p[0] = tag;
    for (int i = width; i >= 1; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static void put_int(mp_buf *b, int64_t v) {
    if (v >= 0) {
        uint64_t u = (uint64_t)v;
        if (u <= 0x7f) put_tagged(b, (unsigned char)u, 0, 0);
        else if (u <= 0xff) put_tagged(b, 0xcc, u, 1);
        else if (u <= 0xffff) put_tagged(b, 0xcd, u, 2);
        else if (u <= 0xffffffffu) put_tagged(b, 0xce, u, 4);
        else put_tagged(b, 0xcf, u, 8);
    } else if (v >= -32) {
        put_tagged(b, (unsigned char)(int8_t)v, 0, 0);
    } else if (v >= INT8_MIN) {
        put_tagged(b, 0xd0, (uint8_t)v, 1);
    } else if (v >= INT16_MIN) {
        put_tagged(b, 0xd1, (uint16_t)v, 2);
    } else if (v >= INT32_MIN) {
        put_tagged(b, 0xd2, (uint32_t)v, 4);
    } else {
        put_tagged(b, 0xd3, (uint64_t)v, 8);
    }
}

/* Whether n converts to int64 and back unchanged (the range check keeps the cast defined). */
static int is_int64(lua_Number n) {
    return n >= -9223372036854775808.0 && n < 9223372036854775808.0 && (lua_Number)(int64_t)n == n;
}

static void put_number(mp_buf *b, lua_Number n) {
    if (is_int64(n)) {
        put_int(b, (int64_t)n);
        return;
    }
    float f = (float)n;
    if ((lua_Number)f == n) {
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        put_tagged(b, 0xca, bits, 4);
    } else {
        uint64_t bits;
        memcpy(&bits, &n, sizeof bits);
        put_tagged(b, 0xcb, bits, 8);
    }
}

/* The header of a string, array or map of n items: the fix form below fix_limit, else 16 or 32 bits. */
static void put_header(mp_buf *b, size_t n, unsigned char fix, size_t fix_limit, unsigned char tag16) {
    if (n < fix_limit) put_tagged(b, (unsigned char)(fix | n), 0, 0);
    else if (n <= 0xffff) put_tagged(b, tag16, n, 2);
    else put_tagged(b, (unsigned char)(tag16 + 1), n, 4);
}

static void put_string(mp_buf *b, const char *s, size_t len) {
    if (len >= 32 && len <= 0xff) put_tagged(b, 0xd9, len, 1); /* str 8: strings only */
    else put_header(b, len, 0xa0, 32, 0xda);
    memcpy(buf_take(b, len), s, len);
}

/* Keys exactly 1..n (no holes, nothing else): packed as an array. */
static int table_is_array(lua_State *L, int t) {
    lua_Number max = 0;
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1); /* the value */
        lua_Number k;
        if (lua_type(L, -1) != LUA_TNUMBER || (k = lua_tonumber(L, -1)) <= 0 || k > INT_MAX
            || k != floor(k)) {
            lua_pop(L, 1);
            return 0;
        }
        if (k > max) max = k;
        count++;
    }
    return max == (lua_Number)count;
}

static void pack_value(lua_State *L, mp_buf *b, int idx, int level);

static void pack_table(lua_State *L, mp_buf *b, int t, int level) {
    luaL_checkstack(L, 4, "in function pack_table"); /* key, value, a grown buffer */
    if (table_is_array(L, t)) {
        size_t n = lua_objlen(L, t);
        put_header(b, n, 0x90, 16, 0xdc);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, t, (int)i);
            pack_value(L, b, lua_gettop(L), level + 1);
            lua_pop(L, 1);
        }
        return;
    }
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        n++;
    }
    put_header(b, n, 0x80, 16, 0xde);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        int top = lua_gettop(L);
        pack_value(L, b, top - 1, level + 1);
        pack_value(L, b, top, level + 1);
        lua_pop(L, 1);
    }
}

static void pack_value(lua_State *L, mp_buf *b, int idx, int level) {
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        put_string(b, s, len);
        return;
    }
    case LUA_TBOOLEAN:
        put_tagged(b, lua_toboolean(L, idx) ? 0xc3 : 0xc2, 0, 0);
        return;
    case LUA_TNUMBER:
        put_number(b, lua_tonumber(L, idx));
        return;
    case LUA_TTABLE:
        if (level < MP_MAX_NESTING) {
            pack_table(L, b, idx, level);
            return;
        }
        break;
    default:
        break;
    }
    put_tagged(b, 0xc0, 0, 0); /* nil, and what MessagePack cannot say */
}

/* cmsgpack.pack(v1, v2, ...): the values packed one after the other, as one string. */
static int mp_pack(lua_State *L) {
    int nargs = lua_gettop(L);
    if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
    if (!lua_checkstack(L, nargs)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
    mp_buf b;
    buf_init(L, &b);
    for (int i = 1; i <= nargs; i++) pack_value(L, &b, i, 0);
    lua_pushlstring(L, (const char *)b.p, b.len);
    return 1;
}

/* ---- unpacking ---------------------------------------------------------------------------------- */

enum { MP_OK, MP_EOF, MP_BADFMT };

typedef struct {
    const unsigned char *p;
    size_t left;
    int err;
} mp_cur;

/* Fails the current decode with MP_EOF unless n bytes are left. */
#define NEED(c, n)                                                                                    \
    do {                                                                                              \
        if ((c)->left < (size_t)(n)) {                                                                \
            (c)->err = MP_EOF;                                                                        \
            return;                                                                                   \
        }                                                                                             \
    } while (0)

static void skip(mp_cur *c, size_t n) {
    c->p += n;
    c->left -= n;
}

/* The width-byte big-endian unsigned integer after the type byte. */
static uint64_t read_be(const mp_cur *c, int width) {
    uint64_t v = 0;
    for (int i = 1; i <= width; i++) v = (v << 8) | c->p[i];
    return v;
}

static void unpack_value(lua_State *L, mp_cur *c);

static void unpack_string(lua_State *L, mp_cur *c, size_t header, size_t len) {
    NEED(c, header + len);
    lua_pushlstring(L, (const char *)c->p + header, len);
    skip(c, header + len);
}

/* The index stays on the stack while its element is decoded: the stack limit counts it. */
static void unpack_array(lua_State *L, mp_cur *c, size_t n) {
    lua_newtable(L);
    luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
    for (size_t i = 1; i <= n; i++) {
        lua_pushnumber(L, (lua_Number)i);
        unpack_value(L, c);
        if (c->err) return;
        lua_settable(L, -3);
    }
}

static void unpack_map(lua_State *L, mp_cur *c, size_t n) {
    lua_newtable(L);
    while (n--) {
        unpack_value(L, c);
        if (c->err) return;
        unpack_value(L, c);
        if (c->err) return;
        lua_settable(L, -3); /* a nil or NaN key raises Lua's own error, as on Redis */
    }
}

/* Fixed-width numbers (0xca-0xcf, 0xd0-0xd3): width bytes after the type byte. */
static void unpack_number(lua_State *L, mp_cur *c, unsigned char t, int width) {
    NEED(c, 1 + width);
    uint64_t v = read_be(c, width);
    lua_Number n;
    switch (t) {
    case 0xca: {
        uint32_t bits = (uint32_t)v;
        float f;
        memcpy(&f, &bits, sizeof f);
        n = f;
        break;
    }
    case 0xcb:
        memcpy(&n, &v, sizeof n);
        break;
    case 0xcf: /* Redis reads a uint 64 as signed */
    case 0xd3: n = (lua_Number)(int64_t)v; break;
    case 0xd0: n = (int8_t)v; break;
    case 0xd1: n = (int16_t)v; break;
    case 0xd2: n = (int32_t)v; break;
    default: n = (lua_Number)v; break; /* 0xcc-0xce */
    }
    lua_pushnumber(L, n);
    skip(c, 1 + (size_t)width);
}

/* A string, array or map whose length is the width-byte integer after the type byte. */
static void unpack_sized(lua_State *L, mp_cur *c, unsigned char t, int width) {
    NEED(c, 1 + width);
    size_t n = (size_t)read_be(c, width);
    if (t <= 0xdb) {
        unpack_string(L, c, 1 + (size_t)width, n);
        return;
    }
    skip(c, 1 + (size_t)width);
    if (t <= 0xdd) unpack_array(L, c, n);
    else unpack_map(L, c, n);
}

static void unpack_value(lua_State *L, mp_cur *c) {
    NEED(c, 1);
    /* The results of unpack pile up on the stack too: each value asks for its slot. */
    luaL_checkstack(L, 1, MSG_MANY_RESULTS);
    unsigned char t = c->p[0];
    if (t <= 0x7f || t >= 0xe0) { /* positive and negative fixint */
        lua_pushnumber(L, t <= 0x7f ? (lua_Number)t : (lua_Number)(int8_t)t);
        skip(c, 1);
        return;
    }
    if (t >= 0xa0 && t <= 0xbf) {
        unpack_string(L, c, 1, t & 0x1f);
        return;
    }
    if (t >= 0x80 && t <= 0x9f) {
        skip(c, 1);
        if (t >= 0x90) unpack_array(L, c, t & 0x0f);
        else unpack_map(L, c, t & 0x0f);
        return;
    }
    switch (t) {
    case 0xc0: lua_pushnil(L); skip(c, 1); return;
    case 0xc2: lua_pushboolean(L, 0); skip(c, 1); return;
    case 0xc3: lua_pushboolean(L, 1); skip(c, 1); return;
    case 0xca: case 0xd2: case 0xce: unpack_number(L, c, t, 4); return;
    case 0xcb: case 0xcf: case 0xd3: unpack_number(L, c, t, 8); return;
    case 0xcc: case 0xd0: unpack_number(L, c, t, 1); return;
    case 0xcd: case 0xd1: unpack_number(L, c, t, 2); return;
    case 0xd9: unpack_sized(L, c, t, 1); return;
    case 0xda: case 0xdc: case 0xde: unpack_sized(L, c, t, 2); return;
    case 0xdb: case 0xdd: case 0xdf: unpack_sized(L, c, t, 4); return;
    default: c->err = MP_BADFMT; return; /* bin, ext, 0xc1 */
    }
}

/* Up to `limit` values from byte `offset` of argument 1.  With neither limit nor offset it decodes
 * everything and returns just the values; otherwise the next offset (-1 at the end) comes first. */
static int unpack_full(lua_State *L, lua_Integer limit, lua_Integer offset) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int decode_all = !limit && !offset;
    /* Redis prints these as C ints (their low 32 bits), and the input length as the limit. */
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", (int)offset,
                          (int)len);
    if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset, (int)len);
    if (decode_all) limit = INT_MAX;

    mp_cur c = {(const unsigned char *)s + offset, len - (size_t)offset, MP_OK};
    lua_Integer count = 0;
    for (; c.left > 0 && count < limit; count++) {
        unpack_value(L, &c);
        if (c.err == MP_EOF) return luaL_error(L, "Missing bytes in input.");
        if (c.err == MP_BADFMT) return luaL_error(L, "Bad data format in input.");
    }
    if (decode_all) return (int)count;
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)(len - c.left));
    lua_insert(L, 2); /* results follow the string, which is the only argument left */
    return (int)count + 1;
}

/* Drops the arguments after the string (none are pushed if there was none: its error says "no value"). */
static void keep_first_argument(lua_State *L) {
    if (lua_gettop(L) > 1) lua_settop(L, 1);
}

/* cmsgpack.unpack(s): every value in s. */
static int mp_unpack(lua_State *L) {
    return unpack_full(L, 0, 0);
}

/* cmsgpack.unpack_one(s [, offset]): next offset, then one value. */
static int mp_unpack_one(lua_State *L) {
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    keep_first_argument(L);
    return unpack_full(L, 1, offset);
}

/* cmsgpack.unpack_limit(s, limit [, offset]): next offset, then up to limit values. */
static int mp_unpack_limit(lua_State *L) {
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    keep_first_argument(L);
    return unpack_full(L, limit, offset);
}

int luaopen_cmsgpack(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"pack", mp_pack},
        {"unpack", mp_unpack},
        {"unpack_one", mp_unpack_one},
        {"unpack_limit", mp_unpack_limit},
        {NULL, NULL},
    };
    /* The identification fields scripts can read on Redis. */
    static const char *const fields[][2] = {
        {"_NAME", "cmsgpack"},
        {"_VERSION", "lua-cmsgpack 0.4.0"},
        {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
        {"_DESCRIPTION", "MessagePack C implementation for Lua"},
    };
    luaL_register(L, "cmsgpack", fns);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        lua_pushstring(L, fields[i][1]);
        lua_setfield(L, -2, fields[i][0]);
    }
    return 1;
}
