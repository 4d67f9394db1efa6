// Sends a message: the next seq of the chat and the message commit together, then the message is broadcast.
import { Conflict } from '@chat/kit';
import type { Message } from '@chat/kit/contract';
import { advanceReadSeq } from '../../db/members.ts';
import { findMessageByClientId, insertMessage, isDuplicateClientId, takeNextSeq } from '../../db/messages.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type AppendMessageProps = {
  chatId: string;
  senderId: string;
  /** The sender's own id for this send; a retry with the same one returns the original. */
  clientId: string;
  /** Already validated and trimmed. */
  body: string;
};

export type AppendResult = { message: Message; created: boolean };

export async function appendMessage(
  { db, events }: Pick<ChatHistoryDeps, 'db' | 'events'>,
  { chatId, senderId, clientId, body }: AppendMessageProps,
): Promise<AppendResult> {
  let result: AppendResult;
  try {
    result = await db.transaction(async (trx) => {
      // locks the sender's member row: they stay a member until this send commits, and their own concurrent sends
      // (a retried clientId included) take turns here
      await requireMember(trx, chatId, senderId, 'forUpdate');
      const seen = await findMessageByClientId(trx, chatId, clientId);
      if (seen) return { message: theSendersOwn(seen, senderId), created: false };
      // the chat row stays locked until commit: senders of one chat take seqs one after another, and a rollback
      // returns the seq, so seqs have no gaps
      const seq = await takeNextSeq(trx, chatId);
      const message = await insertMessage(trx, { chatId, seq, senderId, clientId, body });
      await advanceReadSeq(trx, chatId, senderId, seq);
      return { message, created: true };
    });
  } catch (err) {
    // a concurrent send with the same clientId committed first: answer with its message
    if (!isDuplicateClientId(err)) throw err;
    const original = await findMessageByClientId(db, chatId, clientId);
    if (!original) throw err;
    return { message: theSendersOwn(original, senderId), created: false };
  }
  if (result.created) await events.messageNew(result.message);
  return result;
}

/** A clientId names one send of one sender; another member's message under it is not this sender's original. */
function theSendersOwn(message: Message, senderId: string): Message {
  if (message.senderId !== senderId) throw new Conflict('This clientId is already used in the chat');
  return message;
}
