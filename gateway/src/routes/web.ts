// Serves the built web app with SPA fallback, and the Content-Security-Policy that lets only its own scripts run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NotFound } from '@chat/kit';
import express, { type Router } from 'express';

/** Hashes of the inline bootstrap scripts in index.html, for script-src. */
export function inlineScriptHashes(webDir: string): string[] {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) return [];
  const html = readFileSync(index, 'utf8');
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '')
        .digest('base64')}'`,
  );
}

export function webRoutes(webDir: string): Router {
  const router = express.Router();
  const index = path.join(webDir, 'index.html');
  router.use(
    '/_app/immutable',
    express.static(path.join(webDir, '_app/immutable'), { immutable: true, maxAge: '365d' }),
  );
  router.use(express.static(webDir, { index: false, maxAge: 0 }));
  // the app's own assets are files or nothing: a missing one is not the page
  router.use('/_app', (_req, _res, next) => next(new NotFound('No such file')));
  router.get(/^(?!\/api\/|\/socket\.io).*/, (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The web app is not built: run `npm run build -w web`.');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
