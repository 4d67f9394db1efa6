// Message search: full text, Russian and English word forms, ranked, newest first among equals; only in chats the
// caller is in now, never deleted messages, edits by their new text.
import { BadRequest, foldForSearch, type Knex } from '@chat/kit';
import type { SearchResponse } from '@chat/kit/contract';
import { type MessageRow, MESSAGE_COLUMNS, messagesOf } from '../../db/messages.ts';
import { chatIdsOfUser } from '../../db/members.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { highlightsOf, tsqueryOf } from './searchQuery.ts';

export type SearchMessagesProps = {
  userId: string;
  /** 1 to 200 characters, already checked. */
  q: string;
  /** Only this chat. */
  chatId?: string;
  limit: number;
  cursor?: string;
};

const cursorOf = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');

function offsetOf(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o?: unknown };
    if (Number.isInteger(o) && (o as number) >= 0 && (o as number) <= 10_000) return o as number;
  } catch {}
  throw new BadRequest('Invalid cursor', [{ path: 'cursor', message: 'must be a cursor from a previous page' }]);
}

export async function searchMessages(
  { db }: Pick<ChatHistoryDeps, 'db'>,
  { userId, q, chatId, limit, cursor }: SearchMessagesProps,
): Promise<SearchResponse> {
  const offset = offsetOf(cursor);
  if (chatId) await requireMember(db, chatId, userId);
  const query = tsqueryOf(q);
  if (!query) return { results: [], nextCursor: null };
  const rows = await rankedMatches(db, { userId, chatId, query, limit: limit + 1, offset });
  const page = rows.slice(0, limit);
  const [messages, marks, titles] = await Promise.all([
    messagesOf(db, page),
    highlight(
      db,
      page.map((r) => r.body),
      query,
    ),
    chatTitles(db, [...new Set(page.map((r) => r.chat_id))], userId),
  ]);
  return {
    results: messages.map((message, i) => ({
      message,
      chatId: message.chatId,
      chatTitle: titles.get(message.chatId) ?? '',
      highlights: highlightsOf(marks[i] ?? ''),
    })),
    nextCursor: rows.length > limit ? cursorOf(offset + limit) : null,
  };
}

// Ranking reads every match's tsvector; a word in many messages would make it read thousands. Only the newest matches
// are ranked: best first among them, newest first among equals (chat search is mostly about recent messages).
export const RANKED_MATCHES = 500;
/**
 * Where the newest matches are sought first: among the newest 100,000 messages of all chats, then the newest million,
 * then everywhere. A window holding RANKED_MATCHES matches holds the newest of them, so the answer is the same as a
 * search of everything; a common word is then answered from its matches among recent messages alone.
 */
export const SEARCH_WINDOWS = [100_000, 1_000_000];

type RankedProps = { userId: string; chatId?: string; query: string; limit: number; offset: number };

export async function rankedMatches(
  db: Knex,
  { userId, chatId, query, limit, offset }: RankedProps,
  { windows, ranked }: { windows: readonly number[]; ranked: number } = {
    windows: SEARCH_WINDOWS,
    ranked: RANKED_MATCHES,
  },
): Promise<MessageRow[]> {
  // the chats as a constant list and the query as a constant, so the planner can weigh the word's GIN entries
  // against the window of positions; `pos + 0` keeps it from walking the position index newest first in the hope of
  // meeting matches soon, which reads half the table when the caller's chats are quiet ones
  const chatIds = chatId ? [chatId] : await chatIdsOfUser(db, userId);
  if (chatIds.length === 0) return [];
  const newest = Number((await db('messages').max('pos as pos').first<{ pos: string | null }>())?.pos ?? 0);
  for (const window of [...windows, Number.POSITIVE_INFINITY]) {
    const after = newest - window;
    if (after <= 0) continue;
    const rows = await matchesAfter(db, { chatIds, query, limit, offset, after, ranked });
    if (Number(rows[0]?.found ?? 0) >= ranked) return rows;
  }
  return matchesAfter(db, { chatIds, query, limit, offset, after: 0, ranked });
}

async function matchesAfter(
  db: Knex,
  p: { chatIds: string[]; query: string; limit: number; offset: number; after: number; ranked: number },
): Promise<(MessageRow & { found: string })[]> {
  const columns = MESSAGE_COLUMNS.join(', ');
  const { rows } = await db.raw<{ rows: (MessageRow & { found: string })[] }>(
    `with newest as (
       select ${columns}, search_vector from messages
        where chat_id = any(?::uuid[]) and search_vector @@ to_tsquery('russian', ?) and deleted_at is null
          and pos > ?
        order by pos + 0 desc
        limit ?
     )
     select ${columns}, (select count(*) from newest) as found from newest
      order by ts_rank(search_vector, to_tsquery('russian', ?)) desc, created_at desc, id
      limit ? offset ?`,
    [p.chatIds, p.query, p.after, p.ranked, p.query, p.limit, p.offset],
  );
  return rows;
}

/** Each body with its matches marked, folded (same offsets as the body) so any server locale marks them alike. */
async function highlight(db: Knex, bodies: string[], query: string): Promise<string[]> {
  if (bodies.length === 0) return [];
  const folded = bodies.map((b) => foldForSearch(b).replaceAll('\u0001', ' ').replaceAll('\u0002', ' '));
  const { rows } = await db.raw<{ rows: { marked: string }[] }>(
    `select ts_headline('russian', b.body, to_tsquery('russian', ?),
              'HighlightAll=true, StartSel=' || chr(1) || ', StopSel=' || chr(2)) as marked
       from unnest(?::text[]) with ordinality as b(body, n)
      order by b.n`,
    [query, folded],
  );
  return rows.map((r) => r.marked);
}

/** How each chat is called for the viewer: a group's title, a direct chat's other member. */
async function chatTitles(db: Knex, chatIds: string[], viewerId: string): Promise<Map<string, string>> {
  if (chatIds.length === 0) return new Map();
  const rows: { id: string; title: string | null }[] = await db('chats as c')
    .whereIn('c.id', chatIds)
    .select(
      'c.id',
      db.raw(
        `coalesce(c.title, (select p.display_name from members o join profiles p on p.user_id = o.user_id
                             where o.chat_id = c.id and o.user_id <> ? limit 1)) as title`,
        [viewerId],
      ),
    );
  return new Map(rows.map((r) => [r.id, r.title ?? '']));
}
