import { describe, expect, it } from 'vitest';
import { noteMessage } from '../src/lib/sync/chatView.ts';
import { applyState, badgeText, covers, readThrough, titleWithUnread, totalUnread } from '../src/lib/sync/unread.ts';
import { chat, ME, message, OTHER } from './support.ts';

/** General with messages 1–6: 1 and 2 read, 3 mine, 4 mentions me, 5 and 6 from someone else. */
function withUnread() {
  const loaded = [
    message(1),
    message(2),
    message(3, { senderId: ME }),
    message(4, { mentions: [ME] }),
    message(5),
    message(6),
  ];
  const view = chat({
    lastSeq: 6,
    lastMessage: loaded[5],
    readSeq: 2,
    unread: 3,
    unreadMentions: 1,
    firstUnreadSeq: 4,
    notify: 'mentions',
    muted: false,
    markedUnread: false,
  });
  return { view, loaded };
}

describe('reading as far as the reader has seen', () => {
  it('moves the cursor and takes off only the messages of others passed over', () => {
    const { view, loaded } = withUnread();
    expect(readThrough(view, 4, loaded, ME)).toBe(true);
    expect(view).toMatchObject({ readSeq: 4, unread: 2, unreadMentions: 0, firstUnreadSeq: 5 });
  });

  it('reads everything when the newest message was seen', () => {
    const { view, loaded } = withUnread();
    readThrough(view, 6, loaded, ME);
    expect(view).toMatchObject({ readSeq: 6, unread: 0, unreadMentions: 0, firstUnreadSeq: null });
  });

  it('does nothing for a message already read', () => {
    const { view, loaded } = withUnread();
    expect(readThrough(view, 2, loaded, ME)).toBe(false);
    expect(view).toMatchObject({ readSeq: 2, unread: 3 });
  });

  it('ends "marked unread" even when nothing new was seen', () => {
    const { view, loaded } = withUnread();
    view.markedUnread = true;
    expect(readThrough(view, 2, loaded, ME)).toBe(true);
    expect(view.markedUnread).toBe(false);
  });

  it('a new message from someone else where nothing was unread is where the unread begin', () => {
    const view = chat({ lastSeq: 2, readSeq: 2, firstUnreadSeq: null });
    noteMessage(view, 'message.new', message(3), ME);
    expect(view).toMatchObject({ unread: 1, firstUnreadSeq: 3 });
    noteMessage(view, 'message.new', message(4, { senderId: ME }), ME);
    expect(view).toMatchObject({ unread: 0, firstUnreadSeq: null, readSeq: 4 });
  });
});

describe('the state of a chat from another tab or device', () => {
  it('takes the counts, divider and level when it describes the same messages', () => {
    const { view } = withUnread();
    const state = { ...view, readSeq: 4, unread: 2, unreadMentions: 0, firstUnreadSeq: 5, notify: 'none' as const };
    expect(applyState(view, { ...state, muted: true })).toBe(true);
    expect(view).toMatchObject({ readSeq: 4, unread: 2, unreadMentions: 0, firstUnreadSeq: 5, notify: 'none' });
    expect(view.muted).toBe(true);
  });

  it('never moves the cursor back, but takes the level and "marked unread"', () => {
    const { view } = withUnread();
    view.readSeq = 5;
    expect(applyState(view, { ...view, readSeq: 2, unread: 3, markedUnread: true })).toBe(true);
    expect(view).toMatchObject({ readSeq: 5, markedUnread: true });
  });

  it('asks for the view again when it was read before messages held here', () => {
    const { view } = withUnread();
    const older = { ...view, lastSeq: 5, readSeq: 4, unread: 1 };
    expect(applyState(view, older)).toBe(false);
    expect(view.readSeq).toBe(4);
    expect(applyState(view, { ...older, readSeq: 6 })).toBe(true);
    expect(view).toMatchObject({ unread: 0, firstUnreadSeq: null });
  });
});

describe('the unread total of the tab', () => {
  it('adds the unread of every chat not muted, and one for a chat marked unread', () => {
    const chats = [
      chat({ id: 'a', unread: 2, muted: false, notify: 'all', markedUnread: false }),
      chat({ id: 'b', unread: 5, muted: true, notify: 'none', markedUnread: false }),
      chat({ id: 'c', unread: 0, muted: false, notify: 'mentions', markedUnread: true }),
    ];
    expect(totalUnread(chats)).toBe(3);
  });

  it('shows it before the title, and shortly on the icon', () => {
    expect(titleWithUnread('Chat', 3)).toBe('(3) Chat');
    expect(titleWithUnread('Chat', 0)).toBe('Chat');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(150)).toBe('99+');
  });
});

describe('which messages a notification level covers', () => {
  const plain = message(1);
  const mention = message(2, { mentions: [ME] });
  const everyone = message(3, { mentions: ['all'] });
  const mine = message(4, { senderId: ME });

  it('all: every message of others', () => {
    expect([plain, mention, everyone, mine].map((m) => covers('all', m, ME))).toEqual([true, true, true, false]);
  });

  it('mentions: only those that name me or everyone', () => {
    expect([plain, mention, everyone, mine].map((m) => covers('mentions', m, ME))).toEqual([false, true, true, false]);
  });

  it('none: nothing', () => {
    expect([plain, mention, everyone].some((m) => covers('none', m, ME))).toBe(false);
    expect(covers('all', message(5, { senderId: OTHER, deletedAt: '2025-01-01T00:00:00Z' }), ME)).toBe(false);
  });
});
