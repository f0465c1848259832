"""EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against real redis-server, byte for byte, in RESP2 and
RESP3 (run with the fast path on and with REDISTILL_FASTPATH=0, as the whole differential suite): the
commands, their error texts, the sandbox, and the whole type-conversion table both ways (a command's
reply as a Lua value, a Lua value as the script's reply), with redis.setresp(3) too."""

from __future__ import annotations

import pytest

from .test_differential import compare, run_script

E = "EVAL"


def ev(body: str, *keys_and_args: str, numkeys: int = 0) -> list[str]:
    return [E, body, str(numkeys), *keys_and_args]


RETURN_VALUES = [  # Lua -> RESP
    ev("return 1"), ev("return -7"), ev("return 3.99"), ev("return -3.99"), ev("return 1e300"), ev("return -1e300"),
    ev("return 0/0"), ev("return 1/0"), ev("return 'x'"), ev("return ''"), ev("return 'a\\0b'"),
    ev("return true"), ev("return false"), ev("return nil"), ev("return"), ev("return {}"),
    ev("return {1, 2, 3}"), ev("return {1, nil, 3}"), ev("return {1, 'two', {3, {4}}, true, false}"),
    ev("local t = {} t[1] = 1 t[2] = 2 t[4] = 4 return t"), ev("return {a = 1}"),
    ev("return {ok = 'fine'}"), ev("return {ok = 'a\\r\\nb'}"), ev("return {ok = 5}"),
    ev("return {err = 'My Error'}"), ev("return {err = 'x\\r\\ny'}"), ev("return {err = 'trail\\n'}"),
    ev("return {err = '-X y'}"), ev("return {err = 5}"),
    ev("return redis.error_reply('My Error')"), ev("return redis.error_reply('-WRONG code')"),
    ev("return redis.error_reply('')"), ev("return redis.error_reply()"), ev("return redis.error_reply(1)"),
    ev("return redis.status_reply('ok!')"), ev("return redis.status_reply()"),
    ev("return {double = 3.5}"), ev("return {double = 1/0}"), ev("return {double = -1/0}"), ev("return {double = 'x'}"),
    ev("return {big_number = '1234567890123456789012'}"), ev("return {big_number = 'a\\nb'}"),
    ev("return {map = {a = 1}}"), ev("return {map = {}}"), ev("return {set = {a = true}}"), ev("return {set = {}}"),
    ev("return {verbatim_string = {format = 'txt', string = 'hi'}}"),
    ev("return {verbatim_string = {format = 'mkdn', string = 'hi'}}"),
    ev("return {verbatim_string = {string = 'hi'}}"),
    ev("return {{ok = 'in'}, {err = 'inner'}, {double = 1.5}}"),
    ev("return {1, {map = {k = {set = {x = true}}}}}"),
    ev("redis.setresp(3) return true"), ev("redis.setresp(3) return false"), ev("redis.setresp(3) return {true, false}"),
]

