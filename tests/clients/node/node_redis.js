// node-redis (the "redis" package) against Redistill, in RESP2 and RESP3: connect with a password,
// the cache patterns, SET with expiration, MGET, pipelined commands, binary values and errors.
'use strict';
const { createClient, RESP_TYPES } = require('redis');
const { target, eq, ok, cachePatterns, done } = require('./common');

async function run(resp) {
  const { host, port, password } = target();
  const client = createClient({ socket: { host, port, reconnectStrategy: false }, password, RESP: resp });
  client.on('error', (e) => { console.error('client error', e); });
  await client.connect();
  const p = `nr${resp}:`;
  try {
    eq(await client.set('key', 'value'), 'OK', 'SET');
    eq(await client.get('key'), 'value', 'GET');
    eq(await client.get(`${p}missing`), null, 'GET missing');

    await cachePatterns({
      get: (k) => client.get(k),
      setEx: (k, v, s) => client.set(k, v, { expiration: { type: 'EX', value: s } }),
      incr: (k) => client.incr(k),
      expire: (k, s) => client.expire(k, s),
      ttl: (k) => client.ttl(k),
      del: (k) => client.del(k),
      mset: (o) => client.mSet(o),
      mget: (ks) => client.mGet(ks),
    }, p);

    // commands issued together are pipelined by node-redis
    const out = await Promise.all([
      client.set(`${p}n`, '10'), client.incrBy(`${p}n`, 5), client.decr(`${p}n`), client.get(`${p}n`),
    ]);
    eq(out, ['OK', 15, 14, '14'], 'pipelined');
    eq(await client.exists([`${p}n`, `${p}missing`, `${p}n`]), 2, 'EXISTS counts');
    const pttl = await (async () => { await client.pExpire(`${p}n`, 100000); return client.pTTL(`${p}n`); })();
    ok(pttl > 99000 && pttl <= 100000, `PTTL ${pttl}`);
    eq(await client.persist(`${p}n`), 1, 'PERSIST');
    eq(await client.ttl(`${p}n`), -1, 'TTL after PERSIST');

    // binary values come back as Buffers with a type mapping
    const blob = Buffer.from([0, 255, 13, 10, 0]);
    await client.set(`${p}bin`, blob);
    const raw = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(`${p}bin`);
    eq(Buffer.compare(raw, blob), 0, 'binary round trip');

    let err = null;
    try { await client.incr('key'); } catch (e) { err = e; }
    ok(err && err.message === 'ERR value is not an integer or out of range', `INCR error: ${err && err.message}`);
    err = null;
    try { await client.sendCommand(['NOSUCHCMD']); } catch (e) { err = e; }
    ok(err && err.message.startsWith("ERR unknown command 'NOSUCHCMD'"), `unknown command: ${err && err.message}`);
    eq(await client.ping(), 'PONG', 'PING');
    eq(await client.dbSize() > 0, true, 'DBSIZE');
  } finally {
    await client.close();
  }
}

(async () => {
  await run(2);
  await run(3);
  done('node-redis');
})().catch((e) => { console.error(e); process.exit(1); });
