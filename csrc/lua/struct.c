/* struct.c: the binary packing library Redis gives scripts (struct.pack, struct.unpack, struct.size),
 * with the format language, alignment rules, limits and error texts of the Roberto Ierusalimschy
 * struct library as Redis 7 ships it.
 *
 * Format: a sequence of options, spaces ignored.
 *   > big endian   < little endian   ![n] align to n (default: the platform's largest alignment)
 *   b/B signed/unsigned char   h/H short   l/L long   T size_t   i[n]/I[n] int of n bytes (n <= 32)
 *   f float   d double   s zero-terminated string   c[n] n chars (c0: all of it when packing; when
 *   unpacking, the count is the value unpacked just before)   x one zero byte of padding.
 * Integers wider than 8 bytes carry only 64 bits; the rest is zero when packed and shifted out when
 * unpacked.  Numbers that do not fit are converted as Redis's x86-64 build converts them (see to_u64),
 * so scripts get the same bytes. */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lualibs.h"

#define MAX_INT_SIZE 32

struct align_probe {
    char c;
    double d;
};
/* '!' with no number: the padding a double gets after a char, at least an int's size */
#define MAX_ALIGN \
    (offsetof(struct align_probe, d) > sizeof(int) ? offsetof(struct align_probe, d) : sizeof(int))

typedef struct {
    int big;      /* byte order of the integers and floats that follow */
    size_t align; /* the largest alignment an item gets */
} fmt_state;

static int native_big(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

static void fmt_init(fmt_state *st) {
    st->big = native_big();
    st->align = 1;
}

/* The decimal count at *fmt, or dflt when none follows the option. */
static int read_count(lua_State *L, const char **fmt, int dflt) {
    if (!isdigit((unsigned char)**fmt)) return dflt;
    int n = 0;
    do {
        int digit = *(*fmt)++ - '0';
        if (n > (INT_MAX - digit) / 10) luaL_error(L, "integral size overflow");
        n = n * 10 + digit;
    } while (isdigit((unsigned char)**fmt));
    return n;
}

/* Bytes an option takes (0 for those that depend on the data or take none). */
static size_t option_size(lua_State *L, int opt, const char **fmt) {
    switch (opt) {
    case 'b': case 'B': return 1;
    case 'h': case 'H': return sizeof(short);
    case 'l': case 'L': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return (size_t)read_count(L, fmt, 1);
    case 'i': case 'I': {
        int n = read_count(L, fmt, (int)sizeof(int));
        if (n > MAX_INT_SIZE) luaL_error(L, "integral size %d is larger than limit of %d", n, MAX_INT_SIZE);
        return (size_t)n;
    }
    default: return 0;
    }
}

/* Padding before an item of `size` bytes at offset pos: aligned to its size, capped by '!'.
 * (A size that is not a power of two gets the same arithmetic as on Redis, odd as it is.) */
static size_t padding(size_t pos, const fmt_state *st, int opt, size_t size) {
    if (size == 0 || opt == 'c') return 0;
    if (size > st->align) size = st->align;
    return (size - (pos & (size - 1))) & (size - 1);
}

/* The options that set state rather than data: byte order, alignment, spaces. */
static void control_option(lua_State *L, int opt, const char **fmt, fmt_state *st) {
    switch (opt) {
    case ' ': return;
    case '>': st->big = 1; return;
    case '<': st->big = 0; return;
    case '!': {
        int a = read_count(L, fmt, (int)MAX_ALIGN);
        if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
        st->align = (size_t)a;
        return;
    }
    default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    }
}

/* double -> 64-bit unsigned as the x86-64 code gcc emits for Redis converts it: out-of-range values
 * (and NaN) become the "integer indefinite" 0x8000000000000000, and values from 2^63 on are converted
 * as (n - 2^63) with the top bit flipped back. */
static uint64_t to_u64(lua_Number n) {
    const uint64_t indefinite = UINT64_C(1) << 63;
    if (n < 0) return n >= -9223372036854775808.0 ? (uint64_t)(int64_t)n : indefinite;
    if (!(n < 9223372036854775808.0)) { /* NaN included */
        if (n != n) return indefinite;
        lua_Number high = n - 9223372036854775808.0;
        return (high < 9223372036854775808.0 ? (uint64_t)(int64_t)high : indefinite) ^ indefinite;
    }
    return (uint64_t)(int64_t)n;
}

/* Copies size bytes of a native-order value into out in the requested order. */
static void put_ordered(char *out, const void *value, size_t size, int big) {
    const char *v = value;
    for (size_t i = 0; i < size; i++) out[i] = big == native_big() ? v[i] : v[size - 1 - i];
}

static void pack_integer(lua_State *L, luaL_Buffer *b, int arg, int big, size_t size) {
    uint64_t v = to_u64(luaL_checknumber(L, arg));
    char bytes[MAX_INT_SIZE];
    for (size_t i = 0; i < size; i++) {
        bytes[big ? size - 1 - i : i] = (char)(v & 0xff);
        v >>= 8;
    }
    luaL_addlstring(b, bytes, size);
}

/* struct.pack(fmt, v1, v2, ...) -> string */
static int st_pack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    fmt_state st;
    fmt_init(&st);
    int arg = 2;
    size_t total = 0;
    luaL_Buffer b;
    lua_pushnil(L); /* keeps the buffer above the arguments: a missing argument reads as nil */
    luaL_buffinit(L, &b);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = option_size(L, opt, &fmt);
        size_t pad = padding(total, &st, opt, size);
        total += pad;
        while (pad-- > 0) luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            pack_integer(L, &b, arg++, st.big, size);
            break;
        case 'x':
            luaL_addchar(&b, '\0');
            break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            char out[sizeof f];
            put_ordered(out, &f, sizeof f, st.big);
            luaL_addlstring(&b, out, sizeof f);
            break;
        }
        case 'd': {
            double d = luaL_checknumber(L, arg++);
            char out[sizeof d];
            put_ordered(out, &d, sizeof d, st.big);
            luaL_addlstring(&b, out, sizeof d);
            break;
        }
        case 'c': case 's': {
            size_t len;
            const char *s = luaL_checklstring(L, arg++, &len);
            if (size == 0) size = len;
            /* names the argument after the string, as Redis's message does */
            luaL_argcheck(L, len >= size, arg, "string too short");
            luaL_addlstring(&b, s, size);
            if (opt == 's') {
                luaL_addchar(&b, '\0');
                size++;
            }
            break;
        }
        default:
            control_option(L, opt, &fmt, &st);
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

