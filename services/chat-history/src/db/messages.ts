// SQL for messages: the per-chat sequence, inserts, edits and keyset pages over unique(chat_id, seq); and how a row
// becomes the message members see (with the quote it answers, its reactions and attachments, as they are now).
import { foldForSearch, type Knex, queryPrepared } from '@chat/kit';
import { MENTION_ALL, type Message, REPLY_PREVIEW_LENGTH } from '@chat/kit/contract';
import { attachmentsOf } from './attachments.ts';
import { reactionsOf } from './reactions.ts';

export type MessageRow = {
  id: string;
  chat_id: string;
  seq: string | number;
  sender_id: string;
  client_id: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  reply_to_id: string | null;
  mentions: string[];
};

export const MESSAGE_COLUMNS: string[] = [
  'id',
  'chat_id',
  'seq',
  'sender_id',
  'client_id',
  'body',
  'created_at',
  'edited_at',
  'deleted_at',
  'reply_to_id',
  'mentions',
];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type Db = Knex | Knex.Transaction;

/**
 * The messages of these rows as members see them, in the same order. `reactions: false` skips the reactions query
 * for rows that cannot have any yet (a message just inserted).
 */
export async function messagesOf(db: Db, rows: MessageRow[], { reactions = true } = {}): Promise<Message[]> {
  if (rows.length === 0) return [];
  const replyIds = [...new Set(rows.flatMap((r) => (r.reply_to_id ? [r.reply_to_id] : [])))];
  const live = rows.filter((r) => !r.deleted_at).map((r) => r.id);
  const [originals, reacted, attached] = await Promise.all([
    replyIds.length === 0
      ? Promise.resolve([] as MessageRow[])
      : db<MessageRow>('messages').whereIn('id', replyIds).select('id', 'seq', 'sender_id', 'body', 'deleted_at'),
    reactions
      ? reactionsOf(
          db,
          rows.map((r) => r.id),
        )
      : Promise.resolve(new Map()),
    attachmentsOf(db, live),
  ]);
  const byId = new Map(originals.map((o) => [o.id, o]));
  return rows.map((row) =>
    messageFromRow(row, {
      original: row.reply_to_id ? byId.get(row.reply_to_id) : undefined,
      reactions: reacted.get(row.id) ?? [],
      attachments: attached.get(row.id) ?? [],
    }),
  );
}

type QuotedRow = Pick<MessageRow, 'id' | 'seq' | 'sender_id' | 'body' | 'deleted_at'>;

/** A row as the message members see, given what it quotes, its reactions and its attachments. */
export function messageFromRow(
  row: MessageRow,
  {
    original,
    reactions,
    attachments,
  }: { original?: QuotedRow; reactions: Message['reactions']; attachments: Message['attachments'] },
): Message {
  return {
    id: row.id,
    chatId: row.chat_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    clientId: row.client_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    editedAt: iso(row.edited_at),
    deletedAt: iso(row.deleted_at),
    replyTo: original
      ? {
          id: original.id,
          seq: Number(original.seq),
          senderId: original.sender_id,
          preview: original.deleted_at ? '' : original.body.slice(0, REPLY_PREVIEW_LENGTH),
          deleted: original.deleted_at !== null,
        }
      : null,
    mentions: row.deleted_at ? [] : (row.mentions ?? []),
    reactions: row.deleted_at ? [] : reactions,
    attachments: row.deleted_at ? [] : attachments,
  };
}

export async function messageOf(db: Db, row: MessageRow, options?: { reactions?: boolean }): Promise<Message> {
  return (await messagesOf(db, [row], options))[0] as Message;
}

export async function findMessageByClientId(db: Db, chatId: string, clientId: string): Promise<Message | undefined> {
  const row = await db<MessageRow>('messages')
    .where({ chat_id: chatId, client_id: clientId })
    .first<MessageRow | undefined>(MESSAGE_COLUMNS);
  return row && messageOf(db, row);
}

/** A message of the chat, as a row (for a reply's target, a pin or a reaction), or undefined. */
export async function messageRowOf(db: Db, chatId: string, messageId: string): Promise<MessageRow | undefined> {
  return db<MessageRow>('messages')
    .where({ id: messageId, chat_id: chatId })
    .first<MessageRow | undefined>(MESSAGE_COLUMNS);
}

/** What message search matches: the body folded in the application, stemmed as Russian and (Latin words) English. */
export const searchVectorOf = (db: Db, body: string) => db.raw(`to_tsvector('russian', ?)`, [foldForSearch(body)]);

/** Messages by id, as they are now. */
export async function messagesByIds(db: Knex, ids: string[]): Promise<Map<string, Message>> {
  if (ids.length === 0) return new Map();
  const rows: MessageRow[] = await db<MessageRow>('messages')
    .whereIn('id', [...new Set(ids)])
    .select<MessageRow[]>(MESSAGE_COLUMNS);
  return new Map((await messagesOf(db, rows)).map((m) => [m.id, m]));
}

