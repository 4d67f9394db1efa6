// Typed Socket.IO event maps shared by the realtime nodes, the web app and test clients.
import type { z } from 'zod';
import type { Chat, ErrorCode, MessageWithRev, PinsUpdate, Receipt } from './schemas.ts';
import type {
  deleteMessageEvent,
  editMessageEvent,
  reactionEvent,
  readEvent,
  sendMessageEvent,
  typingEvent,
} from './schemas.ts';

/** `retryAfterMs` with `rate_limited` and `unavailable`: when trying again makes sense. */
/** Whether a user has a connected socket, and when they were last seen if not. */
export type PresenceState = { userId: string; online: boolean; lastSeenAt: string | null };

export type AckError = { ok: false; error: { code: ErrorCode; message: string; retryAfterMs?: number } };
export type Ack<T extends object = Record<never, never>> = ({ ok: true } & T) | AckError;
export type MessageAck = Ack<{ message: MessageWithRev }>;

export interface ClientToServerEvents {
  'message:send': (payload: z.input<typeof sendMessageEvent>, ack: (answer: MessageAck) => void) => void;
  'message:edit': (payload: z.input<typeof editMessageEvent>, ack: (answer: MessageAck) => void) => void;
  'message:delete': (payload: z.input<typeof deleteMessageEvent>, ack: (answer: MessageAck) => void) => void;
  'reaction:add': (payload: z.input<typeof reactionEvent>, ack: (answer: MessageAck) => void) => void;
  'reaction:remove': (payload: z.input<typeof reactionEvent>, ack: (answer: MessageAck) => void) => void;
  'chat:read': (payload: z.input<typeof readEvent>, ack: (answer: Ack) => void) => void;
  typing: (payload: z.input<typeof typingEvent>, ack: (answer: Ack) => void) => void;
  /** A newer access token of the same session, before the socket's one expires. */
  'auth:refresh': (payload: { token: string }, ack: (answer: Ack) => void) => void;
}

/** Why a socket's session ended; the socket is disconnected right after. */
export type SessionEnd = { reason: 'logout' | 'revoked' | 'password_changed' | 'deactivated' | 'expired' };

export interface ServerToClientEvents {
  session: (payload: { userId: string; nodeId: string }) => void;
  'message:new': (message: MessageWithRev) => void;
  'message:updated': (message: MessageWithRev) => void;
  receipt: (payload: Receipt) => void;
  typing: (payload: { chatId: string; userId: string; isTyping: boolean }) => void;
  presence: (payload: PresenceState) => void;
  /** Right after `session`: every contact's presence in one event. */
  'presence:snapshot': (payload: { users: PresenceState[] }) => void;
  'chat:created': (chat: Chat) => void;
  'chat:updated': (chat: Chat) => void;
  'chat:removed': (payload: { chatId: string; rev: number }) => void;
  'pins:updated': (payload: PinsUpdate) => void;
  /**
   * The user's own state of a chat changed (notification level, marked unread, read on another device): their view,
   * to their sockets only. It is not a change of the chat (its rev is not new); read cursors in it only move forward.
   */
  'chat:state': (chat: Chat) => void;
  /** This node may have missed events (its Redis connection came back): sync now with POST /api/sync. */
  resync: (payload: Record<never, never>) => void;
  /** Live updates are paused (the node lost its Redis; sends still commit) or back. */
  live: (state: { paused: boolean }) => void;
  'session:ended': (payload: SessionEnd) => void;
}
