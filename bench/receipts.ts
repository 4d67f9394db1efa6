// Receipts persisted per second and enqueue-to-commit lag: the batched worker beside its ceiling, a raw batched
// INSERT … ON CONFLICT DO UPDATE of the same rows into the same table with no queue at all, and beside one-row-per-job
// persistence; all measured in the same run on the same database. `npm run bench:receipts` (needs PostgreSQL and Redis;
// TEST_DATABASE_URL / TEST_REDIS_URL as for the tests).
import { randomUUID } from 'node:crypto';
import { createKnex, createLogger, createMetrics, createRedis, type Knex } from '@chat/kit';
import { createTestDatabase, testPrefix, testRedisUrl } from '@chat/infra/testing';
import { createReceiptsQueue } from '../services/chat-history/src/receipts/queue.ts';
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

async function run(db: Knex, members: Member[], label: string, batchSize: number, drainJobs: number, offered: boolean) {
  const prefix = testPrefix();
  const redis = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
  const producer = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
  const publisher = createRedis(testRedisUrl());
  const queue = createReceiptsQueue(producer, prefix);
  let seq = 0;
  const job = () => {
    const m = members[seq % members.length] as Member;
    seq++;
    return { name: 'read', data: { ...m, seq, enqueuedAt: Date.now() } };
  };
  const worker = createReceiptsWorker({
    db,
    redis,
    publisher,
    redisPrefix: prefix,
    logger: createLogger('bench', 'silent'),
    metrics: createMetrics('bench'),
    batchSize,
    concurrency: batchSize === 1 ? 50 : 1000,
  });
  const lags: number[] = [];
  let completed = 0;
  let target = 0;
  let done: () => void = () => {};
  worker.worker.on('completed', (j) => {
    lags.push(Date.now() - j.data.enqueuedAt);
    if (++completed === target) done();
  });

  // 1) drain rate: a full queue, emptied as fast as the worker can.
  for (let i = 0; i < drainJobs; i += 5_000)
    await queue.addBulk(Array.from({ length: Math.min(5_000, drainJobs - i) }, job));
  target = drainJobs;
  const finished = new Promise<void>((r) => (done = r));
  const started = performance.now();
  worker.start();
  await finished;
  const drainRate = drainJobs / ((performance.now() - started) / 1000);

  // 2) lag under a steady offered load.
  let lagP50 = Number.NaN;
  let lagP99 = Number.NaN;
  if (offered) {
    lags.length = 0;
    const total = OFFERED_RATE * OFFERED_SECONDS;
    target = completed + total;
    const all = new Promise<void>((r) => (done = r));
    const tickMs = 20;
    const perTick = (OFFERED_RATE * tickMs) / 1000;
    const begin = performance.now();
    for (let sent = 0; sent < total; ) {
      const due = Math.min(total, Math.floor(((performance.now() - begin) / tickMs + 1) * perTick));
      if (due > sent) {
        await queue.addBulk(Array.from({ length: due - sent }, job));
        sent = due;
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    await all;
    lags.sort((a, b) => a - b);
    lagP50 = percentile(lags, 0.5);
    lagP99 = percentile(lags, 0.99);
  }
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  for (const c of [redis, producer, publisher]) c.disconnect();
  return { label, batchSize, drainRate: Math.round(drainRate), lagP50, lagP99 };
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
    batchSize: 500,
    drainRate: Math.round(rows / ((performance.now() - started) / 1000)),
    lagP50: Number.NaN,
    lagP99: Number.NaN,
  };
}

const database = await createTestDatabase();
const db = createKnex(database.url, 'chat', { min: 2, max: 10 });
try {
  const members = await arrange(db);
  const raw = await ceiling(db, members, DRAIN_JOBS);
  const batched = await run(db, members, 'batched worker', 500, DRAIN_JOBS, true);
  const baseline = await run(db, members, 'one row per job', 1, Math.max(2_000, Math.floor(DRAIN_JOBS / 10)), false);
  console.table([raw, batched, baseline]);
  const ofCeiling = batched.drainRate / raw.drainRate;
  console.log(
    `receipts/s batched ${batched.drainRate}, ceiling ${raw.drainRate} (${Math.round(ofCeiling * 100)}%), ` +
      `one-row-per-job ${baseline.drainRate}; p99 lag at ${OFFERED_RATE}/s offered: ${batched.lagP99} ms ` +
      `(p50 ${batched.lagP50} ms)`,
  );
  const ok = ofCeiling >= 0.5 && batched.lagP99 <= 500;
  console.log(ok ? 'targets met: ≥50% of the ceiling, p99 lag ≤ 500 ms' : 'targets NOT met');
  process.exitCode = ok ? 0 : 1;
} finally {
  await db.destroy();
  await database.drop();
}
