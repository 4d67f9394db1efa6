// The internal API chat-history calls (never routed by the gateway): the uploads a message may carry, and releasing
// those of a deleted message.
import { parseInput } from '@chat/kit';
import { uploadLookupRequest, uploadReleaseRequest } from '@chat/kit/contract';
import { Router } from 'express';
import { liveUploadsOf, storedUploadOf } from '../db/uploads.ts';
import { releaseUploads } from '../domain/purge.ts';
import type { MediaDeps } from './deps.ts';

export function internalRoutes(deps: MediaDeps): Router {
  const router = Router();

  router.post('/internal/uploads/lookup', async (req, res) => {
    const { ownerId, ids } = parseInput(uploadLookupRequest, req.body);
    const rows = await liveUploadsOf(deps.db, ownerId.toLowerCase(), [...new Set(ids.map((id) => id.toLowerCase()))]);
    res.json({ uploads: rows.map(storedUploadOf) });
  });

  router.post('/internal/uploads/release', async (req, res) => {
    const { ids } = parseInput(uploadReleaseRequest, req.body);
    await releaseUploads(
      { db: deps.db, purges: deps.purges, graceMs: deps.limits.purgeGraceMs },
      ids.map((id) => id.toLowerCase()),
    );
    res.status(202).end();
  });

  return router;
}
