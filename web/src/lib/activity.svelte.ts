// The live extras around messages: how far each member has read (receipts), who is typing, who is online.
import type { Message, Receipt } from '@chat/kit/contract';
import { currentSocket } from './realtime.svelte.ts';
import { api } from './session.svelte.ts';

export type Presence = { online: boolean; lastSeenAt: string | null };

export const activity = $state({
  /** chatId → userId → the seq that member has read up to. */
  receipts: {} as Record<string, Record<string, number>>,
  /** chatId → userId → when they last said they are typing. */
  typing: {} as Record<string, Record<string, number>>,
  presence: {} as Record<string, Presence>,
});

/** A receipt never moves a cursor back: a late or repeated one changes nothing. */
export function noteReceipt({ chatId, userId, readSeq }: Receipt): void {
  const known = activity.receipts[chatId] ?? {};
  known[userId] = Math.max(known[userId] ?? 0, readSeq);
  activity.receipts[chatId] = known;
}

/** A message says how far its sender has read: up to it (sending moves the sender's cursor; no receipt follows). */
export function noteSendersRead(messages: readonly Message[]): void {
  for (const m of messages) noteReceipt({ chatId: m.chatId, userId: m.senderId, readSeq: m.seq });
}

export async function loadReceipts(chatId: string): Promise<void> {
  const { receipts } = await api<{ receipts: { userId: string; readSeq: number }[] }>(`/api/chats/${chatId}/receipts`);
  // a live receipt may have arrived while this was in flight: noteReceipt keeps the later cursor
  for (const r of receipts) noteReceipt({ chatId, ...r });
}

export function noteTyping({ chatId, userId, isTyping }: { chatId: string; userId: string; isTyping: boolean }): void {
  const typing = activity.typing[chatId] ?? {};
  if (isTyping) typing[userId] = Date.now();
  else delete typing[userId];
  activity.typing[chatId] = typing;
}

/** Their message arrived: they stopped typing it. */
export function stoppedTyping(chatId: string, userId: string): void {
  if (activity.typing[chatId]?.[userId]) delete activity.typing[chatId][userId];
}

export function notePresence({ userId, online, lastSeenAt }: { userId: string } & Presence): void {
  activity.presence[userId] = { online, lastSeenAt };
}

export function sendTyping(chatId: string, isTyping: boolean): void {
  currentSocket()?.emit('typing', { chatId, isTyping }, () => {});
}

export function forgetChatActivity(chatId: string): void {
  delete activity.receipts[chatId];
  delete activity.typing[chatId];
}

export function resetActivity(): void {
  Object.assign(activity, { receipts: {}, typing: {}, presence: {} });
}
