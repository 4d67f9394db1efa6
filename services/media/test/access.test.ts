import type { Message } from '@chat/kit/contract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, type RunningMedia, startMedia, until, userNamed } from './support.ts';

let media: RunningMedia;
const alice = userNamed('Alice');
const bob = userNamed('Bob');
const carol = userNamed('Carol');

beforeAll(async () => {
  media = await startMedia({ purgeGraceMs: 200 });
  for (const u of [alice, bob, carol]) media.chat.users.set(u.id, { displayName: u.name });
}, 60_000);
afterAll(() => media?.stop());

const photo = () =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: '#112233' } })
    .jpeg()
    .toBuffer();
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

async function send(user: typeof alice, chatId: string, body: Record<string, unknown>) {
  return media.chat.as(user)<Message & { code?: string }>(`/api/chats/${chatId}/messages`, { method: 'POST', body });
}

describe('who may fetch an upload', () => {
  it('the uploader, and members of the chat where it is posted while they are members; nobody else', async () => {
    const group = await media.chat.group(alice, [bob]);
    const image = (await media.upload(alice, await photo(), 'photo.jpg')).body.attachment;
    const doc = (await media.upload(alice, pdf, 'terms.pdf')).body.attachment;

    // before it is posted, only the uploader sees it
    expect((await media.get(alice, image.url)).status).toBe(200);
    expect((await media.get(bob, image.url)).status).toBe(404);

    const sent = await send(alice, group.id, { clientId: 'c1', attachments: [image.id, doc.id] });
    expect(sent.status).toBe(201);
    expect(sent.body.body).toBe('');
    expect(sent.body.attachments).toEqual([image, doc]);

    for (const url of [image.url, image.thumbnailUrl as string, doc.url]) {
      expect((await media.get(bob, url)).status).toBe(200);
      const outsider = await media.get(carol, url);
      expect(outsider.status).toBe(404);
      expect(outsider.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await media.get(bob, doc.url)).headers.get('content-disposition')).toMatch(/^attachment/);

    // every view of the message carries its attachments
    const page = await media.chat.as(bob)<{ messages: Message[] }>(`/api/chats/${group.id}/messages`);
    expect(page.body.messages.at(-1)?.attachments).toEqual([image, doc]);
    const changes = await media.chat.as(bob)<{ changes: { message?: Message }[] }>(
      `/api/chats/${group.id}/changes?after=0`,
    );
    expect(changes.body.changes.at(-1)?.message?.attachments).toEqual([image, doc]);

    const removed = await media.chat.as(alice)(`/api/chats/${group.id}/members/${bob.id}`, { method: 'DELETE' });
    expect(removed.status).toBeLessThan(300);
    expect((await media.get(bob, image.url)).status).toBe(404);
    expect((await media.get(bob, doc.url)).status).toBe(404);
    expect((await media.get(alice, doc.url)).status).toBe(200);
  });

  it('a send names only its sender’s uploads, each in one message; a retry returns the original', async () => {
    const group = await media.chat.group(alice, [bob]);
    const mine = (await media.upload(alice, pdf, 'a.pdf')).body.attachment;
    const bobs = (await media.upload(bob, pdf, 'b.pdf')).body.attachment;

    const others = await send(alice, group.id, { clientId: 'x1', body: 'see', attachments: [bobs.id] });
    expect([others.status, others.body.code]).toEqual([404, 'not_found']);
    const unknown = await send(alice, group.id, { clientId: 'x2', attachments: [crypto.randomUUID()] });
    expect(unknown.status).toBe(404);
    const twice = await send(alice, group.id, { clientId: 'x3', attachments: [mine.id, mine.id] });
    expect(twice.status).toBe(400);
    const empty = await send(alice, group.id, { clientId: 'x4', body: '  ' });
    expect(empty.status).toBe(400);
    const eleven = await send(alice, group.id, {
      clientId: 'x5',
      attachments: Array.from({ length: 11 }, () => crypto.randomUUID()),
    });
    expect(eleven.status).toBe(400);

    const first = await send(alice, group.id, { clientId: 'y1', body: 'the contract', attachments: [mine.id] });
    expect(first.status).toBe(201);
    const retry = await send(alice, group.id, { clientId: 'y1', body: 'the contract', attachments: [mine.id] });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.body.attachments).toEqual([mine]);

    const again = await send(alice, group.id, { clientId: 'y2', attachments: [mine.id] });
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
  });

  it('a deleted message shows no attachments, and its files are purged after the grace period', async () => {
    const group = await media.chat.group(alice, [bob]);
    const before = await filesUnder(media.dataDir);
    const image = (await media.upload(alice, await photo(), 'gone.jpg')).body.attachment;
    expect((await filesUnder(media.dataDir)).length).toBe(before.length + 2);
    const sent = await send(alice, group.id, { clientId: 'd1', body: 'oops', attachments: [image.id] });

    const deleted = await media.chat.as(alice)<Message>(`/api/chats/${group.id}/messages/${sent.body.id}`, {
      method: 'DELETE',
    });
    expect(deleted.body.attachments).toEqual([]);
    expect((await media.get(bob, image.url)).status).toBe(404);
    expect((await media.get(alice, image.url)).status).toBe(404);

    await until(async () => (await media.db('uploads').where({ id: image.id })).length === 0, 30_000);
    expect((await filesUnder(media.dataDir)).sort()).toEqual(before.sort());
  });
});
