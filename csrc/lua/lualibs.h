/* lualibs.h: the libraries Redis gives scripts beside Lua's own and Debian's cjson and bit:
 * cmsgpack (MessagePack) and struct (binary packing).  Each opener follows the Lua 5.1 convention:
 * it leaves the library table on the stack, sets it as a global of the same name, and returns 1.
 * Thread note: like all Lua C functions they touch only the lua_State they are given. */
#ifndef REDISTILL_LUALIBS_H
#define REDISTILL_LUALIBS_H

#include <lua.h>

int luaopen_cmsgpack(lua_State *L);
int luaopen_struct(lua_State *L);

#endif
