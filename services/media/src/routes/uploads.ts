// POST /api/uploads: one file per request, streamed; a user has a few uploads in flight at once at most.
import { AppError, PayloadTooLarge, principalOf, RateLimited } from '@chat/kit';
import { Router } from 'express';
import { Counter } from 'prom-client';
import { receiveUpload } from '../domain/receiveUpload.ts';
import type { MediaDeps } from './deps.ts';

/** What multipart framing may add around the file (boundaries, part headers, a long file name). */
const FRAMING_BYTES = 64 * 1024;

export function uploadRoutes(deps: MediaDeps): Router {
  const router = Router();
  const inFlight = new Map<string, number>();
  const received = new Counter({
    name: 'uploads_total',
    help: 'Uploads by kind (image, file) and outcome (stored, or the error code)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [deps.metrics.registry],
  });
  const bytes = new Counter({
    name: 'upload_bytes_total',
    help: 'Bytes stored by uploads (images as stored again, without metadata)',
    registers: [deps.metrics.registry],
  });

  router.post('/api/uploads', async (req, res) => {
    const { userId } = principalOf(res);
    try {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > deps.limits.maxUploadBytes + FRAMING_BYTES) {
        // up to twice the limit the body is read and dropped after the answer (clients that read the answer only
        // once they have sent everything see the 413); a larger one is cut off with the connection
        if (declared > 2 * deps.limits.maxUploadBytes) res.setHeader('Connection', 'close');
        throw new PayloadTooLarge(`A file may have at most ${deps.limits.maxUploadBytes} bytes`);
      }
      const running = inFlight.get(userId) ?? 0;
      if (running >= deps.limits.uploadsPerUser) throw new RateLimited(1, 'Too many uploads at once');
      inFlight.set(userId, running + 1);
      try {
        const attachment = await receiveUpload(deps, {
          ownerId: userId,
          request: req,
          maxBytes: deps.limits.maxUploadBytes,
        });
        received.inc({ kind: attachment.thumbnailUrl ? 'image' : 'file', outcome: 'stored' });
        bytes.inc(attachment.size);
        res.status(201).json({ attachment });
      } finally {
        const left = (inFlight.get(userId) ?? 1) - 1;
        if (left === 0) inFlight.delete(userId);
        else inFlight.set(userId, left);
      }
    } catch (err) {
      received.inc({ kind: 'unknown', outcome: err instanceof AppError ? err.code : 'internal' });
      // a body refused while it streams in is not read further: the answer goes out and the connection closes
      if (err instanceof AppError && !req.complete && req.readableFlowing) {
        req.unpipe();
        res.setHeader('Connection', 'close');
      }
      throw err;
    }
  });

  return router;
}
