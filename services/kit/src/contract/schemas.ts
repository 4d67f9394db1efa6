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
  'payload_too_large',
  'resync_required',
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

/** Bidirectional controls (embeddings, overrides, isolates, marks): in a name they make it read as something else. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** What shows nothing: controls, formatting (zero-width, joiners, bidi), spaces, fillers, variation selectors. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/gu;
/** True when a text shows at least one character. */
export const isVisible = (text: string) => text.replace(INVISIBLE, '').length > 0;

/** A name people see (of a user or a group): bidi controls removed, trimmed, with something visible in it. */
const nameOf = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(BIDI_CONTROLS, '').trim())
    .pipe(
      z
        .string()
        .min(1, { error: 'must not be empty', abort: true })
        .max(max, `must be at most ${max} characters`)
        .refine(isVisible, 'must have a visible character'),
    );

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'must be an e-mail address' }).max(254));
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters');
const displayName = nameOf(64);

export const registerRequest = z.object({ email, password, displayName });
export const loginRequest = z.object({ email, password: z.string().min(1).max(200) });
export const authResponse = z.object({ user, accessToken: z.string() });
export const refreshResponse = z.object({ accessToken: z.string() });
export const updateProfileRequest = z.object({ displayName: displayName.optional() });
export const changePasswordRequest = z.object({ currentPassword: z.string().min(1).max(200), newPassword: password });
/** What any signed-in user may learn of another: enough to start a chat. */
export const userSummary = z.object({ id: uuid, displayName: z.string() });
export type UserSummary = z.infer<typeof userSummary>;
export const userSearchQuery = z.object({
  query: z.string().trim().min(2, 'must be at least 2 characters').max(100, 'must be at most 100 characters'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const adminUpdateUserRequest = z.object({ isActive: z.boolean().optional(), isAdmin: z.boolean().optional() });
export const usersResponse = z.object({ users: z.array(user) });
export const userSearchResponse = z.object({ users: z.array(userSummary) });

export const messageBody = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty', abort: true })
  .max(4000, 'must be at most 4000 characters')
  .refine(isVisible, 'must have a visible character');
export const clientId = z.string().min(1).max(100);

/** One emoji: a single grapheme that is an RGI emoji (skin tones, flags, keycaps and ZWJ sequences included). */
const oneEmoji = /^\p{RGI_Emoji}$/v;
export const emoji = z
  .string()
  .max(64)
  .refine((s) => oneEmoji.test(s), 'must be one emoji');

/** What a reply shows of the message it answers, as that message is now. */
export const replyPreview = z.object({
  id: uuid,
  seq,
  senderId: uuid,
  /** The first 120 characters of its current body; empty once it is deleted. */
  preview: z.string(),
  deleted: z.boolean(),
});
export const REPLY_PREVIEW_LENGTH = 120;

export const reaction = z.object({ emoji: z.string(), userIds: z.array(uuid) });
export type Reaction = z.infer<typeof reaction>;
export const MAX_REACTIONS_PER_MESSAGE = 20;

/** `@[Display Name](userId)` names a member; `@[all](all)` every member of a group. */
export const MENTION_PATTERN = /@\[([^\]\n]{1,64})\]\(([0-9a-fA-F-]{36}|all)\)/g;
export const MENTION_ALL = 'all';

/** A file posted with a message; `url` and `thumbnailUrl` need the bearer token like every other call. */
export const attachment = z.object({
  id: uuid,
  name: z.string(),
  size: z.number().int().min(0),
  mime: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
});
export type Attachment = z.infer<typeof attachment>;
export const MAX_ATTACHMENTS = 10;
export const THUMBNAIL_SIZE = 480;

/** Where a file and its thumbnail are served (the media service, under /api/files/). */
export const fileUrlOf = (id: string, name: string) => `/api/files/${id}/${encodeURIComponent(name)}`;
export const thumbnailUrlOf = (id: string) => `/api/files/thumbnails/${id}.webp`;

/** An upload as the media service records it; the attachment members see is made from it. */
export const storedUpload = z.object({
  id: uuid,
  name: z.string(),
  size: z.number().int().min(0),
  mime: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  hasThumbnail: z.boolean(),
});
export type StoredUpload = z.infer<typeof storedUpload>;

export function attachmentOf({ hasThumbnail, ...upload }: StoredUpload): Attachment {
  return {
    ...upload,
    url: fileUrlOf(upload.id, upload.name),
    thumbnailUrl: hasThumbnail ? thumbnailUrlOf(upload.id) : null,
  };
}

/** Upload ids sent with a message: at most ten, each once. */
export const attachmentIds = z
  .array(uuid)
  .max(MAX_ATTACHMENTS, `must be at most ${MAX_ATTACHMENTS}`)
  .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, 'must not repeat an upload');

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
  replyTo: replyPreview.nullable(),
  /** Members named in the body (ids), and `all` when it mentions everyone in a group. */
  mentions: z.array(z.string()),
  /** In first-use order. */
  reactions: z.array(reaction),
  /** In the order they were sent; none once the message is deleted. */
  attachments: z.array(attachment),
});
export type Message = z.infer<typeof message>;
/** A message as a live event, a socket ack or a write's answer carry it: with the chat `rev` its change produced. */
export const messageWithRev = message.extend({ rev: seq });
export type MessageWithRev = z.infer<typeof messageWithRev>;

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
  /** The chat's latest change: grows by exactly 1 on every change a member can see. */
  rev: seq,
  /** Messages after readSeq that mention the viewer or everyone. */
  unreadMentions: z.number().int().min(0),
  /** Pinned messages, newest first. */
  pinned: z.array(uuid),
  /** The first unread message (a divider goes above it), or null when nothing is unread. */
  firstUnreadSeq: seq.nullable(),
  /** What this member is notified of (defaults: direct chats all, groups mentions); none = muted. */
  notify: z.enum(['all', 'mentions', 'none']),
  muted: z.boolean(),
  /** The member marked the chat unread; it stays so until their next read. */
  markedUnread: z.boolean(),
});
export type Chat = z.infer<typeof chat>;

