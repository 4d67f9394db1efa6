// What the user does to messages: send (through the outbox, so nothing typed is lost), retry, edit, delete, react. Each
// answer is a change with its rev and goes through the sync engine like the live event it also causes.
import type { Message, MessageAck, MessageWithRev } from '@chat/kit/contract';
import { ActionFailed, attempt } from './notices.svelte.ts';
import { REPLY_PREVIEW_LENGTH } from './text/contract.ts';
import { attachUploaded, drop, enqueue, markFailed, markPending, outbox, settleArrived } from './outbox.svelte.ts';
import { type ChatSocket, currentSocket } from './realtime.svelte.ts';
import { sendOrder, outcomeOf } from './sync/pending.ts';
import { receiveMessage } from './sync.svelte.ts';
import { forgetUploads, resumeUploads, whenUploaded } from './uploads.svelte.ts';

const ACK_TIMEOUT = 10_000;

/** How a reply quotes the message it answers (the server's own preview replaces it once the reply is sent). */
const quoteOf = (m: Message) => ({
  id: m.id,
  seq: m.seq,
  senderId: m.senderId,
  preview: m.deletedAt ? '' : m.body.slice(0, REPLY_PREVIEW_LENGTH),
  deleted: m.deletedAt !== null,
});
type TimedSocket = ReturnType<ChatSocket['timeout']>;
let flushing = false;

/** Sends every pending message, oldest first, each with its clientId, until one cannot go yet. */
export async function flushOutbox(): Promise<void> {
  const s = currentSocket();
  if (flushing || !s?.connected) return;
  flushing = true;
  const tried = new Set<string>();
  try {
    // items typed while this runs are picked up too
    for (;;) {
      const item = sendOrder(outbox.items).find((i) => !tried.has(i.clientId));
      if (!item) return;
      tried.add(item.clientId);
      const ack = await s
        .timeout(ACK_TIMEOUT)
        .emitWithAck('message:send', {
          chatId: item.chatId,
          clientId: item.clientId,
          body: item.body,
          ...(item.replyTo ? { replyTo: item.replyTo.id } : {}),
          ...(item.attachments?.length ? { attachments: item.attachments.map((a) => a.id) } : {}),
        })
        .catch(() => null);
      const outcome = outcomeOf(ack);
      if (outcome === 'later') {
        setTimeout(() => void flushOutbox(), 2_000);
        return;
      }
      if (ack?.ok) {
        receiveMessage('message.new', ack.message);
        settleArrived([item]);
      } else if (ack) markFailed(item.clientId, ack.error.message);
    }
  } finally {
    flushing = false;
  }
}

/**
 * Sends a message (an answer to `replyTo` when given, with the files of `uploads`): kept in the outbox until its
 * uploads are done and the server has it.
 */
export function sendMessage(chatId: string, body: string, replyTo?: Message, uploads: string[] = []): void {
  const item = enqueue(chatId, body, replyTo && quoteOf(replyTo), uploads);
  if (uploads.length > 0) void sendWhenUploaded(item.clientId, body, uploads);
  void flushOutbox();
}

/** The message goes once its uploads are done, with those not cancelled (none at all: it is dropped if empty). */
async function sendWhenUploaded(clientId: string, body: string, uploads: string[]) {
  const found = await Promise.all(uploads.map(whenUploaded));
  const attachments = found.filter((a) => a !== null);
  if (attachments.length === 0 && !body.trim()) drop(clientId);
  else attachUploaded(clientId, attachments);
  forgetUploads(uploads);
  void flushOutbox();
}

/** After a reload: messages that waited for uploads start them again from the files kept in the browser. */
export async function resumeOutboxUploads(): Promise<void> {
  for (const item of outbox.items) {
    if (!item.uploads?.length) continue;
    await resumeUploads(item.chatId, item.uploads);
    void sendWhenUploaded(item.clientId, item.body, item.uploads);
  }
}

export function retry(clientId: string): void {
  markPending(clientId);
  void flushOutbox();
}

/** One socket write answered with the message as it is now; a refusal or no answer is thrown. */
async function ask(write: (s: TimedSocket) => Promise<MessageAck>): Promise<MessageWithRev> {
  const s = currentSocket();
  if (!s?.connected) throw new ActionFailed('offline');
  const ack = await write(s.timeout(ACK_TIMEOUT)).catch(() => null);
  if (!ack) throw new ActionFailed('offline');
  if (!ack.ok) throw new ActionFailed(ack.error.code, ack.error.message);
  return ack.message;
}

/** Edits one of the user's messages; false (and a notice) when it did not happen. */
export async function editMessage(chatId: string, messageId: string, body: string): Promise<boolean> {
  const message = await attempt('failedEdit', () =>
    ask((s) => s.emitWithAck('message:edit', { chatId, messageId, body })),
  );
  if (message) receiveMessage('message.updated', message);
  return Boolean(message);
}

export async function deleteMessage(chatId: string, messageId: string): Promise<boolean> {
  const message = await attempt('failedDelete', () =>
    ask((s) => s.emitWithAck('message:delete', { chatId, messageId })),
  );
  if (message) receiveMessage('message.updated', message);
  return Boolean(message);
}

/** Adds the user's reaction to a message, or takes it back; the answer is the message with its reactions now. */
export async function react(chatId: string, messageId: string, emoji: string, on: boolean): Promise<boolean> {
  const message = await attempt('failedReact', () =>
    ask((s) => s.emitWithAck(on ? 'reaction:add' : 'reaction:remove', { chatId, messageId, emoji })),
  );
  if (message) receiveMessage('message.updated', message);
  return Boolean(message);
}
