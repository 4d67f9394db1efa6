// The outbox's rules, apart from where it is kept: which message goes next, when one is settled, what an ack means.
import type { Attachment, Message, MessageAck } from '@chat/kit/contract';

/** A message typed but not yet acknowledged. Its clientId makes a resend safe: the server answers with the original. */
export type Pending = {
  clientId: string;
  chatId: string;
  body: string;
  /** The message it answers, as the quote showed it when it was typed. */
  replyTo?: NonNullable<Message['replyTo']>;
  /** Its files, once uploaded, in the order they were attached. */
  attachments?: Attachment[];
  /** Uploads (their ids in this tab) it still waits for; it is not sent before they are done. */
  uploads?: string[];
  createdAt: string;
  status: 'pending' | 'failed';
  error?: string;
};

/** What to send now: the pending ones in the order they were typed (failed ones wait for a retry). */
export const sendOrder = (items: readonly Pending[]): Pending[] =>
  items
    .map((item, i) => ({ item, i }))
    .filter(({ item }) => item.status === 'pending' && !item.uploads?.length)
    .sort((a, b) => a.item.createdAt.localeCompare(b.item.createdAt) || a.i - b.i)
    .map(({ item }) => item);

/** The outbox without the messages that have arrived as committed messages (from an ack, an event or a page). */
export const withoutArrived = (
  items: readonly Pending[],
  arrived: readonly { chatId: string; clientId: string }[],
): Pending[] => items.filter((item) => !arrived.some((m) => m.chatId === item.chatId && m.clientId === item.clientId));

/** Errors worth sending again later: the server or a dependency was busy or down, the message itself is fine. */
const passing = new Set(['rate_limited', 'unavailable', 'internal']);

/** What an ack (or its absence: a timeout, a dropped connection) means for the message sent. */
export function outcomeOf(ack: MessageAck | null): 'sent' | 'later' | 'failed' {
  if (!ack) return 'later';
  if (ack.ok) return 'sent';
  return passing.has(ack.error.code) ? 'later' : 'failed';
}
