// BullMQ end to end against the server given on the command line: a Queue, a Worker and QueueEvents (its
// Lua scripts with cmsgpack, the events stream read with XREAD BLOCK, BZPOPMIN/BLMOVE-style waits).  A job
// that returns a value, one whose processor throws, and a delayed one.  Prints one JSON line of what
// happened; tests/clients/test_bullmq.py compares it between redis-server and Redistill.  Exits non-zero
// on any error or when a job does not finish within its bound.
'use strict';
const { Queue, Worker, QueueEvents } = require('bullmq');

const WAIT_MS = 30_000;

function bounded(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not finished after ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const [host, port] = process.argv.slice(2);
  if (!host || !port) throw new Error('usage: node bullmq_job.js HOST PORT');
  // BullMQ requires maxRetriesPerRequest: null for the connections its Worker blocks on
  const connection = { host, port: Number(port), maxRetriesPerRequest: null };
  const name = 'bullmq-e2e';
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const worker = new Worker(name, async (job) => {
    if (job.name === 'boom') throw new Error(`boom: ${job.data.reason}`);
    return { sum: job.data.a + job.data.b, echoed: job.data.tag, attempt: job.attemptsMade };
  }, { connection });
  const out = {};
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    await queue.obliterate({ force: true });

    const ok = await queue.add('add', { a: 2, b: 40, tag: 'héllo ✓' });
    out.returned = await bounded(ok.waitUntilFinished(events), 'the ok job');
    const okDone = await queue.getJob(ok.id);
    out.okJob = { state: await okDone.getState(), returnvalue: okDone.returnvalue, data: okDone.data };

    const bad = await queue.add('boom', { reason: 'on purpose' }, { attempts: 1 });
    try {
      await bounded(bad.waitUntilFinished(events), 'the failing job');
      out.failed = 'completed instead of failing';
    } catch (e) {
      out.failedMessage = e.message;
    }
    const badDone = await queue.getJob(bad.id);
    out.badJob = { state: await badDone.getState(), failedReason: badDone.failedReason,
                   attemptsMade: badDone.attemptsMade };

    const added = Date.now();
    const later = await queue.add('add', { a: 1, b: 1, tag: 'later' }, { delay: 300 });
    out.delayedStateAtAdd = await later.getState();
    out.delayedReturned = await bounded(later.waitUntilFinished(events), 'the delayed job');
    const laterDone = await queue.getJob(later.id);
    out.delayRespected = laterDone.processedOn - added >= 300;
    out.delayedState = await laterDone.getState();

    out.counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'wait', 'active');
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
  console.log(JSON.stringify(out));
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
