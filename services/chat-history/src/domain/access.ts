// Membership is the gate to everything about a chat: a non-member learns nothing, not even that it exists.
import { type Knex, NotFound } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { chatViews } from '../db/chats.ts';
import { type Membership, membershipOf } from '../db/members.ts';

export const noSuchChat = () => new NotFound('No such chat');

export async function requireMember(
  db: Knex | Knex.Transaction,
  chatId: string,
  userId: string,
  lock?: 'forUpdate',
): Promise<Membership> {
  const membership = await membershipOf(db, chatId, userId, lock);
  if (!membership) throw noSuchChat();
  return membership;
}

/** The chat as each of its members sees it (own read cursor and unread count), by member id. */
export async function viewsByMember(db: Knex, chatId: string): Promise<Map<string, Chat>> {
  return new Map((await chatViews(db, { chatId })).map((v) => [v.viewerId, v.chat]));
}

/** Keeps the views of the given members only. */
export function viewsOf(views: Map<string, Chat>, keep: (userId: string) => boolean): Map<string, Chat> {
  return new Map([...views].filter(([userId]) => keep(userId)));
}
