// Attachments through the gateway, with every service running as a real process: a photo and a PDF sent in a group
// reach the other members live and can be fetched by them, and by no one who has left.
import { randomUUID } from 'node:crypto';
import type { MessageWithRev } from '@chat/kit/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, fetchFile, groupOf, next, register, upload } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem();
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('attachments through the gateway', () => {
  it('a photo and a PDF reach the group live; a member who was removed gets 404 for both', async () => {
    const base = system.baseUrl;
    const [first, second, third] = await Promise.all([
      register(base, 'First'),
      register(base, 'Second'),
      register(base, 'Third'),
    ]);
    const group = await groupOf(first, [second, third]);
    const photo = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#2255aa' } })
      .jpeg()
      .toBuffer();
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const image = await upload(base, first, photo, 'sea.jpg');
    const doc = await upload(base, first, pdf, 'ticket.pdf');
    expect(image).toMatchObject({ mime: 'image/jpeg', width: 1600, height: 900 });
    expect(doc).toMatchObject({ mime: 'application/pdf', thumbnailUrl: null });

    const sender = await connect(base, first.token);
    const receiver = await connect(base, second.token);
    const live = next(receiver.socket, 'message:new', (m) => m.chatId === group.id);
    const ack = (await sender.socket.emitWithAck('message:send', {
      chatId: group.id,
      clientId: randomUUID(),
      body: 'from the trip',
      attachments: [image.id, doc.id],
    })) as { ok: boolean; message: MessageWithRev };
    expect(ack.ok).toBe(true);
    const received = await live;
    expect(received.attachments).toEqual([image, doc]);

    for (const url of [image.url, image.thumbnailUrl as string, doc.url]) {
      const res = await fetchFile(base, second, url);
      expect(res.status, url).toBe(200);
      await res.arrayBuffer();
    }
    const pdfAnswer = await fetchFile(base, second, doc.url);
    expect(pdfAnswer.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(Buffer.from(await pdfAnswer.arrayBuffer())).toEqual(pdf);
    expect((await fetchFile(base, third, image.url)).status).toBe(200);

    const removed = await first.api(`/api/chats/${group.id}/members/${third.user.id}`, { method: 'DELETE' });
    expect(removed.status).toBeLessThan(300);
    for (const url of [image.url, doc.url]) {
      const res = await fetchFile(base, third, url);
      expect(res.status, url).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
    expect((await fetchFile(base, second, image.url)).status).toBe(200);
    sender.socket.close();
    receiver.socket.close();
  });

  it('a file just over 25 MiB is refused with 413 through the gateway, and one far over it at once', async () => {
    const base = system.baseUrl;
    const user = await register(base, 'Big');
    for (const size of [25 * 1024 * 1024 + 1024, 40 * 1024 * 1024]) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(size)]), 'big.bin');
      const res = await fetch(`${base}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}` },
        body: form,
      }).catch((err: Error) => err);
      expect(res, String(size)).toBeInstanceOf(Response);
      const answer = res as Response;
      expect(answer.status, String(size)).toBe(413);
      expect(await answer.json()).toMatchObject({ code: 'payload_too_large' });
    }
  });
});
