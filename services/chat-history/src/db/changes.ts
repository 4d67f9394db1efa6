// SQL for the change record: the chat's gapless rev and one row per change a member can see, replayed after a gap.
import type { Knex } from '@chat/kit';
import type { Change } from '@chat/kit/contract';

export type ChangeKind = Change['kind'];
export type ChangeRow = {
  chat_id: string;
  rev: string | number;
  kind: ChangeKind;
  message_id: string | null;
  user_id: string | null;
};
export type RecordedChange = { chatId: string; rev: number; kind: ChangeKind; messageId?: string; userId?: string };

export const toRecorded = (row: ChangeRow): RecordedChange => ({
  chatId: row.chat_id,
  rev: Number(row.rev),
  kind: row.kind,
  ...(row.message_id ? { messageId: row.message_id } : {}),
  ...(row.user_id ? { userId: row.user_id } : {}),
});

/** Locks the chat row until the transaction ends (changes of one chat commit one after another) and takes its next rev. */
export async function takeNextRev(trx: Knex.Transaction, chatId: string): Promise<number> {
  const [row] = await trx('chats')
    .where({ id: chatId })
    .update({ rev: trx.raw('rev + 1'), changed_at: trx.fn.now() })
    .returning<{ rev: string }[]>('rev');
  if (!row) throw new Error(`chat ${chatId} vanished while changing`);
  return Number(row.rev);
}

export async function insertChange(trx: Knex.Transaction, change: RecordedChange): Promise<void> {
  await trx('changes').insert({
    chat_id: change.chatId,
    rev: change.rev,
    kind: change.kind,
    message_id: change.messageId ?? null,
    user_id: change.userId ?? null,
  });
}

export async function revOf(db: Knex, chatId: string): Promise<number | undefined> {
  const row = await db('chats').where({ id: chatId }).first<{ rev: string } | undefined>('rev');
  return row ? Number(row.rev) : undefined;
}

/** Up to `limit` changes of each chat after the rev given for it, ascending; one statement for every chat. */
export async function changesAfter(
  db: Knex,
  after: { chatId: string; rev: number }[],
  limit: number,
): Promise<Map<string, RecordedChange[]>> {
  const byChat = new Map<string, RecordedChange[]>(after.map((a) => [a.chatId, []]));
  if (after.length === 0) return byChat;
  const { rows } = await db.raw<{ rows: ChangeRow[] }>(
    `select x.chat_id, x.rev, x.kind, x.message_id, x.user_id
       from unnest(?::uuid[], ?::bigint[]) as held(chat_id, rev)
       cross join lateral (
         select c.chat_id, c.rev, c.kind, c.message_id, c.user_id from changes c
          where c.chat_id = held.chat_id and c.rev > held.rev
          order by c.rev limit ?
       ) x
      order by x.chat_id, x.rev`,
    [after.map((a) => a.chatId), after.map((a) => a.rev), limit],
  );
  for (const row of rows) byChat.get(row.chat_id)?.push(toRecorded(row));
  return byChat;
}

/** Chats whose rev moved since `since` (database time), for the relay. */
export async function chatsChangedSince(db: Knex, since: Date): Promise<{ chatId: string; rev: number }[]> {
  const rows: { id: string; rev: string }[] = await db('chats').where('changed_at', '>', since).select('id', 'rev');
  return rows.map((r) => ({ chatId: r.id, rev: Number(r.rev) }));
}

/** The database's clock, `secondsAgo` back: the relay keeps its window in the clock that stamps the changes. */
export async function databaseTime(db: Knex, secondsAgo = 0): Promise<Date> {
  const { rows } = await db.raw<{ rows: { at: Date }[] }>(`select now() - make_interval(secs => ?) as at`, [
    secondsAgo,
  ]);
  return (rows[0] as { at: Date }).at;
}

/** Changes of one chat after `rev` recorded before `until`, for the relay to publish again. */
export async function unpublishedChanges(
  db: Knex,
  chatId: string,
  { afterRev, since, until, limit }: { afterRev: number; since: Date; until: Date; limit: number },
): Promise<RecordedChange[]> {
  const rows: ChangeRow[] = await db('changes')
    .where({ chat_id: chatId })
    .where('rev', '>', afterRev)
    .where('created_at', '>', since)
    .where('created_at', '<=', until)
    .orderBy('rev')
    .limit(limit)
    .select('chat_id', 'rev', 'kind', 'message_id', 'user_id');
  return rows.map(toRecorded);
}

/** Deletes changes recorded before `before`, a batch at a time; the number deleted. */
export async function deleteChangesBefore(db: Knex, before: Date, batch = 10_000): Promise<number> {
  const { rowCount } = await db.raw<{ rowCount: number }>(
    `delete from changes where ctid in (select ctid from changes where created_at < ? limit ?)`,
    [before, batch],
  );
  return rowCount ?? 0;
}

/** The rev of a message's latest recorded change (0 once that change is no longer kept). */
export async function latestRevOfMessage(db: Knex, chatId: string, messageId: string): Promise<number> {
  const row = await db('changes')
    .where({ chat_id: chatId, message_id: messageId })
    .max<{ rev: string | null }>('rev as rev')
    .first();
  return Number(row?.rev ?? 0);
}
