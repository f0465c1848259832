// Shared by the client scripts: argument parsing, a strict deepEqual check, and the cache patterns
// (cache-aside, SET EX, INCR+EXPIRE rate limiting, MGET) written once against a tiny adapter so that
// ioredis and node-redis run the same application code.
'use strict';
const assert = require('node:assert/strict');

function target() {
  const [host, port, password] = process.argv.slice(2);
  if (!host || !port) throw new Error('usage: node <script> HOST PORT [PASSWORD]');
  return { host, port: Number(port), password: password || undefined };
}

let checks = 0;
function eq(actual, expected, what) {
  assert.deepStrictEqual(actual, expected, what);
  checks += 1;
}
function ok(cond, what) {
  assert.ok(cond, what);
  checks += 1;
}

// adapter: { get(k), setEx(k, v, seconds), incr(k), expire(k, s), ttl(k), del(k), mset(obj), mget(keys) }
async function cachePatterns(a, prefix) {
  // cache-aside: compute on a miss, store with a TTL, serve hits from the cache
  const computed = [];
  async function getUser(id) {
    const key = `${prefix}user:${id}`;
    const hit = await a.get(key);
    if (hit !== null) return JSON.parse(hit);
    computed.push(id);
    const value = { id, name: `user${id}` };
    await a.setEx(key, JSON.stringify(value), 300);
    return value;
  }
  eq(await getUser(1), { id: 1, name: 'user1' }, 'cache-aside miss');
  eq(await getUser(1), { id: 1, name: 'user1' }, 'cache-aside hit');
  await getUser(2);
  eq(computed, [1, 2], 'only misses computed');
  const ttl = await a.ttl(`${prefix}user:1`);
  ok(ttl > 295 && ttl <= 300, `SET EX ttl ${ttl}`);
  eq(await a.del(`${prefix}user:1`), 1, 'invalidate');
  await getUser(1);
  eq(computed, [1, 2, 1], 'recomputed after invalidation');

  // rate limiting: INCR, EXPIRE on the first hit of a window
  async function allowed(ip, limit = 5, windowS = 60) {
    const key = `${prefix}rate:${ip}`;
    const n = await a.incr(key);
    if (n === 1) await a.expire(key, windowS);
    return n <= limit;
  }
  const results = [];
  for (let i = 0; i < 8; i++) results.push(await allowed('10.0.0.1'));
  eq(results, [true, true, true, true, true, false, false, false], 'rate limit');
  eq(await allowed('10.0.0.2'), true, 'other client not limited');
  const rttl = await a.ttl(`${prefix}rate:10.0.0.1`);
  ok(rttl > 0 && rttl <= 60, `rate window ttl ${rttl}`);

  // MGET / MSET
  await a.mset({ [`${prefix}a`]: '1', [`${prefix}b`]: '', [`${prefix}c`]: 'three' });
  eq(await a.mget([`${prefix}a`, `${prefix}missing`, `${prefix}b`, `${prefix}c`]), ['1', null, '', 'three'], 'MGET');
}

function done(name) {
  console.log(`${name}: ${checks} checks passed`);
}

module.exports = { target, eq, ok, cachePatterns, done };
