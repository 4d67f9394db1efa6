// A page of history is a short walk on the (chat_id, seq) index, however long the chat is.
import { randomUUID } from 'node:crypto';
import { createKnex, type Knex } from '@chat/kit';
import { createTestDatabase, type TestDatabase } from '@chat/infra/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageQuery } from '../src/db/messages.ts';

let database: TestDatabase;
let db: Knex;
const chatId = randomUUID();

beforeAll(async () => {
  database = await createTestDatabase();
  db = createKnex(database.url, 'chat');
  const sender = randomUUID();
  await db('chats').insert({ id: chatId, kind: 'group', title: 'long', created_by: sender, last_seq: 20_000 });
  // other chats around it, so the index has to pick the chat out
  await db.raw(
    `insert into chats (id, kind, title, created_by) select gen_random_uuid(), 'group', 'other', ? from generate_series(1, 20)`,
    [sender],
  );
  await db.raw(
    `insert into messages (chat_id, seq, sender_id, client_id, body)
     select ?::uuid, s, ?::uuid, 'c' || s, 'message ' || s from generate_series(1, 20000) s
     union all
     select c.id, s, ?::uuid, 'c' || s, 'x' from chats c, generate_series(1, 1000) s where c.title = 'other'`,
    [chatId, sender, sender],
  );
  await db.raw('analyze messages');
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

async function plan(query: Knex.QueryBuilder): Promise<string> {
  const { rows } = await db.raw<{ rows: { 'QUERY PLAN': string }[] }>(`explain ${query.toString()}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

it('reads the newest page, a page back and a catch-up page in seq order straight off the (chat_id, seq) index', async () => {
  for (const page of [{ limit: 50 }, { before: 10_000, limit: 50 }, { after: 0, limit: 100 }]) {
    const text = await plan(pageQuery(db, chatId, page));
    expect(text).toMatch(/Index Scan( Backward)? using messages_chat_id_seq_unique/);
    expect(text).not.toMatch(/Seq Scan|Sort/);
  }
  // near the end of the chat the planner may collect the few rows by bitmap, still on the index
  const tail = await plan(pageQuery(db, chatId, { after: 19_900, limit: 50 }));
  expect(tail).toMatch(/messages_chat_id_seq_unique/);
  expect(tail).not.toMatch(/Seq Scan/);
});
