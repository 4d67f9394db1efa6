// The receipts worker against real PostgreSQL and Redis: batches, idempotence, crash and Redis-restart recovery.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createKnex, createLogger, createMetrics, createRedis, type Knex, type Redis } from '@chat/kit';
import { createTestDatabase, type TestDatabase, testPrefix, testRedisUrl } from '@chat/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiptsQueue, ReadEnqueuer, type ReceiptsQueue, readsOf } from '../src/receipts/queue.ts';
import { createReceiptsWorker } from '../src/receipts/worker-app.ts';
import { startRedisServer, until } from './support.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const node = path.join(root, 'node_modules/.bin/node');

let database: TestDatabase;
let db: Knex;

async function makeChat(memberCount: number, lastSeq: number) {
  const chatId = randomUUID();
  const members = Array.from({ length: memberCount }, () => randomUUID());
  await db('chats').insert({ id: chatId, kind: 'group', title: 'receipts', created_by: members[0], last_seq: lastSeq });
  await db('members').insert(
    members.map((userId, i) => ({ chat_id: chatId, user_id: userId, role: i ? 'member' : 'owner' })),
  );
  return { chatId, members };
}

const cursorsOf = async (chatId: string) =>
  Object.fromEntries(
    (await db('members').where({ chat_id: chatId }).select('user_id', 'read_seq')).map((r) => [
      r.user_id,
      Number(r.read_seq),
    ]),
  );

/** `count` reads of the chat's members in turn, at `seqOf(i)`, and the cursor each member must end at (the highest). */
function racingReads(chatId: string, members: string[], count: number, seqOf: (i: number) => number) {
  const expected: Record<string, number> = Object.fromEntries(members.map((m) => [m, 0]));
  const reads = Array.from({ length: count }, (_, i) => {
    const userId = members[i % members.length] as string;
    const seq = seqOf(i);
    expected[userId] = Math.max(expected[userId] ?? 0, seq);
    return { chatId, userId, seq };
  });
  return { reads, expected };
}

function inProcessWorker(redisUrl: string, prefix: string) {
  const redis = createRedis(redisUrl, { maxRetriesPerRequest: null });
  const publisher = createRedis(redisUrl);
  const receipts = createReceiptsWorker({
    db,
    redis,
    publisher,
    redisPrefix: prefix,
    logger: createLogger('receipts', 'silent'),
    metrics: createMetrics('receipts'),
  });
  receipts.start();
  return {
    ...receipts,
    async close() {
      await receipts.close();
      redis.disconnect();
      publisher.disconnect();
    },
  };
}

async function drained(queue: ReceiptsQueue, timeoutMs = 20_000) {
  await until(async () => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).every((n) => n === 0);
  }, timeoutMs);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createKnex(database.url, 'chat');
});

afterAll(async () => {
  await db.destroy();
  await database.drop();
});

describe('receipts worker', () => {
  it("settles 1,000 racing read events on each member's highest seq", async () => {
    const prefix = testPrefix();
    const { chatId, members } = await makeChat(5, 500);
    const connection = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = createReceiptsQueue(connection, prefix);
    const { reads, expected } = racingReads(chatId, members, 1_000, () => 1 + Math.floor(Math.random() * 500));
    await queue.addBulk(reads.map((read) => ({ name: 'read', data: { ...read, enqueuedAt: Date.now() } })));
    const worker = inProcessWorker(testRedisUrl(), prefix);
    await drained(queue);
    await worker.close();
    expect(await cursorsOf(chatId)).toEqual(expected);
    await queue.close();
    connection.disconnect();
  });

  it('puts reads that arrive together in one job, each read in Redis before its enqueue resolves', async () => {
    const prefix = testPrefix();
    const { chatId, members } = await makeChat(5, 1_000);
    const connection = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = createReceiptsQueue(connection, prefix);
    const enqueuer = new ReadEnqueuer(queue);
    const { reads, expected } = racingReads(chatId, members, 1_000, (i) => 1 + ((i * 7919) % 1_000));
    await Promise.all(reads.map((read) => enqueuer.enqueue(read)));
    // every read is in the queue now, in fewer jobs than reads: the first went alone, the rest together
    const jobs = await queue.getJobs(['waiting']);
    const queued = jobs.flatMap((job) => readsOf(job.data));
    expect(queued).toHaveLength(1_000);
    expect(jobs.length).toBeLessThan(10);
    const worker = inProcessWorker(testRedisUrl(), prefix);
    await drained(queue);
    await worker.close();
    expect(await cursorsOf(chatId)).toEqual(expected);
    await enqueuer.close();
    connection.disconnect();
  });

  it('never moves a cursor backwards, and a duplicate job changes nothing', async () => {
    const prefix = testPrefix();
    const { chatId, members } = await makeChat(2, 50);
    const [reader] = members as [string];
    const connection = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = createReceiptsQueue(connection, prefix);
    const worker = inProcessWorker(testRedisUrl(), prefix);
    await queue.add('read', { chatId, userId: reader, seq: 40, enqueuedAt: Date.now() });
    await drained(queue);
    await queue.addBulk([
      { name: 'read', data: { chatId, userId: reader, seq: 12, enqueuedAt: Date.now() } },
      { name: 'read', data: { chatId, userId: reader, seq: 40, enqueuedAt: Date.now() } },
      { name: 'read', data: { chatId, userId: reader, seq: 999, enqueuedAt: Date.now() } },
    ]);
    await drained(queue);
    await worker.close();
    // 999 is beyond the chat's last message: clamped to 50.
    expect((await cursorsOf(chatId))[reader]).toBe(50);
    await queue.close();
    connection.disconnect();
  });
});

