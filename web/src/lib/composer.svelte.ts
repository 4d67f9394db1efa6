// What the composer of each chat is about to send: the text typed so far and the message it answers.
import type { Message } from '@chat/kit/contract';

export const composer = $state({
  /** chatId → the text typed and not sent yet. */
  drafts: {} as Record<string, string>,
  /** chatId → the message being answered. */
  replyTo: {} as Record<string, Message>,
  /** Grows when something asks for the composer to take the focus (Reply chosen in a message's menu). */
  focusRequests: 0,
});

export function startReply(message: Message): void {
  composer.replyTo[message.chatId] = message;
  composer.focusRequests += 1;
}

export function cancelReply(chatId: string): void {
  delete composer.replyTo[chatId];
}
