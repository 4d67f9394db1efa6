// People in browser contexts against the whole system: live both ways, read marks, offline and back, every kind of
// change missed while offline or lost on the way, failures said on screen.
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubble, chooseInMenu, launchBrowser, logIn, openChatTitled, type } from './support/browser.ts';
import type { Chat } from '@chat/kit/contract';
import { apiFor, login, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;

const byClientId = (page: Page, clientId: string) =>
  page.locator(`[data-testid="message"][data-client-id="${clientId}"]`);
const clientIdOf = async (page: Page, text: string) => (await bubble(page, text).getAttribute('data-client-id')) ?? '';
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

  it('shows the author their message as read when the answer comes from another device, with no read sent', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    await openChatTitled(first.page, 'Second');
    await type(first.page, 'Are you at your desk?');
    await bubble(first.page, 'Are you at your desk?').waitFor();
    const firstUser = await login(system.baseUrl, 'first@mail.ru');
    const second = await login(system.baseUrl, 'second@mail.ru');
    const { body } = await second.api<{ chats: Chat[] }>('/api/chats');
    const direct = body.chats.find((c) => c.kind === 'direct' && c.members.some((m) => m.userId === firstUser.user.id));
    // a send moves its sender's cursor: the answer itself is the read mark, no receipt follows it
    const sent = await second.api(`/api/chats/${direct?.id}/messages`, {
      method: 'POST',
      body: { clientId: crypto.randomUUID(), body: 'On my phone, yes' },
    });
    expect(sent.status).toBe(201);
    await bubble(first.page, 'On my phone, yes').waitFor();
    await expect
      .poll(() => bubble(first.page, 'Are you at your desk?').getAttribute('data-status'), { timeout: 10_000 })
      .toBe('read');
    await first.context.close();
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

  it('shows a message, an edit, a delete and a new title that came while it was offline, without a reload', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    // General's owner: only the owner of a group renames it
    const owner = await logIn(browser, system.baseUrl, 'admin@mail.ru');
    const crashes: Error[] = [];
    for (const { page } of [first, second, owner]) page.on('pageerror', (err) => crashes.push(err));
    await openChatTitled(first.page, 'General');
    await openChatTitled(second.page, 'General');
    await openChatTitled(owner.page, 'General');
    const tag = Date.now().toString(36);
    await type(first.page, `to edit ${tag}`);
    await type(first.page, `to delete ${tag}`);
    await bubble(second.page, `to edit ${tag}`).waitFor();
    await bubble(second.page, `to delete ${tag}`).waitFor();
    const toEdit = await clientIdOf(first.page, `to edit ${tag}`);
    const toDelete = await clientIdOf(first.page, `to delete ${tag}`);

    await second.context.setOffline(true);
    await second.page.getByTestId('connection-status').waitFor();
    await second.page.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });

    await type(first.page, `sent while away ${tag}`);
    const edited = byClientId(first.page, toEdit);
    await chooseInMenu(edited, 'edit-button');
    await edited.getByTestId('edit-input').fill(`edited while away ${tag}`);
    await edited.getByTestId('edit-save').click();
    await bubble(first.page, `edited while away ${tag}`).waitFor();
    await chooseInMenu(byClientId(first.page, toDelete), 'delete-button');
    await byClientId(first.page, toDelete).getByTestId('message-body').waitFor({ state: 'detached' });
    const title = `General, renamed ${tag}`;
    await owner.page.getByTestId('members-button').click();
    await owner.page.getByTestId('rename-button').click();
    await owner.page.getByTestId('rename-title').fill(title);
    await owner.page.getByTestId('rename-save').click();
    await expect.poll(() => owner.page.getByTestId('chat-title').textContent()).toBe(title);
    expect(await bubble(second.page, `sent while away ${tag}`).count()).toBe(0);

    await second.context.setOffline(false);
    await bubble(second.page, `sent while away ${tag}`).waitFor();
    await bubble(second.page, `edited while away ${tag}`).waitFor();
    await byClientId(second.page, toDelete).getByTestId('message-body').waitFor({ state: 'detached' });
    expect(await bubble(second.page, `to edit ${tag}`).count()).toBe(0);
    await expect.poll(() => second.page.getByTestId('chat-title').textContent()).toBe(title);
    await second.page.getByTestId('chat-item').filter({ hasText: title }).waitFor();
    expect(await second.page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(crashes).toEqual([]);
    await Promise.all([first.context.close(), second.context.close(), owner.context.close()]);
  });

  it('says so when an edit could not be made, and keeps the text being edited', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    await openChatTitled(first.page, 'Second');
    const text = `edit me offline ${Date.now().toString(36)}`;
    await type(first.page, text);
    await expect.poll(() => bubble(first.page, text).getAttribute('data-status')).not.toBe('pending');
    const mine = byClientId(first.page, await clientIdOf(first.page, text));

    await first.context.setOffline(true);
    await first.page.getByTestId('connection-status').waitFor();
    await chooseInMenu(mine, 'edit-button');
    await mine.getByTestId('edit-input').fill('never saved');
    await mine.getByTestId('edit-save').click();
    await first.page.getByRole('alert').getByTestId('notice').waitFor();
    expect(await mine.getByTestId('edit-input').inputValue()).toBe('never saved');
    await first.context.close();
  });

  it('fetches a change whose live event was lost on the way, as soon as a later one shows the gap', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    const lost = `lost on the way ${Date.now().toString(36)}`;
    let dropped = 0;
    // second's socket frames pass through, except the one carrying that message
    await second.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((frame) => server.send(frame));
      server.onMessage((frame) => {
        if (typeof frame === 'string' && frame.includes(lost)) dropped += 1;
        else ws.send(frame);
      });
    });
    await second.page.reload();
    await openChatTitled(first.page, 'General');
    await openChatTitled(second.page, 'General');

    await type(first.page, lost);
    await expect.poll(() => dropped).toBe(1);
    await type(first.page, 'the next one');
    await bubble(second.page, 'the next one').waitFor();
    await bubble(second.page, lost).waitFor();
    await Promise.all([first.context.close(), second.context.close()]);
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

  it('lists the sessions on the profile page, and one ended there sends that device to the login page saying why', async () => {
    const user = await register(system.baseUrl, 'Two Devices');
    const password = 'correct horse battery';
    const phone = await logIn(browser, system.baseUrl, user.user.email, password);
    const laptop = await logIn(browser, system.baseUrl, user.user.email, password);
    await laptop.page.goto('/profile');
    const sessions = laptop.page.getByTestId('session');
    // registering, the phone and the laptop
    await expect.poll(() => sessions.count()).toBe(3);
    await expect.poll(() => laptop.page.locator('[data-testid="session"][data-current="true"]').count()).toBe(1);
    // end every other one: the phone is among them
    for (let left = 2; left > 0; left--) {
      await laptop.page.getByTestId('end-session').first().click();
      await expect.poll(() => laptop.page.getByTestId('end-session').count()).toBe(left - 1);
    }
    await phone.page.waitForURL('**/login');
    expect(await phone.page.getByTestId('session-ended').textContent()).toMatch(/another device/);
    // the laptop goes on
    await laptop.page.goto('/');
    await laptop.page.getByTestId('chat-list').waitFor({ state: 'attached' });
    await phone.context.close();
    await laptop.context.close();
  });
});
