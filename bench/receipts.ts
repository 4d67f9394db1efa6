// Receipts persisted per second and enqueue-to-commit lag: the worker, with reads enqueued as chat-history enqueues
// them, beside its ceiling, a raw batched INSERT … ON CONFLICT DO UPDATE of the same rows into the same table with no
// queue at all, and beside the former one read per job; all measured in the same run on the same database.
// `npm run bench:receipts` (needs PostgreSQL and Redis; TEST_DATABASE_URL / TEST_REDIS_URL as for the tests).
import { randomUUID } from 'node:crypto';
import { createKnex, createLogger, createMetrics, createRedis, type Knex } from '@chat/kit';
import { createTestDatabase, testPrefix, testRedisUrl } from '@chat/infra/testing';
import { createReceiptsQueue, ReadEnqueuer, readsOf } from '../services/chat-history/src/receipts/queue.ts';
import { createReceiptsWorker } from '../services/chat-history/src/receipts/worker-app.ts';

const CHATS = 200;
const MEMBERS = 5;
const DRAIN_JOBS = Number(process.env.BENCH_JOBS ?? 50_000);
const OFFERED_RATE = Number(process.env.BENCH_RATE ?? 10_000);
const OFFERED_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

type Member = { chatId: string; userId: string };

async function arrange(db: Knex): Promise<Member[]> {
  const members: Member[] = [];
  for (let c = 0; c < CHATS; c++) {
    const chatId = randomUUID();
    const users = Array.from({ length: MEMBERS }, () => randomUUID());
    await db('chats').insert({
      id: chatId,
      kind: 'group',
      title: `bench ${c}`,
      created_by: users[0],
      last_seq: 1_000_000,
    });
    await db('members').insert(
      users.map((userId, i) => ({ chat_id: chatId, user_id: userId, role: i ? 'member' : 'owner' })),
    );
    members.push(...users.map((userId) => ({ chatId, userId })));
  }
  return members;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

type Mode = 'packed' | 'one read per job';

/**
 * The worker emptying a full queue, then the lag at a steady offered load. `packed`: reads enqueued as chat-history
 * enqueues them (the ones that arrive together share a job); `one read per job`: the former way, for comparison.
 */
async function run(db: Knex, members: Member[], label: string, mode: Mode, drainReads: number, offered: boolean) {
  const prefix = testPrefix();
  const redis = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
  const producer = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
  const publisher = createRedis(testRedisUrl());
  const queue = createReceiptsQueue(producer, prefix);
  const enqueuer = new ReadEnqueuer(queue);
  let seq = 0;
  const read = () => {
    const m = members[seq % members.length] as Member;
    seq++;
    return { ...m, seq };
  };
  const enqueue = async (count: number) => {
    if (mode === 'packed') {
      await Promise.all(Array.from({ length: count }, () => enqueuer.enqueue(read())));
      return;
    }
    for (let i = 0; i < count; i += 5_000)
      await queue.addBulk(
        Array.from({ length: Math.min(5_000, count - i) }, () => ({
          name: 'read',
          data: { ...read(), enqueuedAt: Date.now() },
        })),
      );
  };
  const worker = createReceiptsWorker({
    db,
    redis,
    publisher,
    redisPrefix: prefix,
    logger: createLogger('bench', 'silent'),
    metrics: createMetrics('bench'),
  });
  const lags: number[] = [];
  let completed = 0;
  let jobs = 0;
  let target = 0;
  let done: () => void = () => {};
  worker.worker.on('completed', (j) => {
    const now = Date.now();
    const reads = readsOf(j.data);
    jobs++;
    for (const r of reads) lags.push(now - r.enqueuedAt);
    completed += reads.length;
    if (completed === target) done();
  });

  // 1) drain rate: a full queue, emptied as fast as the worker can.
  await enqueue(drainReads);
  target = drainReads;
  const finished = new Promise<void>((r) => (done = r));
  const started = performance.now();
  worker.start();
  await finished;
  const drainRate = drainReads / ((performance.now() - started) / 1000);

  // 2) lag under a steady offered load, reads spread over 2 ms ticks.
  let lagP50 = Number.NaN;
  let lagP99 = Number.NaN;
  let readsPerJob = Number.NaN;
  if (offered) {
    lags.length = 0;
    jobs = 0;
    const total = OFFERED_RATE * OFFERED_SECONDS;
    target = completed + total;
    const all = new Promise<void>((r) => (done = r));
    const tickMs = 2;
    const perTick = (OFFERED_RATE * tickMs) / 1000;
    const begin = performance.now();
    const enqueued: Promise<void>[] = [];
    for (let sent = 0; sent < total; ) {
      const due = Math.min(total, Math.floor(((performance.now() - begin) / tickMs + 1) * perTick));
      if (due > sent) {
        enqueued.push(enqueue(due - sent));
        sent = due;
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    await Promise.all(enqueued);
    await all;
    lags.sort((a, b) => a - b);
    lagP50 = percentile(lags, 0.5);
    lagP99 = percentile(lags, 0.99);
    readsPerJob = Math.round((total / jobs) * 10) / 10;
  }
  await worker.close();
  await queue.obliterate({ force: true });
  await enqueuer.close();
  for (const c of [redis, producer, publisher]) c.disconnect();
  return { label, drainRate: Math.round(drainRate), lagP50, lagP99, readsPerJob };
}

/** The ceiling: the same read cursors written straight to the table, 500 rows a statement, one statement at a time. */
async function ceiling(db: Knex, members: Member[], rows: number) {
  const started = performance.now();
  for (let from = 0; from < rows; from += 500) {
    const batch = Array.from({ length: Math.min(500, rows - from) }, (_, i) => {
      const m = members[(from + i) % members.length] as Member;
      return { chat_id: m.chatId, user_id: m.userId, role: 'member', read_seq: from + i + 1 };
    });
    // one row per member in a statement (ON CONFLICT may touch a row once), as the worker's coalesced batch is
    const unique = [...new Map(batch.map((r) => [`${r.chat_id}:${r.user_id}`, r])).values()];
    await db('members')
      .insert(unique)
      .onConflict(['chat_id', 'user_id'])
      .merge({ read_seq: db.raw('greatest(members.read_seq, excluded.read_seq)') });
  }
  return {
    label: 'ceiling: raw batched upsert',
    drainRate: Math.round(rows / ((performance.now() - started) / 1000)),
    lagP50: Number.NaN,
    lagP99: Number.NaN,
    readsPerJob: Number.NaN,
  };
}

const database = await createTestDatabase();
const db = createKnex(database.url, 'chat', { min: 2, max: 10 });
try {
  const members = await arrange(db);
  const raw = await ceiling(db, members, DRAIN_JOBS);
  const batched = await run(db, members, 'worker, reads packed in jobs', 'packed', DRAIN_JOBS, true);
  const baseline = await run(db, members, 'worker, one read per job (before)', 'one read per job', DRAIN_JOBS, true);
  console.table([raw, batched, baseline]);
  const ofCeiling = batched.drainRate / raw.drainRate;
  console.log(
    `receipts/s batched ${batched.drainRate}, ceiling ${raw.drainRate} (${Math.round(ofCeiling * 100)}%), ` +
      `one read per job ${baseline.drainRate} (p99 lag ${baseline.lagP99} ms); p99 lag at ${OFFERED_RATE}/s offered: ${batched.lagP99} ms ` +
      `(p50 ${batched.lagP50} ms)`,
  );
  const ok = ofCeiling >= 0.5 && batched.lagP99 <= 500;
  console.log(ok ? 'targets met: ≥50% of the ceiling, p99 lag ≤ 500 ms' : 'targets NOT met');
  process.exitCode = ok ? 0 : 1;
} finally {
  await db.destroy();
  await database.drop();
}
