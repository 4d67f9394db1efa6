import type { SyncResponse } from '@chat/kit/contract';
import { describe, expect, it } from 'vitest';
import { applyChange } from '../src/lib/sync/replica.ts';
import { applySync, heldRevs } from '../src/lib/sync/syncAnswer.ts';
import {
  bodiesIn,
  CHAT,
  chat,
  ME,
  message,
  newMessage,
  replicaWith,
  updatedChat,
  updatedMessage,
  viewIn,
} from './support.ts';

const answer = (over: Partial<SyncResponse>): SyncResponse => ({
  chats: [],
  changes: {},
  removed: [],
  hasMore: [],
  resync: [],
  ...over,
});

/** General at rev 4 with four messages loaded; a direct chat not loaded. */
function offlineReplica() {
  const held = [1, 2, 3, 4].map((seq) => message(seq));
  const replica = replicaWith(chat({ rev: 4, lastSeq: 4, lastMessage: held[3], readSeq: 4 }), held);
  const direct = chat({ id: 'chat-direct', kind: 'direct', title: null, rev: 7 });
  replica.chats.push(direct);
  replica.revs[direct.id] = { held: 7, ahead: [] };
  return { held, replica, direct };
}

describe('the answer to POST /api/sync', () => {
  it('is asked with the rev held for every chat held', () => {
    expect(heldRevs(offlineReplica().replica)).toEqual({ [CHAT]: 4, 'chat-direct': 7 });
  });

  it('brings back what others did while this client was offline: a new message, an edit, a delete, a new title', () => {
    const { held, replica, direct } = offlineReplica();
    const m5 = message(5, { body: 'sent while you were away' });
    const edited = { ...held[1]!, body: 'edited while away', editedAt: m5.createdAt };
    const deleted = { ...held[2]!, body: '', deletedAt: m5.createdAt };
    const now = chat({ rev: 8, title: 'Renamed while away', lastSeq: 5, lastMessage: m5, readSeq: 4, unread: 1 });
    const plan = applySync(
      replica,
      answer({
        chats: [now, direct],
        changes: {
          [CHAT]: [newMessage(5, m5), updatedMessage(6, edited), updatedMessage(7, deleted), updatedChat(8, now)],
        },
      }),
      ME,
    );
    expect(plan).toEqual({ catchUp: [], reload: [], dropped: [] });
    expect(bodiesIn(replica)).toEqual([
      'message 1',
      'edited while away',
      '(deleted)',
      'message 4',
      'sent while you were away',
    ]);
    expect(viewIn(replica)).toMatchObject({ title: 'Renamed while away', unread: 1, rev: 8 });
    expect(replica.revs[CHAT]).toEqual({ held: 8, ahead: [] });
  });

  it('keeps counting a message that arrived live ahead of a gap when the answer was read before it', () => {
    const { replica, direct } = offlineReplica();
    // rev 5 was missed; rev 6 arrives live while the sync that asked from rev 4 is on its way
    applyChange(replica, CHAT, newMessage(6, message(6)), ME);
    const m5 = message(5);
    const plan = applySync(
      replica,
      answer({
        chats: [chat({ rev: 5, lastSeq: 5, lastMessage: m5, readSeq: 4, unread: 1 }), direct],
        changes: { [CHAT]: [newMessage(5, m5)] },
      }),
      ME,
    );
    expect(plan.catchUp).toEqual([]);
    expect(viewIn(replica)).toMatchObject({ unread: 2, lastSeq: 6, rev: 6 });
    expect(replica.revs[CHAT]).toEqual({ held: 6, ahead: [] });
  });

  it('replaces the chat list but keeps the loaded messages', () => {
    const { held, replica, direct } = offlineReplica();
    applySync(replica, answer({ chats: [chat({ rev: 4, lastSeq: 4, readSeq: 4 }), direct] }), ME);
    expect(replica.messages[CHAT]).toEqual(held);
    expect(replica.chats.map((c) => c.id).sort()).toEqual(['chat-direct', CHAT]);
  });

  it('drops the chats the user is no longer in, with their messages', () => {
    const { replica, direct } = offlineReplica();
    const plan = applySync(replica, answer({ chats: [direct], removed: [CHAT] }), ME);
    expect(plan.dropped).toEqual([CHAT]);
    expect(replica.chats.map((c) => c.id)).toEqual(['chat-direct']);
    expect(replica.messages[CHAT]).toBeUndefined();
    expect(replica.revs[CHAT]).toBeUndefined();
  });

  it('holds a chat the user was added to meanwhile at its rev', () => {
    const { replica, direct } = offlineReplica();
    const added = chat({ id: 'chat-new', rev: 12 });
    applySync(replica, answer({ chats: [chat({ rev: 4, lastSeq: 4, readSeq: 4 }), direct, added] }), ME);
    expect(replica.revs['chat-new']).toEqual({ held: 12, ahead: [] });
    expect(replica.messages['chat-new']).toBeUndefined();
  });

  it('asks for the rest of a chat that had more changes than the answer carried', () => {
    const { replica, direct } = offlineReplica();
    const plan = applySync(
      replica,
      answer({
        chats: [chat({ rev: 900, lastSeq: 900 }), direct],
        changes: { [CHAT]: [newMessage(5, message(5))] },
        hasMore: [CHAT],
      }),
      ME,
    );
    expect(plan.catchUp).toEqual([CHAT]);
    expect(replica.revs[CHAT]?.held).toBe(5);
  });

  it('reloads the newest page of a loaded chat whose missed changes are no longer kept, holding it from now', () => {
    const { replica, direct } = offlineReplica();
    const plan = applySync(
      replica,
      answer({ chats: [chat({ rev: 5000, lastSeq: 3000 }), direct], resync: [CHAT] }),
      ME,
    );
    expect(plan.reload).toEqual([CHAT]);
    expect(replica.revs[CHAT]).toEqual({ held: 5000, ahead: [] });
  });
});
