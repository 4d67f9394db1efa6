// Who is in which chat, for the realtime nodes (room joins, presence fan-out).
import { chatIdsOfUser, contactsOfUser } from '../../db/members.ts';
import type { ChatHistoryDeps } from '../deps.ts';

type Deps = Pick<ChatHistoryDeps, 'db'>;

export const listChatIdsOf = ({ db }: Deps, { userId }: { userId: string }): Promise<string[]> =>
  chatIdsOfUser(db, userId);

/** Everyone sharing a chat with the user, the user excluded. */
export const listContactsOf = ({ db }: Deps, { userId }: { userId: string }): Promise<string[]> =>
  contactsOfUser(db, userId);
