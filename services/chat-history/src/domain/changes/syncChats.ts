// One round trip after a reconnect: every chat the user is in now, the changes after the revs the client holds, and
// the chats it holds that the user has left.
import type { SyncResponse } from '@chat/kit/contract';
import { changesAfter } from '../../db/changes.ts';
import { chatViews } from '../../db/chats.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { replayChanges } from './replay.ts';

/** Changes per chat in one answer; a chat with more is listed in `hasMore`. */
export const SYNC_CHANGES_PER_CHAT = 200;

export type SyncChatsProps = {
  userId: string;
  /** The rev the client holds for each chat it holds. */
  held: Record<string, number>;
};

export async function syncChats({ db }: Pick<ChatHistoryDeps, 'db'>, { userId, held }: SyncChatsProps) {
  const chats = (await chatViews(db, { viewerId: userId })).map((v) => v.chat);
  const views = new Map(chats.map((c) => [c.id, c]));
  const heldRevs = new Map(Object.entries(held).map(([id, rev]) => [id.toLowerCase(), rev]));
  const answer: SyncResponse = {
    chats,
    changes: {},
    removed: [...heldRevs.keys()].filter((id) => !views.has(id)),
    hasMore: [],
    resync: [],
  };
  const behind = chats.flatMap((chat) => {
    const rev = heldRevs.get(chat.id);
    if (rev === undefined || rev === chat.rev) return [];
    // a rev the chat never reached: the client's copy is not this chat's history
    if (rev > chat.rev) {
      answer.resync.push(chat.id);
      return [];
    }
    return [{ chatId: chat.id, rev }];
  });
  const recorded = await changesAfter(db, behind, SYNC_CHANGES_PER_CHAT + 1);
  const kept = behind.flatMap(({ chatId, rev }) => {
    const changes = recorded.get(chatId) ?? [];
    if (changes[0]?.rev !== rev + 1) {
      answer.resync.push(chatId);
      return [];
    }
    if (changes.length > SYNC_CHANGES_PER_CHAT) answer.hasMore.push(chatId);
    return changes.slice(0, SYNC_CHANGES_PER_CHAT);
  });
  // replayChanges answers one change for each recorded one, in the order given
  const replayed = await replayChanges(db, kept, views);
  kept.forEach(({ chatId }, i) => {
    const change = replayed[i];
    if (!change) return;
    const list = answer.changes[chatId] ?? [];
    list.push(change);
    answer.changes[chatId] = list;
  });
  return answer;
}
