// Sends a message: the next seq and rev of the chat, the message and its change record commit together, then the
// message is broadcast. A plain message (most of them) is one statement; one that names other things (a reply, a
// mention, attachments) looks them up in its transaction first. Sending also moves the sender's read cursor to the new
// message; no receipt is published for that move, since `message:new` itself tells every member how far its sender
// has read (one event per member per message, not two).
import { BadRequest, Conflict, type Knex, NotFound } from '@chat/kit';
import {
  attachmentOf,
  MENTION_PATTERN,
  type Message,
  type MessageWithRev,
  type StoredUpload,
} from '@chat/kit/contract';
import { insertAttachments, isAlreadyPosted, postedUploadIds } from '../../db/attachments.ts';
import { latestRevOfMessage } from '../../db/changes.ts';
import {
  type Appended,
  appendMessageRow,
  appendMessageRows,
  findMessageByClientId,
  isDuplicateClientId,
  messageFromRow,
  messageRowOf,
  type PlainSend,
} from '../../db/messages.ts';
import { noSuchChat, requireMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { createSendGroups, type SendGroupOptions } from '../sendGroups.ts';
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

type Sent = { message: Message; rev: number } | { seen: Message };

type SendDeps = Pick<ChatHistoryDeps, 'db' | 'events'> &
  Partial<Pick<ChatHistoryDeps, 'pushes' | 'uploads' | 'admission' | 'sendGroups'>>;

export async function appendMessage(deps: SendDeps, props: AppendMessageProps): Promise<AppendResult> {
  const { db, events } = deps;
  const { chatId, senderId, clientId, attachments = [] } = props;
  const plain = attachments.length === 0 && !props.replyTo && !namesAnyone(props.body);
  let sent: Sent;
  try {
    sent = plain ? await sendPlain(deps, props) : await sendInTransaction(deps, props);
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
  return { message: { ...sent.message, rev: sent.rev }, created: true };
}

const namesAnyone = (body: string) => body.match(MENTION_PATTERN) !== null;

/** Most messages: grouped with the chat's other plain sends (see sendGroups.ts), in the chat's line of writes. */
async function sendPlain(deps: SendDeps, props: AppendMessageProps): Promise<Sent> {
  const { chatId, senderId, clientId, body } = props;
  const send = { senderId, clientId, body };
  const appended = deps.sendGroups
    ? await deps.sendGroups.add(chatId, send, senderId)
    : deps.admission
      ? await deps.admission.admit(chatId, () => appendAlone(deps, chatId, send), senderId)
      : await appendAlone(deps, chatId, send);
  if (appended.outcome !== 'sent') return notSent(deps.db, appended, props);
  const message = messageFromRow(appended.row, { reactions: [], attachments: [] });
  return { message, rev: appended.rev };
}

/** One plain send: the statement alone, committed on its own (see appendMessageRow), its rev's place expected. */
async function appendAlone(deps: SendDeps, chatId: string, send: PlainSend): Promise<Appended> {
  const place = deps.events.expect(chatId);
  try {
    const appended = await appendMessageRow(deps.db, { chatId, ...send, mentions: [] });
    if (appended.outcome === 'sent') place.took(appended.rev);
    else place.cancel();
    return appended;
  } catch (err) {
    place.cancel();
    throw err;
  }
}

/**
 * A group of plain sends of one chat: one statement (see appendMessageRows). Should another process have sent one of
 * their clientIds meanwhile, the statement fails whole and each goes alone, as it would have without the group.
 */
async function appendGroup(
  deps: SendDeps,
  chatId: string,
  sends: PlainSend[],
): Promise<PromiseSettledResult<Appended>[]> {
  if (sends.length > 1) {
    const places = sends.map(() => deps.events.expect(chatId));
    try {
      const appended = await appendMessageRows(deps.db, chatId, sends);
      return appended.map((value, i) => {
        if (value.outcome === 'sent') places[i]?.took(value.rev);
        else places[i]?.cancel();
        return { status: 'fulfilled', value };
      });
    } catch (err) {
      for (const place of places) place.cancel();
      if (!isDuplicateClientId(err)) throw err;
    }
  }
  const outcomes: PromiseSettledResult<Appended>[] = [];
  for (const send of sends) {
    outcomes.push(
      await appendAlone(deps, chatId, send).then(
        (value) => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      ),
    );
  }
  return outcomes;
}

/** Groups the plain sends of each chat, written in the chat's line of writes; `written` sees each group's size. */
export function createPlainSendGroups(
  deps: Pick<ChatHistoryDeps, 'db' | 'events' | 'admission'>,
  options: SendGroupOptions,
  written: (size: number) => void = () => {},
) {
  return createSendGroups<PlainSend, Appended>(
    options,
    (send) => send.clientId,
    (chatId, write) => deps.admission.admit(chatId, write),
    (chatId, sends) => {
      written(sends.length);
      return appendGroup(deps, chatId, sends);
    },
  );
}

export type PlainSendGroups = ReturnType<typeof createPlainSendGroups>;

/** A reply, a mention or attachments: what they name is looked up and checked in the send's transaction. */
async function sendInTransaction(deps: SendDeps, props: AppendMessageProps): Promise<Sent> {
  const { chatId, senderId, clientId, body, replyTo, attachments = [], requestId } = props;
  const uploads = await theSendersUploads(deps, senderId, attachments, requestId);
  return inChangeTransaction(
    deps,
    async (tx) => {
      // locks the sender's member row: they stay a member until this send commits, and their own concurrent sends
      // (a retried clientId included) take turns here
      await requireMember(tx.trx, chatId, senderId, 'forUpdate');
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
      const appended = await appendMessageRow(tx.trx, {
        chatId,
        senderId,
        clientId,
        body,
        replyToId: replyTo?.toLowerCase(),
        mentions,
      });
      // a concurrent send with this clientId may have committed since it was looked up
      if (appended.outcome !== 'sent') return notSent(tx.trx, appended, props);
      const { row, rev } = appended;
      tx.recorded({ chatId, rev });
      await insertAttachments(tx.trx, row.id, uploads);
      const message = messageFromRow(row, { original, reactions: [], attachments: uploads.map(attachmentOf) });
      return { message, rev };
    },
    chatId,
    senderId,
  );
}

/** The statement wrote nothing: the sender is not a member, or a send was already made under this clientId. */
async function notSent(
  db: Knex | Knex.Transaction,
  appended: Exclude<Appended, { outcome: 'sent' }>,
  { chatId, senderId, clientId }: AppendMessageProps,
): Promise<Sent> {
  if (appended.outcome === 'notMember') throw noSuchChat();
  const seen = await findMessageByClientId(db, chatId, clientId);
  if (!seen) throw new Error(`message ${clientId} of chat ${chatId} vanished`);
  return { seen: theSendersOwn(seen, senderId) };
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