CALL_REPLIES = [  # RESP -> Lua, seen through what the script returns or inspects
    ["SET", "s", "v"], ["RPUSH", "l", "a", "b"], ["HSET", "h", "f", "1"], ["SADD", "st", "m"], ["ZADD", "z", "1.5", "m"],
    ev("return redis.call('get', 's')"), ev("return redis.call('get', 'nokey')"),
    ev("return type(redis.call('get', 'nokey'))"), ev("return redis.call('set', 's', 'w')"),
    ev("return type(redis.call('set', 's', 'w'))"), ev("return redis.call('set', 's', 'w').ok"),
    ev("return redis.call('incr', 'n')"), ev("return type(redis.call('incr', 'n'))"),
    ev("return redis.call('lrange', 'l', 0, -1)"), ev("return #redis.call('lrange', 'nol', 0, -1)"),
    ev("return redis.call('hgetall', 'h')"), ev("return redis.call('smembers', 'st')"),
    ev("return redis.call('zscore', 'z', 'm')"), ev("return redis.call('zrange', 'z', 0, -1, 'withscores')"),
    ev("return redis.call('ping')"), ev("return redis.call('echo', 'e')"), ev("return redis.call('exists', 's', 'n')"),
    ev("return redis.call('mget', 's', 'nokey', 'n')"), ev("return redis.call('type', 's')"),
    ev("return redis.call('ttl', 's')"), ev("return redis.call('expire', 's', 100)"), ev("return redis.call('ttl', 's')"),
    ev("return redis.call('append', 's', 'x')"), ev("return redis.call('strlen', 's')"),
    ev("return redis.call('incrbyfloat', 'f', '1.5')"),
    ev("return redis.call('blpop', 'l', 0)"), ev("return redis.call('lpop', 'nol')"),
    ev("return redis.call('lmpop', 1, 'nol', 'left')"), ev("return redis.call('spop', 'nost')"),
    ev("redis.setresp(3) return redis.call('hgetall', 'h')"), ev("redis.setresp(3) return redis.call('smembers', 'st')"),
    ev("redis.setresp(3) return redis.call('zscore', 'z', 'm')"), ev("redis.setresp(3) return redis.call('get', 'nokey')"),
    ev("redis.setresp(3) return type(redis.call('get', 'nokey'))"),
    ev("redis.setresp(3) return redis.call('hgetall', 'h').map.f"), ev("redis.setresp(3) return redis.call('smembers', 'st').set.m"),
    ev("redis.setresp(3) return redis.call('zscore', 'z', 'm').double"),
    ev("redis.setresp(3) return redis.call('zrange', 'z', 0, -1, 'withscores')"),
    ev("redis.setresp(3) return redis.call('lpop', 'nol')"), ev("redis.setresp(3) return redis.call('spop', 'nost', 2)"),
    ev("redis.setresp(2) return redis.call('hgetall', 'h')"), ev("redis.setresp(4)"), ev("redis.setresp()"),
    ev("return redis.call('incr', KEYS[1])", "n", numkeys=1), ev("return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "k", "a", "b", numkeys=1),
    ev("return redis.call('set', 'num', 3.0)"), ev("return redis.call('get', 'num')"),
    ev("return redis.call('set', 'num', 0.1)"), ev("return redis.call('get', 'num')"),
    ev("return redis.call('set', 'num', 1e20)"), ev("return redis.call('get', 'num')"),
    ev("return redis.call('set', 'num', -0.0)"), ev("return redis.call('get', 'num')"),
]

ERRORS = [
    ["SET", "s", "v"],
    ev("return x"), ev("x = 1"), ev("function f() end"), ev("local t = nil return t.x"), ev("return print"),
    ev("return os"), ev("return io"), ev("return loadfile"), ev("return dofile"), ev("return require"),
    ev("string.x = 1"), ev("redis.call = nil"), ev("math.pi = 3"), ev("_G.y = 1"), ev("return rawset(_G, 'y', 1)"),
    ev("return setmetatable(_G, nil)"), ev("return type(_G)"), ev("return _G.x"),
    ev("return redis.call('nosuch')"), ev("return redis.pcall('nosuch')"), ev("return redis.call('get')"),
    ev("return redis.call('get', 'a', 'b')"), ev("return redis.call()"), ev("return redis.pcall()"),
    ev("return redis.call({})"), ev("return redis.call('get', {})"), ev("return redis.call(true)"),
    ev("return redis.call('lpush', 's', 'a')"), ev("return redis.pcall('lpush', 's', 'a')"),
    ev("return redis.pcall('incr', 's')"), ev("return redis.call('incr', 's')"),
    ev("local ok, e = pcall(function() redis.call('incr', 's') end) return {tostring(ok), e}"),
    ev("local ok, e = pcall(function() error('x') end) return {tostring(ok), e}"),
    ev("local ok, e = pcall(function() error({err='t'}) end) return {tostring(ok), e}"),
    ev("local r = redis.pcall('incr', 's') return r.err"),
    ev("local r = redis.pcall('incr', 's') return tostring(r.ignore_error_stats_update)"),
    ev("error('boom')"), ev("error({err = 'custom'})"), ev("error({err = 'ERR in table'})"), ev("error()"),
    ev("error(nil)"), ev("error(5)"), ev("return redis.call('config', 'get', 'maxmemory')"),
    ev("return redis.call('multi')"), ev("return redis.call('eval', 'return 1', 0)"), ev("return redis.call('script', 'load', 'return 1')"),
    ev("return redis.call('brpop', 's', 0)"), ev("return redis.call('watch', 's')"), ev("return redis.call('auth', 'x')"),
    ev("return redis.call('client', 'id')"), ev("return redis.call('client', 'nosuch')"), ev("return redis.call('client')"),
    ev("return redis.call('command', 'count') > 0"),
    ev("retur 1"), ev("return 'unfinished"), ev("return (1"), ev("local a = 1\nlocal b = \nreturn 3"),
    ev("\nreturn x"), ev("local a = 1\nreturn redis.call('nosuch')"),
    ["EVAL", "return 1"], ["EVAL", "return 1", "x"], ["EVAL", "return 1", "1"], ["EVAL", "return 1", "-1"],
    ["EVAL", "return 1", "2", "a"], ["EVAL", "return 1", "1.5"], ["EVAL"], ["EVALSHA", "abc", "0"],
    ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "x"], ["EVALSHA", "0" * 40, "0"],
    ["EVALSHA", "0" * 41, "0"], ["EVALSHA", "abc", "-1"],
    ev("return redis.sha1hex('')"), ev("return redis.sha1hex('abc')"), ev("return redis.sha1hex(5)"), ev("return redis.sha1hex()"),
    ev("return redis.sha1hex('a', 'b')"),
    ev("redis.log(redis.LOG_WARNING, 'from a script') return 1"), ev("redis.log()"), ev("redis.log('x', 'y')"),
    ev("redis.log(99, 'y')"), ev("return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}"),
    ev("redis.set_repl(redis.REPL_ALL) return 1"), ev("redis.set_repl(99)"), ev("redis.set_repl()"),
    ev("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}"),
    ev("return redis.replicate_commands()"), ev("return redis.breakpoint()"), ev("return redis.debug('x')"),
    ev("return type(redis.REDIS_VERSION)"), ev("return type(redis.REDIS_VERSION_NUM)"),
    ev("return redis.acl_check_cmd('get', 'x')"), ev("return redis.acl_check_cmd('nosuch')"),
    ev("return {type(cjson), type(bit), type(string), type(math), type(table), type(coroutine)}"),
    ev("return cjson.encode({1, 2, 'x'})"), ev("return cjson.decode('[1,2,{\"a\":3}]')[3].a"),
    ev("return cjson.decode('{bad')"), ev("return bit.band(0xff, 0x0f)"), ev("return bit.tohex(255)"),
    ev("return bit.bxor(5, 3)"), ev("return string.format('%d-%s', 7, 'x')"), ev("return math.floor(3.7)"),
    ev("return table.concat({'a', 'b'}, ',')"), ev("return tostring(tonumber('12') + 1)"), ev("return select('#', 1, 2)"),
    ev("return type(loadstring)"), ev("return loadstring('return 7')()"), ev("return unpack({1, 2})"),
    ev("return _VERSION"), ev("return type(newproxy)"), ev("return type(getfenv)"), ev("return type(gcinfo())"),
    ev("local co = coroutine.create(function() return 5 end) local ok, v = coroutine.resume(co) return v"),
    ev("return math.random() ~= nil"), ev("return ('x'):rep(3)"),
    ev("return {bit.tohex(65535, -2147483648), bit.tohex(255), bit.tohex(-1, -4), bit.tohex(5, 20)}"),
    ev("return {unpack({1, 2, 3}, -2, 2147483647)}"), ev("return {unpack({1, 2, 3}, -2147483648, -2)}"),
    ev("return {unpack({1, 2, 3}, 2, 3)}"), ev("return {unpack({1, 2, 3}, 3, 1)}"),
]

