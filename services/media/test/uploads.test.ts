import { randomBytes } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { once } from 'node:events';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, type RunningMedia, startMedia, userNamed } from './support.ts';

const LIMIT = 2 * 1024 * 1024;
let media: RunningMedia;
const alice = userNamed('Alice');

beforeAll(async () => {
  media = await startMedia({ maxUploadBytes: LIMIT });
}, 60_000);
afterAll(() => media?.stop());

const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3366aa' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Pocket' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
    })
    .toBuffer();

describe('uploads', () => {
  it('a JPEG is stored without its EXIF and GPS metadata, with its size and a thumbnail', async () => {
    const original = await photo(1200, 800);
    expect((await sharp(original).metadata()).exif?.toString('latin1')).toContain('TestCam');

    const { status, body } = await media.upload(alice, original, 'holiday.jpg', 'image/jpeg');
    expect(status).toBe(201);
    const { attachment } = body;
    expect(attachment).toMatchObject({ name: 'holiday.jpg', mime: 'image/jpeg', width: 1200, height: 800 });
    expect(attachment.url).toBe(`/api/files/${attachment.id}/holiday.jpg`);
    expect(attachment.thumbnailUrl).toMatch(/^\/api\/files\//);

    const file = await media.get(alice, attachment.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('content-disposition')).toMatch(/^inline/);
    const stored = Buffer.from(await file.arrayBuffer());
    expect(stored.length).toBe(attachment.size);
    const metadata = await sharp(stored).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(stored.toString('latin1')).not.toContain('TestCam');

    const thumbnail = await media.get(alice, attachment.thumbnailUrl as string);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.headers.get('cache-control')).toContain('immutable');
    const thumb = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 480, 320]);
  });

  it('a photo taken sideways is stored upright', async () => {
    const sideways = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#aa6633' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { body } = await media.upload(alice, sideways, 'portrait.jpg', 'image/jpeg');
    expect([body.attachment.width, body.attachment.height]).toEqual([400, 600]);
  });

  it('the type comes from the bytes: a PNG named .pdf is an image', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 4, background: '#00ff0080' } })
      .png()
      .toBuffer();
    const { status, body } = await media.upload(alice, png, 'report.pdf', 'application/pdf');
    expect(status).toBe(201);
    expect(body.attachment).toMatchObject({ name: 'report.pdf', mime: 'image/png', width: 64, height: 48 });
    expect(body.attachment.thumbnailUrl).not.toBeNull();
  });

  it('an HTML file is a download that browsers neither sniff nor run', async () => {
    const html = Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>');
    const { body } = await media.upload(alice, html, 'page.html', 'text/html');
    expect(body.attachment).toMatchObject({ mime: 'application/octet-stream', width: null, thumbnailUrl: null });
    const file = await media.get(alice, body.attachment.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename=page.html');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe('sandbox');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(html);
  });

  it('a file name outside ASCII is kept and offered for saving safely', async () => {
    const { body } = await media.upload(alice, Buffer.from('%PDF-1.4\n%%EOF\n'), "отчёт за май's.pdf");
    expect(body.attachment).toMatchObject({ name: "отчёт за май's.pdf", mime: 'application/pdf' });
    expect(body.attachment.url).toBe(`/api/files/${body.attachment.id}/${encodeURIComponent("отчёт за май's.pdf")}`);
    const file = await media.get(alice, body.attachment.url);
    expect(file.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent("отчёт за май's.pdf").replace(/'/g, '%27')}`,
    );
  });

  it('ranges, ETag and If-None-Match', async () => {
    const bytes = randomBytes(10_000);
    const { body } = await media.upload(alice, bytes, 'data.bin');
    const whole = await media.get(alice, body.attachment.url);
    const etag = whole.headers.get('etag') as string;
    expect(etag).toBeTruthy();
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    await whole.arrayBuffer();

    const part = await media.get(alice, body.attachment.url, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));

    const tail = await media.get(alice, body.attachment.url, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(9_990));

    const outside = await media.get(alice, body.attachment.url, { range: 'bytes=20000-' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */10000');
    await outside.arrayBuffer();

    const again = await media.get(alice, body.attachment.url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('a file over the limit is refused with 413 before the client has sent it all, and nothing is kept', async () => {
    const before = await filesUnder(media.dataDir);
    const total = 64 * 1024 * 1024;
    const boundary = 'xxboundaryxx';
    const req = request(`${media.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    req.on('error', () => {});
    const answered = once(req, 'response') as Promise<[import('node:http').IncomingMessage]>;
    let sent = 0;
    let gotAnswer = false;
    void answered.then(() => {
      gotAnswer = true;
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
    const chunk = randomBytes(64 * 1024);
    while (sent < total && !gotAnswer && !req.destroyed) {
      sent += chunk.length;
      if (!req.write(chunk)) {
        await Promise.race([once(req, 'drain'), answered, once(req, 'close')]);
      }
    }
    const [res] = await answered;
    let text = '';
    for await (const piece of res) text += piece;
    req.destroy();
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(text)).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(sent).toBeLessThan(total);
    expect(await filesUnder(media.dataDir)).toEqual(before);
    const rows = await media.db('uploads').where({ name: 'big.bin' });
    expect(rows).toEqual([]);
  });

  it('a declared length over the limit is refused at once', async () => {
    const { status, body } = await media.upload(alice, randomBytes(LIMIT + 200_000), 'big.bin');
    expect(status).toBe(413);
    expect(body.code).toBe('payload_too_large');
  });

  it('a user has at most four uploads in flight; a fifth at the same time is refused with 429', async () => {
    const dave = userNamed('Dave');
    const boundary = 'b0undary';
    const requests = Array.from({ length: 5 }, () => {
      const req = request(`${media.baseUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dave.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      req.on('error', () => {});
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\n\r\n`);
      req.write(randomBytes(10_000));
      return req;
    });
    const answers = requests.map((req, index) =>
      once(req, 'response').then(([res]) => ({ index, res: res as IncomingMessage })),
    );
    // none of them ends until told to: the one that arrives while four are in flight is the first answered
    const refused = await Promise.race(answers);
    expect(refused.res.statusCode).toBe(429);
    let text = '';
    for await (const piece of refused.res) text += piece;
    expect(JSON.parse(text).code).toBe('rate_limited');
    requests[refused.index]?.destroy();

    const others = requests.filter((_, index) => index !== refused.index);
    for (const req of others) req.end(`\r\n--${boundary}--\r\n`);
    const done = await Promise.all(answers.filter((_, index) => index !== refused.index));
    for (const { res } of done) {
      expect(res.statusCode).toBe(201);
      res.resume();
    }
    expect((await media.upload(dave, Buffer.from('hello'), 'sixth.txt')).status).toBe(201);
  });

  it('uploads need a token and a file', async () => {
    const anonymous = await fetch(`${media.baseUrl}/api/uploads`, { method: 'POST', body: new FormData() });
    expect(anonymous.status).toBe(401);
    const form = new FormData();
    form.append('other', 'x');
    const empty = await fetch(`${media.baseUrl}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(empty.status).toBe(400);
  });
});
