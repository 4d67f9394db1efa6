// Shapes of the internal APIs (service to service, never routed by the gateway) that are not in the route table:
// the auth directory, used by chat-history.
import { z } from 'zod';
import { storedUpload, uuid } from './schemas.ts';

/** auth: GET /internal/users?ids=a,b answers the users it knows among those ids. */
export const directoryUser = z.object({ id: uuid, displayName: z.string(), isActive: z.boolean() });
export type DirectoryUser = z.infer<typeof directoryUser>;
export const internalUsersResponse = z.object({ users: z.array(directoryUser) });

/** media: POST /internal/uploads/lookup answers the owner's uploads among `ids` that are not released. */
export const uploadLookupRequest = z.object({ ownerId: uuid, ids: z.array(uuid).max(100) });
export const uploadLookupResponse = z.object({ uploads: z.array(storedUpload) });
/** media: POST /internal/uploads/release: their message is deleted; the bytes go after the grace period. */
export const uploadReleaseRequest = z.object({ ids: z.array(uuid).min(1).max(100) });

/**
 * chat-history: POST /internal/messages, the sends a realtime node's sockets made at about the same moment, each on
 * behalf of its socket's user. `message` is what the socket sent (checked like a REST send's body). The answer is
 * JSON lines (application/x-ndjson), one per send as soon as its outcome is known, in any order: the send's index,
 * its status and message (201, or 200 for a repeated clientId), or its status and problem.
 */
export const SEND_BATCH_PATH = '/internal/messages';
export const sendBatchRequest = z.object({
  sends: z
    .array(
      z.object({
        userId: uuid,
        displayName: z.string().max(500),
        chatId: z.string().max(100),
        message: z.unknown(),
        requestId: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(100),
});
export type SendBatchRequest = z.input<typeof sendBatchRequest>;
export type SendBatchLine = { i: number; status: number; body: unknown; retryAfter?: number };
