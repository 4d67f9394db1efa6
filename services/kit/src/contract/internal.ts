// Shapes of the internal APIs (service to service, never routed by the gateway) that are not in the route table:
// the auth directory, used by chat-history.
import { z } from 'zod';
import { uuid } from './schemas.ts';

/** auth: GET /internal/users?ids=a,b answers the users it knows among those ids. */
export const directoryUser = z.object({ id: uuid, displayName: z.string(), isActive: z.boolean() });
export type DirectoryUser = z.infer<typeof directoryUser>;
export const internalUsersResponse = z.object({ users: z.array(directoryUser) });
