// Pins and unpins: the owner of a group, or either member of a direct chat; members see the pinned list change live.
import { Conflict, Forbidden, NotFound } from '@chat/kit';
import { type Chat, MAX_PINS } from '@chat/kit/contract';
import { chatKindOf } from '../../db/chats.ts';
import { messageRowOf } from '../../db/messages.ts';
import { countPins, deletePin, insertPin, pinsOf } from '../../db/pins.ts';
import { requireMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import { getChat } from './getChat.ts';
import type { ChatHistoryDeps } from '../deps.ts';

type Deps = Pick<ChatHistoryDeps, 'db' | 'events'>;

export type PinMessageProps = {
  chatId: string;
  messageId: string;
  /** Who asks. */
  userId: string;
  /** True to pin, false to unpin. */
  pinned: boolean;
};

export async function pinMessage(deps: Deps, { chatId, messageId, userId, pinned }: PinMessageProps): Promise<Chat> {
  const { role } = await requireMember(deps.db, chatId, userId);
  if ((await chatKindOf(deps.db, chatId)) === 'group' && role !== 'owner') {
    throw new Forbidden('Only the owner of the group pins messages');
  }
  const rev = await inChangeTransaction(deps, async (tx) => {
    const message = await messageRowOf(tx.trx, chatId, messageId);
    if (!message) throw new NotFound('No such message');
    if (!pinned) {
      // unpinning what is not pinned changes nothing
      return (await deletePin(tx.trx, chatId, messageId)) ? tx.record({ chatId, kind: 'chat.updated' }) : undefined;
    }
    if (message.deleted_at) throw new Conflict('The message was deleted');
    // the chat row lock taken by the rev serializes pins of one chat; count under it
    const rev = await tx.record({ chatId, kind: 'chat.updated' });
    if (!(await insertPin(tx.trx, chatId, messageId, userId))) throw new AlreadyPinned();
    if ((await countPins(tx.trx, chatId)) > MAX_PINS) throw new Conflict(`A chat keeps at most ${MAX_PINS} pins`);
    return rev;
  }).catch((err) => {
    if (err instanceof AlreadyPinned) return undefined;
    throw err;
  });
  if (rev !== undefined) await publishPins(deps, chatId, rev);
  return getChat(deps, { chatId, userId });
}

/** Pinning a pinned message: the transaction rolls back its rev, and the answer is the chat as it is. */
class AlreadyPinned extends Error {}

/** Tells the chat's members its pinned list as it is now, with the rev of the change. */
export async function publishPins(deps: Deps, chatId: string, rev: number): Promise<void> {
  const pinned = (await pinsOf(deps.db, [chatId])).get(chatId) ?? [];
  await deps.events.pinsUpdated({ chatId, pinned, rev });
}
