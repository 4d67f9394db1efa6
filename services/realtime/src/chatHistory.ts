// What a realtime node asks chat-history, which owns the data and every membership check.
import { createInternalClient } from '@chat/kit';
import type { Message } from '@chat/kit/contract';

export interface ChatHistory {
  chatIdsOf(userId: string, requestId?: string): Promise<string[]>;
  contactsOf(userId: string): Promise<string[]>;
  send(
    chatId: string,
    input: { userId: string; displayName: string; clientId: string; body: string },
    requestId?: string,
  ): Promise<Message>;
  edit(
    chatId: string,
    messageId: string,
    input: { userId: string; body: string },
    requestId?: string,
  ): Promise<Message>;
  remove(chatId: string, messageId: string, input: { userId: string }, requestId?: string): Promise<Message>;
  read(chatId: string, input: { userId: string; seq: number }, requestId?: string): Promise<void>;
}

export function httpChatHistory(baseUrl: string, internalToken: string): ChatHistory {
  const call = createInternalClient(baseUrl, internalToken);
  return {
    chatIdsOf: async (userId, requestId) =>
      (await call<{ chatIds: string[] }>(`/internal/users/${userId}/chats`, { requestId })).chatIds,
    contactsOf: async (userId) => (await call<{ userIds: string[] }>(`/internal/users/${userId}/contacts`)).userIds,
    send: async (chatId, body, requestId) =>
      (await call<{ message: Message }>(`/internal/chats/${chatId}/messages`, { method: 'POST', body, requestId }))
        .message,
    edit: async (chatId, messageId, body, requestId) =>
      (
        await call<{ message: Message }>(`/internal/chats/${chatId}/messages/${messageId}`, {
          method: 'PATCH',
          body,
          requestId,
        })
      ).message,
    remove: async (chatId, messageId, body, requestId) =>
      (
        await call<{ message: Message }>(`/internal/chats/${chatId}/messages/${messageId}`, {
          method: 'DELETE',
          body,
          requestId,
        })
      ).message,
    read: async (chatId, body, requestId) => {
      await call(`/internal/chats/${chatId}/read`, { method: 'POST', body, requestId });
    },
  };
}
