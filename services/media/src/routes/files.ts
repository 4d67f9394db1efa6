// GET /api/files/…: an upload's bytes (or its thumbnail) for those who may see it, with ranges and revalidation.
import { pipeline } from 'node:stream/promises';
import { principalOf, requestIdOf, uuidParam } from '@chat/kit';
import { create as contentDisposition } from 'content-disposition';
import { type Request, type Response, Router } from 'express';
import { isInline } from '../domain/images.ts';
import { type OpenedFile, openFile } from '../domain/openFile.ts';
import type { ByteRange } from '../storage/storage.ts';
import type { MediaDeps } from './deps.ts';

export function fileRoutes(deps: MediaDeps): Router {
  const router = Router();

  router.get('/api/files/thumbnails/:file', async (req, res) => {
    const uploadId = uuidParam(String(req.params.file).replace(/\.webp$/, ''), 'file');
    const opened = await openFile(deps, {
      uploadId,
      userId: principalOf(res).userId,
      thumbnail: true,
      requestId: requestIdOf(req),
    });
    // a thumbnail never changes under its URL; only its access does, and that is checked on every request
    await send(deps, req, res, opened, { etag: `"t-${uploadId}"`, cache: 'private, max-age=31536000, immutable' });
  });

  router.get('/api/files/:id/:name', async (req, res) => {
    const uploadId = uuidParam(req.params.id, 'id');
    const opened = await openFile(deps, { uploadId, userId: principalOf(res).userId, requestId: requestIdOf(req) });
    res.setHeader(
      'Content-Disposition',
      contentDisposition(opened.row.name, { type: isInline(opened.mime) ? 'inline' : 'attachment' }),
    );
    await send(deps, req, res, opened, { etag: `"f-${uploadId}"`, cache: 'private, no-cache' });
  });

  return router;
}

async function send(
  deps: MediaDeps,
  req: Request,
  res: Response,
  opened: OpenedFile,
  { etag, cache }: { etag: string; cache: string },
) {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', 'sandbox');
  res.setHeader('Cache-Control', cache);
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.type(opened.mime);
  if (matches(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  const size = opened.size;
  let range: ByteRange | undefined;
  // a Range whose If-Range names another version gets the whole file
  const ifRange = req.headers['if-range'];
  if (size !== undefined && req.headers.range && (!ifRange || ifRange === etag)) {
    const ranges = req.range(size, { combine: true });
    if (ranges === -1) {
      res.status(416).setHeader('Content-Range', `bytes */${size}`).end();
      return;
    }
    // one range is served as asked; several (or a malformed header) get the whole file
    if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) {
      range = ranges[0] as ByteRange;
      res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    }
  }
  const length = range ? range.end - range.start + 1 : size;
  if (length !== undefined) res.setHeader('Content-Length', String(length));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const body = await deps.storage.get(opened.key, range);
  try {
    await pipeline(body, res);
  } catch (err) {
    // the reader went away midway: nothing left to answer
    if (!res.headersSent) throw err;
    res.destroy();
  }
}

/** Whether an If-None-Match header names this entity tag (weak comparison, as RFC 9110 asks for it). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
