// Opens the one direct chat of a pair of users, or answers the one they already have.
import { BadRequest } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { directKeyOf, insertDirectChat } from '../../db/chats.ts';
import { insertMembers } from '../../db/members.ts';
import { viewsByMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { resolveUsers } from '../profiles.ts';

export type CreateDirectChatProps = {
  userId: string;
  /** The other user. */
  otherId: string;
  requestId?: string;
};

export async function createDirectChat(
  deps: ChatHistoryDeps,
  { userId, otherId: givenOtherId, requestId }: CreateDirectChatProps,
): Promise<{ chat: Chat; created: boolean }> {
  const otherId = givenOtherId.toLowerCase();
  if (otherId === userId) {
    throw new BadRequest('A direct chat needs another user', [{ path: 'userId', message: 'must be another user' }]);
  }
  await resolveUsers({ ...deps, userIds: [otherId], field: 'userId', requestId });
  // concurrent requests of the same pair meet on the unique direct_key: one inserts, the others find its chat
  const { id, rev } = await inChangeTransaction(deps, async (tx) => {
    const chat = await insertDirectChat(tx.trx, directKeyOf(userId, otherId), userId);
    if (!chat.created) return { id: chat.id, rev: undefined };
    await insertMembers(tx.trx, chat.id, [
      { userId, role: 'member' },
      { userId: otherId, role: 'member' },
    ]);
    return { id: chat.id, rev: await tx.record({ chatId: chat.id, kind: 'chat.updated' }) };
  });
  const views = await viewsByMember(deps.db, id);
  if (rev !== undefined) await deps.events.chatChanged(id, rev, views, { created: new Set(views.keys()) });
  const chat = views.get(userId);
  if (!chat) throw new Error(`direct chat ${id} lacks its member ${userId}`);
  return { chat, created: rev !== undefined };
}
