// The public contract's shapes: every request, response and socket payload, written once.
import { z } from 'zod';

export const uuid = z.uuid();
const seq = z.number().int().min(0);

export const errorCodes = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'internal',
  'unavailable',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const user = z.object({
  id: uuid,
  email: z.string(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  isActive: z.boolean().optional(),
  createdAt: z.string(),
});
export type User = z.infer<typeof user>;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'must be an e-mail address' }).max(254));
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters');
const displayName = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

export const registerRequest = z.object({ email, password, displayName });
export const loginRequest = z.object({ email, password: z.string().min(1).max(200) });
export const authResponse = z.object({ user, accessToken: z.string() });
export const refreshResponse = z.object({ accessToken: z.string() });
export const updateProfileRequest = z.object({ displayName: displayName.optional() });
export const changePasswordRequest = z.object({ currentPassword: z.string().min(1).max(200), newPassword: password });
export const userSearchQuery = z.object({
  query: z.string().trim().max(100).default(''),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const adminUpdateUserRequest = z.object({ isActive: z.boolean().optional(), isAdmin: z.boolean().optional() });
export const usersResponse = z.object({ users: z.array(user) });

export const messageBody = z.string().trim().min(1, 'must not be empty').max(4000, 'must be at most 4000 characters');
export const clientId = z.string().min(1).max(100);

export const message = z.object({
  id: uuid,
  chatId: uuid,
  seq,
  senderId: uuid,
  clientId: z.string(),
  body: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
});
export type Message = z.infer<typeof message>;

export const chatMember = z.object({
  userId: uuid,
  displayName: z.string(),
  role: z.enum(['owner', 'member']),
});
export type ChatMember = z.infer<typeof chatMember>;

export const chat = z.object({
  id: uuid,
  kind: z.enum(['direct', 'group']),
  title: z.string().nullable(),
  members: z.array(chatMember),
  lastSeq: seq,
  lastMessage: message.nullable(),
  readSeq: seq,
  unread: z.number().int().min(0),
});
export type Chat = z.infer<typeof chat>;

export const createDirectChatRequest = z.object({ userId: uuid });
export const createGroupChatRequest = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  memberIds: z.array(uuid).max(500).default([]),
});
export const addMembersRequest = z.object({ userIds: z.array(uuid).min(1).max(500) });
export const historyQuery = z.object({
  before: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const sendMessageRequest = z.object({ clientId, body: messageBody });
export const readRequest = z.object({ seq });
export const receipt = z.object({ chatId: uuid, userId: uuid, readSeq: seq });
export type Receipt = z.infer<typeof receipt>;
export const receiptsResponse = z.object({ receipts: z.array(z.object({ userId: uuid, readSeq: seq })) });

// Socket payloads (client → server).
export const sendMessageEvent = z.object({ chatId: uuid, clientId, body: messageBody });
export const editMessageEvent = z.object({ chatId: uuid, messageId: uuid, body: messageBody });
export const deleteMessageEvent = z.object({ chatId: uuid, messageId: uuid });
export const readEvent = z.object({ chatId: uuid, seq });
export const typingEvent = z.object({ chatId: uuid, isTyping: z.boolean() });
