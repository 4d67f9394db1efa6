// A push service for tests, on 127.0.0.1: records what it receives, answers as told; and a browser-side subscription
// with its own P-256 keys that decrypts what it got (RFC 8291, aes128gcm).
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushPayload } from '@chat/kit/contract';
import ece from 'http_ece';

export type ReceivedPush = { path: string; headers: IncomingMessage['headers']; body: Buffer };

export async function startPushService() {
  const received: ReceivedPush[] = [];
  const waiting: (() => void)[] = [];
  /** Status to answer per path (default 201). */
  const answers = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
    for (const wake of waiting.splice(0)) wake();
    res.writeHead(answers.get(req.url ?? '') ?? 201).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    answers,
    /** A subscription as a browser would make one, and how to read what is pushed to it. */
    subscription(name = randomBytes(6).toString('hex')) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const path = `/push/${name}`;
      return {
        path,
        body: {
          endpoint: `${base}${path}`,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        },
        decrypt: (push: ReceivedPush): PushPayload =>
          JSON.parse(
            ece
              .decrypt(push.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth.toString('base64url') })
              .toString(),
          ),
      };
    },
    /** The next push to `path` (already received ones count), within `timeoutMs`. */
    async next(path: string, timeoutMs = 5_000, after = 0): Promise<ReceivedPush> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter((r) => r.path === path)[after];
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no push to ${path} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
