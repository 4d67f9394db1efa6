// The owner of a group adds members; they get the chat live, the others see the new member list.
import { Forbidden } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { chatKindOf } from '../../db/chats.ts';
import { insertMembers } from '../../db/members.ts';
import { noSuchChat, requireMember, viewsByMember, viewsOf } from '../access.ts';
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
  const added = new Set(
    await deps.db.transaction((trx) =>
      insertMembers(
        trx,
        chatId,
        wanted.map((id) => ({ userId: id, role: 'member' as const })),
      ),
    ),
  );
  const views = await viewsByMember(deps.db, chatId);
  if (added.size > 0) {
    await deps.events.chatCreated(viewsOf(views, (id) => added.has(id)));
    await deps.events.chatUpdated(viewsOf(views, (id) => !added.has(id)));
  }
  const chat = views.get(userId);
  // the owner left while adding
  if (!chat) throw noSuchChat();
  return chat;
}
