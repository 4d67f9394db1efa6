// Applies the answer of `POST /api/sync` (sent after every (re)connect with the rev held per chat) to the replica,
// and says what is left to fetch.
import type { SyncResponse } from '@chat/kit/contract';
import { byActivity, mergeView } from './chatView.ts';
import { applyChange, dropChat, isBehind, type Replica } from './replica.ts';

export type SyncPlan = {
  /** Chats with more changes than the answer carried: fetch `…/changes?after=held` page by page. */
  catchUp: string[];
  /** Loaded chats whose missed changes are no longer kept: reload their newest page. */
  reload: string[];
  /** Chats the user is no longer in: dropped. */
  dropped: string[];
};

/** What to send: the rev held for every chat held. */
export const heldRevs = (replica: Replica): Record<string, number> =>
  Object.fromEntries(Object.entries(replica.revs).map(([chatId, held]) => [chatId, held.held]));

export function applySync(replica: Replica, answer: SyncResponse, me: string): SyncPlan {
  const plan: SyncPlan = { catchUp: [], reload: [], dropped: [] };
  const now = new Set(answer.chats.map((c) => c.id));
  const known = new Set([...Object.keys(replica.revs), ...replica.chats.map((c) => c.id), ...answer.removed]);
  for (const chatId of known) {
    if (now.has(chatId)) continue;
    dropChat(replica, chatId);
    plan.dropped.push(chatId);
  }

  // the list is replaced by the server's; a view held that is newer than the answer (a live event raced it) stays
  const held = new Map(replica.chats.map((c) => [c.id, c]));
  replica.chats = answer.chats.map(
    (chat) => mergeView(held.get(chat.id), chat, me, replica.revs[chat.id]?.ahead) ?? held.get(chat.id) ?? chat,
  );
  replica.chats.sort(byActivity);

  for (const chat of answer.chats) {
    const revs = replica.revs[chat.id];
    if (!revs) {
      replica.revs[chat.id] = { held: chat.rev, ahead: [] };
    } else if (answer.resync.includes(chat.id)) {
      replica.revs[chat.id] = { held: chat.rev, ahead: [] };
      if (replica.messages[chat.id]) plan.reload.push(chat.id);
    } else {
      for (const change of answer.changes[chat.id] ?? []) applyChange(replica, chat.id, change, me);
      if (answer.hasMore.includes(chat.id) || isBehind(replica, chat.id)) plan.catchUp.push(chat.id);
    }
  }
  return plan;
}
