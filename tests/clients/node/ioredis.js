// ioredis against Redistill: the product description's example, the cache patterns, pipelines,
// binary values and error replies. Exits non-zero on any wrong reply.
'use strict';
const Redis = require('ioredis');
const { target, eq, ok, cachePatterns, done } = require('./common');

async function main() {
  const { host, port, password } = target();
  // the README/spec example
  const redis = new Redis({ host, port, password, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    eq(await redis.set('key', 'value'), 'OK', 'SET');
    eq(await redis.get('key'), 'value', 'GET');

    await cachePatterns({
      get: (k) => redis.get(k),
      setEx: (k, v, s) => redis.set(k, v, 'EX', s),
      incr: (k) => redis.incr(k),
      expire: (k, s) => redis.expire(k, s),
      ttl: (k) => redis.ttl(k),
      del: (k) => redis.del(k),
      mset: (o) => redis.mset(o),
      mget: (ks) => redis.mget(ks),
    }, 'io:');

    // pipeline (ioredis sends it in one write; no MULTI)
    const res = await redis.pipeline().set('io:p', '1').incrby('io:p', 41).get('io:p').get('io:nope').exec();
    eq(res, [[null, 'OK'], [null, 42], [null, '42'], [null, null]], 'pipeline');

    // binary-safe keys and values
    const blob = Buffer.from([0, 255, 13, 10, 0, 1, 2]);
    eq(await redis.set(Buffer.from('io:bin\0key'), blob), 'OK', 'binary SET');
    eq(await redis.getBuffer(Buffer.from('io:bin\0key')), blob, 'binary GET');
    const big = 'x'.repeat(1 << 20);
    await redis.set('io:big', big);
    eq((await redis.get('io:big')).length, 1 << 20, '1 MB value');

    // errors are rejected promises with Redis's text
    await redis.set('io:str', 'abc');
    let err = null;
    try { await redis.incr('io:str'); } catch (e) { err = e; }
    ok(err && err.message === 'ERR value is not an integer or out of range', `INCR error: ${err && err.message}`);
    err = null;
    try { await redis.call('NOSUCHCMD', 'a'); } catch (e) { err = e; }
    ok(err && err.message.startsWith("ERR unknown command 'NOSUCHCMD'"), `unknown command: ${err && err.message}`);

    eq(await redis.exists('io:p', 'io:nope', 'io:str'), 2, 'EXISTS counts');
    eq(await redis.ping(), 'PONG', 'PING');
  } finally {
    redis.disconnect();
  }
  done('ioredis');
}

main().catch((e) => { console.error(e); process.exit(1); });
