// Test support: the real media app on a fresh database with local (or S3) storage, next to the real chat-history app
// that answers who may see a posted upload and asks media about uploads sent with a message.
import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startChatHistory, type TestUser } from '@chat/chat-history/testing';
import { createMediaCatalog } from '@chat/chat-history/uploads';
import {
  closeServer,
  createKnex,
  createLogger,
  createMetrics,
  createRedis,
  createTokenVerifier,
  listen,
} from '@chat/kit';
import type { Attachment } from '@chat/kit/contract';
import { createTestDatabase, devKeys, testPrefix, testRedisUrl } from '@chat/infra/testing';
import S3rver from 's3rver';
import { createApp } from '../src/app.ts';
import { createPurgeQueue, createPurgeWorker } from '../src/domain/purge.ts';
import { createChatViewers } from '../src/domain/viewers.ts';
import { createLocalStorage } from '../src/storage/localDisk.ts';
import { createS3Storage, type S3Settings } from '../src/storage/s3.ts';
import type { Storage } from '../src/storage/storage.ts';

export { until } from '@chat/infra/testing';
export { userNamed, type TestUser } from '@chat/chat-history/testing';

const INTERNAL_TOKEN = 'test-internal-token-0123456789';

export type MediaOptions = {
  maxUploadBytes?: number;
  uploadsPerUser?: number;
  purgeGraceMs?: number;
  /** Another storage than a fresh directory. */
  storage?: Storage;
};

/** Media and chat-history, each on its own fresh database and an ephemeral port, wired to each other. */
export async function startMedia(options: MediaOptions = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'media-'));
  const storage = options.storage ?? createLocalStorage(dataDir);
  const database = await createTestDatabase();
  const db = createKnex(database.url, 'media', { min: 0, max: 10 });
  const redis = createRedis(testRedisUrl());
  const worker = createRedis(testRedisUrl(), { maxRetriesPerRequest: null });
  const redisPrefix = testPrefix();
  const logger = createLogger('media', 'silent');
  const purges = createPurgeQueue(redis, redisPrefix);
  let chatHistoryUrl = '';
  const app = createApp({
    db,
    redis,
    storage,
    viewers: { canView: (...args) => createChatViewers(chatHistoryUrl, INTERNAL_TOKEN).canView(...args) },
    purges,
    verifyToken: createTokenVerifier(devKeys.publicKey()),
    internalToken: INTERNAL_TOKEN,
    logger,
    metrics: createMetrics('media'),
    limits: {
      maxUploadBytes: options.maxUploadBytes ?? 25 * 1024 * 1024,
      uploadsPerUser: options.uploadsPerUser ?? 4,
      purgeGraceMs: options.purgeGraceMs ?? 86_400_000,
    },
  });
  const purger = createPurgeWorker({ connection: worker, redisPrefix, db, storage, logger });
  const server = await listen(createHttpServer(app), 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const chat = await startChatHistory({ uploads: createMediaCatalog(baseUrl, INTERNAL_TOKEN) });
  chatHistoryUrl = chat.baseUrl;
  return {
    baseUrl,
    db,
    dataDir,
    chat,
    /** Uploads `bytes` as the user; answers the status and the JSON body. */
    upload: async (user: TestUser, bytes: Uint8Array, name: string, type = 'application/octet-stream') => {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), name);
      const res = await fetch(`${baseUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}` },
        body: form,
      });
      return { status: res.status, body: (await res.json()) as { attachment: Attachment; code?: string } };
    },
    /** GETs a path of the media service as the user. */
    get: (user: TestUser, urlPath: string, headers: Record<string, string> = {}) =>
      fetch(`${baseUrl}${urlPath}`, { headers: { authorization: `Bearer ${user.token}`, ...headers } }),
    stop: async () => {
      await chat.stop();
      await closeServer(server);
      await purger.close();
      await purges.close();
      await db.destroy();
      redis.disconnect();
      worker.disconnect();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type RunningMedia = Awaited<ReturnType<typeof startMedia>>;

/** Every file under a directory (what local storage holds). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** An S3-compatible server: TEST_S3_URL when set, else s3rver on 127.0.0.1 with a directory of its own. */
export async function startS3(): Promise<{
  settings: S3Settings;
  keys: () => Promise<string[]>;
  stop: () => Promise<void>;
}> {
  const bucket = `media-${testPrefix()}`;
  let endpoint = process.env.TEST_S3_URL;
  let server: S3rver | undefined;
  const directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  if (!endpoint) {
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
    const { port } = (await server.run()) as AddressInfo;
    endpoint = `http://127.0.0.1:${port}`;
  }
  const settings: S3Settings = {
    endpoint,
    bucket,
    region: 'us-east-1',
    accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? 'S3RVER',
    secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
    forcePathStyle: true,
  };
  const client = new S3Client({
    endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId as string, secretAccessKey: settings.secretAccessKey as string },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    settings,
    keys: async () =>
      ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key as string),
    stop: async () => {
      client.destroy();
      await server?.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export { createS3Storage };
