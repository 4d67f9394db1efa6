// History on a big chat (`npm run bench:history`; needs PostgreSQL and Redis as for the tests): 1,000,000 messages in
// one chat (generated in SQL), read through the gateway by a member: the newest page, a page in the middle, the
// oldest page, a catch-up of the last 1,000 messages in pages of 100, and the chat list. p50/p99 of 200 calls each.
//   BENCH_MESSAGES=1000000 BENCH_RUNS=200
import { createKnex } from '@chat/kit';
import { type Client, groupOf, register } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { percentile } from './support/fanout.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

const system = await startSystem({ LOG_LEVEL: 'error' });
const db = createKnex(system.plan.databaseUrl, 'chat', { min: 0, max: 2 });
try {
  const [ann, ben] = (await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Ben')])) as [
    Client,
    Client,
  ];
  const chat = await groupOf(ann, [ben], 'history');
  await db.raw(
    `insert into messages (chat_id, seq, sender_id, client_id, body, created_at)
     select ?, s, ?, 'bench-' || s, 'message number ' || s, now() - make_interval(secs => ? - s)
       from generate_series(1, ?) s`,
    [chat.id, ann.user.id, MESSAGES, MESSAGES],
  );
  await db('chats').where({ id: chat.id }).update({ last_seq: MESSAGES, last_activity_at: db.fn.now() });
  await db.raw('analyze messages');
  const timed = async (call: () => Promise<{ status: number }>) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const { status } = await call();
      if (status !== 200) throw new Error(`answered ${status}`);
      times.push(performance.now() - started);
    }
    return `${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.99).toFixed(1)}`;
  };
  const page = (query: string) => () => ben.api(`/api/chats/${chat.id}/messages?${query}`);
  const rows = [
    ['newest page (50)', await timed(page('limit=50'))],
    ['a page in the middle (50)', await timed(page(`before=${Math.floor(MESSAGES / 2)}&limit=50`))],
    ['oldest page (50)', await timed(page('after=0&limit=50'))],
    [
      'catch-up of 1,000 (10 pages of 100)',
      await timed(async () => {
        let after = MESSAGES - 1_000;
        let status = 200;
        while (after < MESSAGES && status === 200) {
          const res = await ben.api<{ messages: { seq: number }[] }>(
            `/api/chats/${chat.id}/messages?after=${after}&limit=100`,
          );
          status = res.status;
          after = res.body.messages.at(-1)?.seq ?? MESSAGES;
        }
        return { status };
      }),
    ],
    ['chat list', await timed(() => ben.api('/api/chats'))],
  ];
  console.log(`\n${MESSAGES.toLocaleString('en')} messages in one chat, through the gateway, ${RUNS} calls each\n`);
  console.log('| what | p50 ms | p99 ms |\n|---|---|---|');
  for (const [what, figures] of rows) console.log(`| ${what} | ${figures} |`);
} finally {
  await db.destroy();
  await system.stop();
}
process.exit(0);
