// Typed Socket.IO event maps shared by the realtime nodes, the web app and test clients.
import type { z } from 'zod';
import type { Chat, ErrorCode, Message, Receipt } from './schemas.ts';
import type { deleteMessageEvent, editMessageEvent, readEvent, sendMessageEvent, typingEvent } from './schemas.ts';

export type AckError = { ok: false; error: { code: ErrorCode; message: string } };
export type Ack<T extends object = Record<never, never>> = ({ ok: true } & T) | AckError;
export type MessageAck = Ack<{ message: Message }>;

export interface ClientToServerEvents {
  'message:send': (payload: z.input<typeof sendMessageEvent>, ack: (answer: MessageAck) => void) => void;
  'message:edit': (payload: z.input<typeof editMessageEvent>, ack: (answer: MessageAck) => void) => void;
  'message:delete': (payload: z.input<typeof deleteMessageEvent>, ack: (answer: MessageAck) => void) => void;
  'chat:read': (payload: z.input<typeof readEvent>, ack: (answer: Ack) => void) => void;
  typing: (payload: z.input<typeof typingEvent>, ack: (answer: Ack) => void) => void;
}

export interface ServerToClientEvents {
  session: (payload: { userId: string; nodeId: string }) => void;
  'message:new': (message: Message) => void;
  'message:updated': (message: Message) => void;
  receipt: (payload: Receipt) => void;
  typing: (payload: { chatId: string; userId: string; isTyping: boolean }) => void;
  presence: (payload: { userId: string; online: boolean; lastSeenAt: string | null }) => void;
  'chat:created': (chat: Chat) => void;
  'chat:updated': (chat: Chat) => void;
  'chat:removed': (payload: { chatId: string }) => void;
}