describe('receipts worker process', () => {
  const procs: ChildProcess[] = [];
  const startWorker = (redisUrl: string, prefix: string) => {
    const proc = spawn(node, ['services/chat-history/src/worker.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        RECEIPTS_LOCK_MS: '2000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    procs.push(proc);
    return proc;
  };
  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
  });

  it('killed in the middle of a batch (SIGKILL) and started again, loses and regresses nothing', async () => {
    const prefix = testPrefix();
    const { chatId, members } = await makeChat(4, 20_000);
    const connection: Redis = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = createReceiptsQueue(connection, prefix);
    const expected: Record<string, number> = {};
    const jobs = Array.from({ length: 20_000 }, (_, i) => {
      const userId = members[i % members.length] as string;
      const seq = i + 1;
      expected[userId] = seq;
      return { name: 'read', data: { chatId, userId, seq, enqueuedAt: Date.now() } };
    });
    for (let i = 0; i < jobs.length; i += 5_000) await queue.addBulk(jobs.slice(i, i + 5_000));

    const first = startWorker(testRedisUrl(), prefix);
    await until(async () => ((await queue.getJobCounts('active')).active ?? 0) > 0);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const afterCrash = await cursorsOf(chatId);
    expect((await queue.getJobCounts('wait')).wait ?? 0).toBeGreaterThan(0);

    const second = startWorker(testRedisUrl(), prefix);
    await drained(queue, 60_000);
    second.kill('SIGTERM');
    await once(second, 'exit');
    const final = await cursorsOf(chatId);
    expect(final).toEqual(expected);
    for (const userId of members) expect(final[userId]).toBeGreaterThanOrEqual(afterCrash[userId] ?? 0);
    await queue.close();
    connection.disconnect();
  }, 90_000);

  it('resumes by itself after Redis restarts under it', async () => {
    const redisServer = await startRedisServer();
    const prefix = testPrefix();
    const { chatId, members } = await makeChat(1, 100);
    const [reader] = members as [string];
    const worker = startWorker(redisServer.url, prefix);
    let connection = createRedis(redisServer.url, { maxRetriesPerRequest: null });
    let queue = createReceiptsQueue(connection, prefix);
    await queue.add('read', { chatId, userId: reader, seq: 10, enqueuedAt: Date.now() });
    await until(async () => (await cursorsOf(chatId))[reader] === 10);
    await queue.close();
    connection.disconnect();

    await redisServer.restart();
    connection = createRedis(redisServer.url, { maxRetriesPerRequest: null });
    queue = createReceiptsQueue(connection, prefix);
    await queue.add('read', { chatId, userId: reader, seq: 77, enqueuedAt: Date.now() });
    await until(async () => (await cursorsOf(chatId))[reader] === 77, 30_000);
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    await queue.close();
    connection.disconnect();
    await redisServer.stop();
  }, 60_000);
});
