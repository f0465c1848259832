// express-rate-limit with rate-limit-redis's store (SCRIPT LOAD, then EVALSHA of its increment script)
// in a real Express app on 127.0.0.1, against the server given on the command line.  Prints one JSON
// line of what the app's clients saw; tests/clients/test_script_clients.py compares it between
// redis-server and Redistill.  Exits non-zero on any error.
'use strict';
const { once } = require('node:events');
const express = require('express');
const { rateLimit } = require('express-rate-limit');
const { RedisStore } = require('rate-limit-redis');
const { createClient } = require('redis');

function limiter(client, prefix, limit) {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new RedisStore({ sendCommand: (...args) => client.sendCommand(args), prefix }),
  });
}

// "limit=5, remaining=3, reset=60" -> 3 (reset depends on the clock, not on the server)
function remaining(res) {
  const m = /remaining=(\d+)/.exec(res.headers.get('ratelimit') || '');
  return m ? Number(m[1]) : null;
}

async function main() {
  const [host, port] = process.argv.slice(2);
  const client = createClient({ socket: { host, port: Number(port), reconnectStrategy: false } });
  await client.connect();
  await client.flushAll();

  const app = express();
  const sequential = limiter(client, 'rl-seq:', 5);
  app.get('/seq', sequential, (req, res) => res.send('ok'));
  app.get('/burst', limiter(client, 'rl-burst:', 10), (req, res) => res.send('ok'));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;
  const out = {};
  try {
    // one client past its limit: 5 pass with falling RateLimit remaining, then 429s
    out.sequential = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${base}/seq`);
      await res.text();
      out.sequential.push([res.status, remaining(res)]);
    }
    const keys = (await client.keys('rl-seq:*')).sort();
    out.keys = keys.length;
    out.count = Number(await client.get(keys[0]));
    const pttl = await client.pTTL(keys[0]);
    out.ttlSet = pttl > 50_000 && pttl <= 60_000;

    // resetKey (the store's DEL), then the client passes again
    await sequential.resetKey(keys[0].slice('rl-seq:'.length));
    const again = await fetch(`${base}/seq`);
    await again.text();
    out.afterReset = [again.status, remaining(again)];

    // 25 requests at once against a limit of 10: exactly 10 pass when the increment is atomic
    const burst = await Promise.all(Array.from({ length: 25 }, async () => {
      const res = await fetch(`${base}/burst`);
      await res.text();
      return res.status;
    }));
    out.burstPassed = burst.filter((s) => s === 200).length;
    out.burstLimited = burst.filter((s) => s === 429).length;
  } finally {
    server.close();
    await client.quit();
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
