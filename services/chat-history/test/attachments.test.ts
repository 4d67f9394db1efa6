// Attachments of messages: every view of a message shows them, a deleted message none (and its uploads are released
// to the media service), a send checks them with the media service's catalog of uploads.
import { randomUUID } from 'node:crypto';
import type { Chat, MessageWithRev, SearchResponse, StoredUpload } from '@chat/kit/contract';
import { attachmentOf } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogOf,
  nextEvent,
  type RunningChatHistory,
  startChatHistory,
  startSocketNode,
  type TestUser,
  userNamed,
} from './support.ts';

const known = new Map<string, StoredUpload & { ownerId: string }>();
const released: string[] = [];
let service: RunningChatHistory;
let node: Awaited<ReturnType<typeof startSocketNode>>;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  service = await startChatHistory({ uploads: catalogOf(known, released) });
  node = await startSocketNode(service.redisPrefix);
  [ann, ben] = ['Ann', 'Ben'].map((name) => userNamed(name, service.users)) as [TestUser, TestUser];
});

afterAll(async () => {
  await node?.stop();
  await service?.stop();
});

function uploadOf(owner: TestUser, name: string, image = false): StoredUpload {
  const upload: StoredUpload = {
    id: randomUUID(),
    name,
    size: 1234,
    mime: image ? 'image/png' : 'application/pdf',
    width: image ? 640 : null,
    height: image ? 480 : null,
    hasThumbnail: image,
  };
  known.set(upload.id, { ...upload, ownerId: owner.id });
  return upload;
}

const send = (user: TestUser, chatId: string, body: Record<string, unknown>) =>
  service.as(user)<MessageWithRev & { code?: string }>(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), ...body },
  });

describe('attachments', () => {
  it('show in the live event, history, changes, sync and search, in the order sent', async () => {
    const chat: Chat = await service.group(ann, [ben], 'Trip');
    const photo = uploadOf(ann, 'beach.png', true);
    const doc = uploadOf(ann, 'tickets.pdf');
    const expected = [attachmentOf(photo), attachmentOf(doc)];
    expect(expected[0]?.url).toBe(`/api/files/${photo.id}/beach.png`);

    const bens = await node.connect(ben.id, [chat.id]);
    const live = nextEvent(bens, 'message:new', (m) => m.chatId === chat.id);
    const sent = await send(ann, chat.id, { body: 'holiday photos', attachments: [photo.id, doc.id] });
    expect(sent.status).toBe(201);
    expect(sent.body.attachments).toEqual(expected);
    expect((await live).attachments).toEqual(expected);

    const page = await service.as(ben)<{ messages: MessageWithRev[] }>(`/api/chats/${chat.id}/messages`);
    expect(page.body.messages.at(-1)?.attachments).toEqual(expected);
    const sync = await service.as(ben)<{ chats: Chat[] }>('/api/sync', { method: 'POST', body: { chats: {} } });
    expect(sync.body.chats.find((c) => c.id === chat.id)?.lastMessage?.attachments).toEqual(expected);
    const found = await service.as(ben)<SearchResponse>(`/api/search?q=${encodeURIComponent('holiday')}`);
    expect(found.body.results[0]?.message.attachments).toEqual(expected);
  });

  it('a deleted message shows none, and its uploads are released', async () => {
    const chat: Chat = await service.group(ann, [ben], 'Oops');
    const photo = uploadOf(ann, 'wrong.png', true);
    const sent = await send(ann, chat.id, { attachments: [photo.id] });
    expect(sent.body.body).toBe('');
    const deleted = await service.as(ann)<MessageWithRev>(`/api/chats/${chat.id}/messages/${sent.body.id}`, {
      method: 'DELETE',
    });
    expect(deleted.body.attachments).toEqual([]);
    expect(released).toContain(photo.id);
    const page = await service.as(ben)<{ messages: MessageWithRev[] }>(`/api/chats/${chat.id}/messages`);
    expect(page.body.messages.at(-1)?.attachments).toEqual([]);
    const viewer = await service.internal<{ canView: boolean }>(`/internal/uploads/${photo.id}/viewers/${ben.id}`);
    expect(viewer.body.canView).toBe(false);
  });

  it('only the sender’s own uploads, each in one message', async () => {
    const chat: Chat = await service.group(ann, [ben], 'Rules');
    const bens = uploadOf(ben, 'his.pdf');
    expect((await send(ann, chat.id, { attachments: [bens.id] })).body.code).toBe('not_found');
    const mine = uploadOf(ann, 'mine.pdf');
    expect((await send(ann, chat.id, { attachments: [mine.id] })).status).toBe(201);
    const again = await send(ann, chat.id, { body: 'once more', attachments: [mine.id] });
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
    const viewer = await service.internal<{ canView: boolean }>(`/internal/uploads/${mine.id}/viewers/${ben.id}`);
    expect(viewer.body.canView).toBe(true);
  });
});
