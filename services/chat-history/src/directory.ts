// Who a user id belongs to, asked of the auth service (the owner of users) through its internal API.
import { createInternalClient } from '@chat/kit';
import { type DirectoryUser, internalUsersResponse } from '@chat/kit/contract';

export type { DirectoryUser };

export interface UserDirectory {
  /** The users known among `ids` (unknown ids are simply absent). */
  lookup(ids: string[], requestId?: string): Promise<DirectoryUser[]>;
}

// Keeps the request line well under Node's 16 KiB header limit.
const IDS_PER_CALL = 100;

export function createAuthDirectory(authUrl: string, internalToken: string): UserDirectory {
  const call = createInternalClient(authUrl, internalToken);
  return {
    async lookup(ids, requestId) {
      const users: DirectoryUser[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
        const chunk = ids.slice(i, i + IDS_PER_CALL);
        const answer = await call<unknown>(`/internal/users?ids=${chunk.map(encodeURIComponent).join(',')}`, {
          requestId,
        });
        users.push(...internalUsersResponse.parse(answer).users);
      }
      return users;
    },
  };
}
