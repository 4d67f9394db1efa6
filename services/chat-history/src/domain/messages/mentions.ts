// Who a body mentions: `@[Name](userId)` for members of the chat (others are dropped), `@[all](all)` in a group.
import type { Knex } from '@chat/kit';
import { MENTION_ALL, MENTION_PATTERN } from '@chat/kit/contract';
import { chatKindOf } from '../../db/chats.ts';

export async function mentionsIn(db: Knex | Knex.Transaction, chatId: string, body: string): Promise<string[]> {
  const named = [...body.matchAll(MENTION_PATTERN)].map((m) => (m[2] ?? '').toLowerCase());
  if (named.length === 0) return [];
  const ids = [...new Set(named.filter((id) => id !== MENTION_ALL))];
  const [members, kind] = await Promise.all([
    ids.length === 0
      ? Promise.resolve([] as { user_id: string }[])
      : db('members').where({ chat_id: chatId }).whereIn('user_id', ids).select('user_id'),
    named.includes(MENTION_ALL) ? chatKindOf(db as Knex, chatId) : Promise.resolve(undefined),
  ]);
  const present = new Set(members.map((m) => m.user_id));
  return [...ids.filter((id) => present.has(id)), ...(kind === 'group' ? [MENTION_ALL] : [])];
}