export type NewMessage = {
  chatId: string;
  senderId: string;
  clientId: string;
  body: string;
  replyToId?: string;
  /** Member ids named in the body, and 'all' for @all. */
  mentions: string[];
};

// $1 chat, $2 sender, $3 clientId, $4 body, $5 the body folded for search, $6 the message replied to (or null),
// $7 the members named and 'all' for @all
const APPEND = `
  with mem as (
    select 1 from members where chat_id = $1 and user_id = $2 for no key update
  ), seen as (
    select 1 from messages where chat_id = $1 and client_id = $3
  ), s as (
    update chats set last_seq = last_seq + 1, rev = rev + 1, last_activity_at = now(), changed_at = now()
     where id = $1 and exists (select 1 from mem) and not exists (select 1 from seen)
    returning last_seq, rev
  ), m as (
    insert into messages (chat_id, seq, sender_id, client_id, body, reply_to_id, mentions, search_vector)
    select $1, s.last_seq, $2, $3, $4, $6, $7::text[], to_tsvector('russian', $5) from s
    returning ${MESSAGE_COLUMNS.join(', ')}
  ), c as (
    insert into changes (chat_id, rev, kind, message_id) select $1, s.rev, 'message.new', m.id from s, m
  ), n as (
    insert into mentions (chat_id, seq, user_id)
    select $1, s.last_seq, nullif(u, '${MENTION_ALL}')::uuid from s, unnest($7::text[]) as u
  ), r as (
    update members set read_seq = greatest(read_seq, s.last_seq), marked_unread = false
      from s where chat_id = $1 and user_id = $2
  )
  select exists (select 1 from mem) as member, exists (select 1 from seen) as seen,
         ${MESSAGE_COLUMNS.map((c) => `m.${c}`).join(', ')}, s.rev
    from (values (1)) as one (x) left join m on true left join s on true`;

export type Appended =
  | { outcome: 'sent'; row: MessageRow; rev: number }
  | { outcome: 'seen' }
  | { outcome: 'notMember' };

/**
 * A new message, as one statement prepared once per connection: the member row is locked first (a member stays one
 * until it commits), a send already made under this clientId takes nothing, and otherwise the chat row is locked (the
 * chat's senders take turns from here to commit), the chat's next seq and rev are taken, and the message, its change
 * record, a mention row per member named (user_id null for @all) and the sender's read cursor are written. On its
 * own it commits at once, no round trip to the application while the chat is locked; in a transaction (a reply or
 * attachments, looked up first) the chat stays locked until that commits. A unique violation of (chat_id, client_id)
 * fails it whole, as an insert would.
 */
export async function appendMessageRow(db: Knex | Knex.Transaction, m: NewMessage): Promise<Appended> {
  const rows = await queryPrepared<AppendedRow>(db, 'append_message', APPEND, [
    m.chatId,
    m.senderId,
    m.clientId,
    m.body,
    foldForSearch(m.body),
    m.replyToId ?? null,
    m.mentions,
  ]);
  return appendedOf(rows[0], m.chatId);
}

/** What an append statement's row says of one send: not a member, already made, or made (its row and rev). */
type AppendedRow = Partial<MessageRow> & { member: boolean; seen: boolean; rev: string | null };

function appendedOf(row: AppendedRow | undefined, chatId: string): Appended {
  if (!row?.member) return { outcome: 'notMember' };
  if (row.seen) return { outcome: 'seen' };
  if (!row.id || row.rev === null) throw new Error(`chat ${chatId} vanished while sending`);
  const { member: _member, seen: _seen, rev, ...message } = row;
  return { outcome: 'sent', row: message as MessageRow, rev: Number(rev) };
}

export type PlainSend = { senderId: string; clientId: string; body: string };