SHEBANG = [
    ev("#!lua\nreturn 1"), ev("#!lua flags=no-writes\nreturn redis.call('get', 'k')"),
    ev("#!lua flags=no-writes\nreturn redis.call('set', 'k', 'v')"), ev("#!lua flags=no-writes,allow-oom\nreturn 2"),
    ev("#!lua flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 3"), ev("#!lua flags=\nreturn 4"),
    ev("#!lua flags=bad\nreturn 1"), ev("#!lua flags=no-writes,\nreturn 1"), ev("#!lua name=x\nreturn 1"),
    ev("#!python\nreturn 1"), ev("#!lua"), ev("#!\nreturn 1"), ev("#! lua\nreturn 1"), ev("#!lua  flags=no-writes \nreturn 5"),
    ev("#!lua\nreturn x"), ev("#!lua\n\nreturn redis.call('nosuch')"),
    ["EVAL_RO", "return redis.call('get', 'k')", "0"], ["EVAL_RO", "return redis.call('set', 'k', 'v')", "0"],
    ["EVAL_RO", "return redis.call('del', 'k')", "0"], ["EVAL_RO", "return redis.pcall('set', 'k', 'v')", "0"],
    ["EVAL_RO", "#!lua\nreturn 1", "0"], ["EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"],
    ["EVAL_RO", "return 1"], ["EVAL_RO", "return 1", "1"],
    ["SCRIPT", "LOAD", "return redis.call('get', 'k')"], ["SET", "k", "v"],
    ["EVALSHA_RO", "4e6d8fc8bb01276962cce5371fa795a7763657ae", "0"],
    ["SCRIPT", "LOAD", "return redis.call('set', 'k', 'w')"],
    ["EVALSHA_RO", "2bab3b661081db58bd2341920e0ba7cf5dc77b25", "0"],
    ["EVALSHA", "2bab3b661081db58bd2341920e0ba7cf5dc77b25", "0"],
    ["EVALSHA", "2BAB3B661081DB58BD2341920E0BA7CF5DC77B25", "0"], ["GET", "k"],
]

