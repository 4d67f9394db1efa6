// The owner removes a member, or a member leaves; the removed user's sockets stop getting the chat at once.
import { Forbidden, NotFound } from '@chat/kit';
import { chatKindOf } from '../../db/chats.ts';
import { deleteMember, promoteOwnerIfNone } from '../../db/members.ts';
import { requireMember, viewsByMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type RemoveMemberProps = {
  chatId: string;
  /** Who asks: the owner, or the member themself (leaving). */
  userId: string;
  memberId: string;
};

export async function removeMember(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'>,
  { chatId, userId, memberId: givenMemberId }: RemoveMemberProps,
): Promise<void> {
  const memberId = givenMemberId.toLowerCase();
  const { role } = await requireMember(deps.db, chatId, userId);
  if ((await chatKindOf(deps.db, chatId)) === 'direct') {
    throw new Forbidden('The members of a direct chat cannot change');
  }
  if (memberId !== userId && role !== 'owner') throw new Forbidden('Only the owner of the group removes members');
  const rev = await inChangeTransaction(deps, async (tx) => {
    if (!(await deleteMember(tx.trx, chatId, memberId))) throw new NotFound('No such member');
    // a group whose owner left gets its longest-standing member as owner
    await promoteOwnerIfNone(tx.trx, chatId);
    return tx.record({ chatId, kind: 'member.removed', userId: memberId });
  });
  await deps.events.memberRemoved(chatId, rev, memberId, await viewsByMember(deps.db, chatId));
}
