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
