import type { Change } from '@chat/kit/contract';
import { describe, expect, it } from 'vitest';
import { applyChange, applyChangesPage, isBehind, pinsChange, putView } from '../src/lib/sync/replica.ts';
import {
  bodiesIn,
  CHAT,
  chat,
  ME,
  message,
  newMessage,
  OTHER,
  replicaWith,
  updatedChat,
  updatedMessage,
  viewIn,
} from './support.ts';

/** General at rev 2 with two messages, both read. */
function general() {
  const m1 = message(1);
  const m2 = message(2);
  const view = chat({ rev: 2, lastSeq: 2, lastMessage: m2, readSeq: 2 });
  return { m1, m2, replica: replicaWith(view, [m1, m2]) };
}

describe('applying a change', () => {
  it('adds a new message from someone else to the loaded chat, counts it unread and holds its rev', () => {
    const { replica } = general();
    const m3 = message(3);
    expect(applyChange(replica, CHAT, newMessage(3, m3), ME)).toBe(true);
    expect(bodiesIn(replica)).toEqual(['message 1', 'message 2', 'message 3']);
    expect(viewIn(replica)).toMatchObject({ lastSeq: 3, lastMessage: m3, unread: 1, rev: 3 });
    expect(replica.revs[CHAT]).toEqual({ held: 3, ahead: [] });
  });

  it('counts a new message that mentions me, or everyone, as an unread mention', () => {
    const { replica } = general();
    applyChange(replica, CHAT, newMessage(3, message(3, { mentions: [ME] })), ME);
    applyChange(replica, CHAT, newMessage(4, message(4, { mentions: ['all'] })), ME);
    applyChange(replica, CHAT, newMessage(5, message(5, { mentions: [OTHER] })), ME);
    expect(viewIn(replica)).toMatchObject({ unread: 3, unreadMentions: 2 });
    applyChange(replica, CHAT, newMessage(6, message(6, { senderId: ME })), ME);
    expect(viewIn(replica)).toMatchObject({ unread: 0, unreadMentions: 0 });
  });

  it('moves the read cursor to my own message, sent from this tab or another', () => {
    const { replica } = general();
    applyChange(replica, CHAT, newMessage(3, message(3)), ME);
    applyChange(replica, CHAT, newMessage(4, message(4, { senderId: ME })), ME);
    expect(viewIn(replica)).toMatchObject({ readSeq: 4, unread: 0 });
  });

  it('changes nothing when the same change comes twice', () => {
    const { replica } = general();
    applyChange(replica, CHAT, newMessage(3, message(3)), ME);
    expect(applyChange(replica, CHAT, newMessage(3, message(3)), ME)).toBe(false);
    expect(viewIn(replica)?.unread).toBe(1);
    expect(bodiesIn(replica)).toHaveLength(3);
  });

  it('shows an edit and a delete in the loaded messages and in the chat list, without counting them unread', () => {
    const { m1, m2, replica } = general();
    applyChange(replica, CHAT, updatedMessage(3, { ...m1, body: 'edited', editedAt: m1.createdAt }), ME);
    applyChange(replica, CHAT, updatedMessage(4, { ...m2, body: '', deletedAt: m2.createdAt }), ME);
    expect(bodiesIn(replica)).toEqual(['edited', '(deleted)']);
    expect(viewIn(replica)?.lastMessage?.deletedAt).toBe(m2.createdAt);
    expect(viewIn(replica)?.unread).toBe(0);
  });

  it('keeps a chat that is not loaded unloaded: only its view follows', () => {
    const replica = replicaWith(chat({ rev: 2, lastSeq: 2 }));
    applyChange(replica, CHAT, newMessage(3, message(3)), ME);
    expect(replica.messages[CHAT]).toBeUndefined();
    expect(viewIn(replica)).toMatchObject({ lastSeq: 3, unread: 1 });
  });

  it('replaces the chat view on chat.updated: a new title, members added', () => {
    const { replica } = general();
    const renamed = chat({ rev: 3, lastSeq: 2, readSeq: 2, title: 'Renamed' });
    applyChange(replica, CHAT, updatedChat(3, renamed), ME);
    expect(viewIn(replica)?.title).toBe('Renamed');
    expect(replica.revs[CHAT]?.held).toBe(3);
  });

  it('drops a removed member, and drops the whole chat when the one removed is me', () => {
    const { replica } = general();
    applyChange(replica, CHAT, { rev: 3, kind: 'member.removed', userId: OTHER }, ME);
    expect(viewIn(replica)?.members.map((m) => m.userId)).toEqual([ME]);
    applyChange(replica, CHAT, { rev: 4, kind: 'member.removed', userId: ME }, ME);
    expect(replica.chats).toEqual([]);
    expect(replica.messages[CHAT]).toBeUndefined();
    expect(replica.revs[CHAT]).toBeUndefined();
  });
});

