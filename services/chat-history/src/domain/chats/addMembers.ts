// The owner of a group adds members; they get the chat live, the others see the new member list (one change, one rev).
import { Forbidden } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { chatKindOf } from '../../db/chats.ts';
import { insertMembers } from '../../db/members.ts';
import { noSuchChat, requireMember, viewsByMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { resolveUsers } from '../profiles.ts';

export type AddMembersProps = {
  chatId: string;
  /** Who asks: must be the owner. */
  userId: string;
  userIds: string[];
  requestId?: string;
};

export async function addMembers(
  deps: ChatHistoryDeps,
  { chatId, userId, userIds, requestId }: AddMembersProps,
): Promise<Chat> {
  const { role } = await requireMember(deps.db, chatId, userId);
  if ((await chatKindOf(deps.db, chatId)) === 'direct') {
    throw new Forbidden('The members of a direct chat cannot change');
  }
  if (role !== 'owner') throw new Forbidden('Only the owner of the group adds members');
  const wanted = [...new Set(userIds.map((id) => id.toLowerCase()))];
  await resolveUsers({ ...deps, userIds: wanted, field: 'userIds', requestId });
  const { added, rev } = await inChangeTransaction(deps, async (tx) => {
    const ids = await insertMembers(
      tx.trx,
      chatId,
      wanted.map((id) => ({ userId: id, role: 'member' as const })),
    );
    // nobody new: nothing changed, nothing to record
    if (ids.length === 0) return { added: new Set<string>(), rev: undefined };
    return { added: new Set(ids), rev: await tx.record({ chatId, kind: 'chat.updated' }) };
  });
  const views = await viewsByMember(deps.db, chatId);
  if (rev !== undefined) await deps.events.chatChanged(chatId, rev, views, { created: added });
  const chat = views.get(userId);
  // the owner left while adding
  if (!chat) throw noSuchChat();
  return chat;
}
