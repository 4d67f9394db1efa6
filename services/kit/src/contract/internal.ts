// Shapes of the internal APIs (service to service, never routed by the gateway): chat-history's, used by the realtime
// nodes, and the auth directory, used by chat-history.
import { z } from 'zod';
import { clientId, message, messageBody, uuid } from './schemas.ts';

/** POST /internal/chats/:chatId/messages */
export const internalSendMessageRequest = z.object({
  userId: uuid,
  /** The sender's display name from their token, kept for member lists. */
  displayName: z.string().trim().min(1).max(64).optional(),
  clientId,
  body: messageBody,
});
/** 201 with created true, 200 with the original and created false when the clientId was seen in the chat. */
export const internalSendMessageResponse = z.object({ message, created: z.boolean() });

/** PATCH /internal/chats/:chatId/messages/:messageId */
export const internalEditMessageRequest = z.object({ userId: uuid, body: messageBody });
/** DELETE /internal/chats/:chatId/messages/:messageId (with a JSON body) */
export const internalDeleteMessageRequest = z.object({ userId: uuid });
export const internalMessageResponse = z.object({ message });

/** GET /internal/users/:userId/chats */
export const internalUserChatsResponse = z.object({ chatIds: z.array(uuid) });
/** GET /internal/users/:userId/contacts: everyone sharing a chat with the user, the user excluded. */
export const internalUserContactsResponse = z.object({ userIds: z.array(uuid) });
/** GET /internal/chats/:chatId/members/:userId: 200 for a member, 404 otherwise. */
export const internalMembershipResponse = z.object({ role: z.enum(['owner', 'member']) });

/** auth: GET /internal/users?ids=a,b answers the users it knows among those ids. */
export const directoryUser = z.object({ id: uuid, displayName: z.string(), isActive: z.boolean() });
export type DirectoryUser = z.infer<typeof directoryUser>;
export const internalUsersResponse = z.object({ users: z.array(directoryUser) });

/** POST /internal/chats/:chatId/read → 202 once queued */
export const internalReadRequest = z.object({ userId: uuid, seq: z.number().int().min(0) });