describe('closing a gap', () => {
  it('counts every missed message once when a later one arrived live before the gap was fetched', () => {
    const { replica } = general();
    // rev 3 and 4 were lost on the way; rev 5 arrives live and is shown at once
    const live = newMessage(5, message(5));
    applyChange(replica, CHAT, live, ME);
    expect(replica.revs[CHAT]).toEqual({ held: 2, ahead: [live] });
    expect(isBehind(replica, CHAT)).toBe(false);
    applyChangesPage(
      replica,
      CHAT,
      { changes: [3, 4, 5].map((seq) => newMessage(seq, message(seq))), rev: 5, hasMore: false },
      ME,
    );
    expect(bodiesIn(replica)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(viewIn(replica)).toMatchObject({ unread: 3, lastSeq: 5 });
    expect(replica.revs[CHAT]).toEqual({ held: 5, ahead: [] });
  });

  it('does not count again what a newer chat view in the page already counts', () => {
    const { replica } = general();
    const m3 = message(3);
    const now = chat({ rev: 4, lastSeq: 3, lastMessage: m3, readSeq: 2, unread: 1, title: 'New title' });
    applyChangesPage(replica, CHAT, { changes: [newMessage(3, m3), updatedChat(4, now)], rev: 4, hasMore: false }, ME);
    expect(viewIn(replica)).toMatchObject({ unread: 1, title: 'New title', rev: 4 });
    // the same changes replayed in the other order of arrival: a view first, then the change it already contains
    const again = general().replica;
    putView(again, now, ME);
    applyChangesPage(again, CHAT, { changes: [newMessage(3, m3), updatedChat(4, now)], rev: 4, hasMore: false }, ME);
    expect(viewIn(again)).toMatchObject({ unread: 1, rev: 4 });
    expect(bodiesIn(again)).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it('keeps counting a message applied ahead of the gap when a view read before it arrives meanwhile', () => {
    const { replica } = general();
    // rev 3 is on its way; rev 4 arrives live first and is counted
    applyChange(replica, CHAT, newMessage(4, message(4)), ME);
    expect(viewIn(replica)).toMatchObject({ unread: 1, lastSeq: 4 });
    // a view read after rev 3 but before rev 4 (the chat fetched on another path) takes the view's place
    expect(putView(replica, chat({ rev: 3, lastSeq: 3, lastMessage: message(3), readSeq: 2, unread: 1 }), ME)).toBe(
      true,
    );
    expect(viewIn(replica)).toMatchObject({ unread: 2, lastSeq: 4, rev: 3 });
    // the gap is fetched: nothing is counted twice
    applyChangesPage(
      replica,
      CHAT,
      { changes: [3, 4].map((seq) => newMessage(seq, message(seq))), rev: 4, hasMore: false },
      ME,
    );
    expect(viewIn(replica)).toMatchObject({ unread: 2, lastSeq: 4, rev: 4 });
    expect(replica.revs[CHAT]).toEqual({ held: 4, ahead: [] });
  });

  it('holds only up to the last change of a page that has more after it', () => {
    const { replica } = general();
    putView(replica, chat({ rev: 9, lastSeq: 9, readSeq: 2, unread: 7 }), ME);
    applyChangesPage(replica, CHAT, { changes: [newMessage(3, message(3))], rev: 9, hasMore: true }, ME);
    expect(replica.revs[CHAT]?.held).toBe(3);
    expect(isBehind(replica, CHAT)).toBe(true);
  });
});

describe('a pins event', () => {
  it('is the chat held with the new pins when it is the next change', () => {
    const { replica } = general();
    const change = pinsChange(replica, { chatId: CHAT, pinned: ['message-1'], rev: 3 });
    expect(change).toMatchObject({ rev: 3, kind: 'chat.updated', chat: { pinned: ['message-1'], rev: 3, unread: 0 } });
    applyChange(replica, CHAT, change as Change, ME);
    expect(viewIn(replica)).toMatchObject({ pinned: ['message-1'], rev: 3, unread: 0 });
  });

  it('over a gap is left to the catch-up, so the message in the gap is still counted', () => {
    const { replica } = general();
    // rev 3 (a message) was missed; the pin is rev 4
    expect(pinsChange(replica, { chatId: CHAT, pinned: ['message-1'], rev: 4 })).toBeNull();
    const now = chat({ rev: 4, lastSeq: 3, lastMessage: message(3), readSeq: 2, unread: 1, pinned: ['message-1'] });
    applyChangesPage(
      replica,
      CHAT,
      { changes: [newMessage(3, message(3)), updatedChat(4, now)], rev: 4, hasMore: false },
      ME,
    );
    expect(viewIn(replica)).toMatchObject({ pinned: ['message-1'], unread: 1, lastSeq: 3, rev: 4 });
  });
});

describe('a chat view from the server', () => {
  it('never moves my read cursor back (my read had not reached the server when the view was read)', () => {
    const { replica } = general();
    const view = viewIn(replica)!;
    Object.assign(view, { lastSeq: 5, readSeq: 5, unread: 0 });
    expect(putView(replica, chat({ rev: 5, lastSeq: 5, readSeq: 3, unread: 2 }), ME)).toBe(true);
    expect(viewIn(replica)).toMatchObject({ readSeq: 5, unread: 0 });
  });

  it('is ignored when it is older than the changes applied', () => {
    const { replica } = general();
    applyChange(replica, CHAT, newMessage(3, message(3)), ME);
    expect(putView(replica, chat({ rev: 2, title: 'Old' }), ME)).toBe(false);
    expect(viewIn(replica)).toMatchObject({ title: 'General', lastSeq: 3 });
  });
});

describe('a reply held', () => {
  it('follows the edit and the delete of the message it quotes, as their changes arrive', () => {
    const original = message(1, { id: 'original', body: 'before' });
    const reply = message(2, {
      replyTo: { id: 'original', seq: 1, senderId: OTHER, preview: 'before', deleted: false },
    });
    const replica = replicaWith(chat({ rev: 2, lastSeq: 2, lastMessage: reply, readSeq: 2 }), [original, reply]);
    applyChange(replica, CHAT, updatedMessage(3, { ...original, body: 'after', editedAt: original.createdAt }), ME);
    expect(replica.messages[CHAT]?.[1]?.replyTo).toMatchObject({ preview: 'after', deleted: false });
    applyChange(replica, CHAT, updatedMessage(4, { ...original, body: '', deletedAt: original.createdAt }), ME);
    expect(replica.messages[CHAT]?.[1]?.replyTo).toMatchObject({ preview: '', deleted: true });
  });
});
