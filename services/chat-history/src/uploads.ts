// Uploads a message may carry, asked of the media service (the owner of uploads) through its internal API.
import { createInternalClient } from '@chat/kit';
import { type StoredUpload, uploadLookupResponse } from '@chat/kit/contract';

export interface UploadCatalog {
  /** The owner's uploads among `ids` that can still be posted (unknown, others' and released ones are absent). */
  lookup(ownerId: string, ids: string[], requestId?: string): Promise<StoredUpload[]>;
  /** The message they were posted in is deleted: the media service removes them after its grace period. */
  release(ids: string[], requestId?: string): Promise<void>;
}

export function createMediaCatalog(mediaUrl: string, internalToken: string): UploadCatalog {
  const call = createInternalClient(mediaUrl, internalToken);
  return {
    async lookup(ownerId, ids, requestId) {
      const answer = await call<unknown>('/internal/uploads/lookup', {
        method: 'POST',
        body: { ownerId, ids },
        requestId,
      });
      return uploadLookupResponse.parse(answer).uploads;
    },
    async release(ids, requestId) {
      await call<unknown>('/internal/uploads/release', { method: 'POST', body: { ids }, requestId });
    },
  };
}