// $1 chat; $2 senders, $3 clientIds (distinct), $4 bodies, $5 the bodies folded for search: the sends in seq order
const APPEND_MANY = `
  with input as (
    select * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) with ordinality
      as i (sender_id, client_id, body, folded, ord)
  ), mem as (
    -- locked in one order, so two groups with the same senders never wait for each other crosswise
    select user_id from members where chat_id = $1 and user_id = any($2::uuid[]) order by user_id for no key update
  ), fresh as (
    select i.*, row_number() over (order by i.ord) as n
      from input i
     where i.sender_id in (select user_id from mem)
       and not exists (select 1 from messages where chat_id = $1 and client_id = i.client_id)
  ), total as (
    select count(*) as k from fresh
  ), s as (
    update chats set last_seq = last_seq + total.k, rev = rev + total.k, last_activity_at = now(), changed_at = now()
      from total where id = $1 and total.k > 0
    returning last_seq - total.k as seq0, rev - total.k as rev0
  ), m as (
    insert into messages (chat_id, seq, sender_id, client_id, body, mentions, search_vector)
    select $1, s.seq0 + f.n, f.sender_id, f.client_id, f.body, '{}'::text[], to_tsvector('russian', f.folded)
      from s, fresh f
    returning ${MESSAGE_COLUMNS.join(', ')}
  ), c as (
    insert into changes (chat_id, rev, kind, message_id)
    select $1, s.rev0 + (m.seq - s.seq0), 'message.new', m.id from s, m
  ), r as (
    update members set read_seq = greatest(read_seq, x.seq), marked_unread = false
      from (select sender_id, max(seq) as seq from m group by sender_id) x
     where chat_id = $1 and user_id = x.sender_id
  )
  select i.sender_id in (select user_id from mem) as member, m.id is null as seen,
         ${MESSAGE_COLUMNS.map((c) => `m.${c}`).join(', ')}, s.rev0 + (m.seq - s.seq0) as rev
    from input i left join m on m.client_id = i.client_id left join s on true
   order by i.ord`;

/**
 * Several plain sends of one chat (no reply, mentions or attachments; distinct clientIds) as one statement that
 * commits at once: each is what appendMessageRow would make of it alone, in the order given, with consecutive seqs and
 * revs, the chat row locked and updated once. A unique violation of (chat_id, client_id) fails it whole.
 */
export async function appendMessageRows(db: Knex, chatId: string, sends: PlainSend[]): Promise<Appended[]> {
  const rows = await queryPrepared<AppendedRow>(db, 'append_messages', APPEND_MANY, [
    chatId,
    sends.map((s) => s.senderId),
    sends.map((s) => s.clientId),
    sends.map((s) => s.body),
    sends.map((s) => foldForSearch(s.body)),
  ]);
  return rows.map((row) => appendedOf(row, chatId));
}

/** True for the unique violation of (chat_id, client_id): a concurrent send with the same clientId won. */
export function isDuplicateClientId(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && Boolean(e.constraint?.includes('client_id'));
}

/** The message, locked for an edit or delete in the same transaction. */
export async function lockMessage(trx: Knex.Transaction, chatId: string, messageId: string) {
  return trx<MessageRow>('messages')
    .where({ id: messageId, chat_id: chatId })
    .forUpdate()
    .first<MessageRow | undefined>(MESSAGE_COLUMNS);
}

export async function updateMessage(
  trx: Knex.Transaction,
  messageId: string,
  change: { body: string; mentions: string[]; edited?: true; deleted?: true },
): Promise<Message> {
  const [row] = await trx('messages')
    .where({ id: messageId })
    .update({
      body: change.body,
      mentions: change.mentions,
      // found by its new text at once; a deleted message is never found
      search_vector: change.deleted ? null : searchVectorOf(trx, change.body),
      ...(change.edited ? { edited_at: trx.fn.now() } : {}),
      ...(change.deleted ? { deleted_at: trx.fn.now() } : {}),
    })
    .returning<MessageRow[]>(MESSAGE_COLUMNS);
  return messageOf(trx, row as MessageRow);
}

export type PageQuery = { before?: number; after?: number; around?: number; limit: number };

/**
 * One page of a chat's history as a keyset range on (chat_id, seq): `after` walks forward from a seq, `before` (or
 * neither: the newest page) walks back and the caller reverses it.
 */
export function pageQuery(db: Knex, chatId: string, { before, after, limit }: PageQuery) {
  const query = db<MessageRow>('messages').where({ chat_id: chatId }).select<MessageRow[]>(MESSAGE_COLUMNS);
  if (after !== undefined) query.where('seq', '>', after);
  if (before !== undefined) query.where('seq', '<', before);
  return query.orderBy('seq', after !== undefined ? 'asc' : 'desc').limit(limit);
}

/** A page of history in ascending seq order; `around`: the page centred on that seq. */
export async function readPage(db: Knex, chatId: string, page: PageQuery): Promise<Message[]> {
  if (page.around !== undefined) {
    // up to half before it; the rest from it on (more when the chat's start is near)
    const older: MessageRow[] = await pageQuery(db, chatId, { before: page.around, limit: Math.floor(page.limit / 2) });
    const newer: MessageRow[] = await pageQuery(db, chatId, {
      after: page.around - 1,
      limit: page.limit - older.length,
    });
    return messagesOf(db, [...older.reverse(), ...newer]);
  }
  const rows: MessageRow[] = await pageQuery(db, chatId, page);
  if (page.after === undefined) rows.reverse();
  return messagesOf(db, rows);
}
