/* commands_generated.h: GENERATED from redistill/commands/table.py by
 * redistill/commands/gen_header.py at build time.  Do not edit: change the table's row. */
#ifndef RD_COMMANDS_GENERATED_H
#define RD_COMMANDS_GENERATED_H

/* c="fast": the fast path's own handlers (fastpath.c): X(name, arity, handler) */
#define FAST_COMMANDS(X) \
    X(get, 2, cmd_get) \
    X(set, -3, cmd_set) \
    X(mget, -2, cmd_mget) \
    X(mset, -3, cmd_mset) \
    X(incr, 2, cmd_incr) \
    X(decr, 2, cmd_decr) \
    X(incrby, 3, cmd_incrby) \
    X(decrby, 3, cmd_decrby) \
    X(del, -2, cmd_del) \
    X(exists, -2, cmd_exists) \
    X(ping, -1, cmd_ping) \
    X(echo, 2, cmd_echo) \
    X(setnx, 3, cmd_setnx) \
    X(setex, 4, cmd_setex) \
    X(psetex, 4, cmd_psetex) \
    X(strlen, 2, cmd_strlen) \
    X(unlink, -2, cmd_del)

/* c="tx": type commands (tx_<name>), on the fast path and through rd_exec: X(name, arity) */
#define TYPE_COMMANDS(X) \
    X(expire, -3) \
    X(pexpire, -3) \
    X(ttl, 2) \
    X(pttl, 2) \
    X(persist, 2) \
    X(append, 3) \
    X(getrange, 4) \
    X(substr, 4) \
    X(setrange, 4) \
    X(setbit, 4) \
    X(getbit, 3) \
    X(bitcount, -2) \
    X(bitpos, -3) \
    X(bitop, -4) \
    X(bitfield, -2) \
    X(bitfield_ro, -2) \
    X(pfadd, -2) \
    X(pfcount, -2) \
    X(pfmerge, -2) \
    X(pfdebug, 3) \
    X(pfselftest, 1) \
    X(incrbyfloat, 3) \
    X(msetnx, -3) \
    X(lcs, -3) \
    X(touch, -2) \
    X(expireat, -3) \
    X(pexpireat, -3) \
    X(expiretime, 2) \
    X(pexpiretime, 2) \
    X(type, 2) \
    X(scan, -2) \
    X(rename, 3) \
    X(renamenx, 3) \
    X(copy, -3) \
    X(dump, 2) \
    X(restore, -4) \
    X(hset, -4) \
    X(hsetnx, 4) \
    X(hget, 3) \
    X(hmget, -3) \
    X(hmset, -4) \
    X(hgetall, 2) \
    X(hdel, -3) \
    X(hexists, 3) \
    X(hlen, 2) \
    X(hkeys, 2) \
    X(hvals, 2) \
    X(hstrlen, 3) \
    X(hincrby, 4) \
    X(hincrbyfloat, 4) \
    X(hrandfield, -2) \
    X(hscan, -3) \
    X(hexpire, -6) \
    X(hpexpire, -6) \
    X(hexpireat, -6) \
    X(hpexpireat, -6) \
    X(httl, -5) \
    X(hpttl, -5) \
    X(hexpiretime, -5) \
    X(hpexpiretime, -5) \
    X(hpersist, -5) \
    X(sadd, -3) \
    X(srem, -3) \
    X(smembers, 2) \
    X(sismember, 3) \
    X(smismember, -3) \
    X(scard, 2) \
    X(spop, -2) \
    X(srandmember, -2) \
    X(smove, 4) \
    X(sinter, -2) \
    X(sinterstore, -3) \
    X(sunion, -2) \
    X(sunionstore, -3) \
    X(sdiff, -2) \
    X(sdiffstore, -3) \
    X(sintercard, -3) \
    X(sscan, -3) \
    X(geoadd, -5) \
    X(geodist, -4) \
    X(geohash, -2) \
    X(geopos, -2) \
    X(geosearch, -7) \
    X(geosearchstore, -8) \
    X(georadius, -6) \
    X(georadius_ro, -6) \
    X(georadiusbymember, -5) \
    X(georadiusbymember_ro, -5) \
    X(zadd, -4) \
    X(zincrby, 4) \
    X(zscore, 3) \
    X(zmscore, -3) \
    X(zcard, 2) \
    X(zcount, 4) \
    X(zlexcount, 4) \
    X(zrank, 3) \
    X(zrevrank, 3) \
    X(zrange, -4) \
    X(zrevrange, -4) \
    X(zrangebyscore, -4) \
    X(zrevrangebyscore, -4) \
    X(zrangebylex, -4) \
    X(zrevrangebylex, -4) \
    X(zrem, -3) \
    X(zremrangebyrank, 4) \
    X(zremrangebyscore, 4) \
    X(zremrangebylex, 4) \
    X(zpopmin, -2) \
    X(zpopmax, -2) \
    X(zrandmember, -2) \
    X(zscan, -3) \
    X(zunionstore, -4) \
    X(zinterstore, -4) \
    X(zrangestore, -5) \
    X(zunion, -3) \
    X(zinter, -3) \
    X(zdiff, -3) \
    X(zdiffstore, -4) \
    X(zintercard, -3) \
    X(zmpop, -4) \
    X(lpush, -3) \
    X(rpush, -3) \
    X(lpushx, -3) \
    X(rpushx, -3) \
    X(lpop, -2) \
    X(rpop, -2) \
    X(llen, 2) \
    X(lindex, 3) \
    X(lrange, 4) \
    X(lpos, -3) \
    X(lset, 4) \
    X(lrem, 4) \
    X(ltrim, 4) \
    X(linsert, 5) \
    X(lmove, 5) \
    X(rpoplpush, 3) \
    X(lmpop, -4) \
    X(publish, 3) \
    X(spublish, 3) \
    X(xadd, -5) \
    X(xrange, -4) \
    X(xrevrange, -4) \
    X(xlen, 2) \
    X(xdel, -3) \
    X(xtrim, -4) \
    X(xsetid, -3) \
    X(xread, -4) \
    X(xreadgroup, -7) \
    X(xack, -4) \
    X(xpending, -3) \
    X(xclaim, -6) \
    X(xautoclaim, -6)

/* c="exec": type commands through rd_exec only, never on the fast path: X(name, arity) */
#define EXEC_COMMANDS(X) \
    X(dbsize, 1) \
    X(flushdb, -1) \
    X(flushall, -1) \
    X(getset, 3) \
    X(getdel, 2) \
    X(getex, -2) \
    X(keys, 2) \
    X(randomkey, 1) \
    X(sort, -2) \
    X(sort_ro, -2) \
    X(object, -2) \
    X(memory, -2) \
    X(blpop, -3) \
    X(brpop, -3) \
    X(bzpopmin, -3) \
    X(bzpopmax, -3) \
    X(xgroup, -2) \
    X(xinfo, -2)

/* wakes=True among the type commands: they may add a key a blocked client waits on: X(name) */
#define WAKING_COMMANDS(X) \
    X(rename) \
    X(renamenx) \
    X(copy) \
    X(restore) \
    X(geoadd) \
    X(geosearchstore) \
    X(georadius) \
    X(georadiusbymember) \
    X(zadd) \
    X(zincrby) \
    X(zunionstore) \
    X(zinterstore) \
    X(zrangestore) \
    X(zdiffstore) \
    X(lpush) \
    X(rpush) \
    X(lpushx) \
    X(rpushx) \
    X(lmove) \
    X(rpoplpush) \
    X(xadd)

#endif
