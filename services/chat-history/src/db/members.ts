// SQL for chat membership: roles, read cursors, and who shares chats with whom.
import type { Knex } from '@chat/kit';
import type { ChatMember } from '@chat/kit/contract';

export type Role = 'owner' | 'member';
export type Membership = { role: Role; readSeq: number; markedUnread: boolean };

/**
 * With `lock`, the member's row stays locked until the transaction ends: a removal waits for a send in flight, and
 * sends of one member queue here before they queue for the chat's row (one lock order, no deadlock).
 */
export async function membershipOf(
  db: Knex | Knex.Transaction,
  chatId: string,
  userId: string,
  lock?: 'forUpdate',
): Promise<Membership | undefined> {
  const query = db('members').where({ chat_id: chatId, user_id: userId });
  if (lock) query.forNoKeyUpdate();
  const row = await query.first<{ role: Role; read_seq: string; marked_unread: boolean } | undefined>(
    'role',
    'read_seq',
    'marked_unread',
  );
  return row && { role: row.role, readSeq: Number(row.read_seq), markedUnread: row.marked_unread };
}

/**
 * Adds members who are not in the chat yet, their read cursor at the chat's current last seq (history stays
 * readable; only what arrives after joining counts as unread). Returns the ids actually added.
 */
export async function insertMembers(
  trx: Knex.Transaction,
  chatId: string,
  members: { userId: string; role: Role }[],
): Promise<string[]> {
  if (members.length === 0) return [];
  const { rows } = await trx.raw<{ rows: { user_id: string }[] }>(
    `insert into members (chat_id, user_id, role, read_seq)
     select c.id, v.user_id, v.role, c.last_seq
       from chats c, unnest(?::uuid[], ?::text[]) as v(user_id, role)
      where c.id = ?
     on conflict (chat_id, user_id) do nothing
     returning user_id`,
    [members.map((m) => m.userId), members.map((m) => m.role), chatId],
  );
  return rows.map((r) => r.user_id);
}

export async function deleteMember(trx: Knex.Transaction, chatId: string, userId: string): Promise<boolean> {
  return (await trx('members').where({ chat_id: chatId, user_id: userId }).delete()) > 0;
}

/** Makes the longest-standing member the owner when a group has none left. */
export async function promoteOwnerIfNone(trx: Knex.Transaction, chatId: string): Promise<void> {
  await trx.raw(
    `update members set role = 'owner'
      where chat_id = ? and not exists (select 1 from members where chat_id = ? and role = 'owner')
        and user_id = (select user_id from members where chat_id = ? order by joined_at, user_id limit 1)`,
    [chatId, chatId, chatId],
  );
}

/** Moves a read cursor forward only; any read ends "marked as unread". */
export async function advanceReadSeq(trx: Knex | Knex.Transaction, chatId: string, userId: string, seq: number) {
  await trx('members')
    .where({ chat_id: chatId, user_id: userId })
    .update({ read_seq: trx.raw('greatest(read_seq, ?)', [seq]), marked_unread: false });
}

/** Sets the member's own state of the chat; false when they are not a member. */
export async function updateMemberState(
  db: Knex,
  chatId: string,
  userId: string,
  state: { notify?: 'all' | 'mentions' | 'none'; markedUnread?: boolean },
): Promise<boolean> {
  const patch = {
    ...(state.notify ? { notify: state.notify } : {}),
    ...(state.markedUnread === undefined ? {} : { marked_unread: state.markedUnread }),
  };
  return (await db('members').where({ chat_id: chatId, user_id: userId }).update(patch)) > 0;
}

export async function membersOfChats(db: Knex, chatIds: string[]): Promise<Map<string, ChatMember[]>> {
  const byChat = new Map<string, ChatMember[]>();
  if (chatIds.length === 0) return byChat;
  const rows: { chat_id: string; user_id: string; role: Role; display_name: string }[] = await db('members as m')
    .leftJoin('profiles as p', 'p.user_id', 'm.user_id')
    .whereIn('m.chat_id', chatIds)
    .select('m.chat_id', 'm.user_id', 'm.role', db.raw(`coalesce(p.display_name, '') as display_name`))
    .orderBy([{ column: 'm.joined_at' }, { column: 'm.user_id' }]);
  for (const r of rows) {
    const list = byChat.get(r.chat_id) ?? [];
    list.push({ userId: r.user_id, displayName: r.display_name, role: r.role });
    byChat.set(r.chat_id, list);
  }
  return byChat;
}

export async function readCursorsOf(db: Knex, chatId: string): Promise<{ userId: string; readSeq: number }[]> {
  const rows: { user_id: string; read_seq: string }[] = await db('members')
    .where({ chat_id: chatId })
    .select('user_id', 'read_seq')
    .orderBy([{ column: 'joined_at' }, { column: 'user_id' }]);
  return rows.map((r) => ({ userId: r.user_id, readSeq: Number(r.read_seq) }));
}

export async function chatIdsOfUser(db: Knex, userId: string): Promise<string[]> {
  const rows: { chat_id: string }[] = await db('members').where({ user_id: userId }).select('chat_id');
  return rows.map((r) => r.chat_id);
}

/** Everyone who shares at least one chat with the user, the user excluded. */
export async function contactsOfUser(db: Knex, userId: string): Promise<string[]> {
  const rows: { user_id: string }[] = await db('members as other')
    .join('members as mine', 'mine.chat_id', 'other.chat_id')
    .where('mine.user_id', userId)
    .whereNot('other.user_id', userId)
    .distinct('other.user_id');
  return rows.map((r) => r.user_id);
}
