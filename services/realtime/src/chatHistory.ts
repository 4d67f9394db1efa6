// What a realtime node asks chat-history, which owns the data and every membership check: the public routes on behalf
// of the socket's user (the same commands and answers as REST; sends in batches, see sendBatches.ts), and who is in
// which chat. Typed from the contract.
import { type Acting, createInternalClient, createRouteClient } from '@chat/kit';
import { chatApi, membershipApi } from '@chat/kit/contract';
import type { z } from 'zod';
import { createSendBatches } from './sendBatches.ts';

type Body<K extends keyof typeof chatApi> = z.input<NonNullable<(typeof chatApi)[K]['body']>>;

export function httpChatHistory(baseUrl: string, internalToken: string) {
  // one client, so routes and send batches share its kept-alive connections
  const internal = createInternalClient(baseUrl, internalToken);
  const call = createRouteClient(internal);
  const sendInBatch = createSendBatches(internal);
  return {
    chatIdsOf: async (userId: string, requestId?: string) =>
      (await call(membershipApi.chatsOfUser, { userId }, { requestId })).chatIds,
    contactsOf: async (userId: string) => (await call(membershipApi.contactsOfUser, { userId })).userIds,
    send: (as: Acting, chatId: string, body: Body<'sendMessage'>, requestId?: string) =>
      sendInBatch({ userId: as.userId, displayName: as.displayName, chatId, message: body, requestId }),
    edit: (as: Acting, chatId: string, messageId: string, body: Body<'editMessage'>, requestId?: string) =>
      call(chatApi.editMessage, { id: chatId, messageId }, { body, as, requestId }),
    remove: (as: Acting, chatId: string, messageId: string, requestId?: string) =>
      call(chatApi.deleteMessage, { id: chatId, messageId }, { as, requestId }),
    react: (as: Acting, chatId: string, messageId: string, emoji: string, on: boolean, requestId?: string) =>
      call(on ? chatApi.addReaction : chatApi.removeReaction, { id: chatId, messageId, emoji }, { as, requestId }),
    read: (as: Acting, chatId: string, body: Body<'markRead'>, requestId?: string) =>
      call(chatApi.markRead, { id: chatId }, { body, as, requestId }),
  };
}

export type ChatHistory = ReturnType<typeof httpChatHistory>;
