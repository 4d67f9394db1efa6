// Change sync, measured through the gateway on the whole running system (`npm run bench:sync`; needs PostgreSQL and
// Redis as for the tests):
// 1. POST /api/sync after an hour offline: 1,000 changes in 20 chats, brought back in one request.
// 2. GET /api/chats with 500,000 unread messages in one chat, beside the unread count this service used before
//    (a count over every unread row), run on the same rows in the same run.
// 3. Live events out of rev order under 20 concurrent senders in one chat: the catch-up fetches a client would make.
import { randomUUID } from 'node:crypto';
import { createKnex } from '@chat/kit';
import type { Chat, SyncResponse } from '@chat/kit/contract';
import { type Client, connect, connectElsewhere, groupOf, register, send } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { WITHOUT_LIMITS } from './support/limits.ts';

const UNREAD = Number(process.env.BENCH_UNREAD ?? 500_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
};
const ms = (n: number) => Math.round(n * 10) / 10;

async function timed(runs: number, call: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return { p50: ms(percentile(times, 0.5)), p99: ms(percentile(times, 0.99)) };
}

const system = await startSystem(WITHOUT_LIMITS);
const db = createKnex(system.plan.databaseUrl, 'chat', { min: 0, max: 4 });
try {
  const [ann, ben] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Ben')]);
  const results: Record<string, string | number>[] = [];

  // 1. sync after 1,000 changes in 20 chats
  const chats: Chat[] = [];
  for (let i = 0; i < 20; i++) chats.push(await groupOf(ann, [ben], `sync ${i}`));
  const held = Object.fromEntries(chats.map((c) => [c.id, c.rev]));
  for (let round = 0; round < 50; round++) {
    await Promise.all(
      chats.map((c) =>
        ann.api(`/api/chats/${c.id}/messages`, { method: 'POST', body: { clientId: randomUUID(), body: `m${round}` } }),
      ),
    );
  }
  const once = await ben.api<SyncResponse>('/api/sync', { method: 'POST', body: { chats: held } });
  const replayed = Object.values(once.body.changes).reduce((n, list) => n + list.length, 0);
  const sync = await timed(RUNS / 4, () => ben.api('/api/sync', { method: 'POST', body: { chats: held } }));
  results.push({ what: 'POST /api/sync, 1,000 changes in 20 chats (one request)', ...sync, changes: replayed });

  // 2. the chat list with 500,000 unread in one chat
  const big = await groupOf(ann, [ben], 'big');
  await db.raw(
    `insert into messages (chat_id, seq, sender_id, client_id, body)
     select ?, s, ?, 'bench-' || s, 'message ' || s from generate_series(1, ?) s`,
    [big.id, ann.user.id, UNREAD],
  );
  await db('chats').where({ id: big.id }).update({ last_seq: UNREAD, last_activity_at: db.fn.now() });
  await db.raw('analyze messages');
  const list = await ben.api<{ chats: Chat[] }>('/api/chats');
  const unread = list.body.chats.find((c) => c.id === big.id)?.unread;
  const chatList = await timed(RUNS, () => ben.api('/api/chats'));
  // the count the chat list made before, on the same rows
  const before = await timed(Math.max(5, RUNS / 20), () =>
    db.raw(
      `select m.chat_id, (select count(*) from messages x where x.chat_id = m.chat_id and x.seq > m.read_seq
          and x.sender_id <> m.user_id and x.deleted_at is null) as unread
         from members m where m.user_id = ?`,
      [ben.user.id],
    ),
  );
  results.push({
    what: `GET /api/chats, ${UNREAD.toLocaleString('en')} unread in one chat`,
    ...chatList,
    unread: unread ?? -1,
  });
  results.push({ what: 'the unread count as computed before (SQL only, same rows)', ...before });

  // 3. order of live events under 20 concurrent senders in one chat
  const senders: Client[] = await Promise.all(Array.from({ length: 20 }, (_, i) => register(system.baseUrl, `S${i}`)));
  const hot = await groupOf(ann, senders, 'hot');
  const listener = await connect(system.baseUrl, ann.token);
  let heldRev = hot.rev;
  let fetches = 0;
  let received = 0;
  const total = 20 * 20;
  const allIn = new Promise<void>((resolve) => {
    listener.socket.on('message:new', (m) => {
      if (m.rev > heldRev + 1) fetches++;
      heldRev = Math.max(heldRev, m.rev);
      if (++received === total) resolve();
    });
  });
  const sockets = await Promise.all(
    senders.map((s, i) =>
      i % 2 ? connectElsewhere(system.baseUrl, s.token, 'none') : connect(system.baseUrl, s.token),
    ),
  );
  await Promise.all(
    sockets.map(async ({ socket }) => {
      for (let i = 0; i < 20; i++) await send(socket, hot.id, `hot ${i}`);
    }),
  );
  await allIn;
  results.push({
    what: '20 concurrent senders in one chat: catch-up fetches caused by reordering',
    fetches,
    messages: total,
  });
  for (const { socket } of [listener, ...sockets]) socket.close();

  console.table(results);
  const ok = chatList.p99 <= 20 && fetches <= total * 0.01 && replayed === 1_000;
  console.log(
    `chat list p99 ${chatList.p99} ms (before: ${before.p99} ms for the count alone); sync p99 ${sync.p99} ms for ` +
      `${replayed} changes in one request; reorder fetches ${fetches}/${total}`,
  );
  console.log(ok ? 'targets met: chat list p99 ≤ 20 ms, reorder fetches ≤ 1%' : 'targets NOT met');
  process.exitCode = ok ? 0 : 1;
} finally {
  await db.destroy();
  await system.stop();
}
