// Creates a group chat owned by its creator, with the members they chose; its creation is its first change.
import type { Chat } from '@chat/kit/contract';
import { insertGroupChat } from '../../db/chats.ts';
import { insertMembers } from '../../db/members.ts';
import { viewsByMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { resolveUsers } from '../profiles.ts';

export type CreateGroupChatProps = {
  userId: string;
  /** Already validated and trimmed. */
  title: string;
  /** The other members; repeats and the creator are ignored. */
  memberIds: string[];
  requestId?: string;
};

export async function createGroupChat(
  deps: ChatHistoryDeps,
  { userId, title, memberIds, requestId }: CreateGroupChatProps,
): Promise<Chat> {
  const others = [...new Set(memberIds.map((id) => id.toLowerCase()))].filter((id) => id !== userId);
  await resolveUsers({ ...deps, userIds: others, field: 'memberIds', requestId });
  const { chatId, rev } = await inChangeTransaction(deps, async (tx) => {
    const id = await insertGroupChat(tx.trx, title, userId);
    await insertMembers(tx.trx, id, [
      { userId, role: 'owner' },
      ...others.map((memberId) => ({ userId: memberId, role: 'member' as const })),
    ]);
    return { chatId: id, rev: await tx.record({ chatId: id, kind: 'chat.updated' }) };
  });
  const views = await viewsByMember(deps.db, chatId);
  await deps.events.chatChanged(chatId, rev, views, { created: new Set(views.keys()) });
  const chat = views.get(userId);
  if (!chat) throw new Error(`group ${chatId} lacks its owner ${userId}`);
  return chat;
}
