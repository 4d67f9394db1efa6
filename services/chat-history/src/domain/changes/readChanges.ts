// A member's catch-up on one chat: every change after the rev they hold, or 410 when those are no longer kept.
import { BadRequest, ResyncRequired } from '@chat/kit';
import type { ChangesResponse } from '@chat/kit/contract';
import { changesAfter } from '../../db/changes.ts';
import { getChat } from '../chats/getChat.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { replayChanges } from './replay.ts';

export type ReadChangesProps = { chatId: string; userId: string; after: number; limit: number };

export async function readChanges(
  { db }: Pick<ChatHistoryDeps, 'db'>,
  { chatId, userId, after, limit }: ReadChangesProps,
): Promise<ChangesResponse> {
  // the member's own view: 404 for anyone else, and the chat's rev
  const chat = await getChat({ db }, { chatId, userId });
  if (after > chat.rev) {
    throw new BadRequest('after is beyond the chat’s latest change', [
      { path: 'after', message: `must be at most ${chat.rev}` },
    ]);
  }
  const recorded = (await changesAfter(db, [{ chatId, rev: after }], limit + 1)).get(chatId) ?? [];
  if (after < chat.rev && recorded[0]?.rev !== after + 1) throw new ResyncRequired();
  const page = recorded.slice(0, limit);
  return {
    changes: await replayChanges(db, page, new Map([[chatId, chat]])),
    rev: page.at(-1)?.rev ?? after,
    hasMore: recorded.length > limit,
  };
}
