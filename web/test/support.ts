// Plain chats, messages and changes for the sync tests, and a replica to apply them to: no server, no runes.
import type { Change, Chat, Message } from '@chat/kit/contract';
import type { Replica } from '../src/lib/sync/replica.ts';

export const ME = 'user-me';
export const OTHER = 'user-other';
export const CHAT = 'chat-general';

let created = 0;
/** A committed message; each new one is a little later than the one before. */
export function message(seq: number, over: Partial<Message> = {}): Message {
  created += 1;
  return {
    id: `message-${seq}`,
    chatId: CHAT,
    seq,
    senderId: OTHER,
    clientId: `client-${seq}`,
    body: `message ${seq}`,
    createdAt: new Date(Date.UTC(2025, 0, 1, 12, 0, created)).toISOString(),
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    mentions: [],
    reactions: [],
    ...over,
  } as Message;
}

export function chat(over: Partial<Chat> = {}): Chat {
  return {
    id: CHAT,
    kind: 'group',
    title: 'General',
    members: [
      { userId: ME, displayName: 'Me', role: 'member' },
      { userId: OTHER, displayName: 'Other', role: 'owner' },
    ],
    lastSeq: 0,
    lastMessage: null,
    readSeq: 0,
    unread: 0,
    rev: 0,
    unreadMentions: 0,
    pinned: [],
    ...over,
  } as Chat;
}

export const newMessage = (rev: number, m: Message): Change => ({ rev, kind: 'message.new', message: m });
export const updatedMessage = (rev: number, m: Message): Change => ({ rev, kind: 'message.updated', message: m });
export const updatedChat = (rev: number, c: Chat): Change => ({ rev, kind: 'chat.updated', chat: c });

/**
 * A replica holding `view` at its rev, with the messages given loaded (or none loaded when `loaded` is undefined).
 */
export function replicaWith(view: Chat, loaded?: Message[]): Replica {
  return {
    chats: [view],
    messages: loaded ? { [view.id]: loaded } : {},
    revs: { [view.id]: { held: view.rev, ahead: [] } },
  };
}

export const viewIn = (replica: Replica, chatId = CHAT): Chat | undefined => replica.chats.find((c) => c.id === chatId);
export const bodiesIn = (replica: Replica, chatId = CHAT): string[] =>
  (replica.messages[chatId] ?? []).map((m) => (m.deletedAt ? '(deleted)' : m.body));
