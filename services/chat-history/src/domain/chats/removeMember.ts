// The owner removes a member, or a member leaves; the removed user's sockets stop getting the chat at once.
import { Forbidden, NotFound } from '@chat/kit';
import { chatKindOf } from '../../db/chats.ts';
import { deleteMember, promoteOwnerIfNone } from '../../db/members.ts';
import { requireMember, viewsByMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type RemoveMemberProps = {
  chatId: string;
  /** Who asks: the owner, or the member themself (leaving). */
  userId: string;
  memberId: string;
};

export async function removeMember(
  { db, events }: Pick<ChatHistoryDeps, 'db' | 'events'>,
  { chatId, userId, memberId: givenMemberId }: RemoveMemberProps,
): Promise<void> {
  const memberId = givenMemberId.toLowerCase();
  const { role } = await requireMember(db, chatId, userId);
  if ((await chatKindOf(db, chatId)) === 'direct') throw new Forbidden('The members of a direct chat cannot change');
  if (memberId !== userId && role !== 'owner') throw new Forbidden('Only the owner of the group removes members');
  await db.transaction(async (trx) => {
    if (!(await deleteMember(trx, chatId, memberId))) throw new NotFound('No such member');
    // a group whose owner left gets its longest-standing member as owner
    await promoteOwnerIfNone(trx, chatId);
  });
  await events.chatRemoved(chatId, memberId);
  await events.chatUpdated(await viewsByMember(db, chatId));
}