/* The integer of `size` bytes at p.  Only the last 64 bits read survive; the sign bit is looked for
 * at bit size*8-1 taken modulo 64, as the x86 shift in Redis's build does. */
static lua_Number read_integer(const char *p, int big, int is_signed, size_t size) {
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++) v = (v << 8) | (unsigned char)p[big ? i : size - 1 - i];
    if (!is_signed) return (lua_Number)v;
    uint64_t sign = ~UINT64_C(0) << ((size * 8 - 1) & 63);
    if (v & sign) v |= sign;
    return (lua_Number)(int64_t)v;
}

static lua_Number read_float(const char *p, size_t size, int big) {
    if (size == sizeof(float)) {
        float f;
        put_ordered((char *)&f, p, size, big);
        return f;
    }
    double d;
    put_ordered((char *)&d, p, size, big);
    return d;
}

/* struct.unpack(fmt, data [, pos]) -> the values, then the position after them (1-based) */
static int st_unpack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    /* Only 0 is refused here: a negative offset wraps round to a huge one, too far for any item. */
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    int n = 0;
    fmt_state st;
    fmt_init(&st);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = option_size(L, opt, &fmt);
        pos += padding(pos, &st, opt, size);
        luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results"); /* this item and the final position */
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            lua_pushnumber(L, read_integer(data + pos, st.big, islower(opt), size));
            n++;
            break;
        case 'x':
            break;
        case 'f': case 'd':
            lua_pushnumber(L, read_float(data + pos, size, st.big));
            n++;
            break;
        case 'c':
            if (size == 0) { /* the count is the previous result, which it replaces */
                if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
                size = (size_t)to_u64(lua_tonumber(L, -1));
                lua_pop(L, 1);
                n--;
                luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
            }
            lua_pushlstring(L, data + pos, size);
            n++;
            break;
        case 's': {
            const char *end = memchr(data + pos, '\0', len - pos);
            if (end == NULL) luaL_error(L, "unfinished string in data");
            size = (size_t)(end - (data + pos)) + 1;
            lua_pushlstring(L, data + pos, size - 1);
            n++;
            break;
        }
        default:
            control_option(L, opt, &fmt, &st);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos + 1);
    return n + 1;
}

/* struct.size(fmt) -> bytes a pack of fmt takes.  Letters it does not know count as 0 bytes here,
 * though pack and unpack refuse them (as on Redis). */
static int st_size(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    fmt_state st;
    fmt_init(&st);
    size_t pos = 0;
    while (*fmt) {
        int opt = *fmt++;
        size_t size = option_size(L, opt, &fmt);
        pos += padding(pos, &st, opt, size);
        if (opt == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum(opt)) control_option(L, opt, &fmt, &st);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

int luaopen_struct(lua_State *L) {
    static const luaL_Reg fns[] = {
        {"pack", st_pack},
        {"unpack", st_unpack},
        {"size", st_size},
        {NULL, NULL},
    };
    luaL_register(L, "struct", fns);
    return 1;
}