export const changeKinds = ['message.new', 'message.updated', 'chat.updated', 'member.removed'] as const;
/** One recorded change of a chat, as the client replays it: the whole message or chat as it is now. */
export const change = z.object({
  rev: seq,
  kind: z.enum(changeKinds),
  message: message.optional(),
  chat: chat.optional(),
  userId: uuid.optional(),
});
export type Change = z.infer<typeof change>;

export const changesQuery = z.object({
  after: z.coerce.number().int().min(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const changesResponse = z.object({ changes: z.array(change), rev: seq, hasMore: z.boolean() });
export const searchQuery = z.object({
  q: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  chatId: uuid.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(200).optional(),
});
export const searchResult = z.object({
  message,
  chatId: uuid,
  chatTitle: z.string(),
  /** [start, end) character offsets into message.body. */
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
});
export const searchResponse = z.object({ results: z.array(searchResult), nextCursor: z.string().nullable() });
export type SearchResponse = z.infer<typeof searchResponse>;

export const notifyLevels = ['all', 'mentions', 'none'] as const;
export type NotifyLevel = (typeof notifyLevels)[number];
export const notifyRequest = z.object({ notify: z.enum(notifyLevels) });
export const pushKeyResponse = z.object({ publicKey: z.string() });
export const pushSubscriptionRequest = z.object({
  endpoint: z.url().max(2000),
  keys: z.object({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
});
export const pushUnsubscribeRequest = z.object({ endpoint: z.string().min(1).max(2000) });
/** What a push carries (encrypted for the subscription, RFC 8291). */
export const pushPayload = z.object({
  chatId: uuid,
  messageId: uuid,
  seq,
  title: z.string(),
  body: z.string(),
});
export type PushPayload = z.infer<typeof pushPayload>;
export const MAX_PUSH_SUBSCRIPTIONS = 10;

export const MAX_PINS = 50;
export const pinsUpdate = z.object({ chatId: uuid, pinned: z.array(uuid), rev: seq });
export type PinsUpdate = z.infer<typeof pinsUpdate>;

export type ChangesResponse = z.infer<typeof changesResponse>;

export const syncRequest = z.object({
  /** The rev the client holds for each chat it holds. */
  chats: z.record(uuid, seq).refine((held) => Object.keys(held).length <= 2000, 'at most 2000 chats'),
});
export const syncResponse = z.object({
  /** Every chat the user is in now. */
  chats: z.array(chat),
  /** Changes after the rev the client sent, per chat, at most 200 each. */
  changes: z.record(uuid, z.array(change)),
  /** Chats the client sent that the user is no longer in. */
  removed: z.array(uuid),
  /** Chats with more changes than were sent: fetch `…/changes?after=` for the rest. */
  hasMore: z.array(uuid),
  /** Chats whose changes after the sent rev are no longer kept: reload their newest page. */
  resync: z.array(uuid),
});
export type SyncResponse = z.infer<typeof syncResponse>;

export const createDirectChatRequest = z.object({ userId: uuid });
export const createGroupChatRequest = z.object({
  title: nameOf(100),
  memberIds: z.array(uuid).max(500).default([]),
});
export const updateChatRequest = z.object({
  title: nameOf(100),
});
export const addMembersRequest = z.object({ userIds: z.array(uuid).min(1).max(500) });
export const historyQuery = z.object({
  before: z.coerce.number().int().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  /** The page centred on this seq (to jump to a reply's original or a search hit). */
  around: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
/** A body, attachments, or both: without attachments the body must show something. */
const sendable = <T extends { body?: string; attachments?: string[] }>(send: T, ctx: z.core.$RefinementCtx<T>) => {
  if (send.body === undefined && (send.attachments ?? []).length === 0) {
    ctx.addIssue({ code: 'custom', path: ['body'], message: 'must not be empty without attachments' });
  }
};
/** An empty body is allowed with attachments (and then is empty); otherwise it is a message body. */
const sendBody = z
  .union([
    z
      .string()
      .trim()
      .length(0)
      .transform(() => undefined),
    messageBody,
  ])
  .optional();
export const sendMessageRequest = z
  .object({ clientId, body: sendBody, replyTo: uuid.optional(), attachments: attachmentIds.optional() })
  .superRefine(sendable);
export const editMessageRequest = z.object({ body: messageBody });
export const readRequest = z.object({ seq });
export const receipt = z.object({ chatId: uuid, userId: uuid, readSeq: seq });
export type Receipt = z.infer<typeof receipt>;
export const receiptsResponse = z.object({ receipts: z.array(z.object({ userId: uuid, readSeq: seq })) });

// Socket payloads (client → server).
export const sendMessageEvent = z
  .object({
    chatId: uuid,
    clientId,
    body: sendBody,
    replyTo: uuid.optional(),
    attachments: attachmentIds.optional(),
  })
  .superRefine(sendable);
export const reactionEvent = z.object({ chatId: uuid, messageId: uuid, emoji });
export const editMessageEvent = z.object({ chatId: uuid, messageId: uuid, body: messageBody });
export const deleteMessageEvent = z.object({ chatId: uuid, messageId: uuid });
export const readEvent = z.object({ chatId: uuid, seq });
export const typingEvent = z.object({ chatId: uuid, isTyping: z.boolean() });
