import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Storage, type RunningMedia, startMedia, startS3, userNamed } from './support.ts';

let s3: Awaited<ReturnType<typeof startS3>>;
let media: RunningMedia;
const alice = userNamed('Alice');

beforeAll(async () => {
  s3 = await startS3();
  media = await startMedia({ storage: createS3Storage(s3.settings), maxUploadBytes: 6 * 1024 * 1024 });
}, 60_000);
afterAll(async () => {
  await media?.stop();
  await s3?.stop();
});

const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

describe('the S3 storage driver', () => {
  it('stores, reads whole and in ranges, and removes objects', async () => {
    const storage = createS3Storage(s3.settings);
    const bytes = randomBytes(50_000);
    await storage.put('aa/x/original', Readable.from([bytes.subarray(0, 20_000), bytes.subarray(20_000)]), 'x/y');
    expect(await text(await storage.get('aa/x/original'))).toEqual(bytes);
    expect(await text(await storage.get('aa/x/original', { start: 10, end: 19 }))).toEqual(bytes.subarray(10, 20));
    await storage.remove('aa/x/original');
    expect(await s3.keys()).not.toContain('aa/x/original');
    await storage.check();
  });

  it('a stream that fails midway leaves no object', async () => {
    const storage = createS3Storage(s3.settings);
    async function* failing() {
      yield randomBytes(6 * 1024 * 1024);
      throw new Error('client went away');
    }
    await expect(storage.put('bb/y/original', Readable.from(failing()), 'x/y')).rejects.toThrow();
    expect(await s3.keys()).not.toContain('bb/y/original');
  });

  it('uploads through the service land in the bucket and are served with ranges', async () => {
    const image = await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#445566' } })
      .png()
      .toBuffer();
    const { status, body } = await media.upload(alice, image, 'wide.png');
    expect(status).toBe(201);
    expect(body.attachment).toMatchObject({ mime: 'image/png', width: 1000, height: 500 });
    expect((await s3.keys()).filter((k) => k.includes(body.attachment.id))).toHaveLength(2);

    const whole = await media.get(alice, body.attachment.url);
    const stored = Buffer.from(await whole.arrayBuffer());
    expect(stored.length).toBe(body.attachment.size);
    const part = await media.get(alice, body.attachment.url, { range: 'bytes=0-7' });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(stored.subarray(0, 8));
    const thumb = await sharp(
      Buffer.from(await (await media.get(alice, body.attachment.thumbnailUrl as string)).arrayBuffer()),
    ).metadata();
    expect([thumb.width, thumb.height]).toEqual([480, 240]);
  });

  it('an upload over the limit leaves nothing in the bucket', async () => {
    const before = await s3.keys();
    const form = new FormData();
    form.append('file', new Blob([randomBytes(7 * 1024 * 1024)]), 'big.bin');
    // no declared length: the service finds out while it streams
    const multipart = new Request('http://x', { method: 'POST', body: form });
    const res = await fetch(`${media.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.token}`,
        'content-type': multipart.headers.get('content-type') as string,
      },
      body: multipart.body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await s3.keys()).toEqual(before);
  });
});
