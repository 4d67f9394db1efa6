// Who is in which chat, for the realtime nodes (room joins, presence fan-out, membership checks).
import { chatIdsOfUser, contactsOfUser, type Role } from '../../db/members.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

type Deps = Pick<ChatHistoryDeps, 'db'>;

export const listChatIdsOf = ({ db }: Deps, { userId }: { userId: string }): Promise<string[]> =>
  chatIdsOfUser(db, userId);

/** Everyone sharing a chat with the user, the user excluded. */
export const listContactsOf = ({ db }: Deps, { userId }: { userId: string }): Promise<string[]> =>
  contactsOfUser(db, userId);

/** The member's role; a non-member gets NotFound. */
export async function roleOf({ db }: Deps, { chatId, userId }: { chatId: string; userId: string }): Promise<Role> {
  return (await requireMember(db, chatId, userId)).role;
}
