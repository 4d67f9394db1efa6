// SQL for chats and the per-viewer chat view (members, last message, read cursor, unread count).
import { type Knex, queryPrepared } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { membersOfChats } from './members.ts';
import { MESSAGE_COLUMNS, type MessageRow, messagesOf } from './messages.ts';
import { pinsOf } from './pins.ts';

export type ChatKind = 'direct' | 'group';

/** The unique key of the direct chat between two users, whichever of them asks. */
export const directKeyOf = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);

export async function insertGroupChat(trx: Knex.Transaction, title: string, createdBy: string): Promise<string> {
  const [row] = await trx('chats')
    .insert({ kind: 'group', title, created_by: createdBy })
    .returning<{ id: string }[]>('id');
  return (row as { id: string }).id;
}

/** Inserts the pair's direct chat unless it exists; a concurrent insert of the same pair waits on the unique key. */
export async function insertDirectChat(
  trx: Knex.Transaction,
  directKey: string,
  createdBy: string,
): Promise<{ id: string; created: boolean }> {
  const [row] = await trx('chats')
    .insert({ kind: 'direct', direct_key: directKey, created_by: createdBy })
    .onConflict('direct_key')
    .ignore()
    .returning<{ id: string }[]>('id');
  if (row) return { id: row.id, created: true };
  const existing = await trx('chats').where({ direct_key: directKey }).first<{ id: string } | undefined>('id');
  if (!existing) throw new Error(`direct chat ${directKey} neither inserted nor found`);
  return { id: existing.id, created: false };
}

export async function chatKindOf(db: Knex, chatId: string): Promise<ChatKind | undefined> {
  const row = await db('chats').where({ id: chatId }).first<{ kind: ChatKind } | undefined>('kind');
  return row?.kind;
}

export async function renameChat(trx: Knex.Transaction, chatId: string, title: string): Promise<void> {
  await trx('chats').where({ id: chatId }).update({ title });
}

export async function lastSeqOf(db: Knex, chatId: string): Promise<number> {
  const row = await db('chats').where({ id: chatId }).first<{ last_seq: string } | undefined>('last_seq');
  return Number(row?.last_seq ?? 0);
}

type ViewRow = {
  id: string;
  kind: ChatKind;
  title: string | null;
  last_seq: string;
  rev: string;
  viewer_id: string;
  read_seq: string;
  unread: string;
  unread_mentions: string;
  first_unread_seq: string | null;
  notify: 'all' | 'mentions' | 'none';
  marked_unread: boolean;
} & { [K in keyof MessageRow as `lm_${K}`]: MessageRow[K] | null };

/** Chat views filtered by viewer and/or chat: one row per (chat, viewing member), newest activity first. */
export async function chatViews(
  db: Knex,
  filter: { viewerId?: string; chatId?: string },
): Promise<{ viewerId: string; chat: Chat }[]> {
  const query = db('members as m')
    .join('chats as c', 'c.id', 'm.chat_id')
    .leftJoin('messages as lm', (on) => on.on('lm.chat_id', 'c.id').andOn('lm.seq', 'c.last_seq'))
    .select('c.id', 'c.kind', 'c.title', 'c.last_seq', 'c.rev', 'm.user_id as viewer_id', 'm.read_seq')
    // Everything past the cursor is unread except deleted messages: a member's own send moves their cursor to it, so
    // none of their own messages lie past it. Only the (few) deleted rows past the cursor are counted, through a
    // partial index, so the cost does not grow with the number of unread messages.
    .select(
      db.raw(
        `(c.last_seq - m.read_seq) - (select count(*) from messages x
           where x.chat_id = c.id and x.seq > m.read_seq and x.deleted_at is not null
         ) as unread`,
      ),
    )
    // mention rows past the cursor that name the viewer or everyone (deleted messages keep none)
    .select(
      db.raw(
        `(select count(distinct x.seq) from mentions x
           where x.chat_id = c.id and x.seq > m.read_seq and (x.user_id = m.user_id or x.user_id is null)
         ) as unread_mentions`,
      ),
    )
    // the first message past the cursor that is still there: the "new messages" divider goes above it
    .select(
      db.raw(
        `(select min(x.seq) from messages x
           where x.chat_id = c.id and x.seq > m.read_seq and x.deleted_at is null) as first_unread_seq`,
      ),
    )
    .select(
      db.raw(`coalesce(m.notify, case c.kind when 'direct' then 'all' else 'mentions' end) as notify`),
      'm.marked_unread',
    )
    .select(MESSAGE_COLUMNS.map((col) => `lm.${col} as lm_${col}`))
    .orderBy([
      { column: 'c.last_activity_at', order: 'desc' },
      { column: 'c.id', order: 'asc' },
    ]);
  if (filter.viewerId) query.where('m.user_id', filter.viewerId);
  if (filter.chatId) query.where('m.chat_id', filter.chatId);
  // prepared once per connection and filter: a chat list is asked for often, and planning this query took about as
  // long as running it
  const { sql, bindings } = query.toSQL().toNative();
  const name = `chat_views${filter.viewerId ? '_viewer' : ''}${filter.chatId ? '_chat' : ''}`;
  const rows = await queryPrepared<ViewRow>(db, name, sql, [...bindings]);
  const chatIds = [...new Set(rows.map((r) => r.id))];
  const lastRows = rows.flatMap((r) => (r.lm_id ? [lastMessageRow(r)] : []));
  const [members, pins, lastMessages] = await Promise.all([
    membersOfChats(db, chatIds),
    pinsOf(db, chatIds),
    messagesOf(db, [...new Map(lastRows.map((m) => [m.id, m])).values()]),
  ]);
  const lastById = new Map(lastMessages.map((m) => [m.id, m]));
  return rows.map((r) => ({
    viewerId: r.viewer_id,
    chat: {
      id: r.id,
      kind: r.kind,
      title: r.title,
      members: members.get(r.id) ?? [],
      lastSeq: Number(r.last_seq),
      lastMessage: (r.lm_id && lastById.get(r.lm_id)) || null,
      readSeq: Number(r.read_seq),
      unread: Math.max(0, Number(r.unread)),
      rev: Number(r.rev),
      unreadMentions: Number(r.unread_mentions),
      pinned: pins.get(r.id) ?? [],
      firstUnreadSeq: r.first_unread_seq === null ? null : Number(r.first_unread_seq),
      notify: r.notify,
      muted: r.notify === 'none',
      markedUnread: r.marked_unread,
    },
  }));
}

function lastMessageRow(r: ViewRow): MessageRow {
  return {
    id: r.lm_id as string,
    chat_id: r.lm_chat_id as string,
    seq: r.lm_seq as string,
    sender_id: r.lm_sender_id as string,
    client_id: r.lm_client_id as string,
    body: r.lm_body as string,
    created_at: r.lm_created_at as Date,
    edited_at: r.lm_edited_at,
    deleted_at: r.lm_deleted_at,
    reply_to_id: r.lm_reply_to_id,
    mentions: r.lm_mentions ?? [],
  };
}
