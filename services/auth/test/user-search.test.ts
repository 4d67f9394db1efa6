// Finding people by name in any script and case, with ё and е alike, on a server with a Unicode locale and on one
// created with the C locale (where PostgreSQL's lower() and ILIKE leave Cyrillic alone).
import type { User } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEmail, startAuth } from './support.ts';

for (const locale of [undefined, 'C'] as const) {
  describe(`user search (${locale ?? 'server default'} locale)`, () => {
    let auth: Awaited<ReturnType<typeof startAuth>>;
    let token = '';

    beforeAll(async () => {
      auth = await startAuth({}, { locale });
      for (const displayName of ['Иван Петров', 'Пётр Ёлкин', 'Mixed Иванов', 'John Smith']) {
        const { body } = await auth.client()<{ accessToken: string }>('/api/auth/register', {
          method: 'POST',
          body: { email: newEmail(), password: 'correct horse battery', displayName },
        });
        token = body.accessToken;
      }
    });

    afterAll(async () => {
      await auth?.stop();
    });

    const find = async (query: string) =>
      (await auth.client()<{ users: User[] }>(`/api/users?query=${encodeURIComponent(query)}`, { token })).body.users
        .map((u) => u.displayName)
        .sort();

    it('finds Cyrillic names in any case', async () => {
      expect(await find('иван')).toEqual(['Mixed Иванов', 'Иван Петров']);
      expect(await find('Иван')).toEqual(['Mixed Иванов', 'Иван Петров']);
      expect(await find('ИВАН П')).toEqual(['Иван Петров']);
      expect(await find('петров')).toEqual(['Иван Петров']);
    });

    it('takes ё and е for the same letter, both ways', async () => {
      expect(await find('петр')).toEqual(['Иван Петров', 'Пётр Ёлкин']);
      expect(await find('ёлкин')).toEqual(['Пётр Ёлкин']);
      expect(await find('ЕЛКИН')).toEqual(['Пётр Ёлкин']);
    });

    it('matches names that mix scripts, and Latin names as before', async () => {
      expect(await find('mixed ив')).toEqual(['Mixed Иванов']);
      expect(await find('SMITH')).toEqual(['John Smith']);
    });

    it('finds a renamed user by the new name only', async () => {
      const me = await auth.client()<User>('/api/auth/me', { token });
      await auth.client()('/api/auth/me', { method: 'PATCH', body: { displayName: 'Ёжик Туманов' }, token });
      expect(await find('ежик')).toEqual(['Ёжик Туманов']);
      expect(await find(me.body.displayName)).toEqual([]);
    });
  });
}
