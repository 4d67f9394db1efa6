// Sends a message: the next seq and rev of the chat, the message and its change record commit together, then the
// message is broadcast. Sending also moves the sender's read cursor to the new message, and that move is a receipt.
import { BadRequest, Conflict, NotFound } from '@chat/kit';
import { attachmentOf, type Message, type MessageWithRev, type StoredUpload } from '@chat/kit/contract';
import { insertAttachments, isAlreadyPosted, postedUploadIds } from '../../db/attachments.ts';
import { latestRevOfMessage } from '../../db/changes.ts';
import {
  appendMessageRow,
  findMessageByClientId,
  isDuplicateClientId,
  messageFromRow,
  messageRowOf,
} from '../../db/messages.ts';
import { requireMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { mentionsIn } from './mentions.ts';

export type AppendMessageProps = {
  chatId: string;
  senderId: string;
  /** The sender's own id for this send; a retry with the same one returns the original. */
  clientId: string;
  /** Already validated and trimmed; empty only with attachments. */
  body: string;
  /** The message of the same chat this one answers. */
  replyTo?: string;
  /** The sender's own uploads, distinct, at most ten, in the order the message shows them. */
  attachments?: string[];
  requestId?: string;
};

export type AppendResult = { message: MessageWithRev; created: boolean };

export async function appendMessage(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'> & Partial<Pick<ChatHistoryDeps, 'pushes' | 'uploads'>>,
  { chatId, senderId, clientId, body, replyTo, attachments = [], requestId }: AppendMessageProps,
): Promise<AppendResult> {
  const { db, events } = deps;
  const uploads = await theSendersUploads(deps, senderId, attachments, requestId);
  let sent: { message: Message; rev: number; readFrom?: number } | { seen: Message };
  try {
    sent = await inChangeTransaction(
      deps,
      async (tx) => {
        // locks the sender's member row: they stay a member until this send commits, and their own concurrent sends
        // (a retried clientId included) take turns here
        const { readSeq } = await requireMember(tx.trx, chatId, senderId, 'forUpdate');
        const seen = await findMessageByClientId(tx.trx, chatId, clientId);
        if (seen) return { seen: theSendersOwn(seen, senderId) };
        const original = replyTo ? await messageRowOf(tx.trx, chatId, replyTo.toLowerCase()) : undefined;
        if (replyTo && !original) {
          throw new BadRequest('The message replied to is not in this chat', [
            { path: 'replyTo', message: 'must be a message of this chat' },
          ]);
        }
        if ((await postedUploadIds(tx.trx, attachments)).length > 0) throw alreadyPosted();
        const mentions = await mentionsIn(tx.trx, chatId, body);
        // from here to commit the chat row is locked: senders of one chat take seqs and revs one after another (a
        // rollback returns both, so neither has gaps), so only what must be there happens: one statement (seq, rev,
        // message, change, mentions, the sender's read cursor) and the attachments
        const { row, seq, rev } = await appendMessageRow(tx.trx, {
          chatId,
          senderId,
          clientId,
          body,
          replyToId: replyTo?.toLowerCase(),
          mentions,
        });
        tx.recorded({ chatId, rev });
        await insertAttachments(tx.trx, row.id, uploads);
        const message = messageFromRow(row, { original, reactions: [], attachments: uploads.map(attachmentOf) });
        // the cursor went from readSeq to seq; past anything but the sender's own new message, members must learn it
        // (a read event still queued finds the cursor already moved and announces nothing)
        return { message, rev, readFrom: readSeq < seq - 1 ? readSeq : undefined };
      },
      chatId,
      senderId,
    );
  } catch (err) {
    if (isAlreadyPosted(err)) throw alreadyPosted();
    // a concurrent send with the same clientId committed first: answer with its message
    if (!isDuplicateClientId(err)) throw err;
    const original = await findMessageByClientId(db, chatId, clientId);
    if (!original) throw err;
    sent = { seen: theSendersOwn(original, senderId) };
  }
  if ('seen' in sent) {
    return { message: { ...sent.seen, rev: await latestRevOfMessage(db, chatId, sent.seen.id) }, created: false };
  }
  await events.messageNew(sent.message, sent.rev);
  deps.pushes?.messageSent(chatId, sent.message.id);
  if (sent.readFrom !== undefined) {
    await events.receipts([{ chatId, userId: senderId, readSeq: sent.message.seq }]);
  }
  return { message: { ...sent.message, rev: sent.rev }, created: true };
}

/** A clientId names one send of one sender; another member's message under it is not this sender's original. */
function theSendersOwn(message: Message, senderId: string): Message {
  if (message.senderId !== senderId) throw new Conflict('This clientId is already used in the chat');
  return message;
}

/** The uploads named, as the media service knows them, in the order named; 404 for any that is not the sender's. */
async function theSendersUploads(
  deps: Partial<Pick<ChatHistoryDeps, 'uploads'>>,
  senderId: string,
  ids: string[],
  requestId?: string,
): Promise<StoredUpload[]> {
  if (ids.length === 0) return [];
  if (!deps.uploads) throw new NotFound('No such upload');
  const wanted = ids.map((id) => id.toLowerCase());
  const found = new Map((await deps.uploads.lookup(senderId, wanted, requestId)).map((u) => [u.id, u]));
  return wanted.map((id) => {
    const upload = found.get(id);
    if (!upload) throw new NotFound('No such upload');
    return upload;
  });
}

/** An upload is posted in one message only (sending the same message again is a retry with its clientId). */
const alreadyPosted = () => new Conflict('An attachment is already posted in another message');
