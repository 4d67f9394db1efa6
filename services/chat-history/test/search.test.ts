// Message search in Russian and English on a server with a Unicode locale and on one created with the C locale.
import { randomUUID } from 'node:crypto';
import type { Chat, MessageWithRev, SearchResponse } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankedMatches } from '../src/domain/search/searchMessages.ts';
import { tsqueryOf } from '../src/domain/search/searchQuery.ts';
import { type RunningChatHistory, startChatHistory, type TestUser, userNamed } from './support.ts';

for (const locale of [undefined, 'C'] as const) {
  describe(`message search (${locale ?? 'server default'} locale)`, () => {
    let service: RunningChatHistory;
    let ann: TestUser;
    let ben: TestUser;
    let cat: TestUser;
    let chat: Chat;
    let other: Chat;

    const send = async (user: TestUser, chatId: string, body: string) =>
      (
        await service.as(user)<MessageWithRev>(`/api/chats/${chatId}/messages`, {
          method: 'POST',
          body: { clientId: randomUUID(), body },
        })
      ).body;
    const search = (user: TestUser, q: string, extra = '') =>
      service.as(user)<SearchResponse>(`/api/search?q=${encodeURIComponent(q)}${extra}`);
    const bodies = async (user: TestUser, q: string, extra = '') =>
      (await search(user, q, extra)).body.results.map((r) => r.message.body);

    beforeAll(async () => {
      service = await startChatHistory({ locale });
      [ann, ben, cat] = ['Ann', 'Ben', 'Cat'].map((name) => userNamed(name, service.users)) as [
        TestUser,
        TestUser,
        TestUser,
      ];
      const group = async (title: string, members: TestUser[]) =>
        (
          await service.as(ann)<Chat>('/api/chats/groups', {
            method: 'POST',
            body: { title, memberIds: members.map((m) => m.id) },
          })
        ).body;
      chat = await group('Общий', [ben]);
      other = await group('Other', [cat]);
      await send(ann, chat.id, 'Привет всем! Новые СООБЩЕНИЯ пришли');
      await send(ben, chat.id, 'The messages are here, and the message count grows');
      await send(ann, chat.id, 'Ёлка стоит во дворе');
      await send(ann, other.id, 'Привет из другого чата');
    });

    afterAll(async () => {
      await service?.stop();
    });

    it('ranks the same newest matches whether it looks at the newest messages first or at everything', async () => {
      const room = await service.group(ann, [ben], 'Windows');
      for (let i = 1; i <= 12; i++) await send(ann, room.id, i % 3 === 0 ? `окно номер ${i}` : `просто текст ${i}`);
      const query = tsqueryOf('окно') as string;
      const bodiesOf = async (tuning: { windows: number[]; ranked: number }) => {
        const rows = await rankedMatches(service.db, { userId: ben.id, query, limit: 10, offset: 0 }, tuning);
        return rows.map((r) => r.body);
      };
      // the newest three matches, equally good, newest first
      const everything = await bodiesOf({ windows: [], ranked: 3 });
      expect(everything).toEqual(['окно номер 12', 'окно номер 9', 'окно номер 6']);
      // windows too small to hold three matches are widened; one that holds them answers alone
      for (const windows of [[2], [5], [2, 7], [7]]) expect(await bodiesOf({ windows, ranked: 3 })).toEqual(everything);
    });

    it('finds a word as it is being typed, in any case', async () => {
      expect(await bodies(ben, 'Приве')).toEqual(['Привет всем! Новые СООБЩЕНИЯ пришли']);
      expect(await bodies(ben, 'ПРИВЕТ')).toEqual(['Привет всем! Новые СООБЩЕНИЯ пришли']);
    });

    it('finds other forms of a word, Russian and English', async () => {
      expect(await bodies(ben, 'сообщение')).toEqual(['Привет всем! Новые СООБЩЕНИЯ пришли']);
      expect(await bodies(ben, 'message ')).toEqual(['The messages are here, and the message count grows']);
      expect(await bodies(ben, 'messages')).toEqual(['The messages are here, and the message count grows']);
    });

    it('takes ё and е for the same letter', async () => {
      expect(await bodies(ben, 'елка')).toEqual(['Ёлка стоит во дворе']);
      expect(await bodies(ben, 'ЁЛКА')).toEqual(['Ёлка стоит во дворе']);
    });

    it('matches a quoted phrase only in that order', async () => {
      expect(await bodies(ben, '"message count"')).toEqual(['The messages are here, and the message count grows']);
      expect(await bodies(ben, '"count message"')).toEqual([]);
    });

    it('marks where each match is in the body', async () => {
      const { body } = await search(ben, 'сообщение прив');
      const [result] = body.results;
      expect(result?.chatTitle).toBe('Общий');
      const text = result?.message.body ?? '';
      expect(result?.highlights.map(([s, e]) => text.slice(s, e))).toEqual(['Привет', 'СООБЩЕНИЯ']);
    });

    it('searches only chats the user is in now, and one chat when asked', async () => {
      expect(await bodies(cat, 'привет')).toEqual(['Привет из другого чата']);
      expect((await bodies(ann, 'привет')).sort()).toEqual([
        'Привет всем! Новые СООБЩЕНИЯ пришли',
        'Привет из другого чата',
      ]);
      expect(await bodies(ann, 'привет', `&chatId=${other.id}`)).toEqual(['Привет из другого чата']);
      expect((await search(ben, 'привет', `&chatId=${other.id}`)).status).toBe(404);
      await service.as(cat)(`/api/chats/${other.id}/members/${cat.id}`, { method: 'DELETE' });
      expect(await bodies(cat, 'привет')).toEqual([]);
    });

    it('never finds a deleted message, and finds an edited one by its new text at once', async () => {
      const sent = await send(ann, chat.id, 'удалю это сообщение скоро');
      const edited = await send(ann, chat.id, 'первый вариант текста');
      await service.as(ann)(`/api/chats/${chat.id}/messages/${sent.id}`, { method: 'DELETE' });
      await service.as(ann)(`/api/chats/${chat.id}/messages/${edited.id}`, {
        method: 'PATCH',
        body: { body: 'второй вариант' },
      });
      expect(await bodies(ben, 'удалю')).toEqual([]);
      expect(await bodies(ben, 'первый')).toEqual([]);
      expect(await bodies(ben, 'второго')).toEqual(['второй вариант']);
    });

    it('answers bad input with 400 and query-parser characters as plain text, never 500', async () => {
      expect((await search(ben, '')).status).toBe(400);
      expect((await search(ben, 'x'.repeat(201))).status).toBe(400);
      expect((await search(ben, 'a', '&cursor=nope')).status).toBe(400);
      for (const q of ["&|!():*'\\", "привет & ('мир'", ':*', '"', 'привет"', "'; drop table messages; --"]) {
        const { status } = await search(ben, q);
        expect(status, q).toBe(200);
      }
      expect(await bodies(ben, '(привет)!')).toEqual(['Привет всем! Новые СООБЩЕНИЯ пришли']);
    });

    it('pages with a cursor, best matches first and newest first among equals', async () => {
      for (let i = 0; i < 5; i++) await send(ben, chat.id, `пагинация ${i}`);
      const first = await search(ben, 'пагинация', '&limit=3');
      expect(first.body.results.map((r) => r.message.body)).toEqual(['пагинация 4', 'пагинация 3', 'пагинация 2']);
      const next = await search(ben, 'пагинация', `&limit=3&cursor=${first.body.nextCursor}`);
      expect(next.body.results.map((r) => r.message.body)).toEqual(['пагинация 1', 'пагинация 0']);
      expect(next.body.nextCursor).toBeNull();
    });
  });
}
