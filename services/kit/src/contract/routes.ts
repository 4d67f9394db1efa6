// The HTTP routes the services serve, each with its request and answer schemas: chat-history registers its routes from
// this table and the realtime nodes call it through a client typed from it, so a route's shape is written once.
import { z } from 'zod';
import {
  changesResponse,
  chat,
  editMessageRequest,
  messageWithRev,
  readRequest,
  sendMessageRequest,
  syncRequest,
  syncResponse,
  updateChatRequest,
} from './schemas.ts';

export type Route<P extends string, B extends z.ZodType | undefined, R extends z.ZodType | undefined> = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: P;
  body: B;
  response: R;
};

const route = <
  P extends string,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(
  method: Route<P, B, R>['method'],
  path: P,
  shapes: { body?: B; response?: R } = {},
): Route<P, B, R> => ({ method, path, body: shapes.body as B, response: shapes.response as R });

/** chat-history's public routes (through the gateway, or from a realtime node on behalf of a socket's user). */
export const chatApi = {
  getChat: route('GET', '/api/chats/:id', { response: chat }),
  renameChat: route('PATCH', '/api/chats/:id', { body: updateChatRequest, response: chat }),
  sendMessage: route('POST', '/api/chats/:id/messages', { body: sendMessageRequest, response: messageWithRev }),
  editMessage: route('PATCH', '/api/chats/:id/messages/:messageId', {
    body: editMessageRequest,
    response: messageWithRev,
  }),
  deleteMessage: route('DELETE', '/api/chats/:id/messages/:messageId', { response: messageWithRev }),
  markRead: route('POST', '/api/chats/:id/read', { body: readRequest }),
  addReaction: route('PUT', '/api/chats/:id/messages/:messageId/reactions/:emoji', { response: messageWithRev }),
  removeReaction: route('DELETE', '/api/chats/:id/messages/:messageId/reactions/:emoji', {
    response: messageWithRev,
  }),
  pin: route('PUT', '/api/chats/:id/pins/:messageId', { response: chat }),
  unpin: route('DELETE', '/api/chats/:id/pins/:messageId', { response: chat }),
  changes: route('GET', '/api/chats/:id/changes', { response: changesResponse }),
  sync: route('POST', '/api/sync', { body: syncRequest, response: syncResponse }),
};

/** chat-history's internal routes (service to service only): who is in which chat, for the realtime nodes. */
export const membershipApi = {
  chatsOfUser: route('GET', '/internal/users/:userId/chats', { response: z.object({ chatIds: z.array(z.uuid()) }) }),
  contactsOfUser: route('GET', '/internal/users/:userId/contacts', {
    response: z.object({ userIds: z.array(z.uuid()) }),
  }),
  /** Whether the user is now in a chat where the upload is posted (the media service asks). */
  uploadViewer: route('GET', '/internal/uploads/:uploadId/viewers/:userId', {
    response: z.object({ canView: z.boolean() }),
  }),
};

/** The path parameters a route's path names (`:id` → `{ id: string }`). */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

/** Fills a route's path with its parameters, each URL-encoded. */
export function pathOf<P extends string>(path: P, params: ParamsOf<P>): string {
  return path.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent((params as Record<string, string>)[name] ?? ''),
  );
}
