// node-redis Pub/Sub against Redistill, in RESP2 and RESP3: subscribe, pSubscribe and sSubscribe on a
// duplicated connection, messages from a publisher (each in order), unsubscribe, and the subscriber's
// connection used again once it has left subscribed mode.
'use strict';
const { createClient } = require('redis');
const { target, eq, ok, done } = require('./common');

function waitFor(pred, what, ms = 10000) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

async function run(resp) {
  const { host, port, password } = target();
  const pub = createClient({ socket: { host, port, reconnectStrategy: false }, password, RESP: resp });
  pub.on('error', (e) => { console.error('client error', e); });
  await pub.connect();
  const sub = pub.duplicate();
  sub.on('error', (e) => { console.error('client error', e); });
  await sub.connect();
  const ch = `nps${resp}`;
  try {
    const got = [];
    await sub.subscribe(ch, (message, channel) => got.push(['message', channel, message]));
    await sub.pSubscribe(`${ch}.*`, (message, channel) => got.push(['pmessage', channel, message]));
    await sub.sSubscribe(`${ch}:s`, (message, channel) => got.push(['smessage', channel, message]));
    eq(await pub.publish(ch, 'one'), 1, 'PUBLISH to a channel');
    eq(await pub.publish(`${ch}.x`, 'two'), 1, 'PUBLISH to a pattern');
    eq(await pub.sPublish(`${ch}:s`, 'three'), 1, 'SPUBLISH');
    for (let i = 0; i < 100; i++) await pub.publish(ch, `n${i}`);
    await waitFor(() => got.length === 103, 'messages');
    eq(got.slice(0, 3), [['message', ch, 'one'], ['pmessage', `${ch}.x`, 'two'], ['smessage', `${ch}:s`, 'three']],
      'messages');
    eq(got.slice(3).map((m) => m[2]), Array.from({ length: 100 }, (_, i) => `n${i}`), 'messages in order');
    eq(await pub.pubSubNumSub([ch]), { [ch]: 1 }, 'PUBSUB NUMSUB');
    eq(await pub.pubSubNumPat(), 1, 'PUBSUB NUMPAT');
    ok((await pub.pubSubChannels(`${ch}*`)).includes(ch), 'PUBSUB CHANNELS');
    await sub.unsubscribe(ch);
    await sub.pUnsubscribe(`${ch}.*`);
    await sub.sUnsubscribe(`${ch}:s`);
    eq(await pub.publish(ch, 'late'), 0, 'PUBLISH after UNSUBSCRIBE');
    eq(String(await sub.ping()), 'PONG', 'the subscriber connection serves commands again');
    eq(String(await sub.set(`${ch}:k`, 'v')), 'OK', 'SET on it');
  } finally {
    await sub.close();
    await pub.close();
  }
}

(async () => {
  await run(2);
  await run(3);
  done('node-redis pubsub');
})().catch((e) => { console.error(e); process.exit(1); });
