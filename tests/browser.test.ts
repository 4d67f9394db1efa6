// Two people in two browser contexts against the whole system: live both ways, read marks, offline and back.
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubble, launchBrowser, logIn, openChatTitled, type } from './support/browser.ts';
import { apiFor, login } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let browser: Browser;

beforeAll(async () => {
  buildWebIfStale(repoRoot);
  system = await startSystem();
  // the demo chats, as npm start makes them
  const { seedDemoChats } = await import('@chat/infra/demo-chats');
  await seedDemoChats(system.baseUrl);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('the web app', () => {
  it('lets two people chat both ways live, and shows the author when it was read', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await type(first.page, 'Hello from first');
    // second has the chat list open, not the chat: the unread badge appears live
    await second.page.getByTestId('chat-item').filter({ hasText: 'First' }).getByTestId('unread-badge').waitFor();
    await openChatTitled(second.page, 'First');
    await bubble(second.page, 'Hello from first').waitFor();
    await type(second.page, 'Hi first, second here');
    await bubble(first.page, 'Hi first, second here').waitFor();
    // second opened the chat, so first's message shows as read (✓✓) for its author
    await expect
      .poll(() => bubble(first.page, 'Hello from first').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('read');
    await first.context.close();
    await second.context.close();
  });

  it('shows what was missed while offline, and sends what was typed offline exactly once, without a reload', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await openChatTitled(second.page, 'First');

    await first.context.setOffline(true);
    await first.page.getByTestId('connection-status').waitFor();
    await type(second.page, 'sent while you were away');
    await type(first.page, 'typed while offline');
    expect(await bubble(first.page, 'typed while offline').getAttribute('data-status')).toBe('pending');

    await first.context.setOffline(false);
    await bubble(first.page, 'sent while you were away').waitFor();
    await bubble(second.page, 'typed while offline').waitFor();
    await first.page.getByTestId('connection-status').waitFor({ state: 'detached' });

    const api = apiFor(system.baseUrl, (await login(system.baseUrl, 'second@mail.ru')).token);
    const { body } = await api<{ chats: { id: string; title: string | null; kind: string }[] }>('/api/chats');
    const direct = body.chats.find((c) => c.kind === 'direct');
    const history = await api<{ messages: { body: string }[] }>(`/api/chats/${direct?.id}/messages?limit=100`);
    expect(history.body.messages.filter((m) => m.body === 'typed while offline')).toHaveLength(1);
    expect(await bubble(second.page, 'typed while offline').count()).toBe(1);
    await first.context.close();
    await second.context.close();
  });

  it('shows a message body that looks like HTML as text', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    let alerted = false;
    second.page.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    await openChatTitled(first.page, 'Second');
    await openChatTitled(second.page, 'First');
    const evil = '<img src=x onerror=alert(1)>';
    await type(first.page, evil);
    await bubble(second.page, evil).waitFor();
    expect(await second.page.locator('[data-testid="message-list"] img').count()).toBe(0);
    expect(alerted).toBe(false);
    await first.context.close();
    await second.context.close();
  });
});