SCRIPT_CMD = [
    ["SCRIPT", "FLUSH"], ["SCRIPT", "LOAD", "return 1"], ["SCRIPT", "LOAD", "retur 1"], ["SCRIPT", "LOAD", "#!bad\nreturn 1"],
    ["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "nope", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"],
    ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"], ["SCRIPT", "FLUSH", "SYNC"],
    ["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"], ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"],
    ev("return 1"), ["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"], ["SCRIPT", "FLUSH", "ASYNC"],
    ["SCRIPT", "FLUSH", "async"], ["SCRIPT", "FLUSH", "bad"], ["SCRIPT", "FLUSH", "SYNC", "x"], ["SCRIPT", "KILL"],
    ["SCRIPT", "KILL", "x"], ["SCRIPT", "LOAD"], ["SCRIPT", "LOAD", "a", "b"], ["SCRIPT", "EXISTS"], ["SCRIPT"],
    ["SCRIPT", "NOSUCH"], ["SCRIPT", "HELP"], ["SCRIPT", "DEBUG", "NO"], ["SCRIPT", "DEBUG", "bad"],
    ["SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1"],
    ["MULTI"], ev("return redis.call('incr', 'm')"), ev("return redis.call('incr', 'm')"), ["EXEC"],
    ["WATCH", "w"], ev("return redis.call('set', 'w', '1')"), ["MULTI"], ["GET", "w"], ["EXEC"],
]

SCRIPTS = {"return_values": RETURN_VALUES, "call_replies": CALL_REPLIES, "errors": ERRORS, "shebang": SHEBANG,
           "script_command": SCRIPT_CMD}


@pytest.mark.parametrize("proto", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_scripting(redis_server, server, name, proto):
    steps = list(SCRIPTS[name])
    if proto == 3:
        steps = [["HELLO", "3"]] + steps
    expected = run_script(redis_server.host, redis_server.port, steps)
    got = run_script(server.host, server.port, steps)
    compare(steps, expected, got, f"scripting {name} (RESP{proto})")
