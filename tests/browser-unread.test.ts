// Unread and notifications in browsers against the whole system: landing on "New messages", counts that agree across
// two tabs of one person and stay right when the tab's answers and live events cross, a muted chat left out of the
// title, and a notification while the tab is hidden.
import { randomUUID } from 'node:crypto';
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import type { Chat, Message } from '@chat/kit/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubble, launchBrowser, logIn, openChatTitled } from './support/browser.ts';
import { type Client, groupOf, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let browser: Browser;

beforeAll(async () => {
  buildWebIfStale(repoRoot);
  system = await startSystem();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

const PASSWORD = 'correct horse battery';
const open = (person: Client) => logIn(browser, system.baseUrl, person.user.email, PASSWORD);

async function says(person: Client, chatId: string, body: string): Promise<Message> {
  const res = await person.api<Message>(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body },
  });
  if (res.status !== 201) throw new Error(`send answered ${res.status}`);
  return res.body;
}

const entry = (page: Page, title: string) =>
  page.getByTestId('chat-entry').filter({ has: page.getByTestId('chat-item-title').filter({ hasText: title }) });
const badgeOf = async (page: Page, title: string) => {
  const badge = entry(page, title).getByTestId('unread-badge');
  return (await badge.count()) ? await badge.textContent() : '';
};

/**
 * The first answer to requests matching a pattern, held: the server reads it at once (`read` resolves then), the tab
 * gets it once `release` is called. Later requests pass.
 */
function heldAnswer() {
  let release!: () => void;
  let wasRead!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const read = new Promise<void>((resolve) => {
    wasRead = resolve;
  });
  let taken = false;
  return {
    read,
    release,
    route: (context: BrowserContext, pattern: RegExp) =>
      context.route(pattern, async (route) => {
        if (taken) return route.continue();
        taken = true;
        const response = await route.fetch();
        wasRead();
        await released;
        await route.fulfill({ response });
      }),
  };
}

describe('unread in the web app', () => {
  it('opens a chat with unread messages at the first of them, under "New messages", and reads as they come into view', async () => {
    const [ann, bob] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Bob')]);
    const chat = await groupOf(ann, [bob], 'Landing');
    await says(bob, chat.id, 'read before');
    for (let i = 1; i <= 70; i++) await says(ann, chat.id, `unread ${i}`);

    const { page, context } = await open(bob);
    await expect.poll(() => badgeOf(page, 'Landing')).toBe('70');
    await expect.poll(() => page.title()).toBe('(70) Chat');
    await openChatTitled(page, 'Landing');

    const divider = page.getByTestId('unread-divider');
    await divider.waitFor();
    // the divider stands right above the first unread message, at the top of the list
    const next = page.locator('[data-testid="unread-divider"] + [data-testid="message"]');
    await expect.poll(async () => (await next.getByTestId('message-body').textContent())?.trim()).toBe('unread 1');
    await expect
      .poll(() => divider.evaluate((d) => d.getBoundingClientRect().top - d.parentElement!.getBoundingClientRect().top))
      .toBeLessThan(60);
    // only what was seen is read: far from all of it
    await page.getByTestId('jump-latest').waitFor();
    await expect.poll(async () => Number(await badgeOf(page, 'Landing'))).toBeGreaterThan(20);
    expect(Number(await page.getByTestId('jump-latest-count').textContent())).toBeGreaterThan(20);

    await page.getByTestId('jump-latest').click();
    await bubble(page, 'unread 70').waitFor();
    await expect.poll(() => badgeOf(page, 'Landing')).toBe('');
    await expect.poll(() => page.title()).toBe('Chat');
    await page.getByTestId('jump-latest').waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await bob.api<Chat>(`/api/chats/${chat.id}`)).body.readSeq, { timeout: 10_000 })
      .toBe(71);
    await context.close();
  });

  it('keeps counts, mention badges and "marked unread" the same in two tabs of one person', async () => {
    const [ann, bob] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Bob')]);
    const chat = await groupOf(ann, [bob], 'Tabs');
    const one = await open(bob);
    const two = await open(bob);
    await says(ann, chat.id, 'first');
    await says(ann, chat.id, `hey @[Bob](${bob.user.id})`);
    await says(ann, chat.id, 'third');
    for (const tab of [one, two]) {
      await expect.poll(() => badgeOf(tab.page, 'Tabs')).toBe('3');
      await entry(tab.page, 'Tabs').getByTestId('mention-badge').waitFor();
    }

    // read in one tab: the other follows within a second
    await openChatTitled(one.page, 'Tabs');
    await expect.poll(() => badgeOf(one.page, 'Tabs')).toBe('');
    await expect.poll(() => badgeOf(two.page, 'Tabs'), { timeout: 5_000 }).toBe('');
    await entry(two.page, 'Tabs').getByTestId('mention-badge').waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => two.page.title(), { timeout: 5_000 }).toBe('Chat');

    // marked unread in the tab where it is open (which closes it there): the other one shows it too
    await entry(one.page, 'Tabs').hover();
    await entry(one.page, 'Tabs').getByTestId('chat-menu-button').click();
    await one.page.getByTestId('mark-unread').click();
    await entry(one.page, 'Tabs').getByTestId('marked-unread').waitFor();
    await entry(two.page, 'Tabs').getByTestId('marked-unread').waitFor({ timeout: 5_000 });
    await expect.poll(() => two.page.title(), { timeout: 5_000 }).toBe('(1) Chat');
    await expect.poll(async () => (await bob.api<Chat>(`/api/chats/${chat.id}`)).body.markedUnread).toBe(true);

    // a new message after the mark: both count it, and opening the chat in one tab reads it in both
    await says(ann, chat.id, 'fourth');
    for (const tab of [one, two]) await expect.poll(() => badgeOf(tab.page, 'Tabs')).toBe('1');
    await openChatTitled(two.page, 'Tabs');
    await expect.poll(() => one.page.title(), { timeout: 5_000 }).toBe('Chat');
    await expect.poll(() => badgeOf(one.page, 'Tabs'), { timeout: 5_000 }).toBe('');
    await entry(one.page, 'Tabs').getByTestId('marked-unread').waitFor({ state: 'detached', timeout: 5_000 });
    await one.context.close();
    await two.context.close();
  });

  it("counts every message when its live events, the chat list and the chat's own view cross on the way", async () => {
    const [ann, bob] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Bob')]);
    const chat = await groupOf(ann, [bob], 'Crossing');
    // the tab's answers are read by the server at once but reach the tab only when the test lets them
    const held = {
      sync: heldAnswer(),
      view: heldAnswer(),
      changes: heldAnswer(),
    };
    const { page, context } = await logIn(browser, system.baseUrl, bob.user.email, PASSWORD, async (ctx) => {
      await held.sync.route(ctx, /\/api\/sync$/);
      await held.view.route(ctx, new RegExp(`/api/chats/${chat.id}$`));
      await held.changes.route(ctx, new RegExp(`/api/chats/${chat.id}/changes`));
    });
    // the chat list is read before the first message; its event reaches the tab first, and the tab asks for the chat
    await held.sync.read;
    await says(ann, chat.id, 'one');
    await held.view.read;
    held.sync.release();
    await entry(page, 'Crossing').waitFor();
    // the second message arrives live over a gap (the first is not applied yet): counted, and the gap asked for
    await says(ann, chat.id, 'two');
    await expect.poll(() => badgeOf(page, 'Crossing')).toBe('1');
    await held.changes.read;
    // the chat's view, read between the two, arrives before the gap's changes: it must not lose the second message
    held.view.release();
    await expect.poll(() => badgeOf(page, 'Crossing')).toBe('2');
    held.changes.release();
    await says(ann, chat.id, 'three');
    await expect.poll(() => badgeOf(page, 'Crossing')).toBe('3');
    await context.close();
  });

  it('dims a muted chat and leaves it out of the unread total in the title', async () => {
    const [ann, bob] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Bob')]);
    const loud = await groupOf(ann, [bob], 'Loud');
    const quiet = await groupOf(ann, [bob], 'Quiet');
    const { page, context } = await open(bob);

    await openChatTitled(page, 'Quiet');
    await page.getByTestId('notify-button').click();
    await page.getByTestId('notify-none').click();
    await expect.poll(() => page.getByTestId('notify-button').getAttribute('data-level')).toBe('none');
    await expect.poll(() => entry(page, 'Quiet').getAttribute('data-muted')).toBe('true');
    await expect
      .poll(() =>
        entry(page, 'Quiet')
          .locator('.item')
          .evaluate((e) => Number(e.ownerDocument.defaultView?.getComputedStyle(e).opacity)),
      )
      .toBeLessThan(1);
    await expect.poll(async () => (await bob.api<Chat>(`/api/chats/${quiet.id}`)).body.notify).toBe('none');
    // the level is the server's: it is there after a reload
    await page.reload();
    await page.getByTestId('chat-list').waitFor();
    await expect.poll(() => entry(page, 'Quiet').getAttribute('data-muted')).toBe('true');

    await says(ann, quiet.id, 'quiet 1');
    await says(ann, quiet.id, 'quiet 2');
    await says(ann, loud.id, 'loud 1');
    await expect.poll(() => badgeOf(page, 'Quiet')).toBe('2');
    await expect.poll(() => badgeOf(page, 'Loud')).toBe('1');
    await expect.poll(() => page.title()).toBe('(1) Chat');
    await context.close();
  });

  it('shows a notification for a new message while the tab is hidden, and not for a muted chat', async () => {
    const [ann, bob] = await Promise.all([register(system.baseUrl, 'Ann'), register(system.baseUrl, 'Bob')]);
    const direct = (await ann.api<Chat>('/api/chats/direct', { method: 'POST', body: { userId: bob.user.id } })).body;
    const group = await groupOf(ann, [bob], 'Hidden');
    await bob.api(`/api/chats/${group.id}/notify`, { method: 'PUT', body: { notify: 'none' } });

    const context = await browser.newContext({ baseURL: system.baseUrl });
    await context.grantPermissions(['notifications']);
    // the page believes it is hidden, and every notification it makes is written down
    await context.addInitScript({
      content: `
        Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
        Object.defineProperty(document, 'hidden', { get: () => true });
        window.shown = [];
        window.notifications = [];
        const Real = window.Notification;
        class Recorded extends Real {
          constructor(title, options) {
            super(title, options);
            window.shown.push({ title, body: (options && options.body) || '' });
            window.notifications.push(this);
          }
        }
        Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
        window.Notification = Recorded;
      `,
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByTestId('login-email').fill(bob.user.email);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('chat-list').waitFor();
    await entry(page, 'Hidden').waitFor();
    // permission was given already: no prompt
    expect(await page.getByTestId('notifications-prompt').count()).toBe(0);

    await says(ann, group.id, 'muted, so no notification');
    await says(ann, direct.id, 'are you there?');
    const shown = () => page.evaluate<unknown[]>('window.shown');
    await expect.poll(shown).toEqual([{ title: 'Ann', body: 'are you there?' }]);
    await expect.poll(() => badgeOf(page, 'Hidden')).toBe('1');
    expect(await shown()).toHaveLength(1);

    // a click on it opens that chat at that message
    await page.evaluate('window.notifications[0].onclick()');
    await expect.poll(() => page.getByTestId('chat-title').textContent()).toBe('Ann');
    await page.locator('[data-testid="message"][data-highlighted]').filter({ hasText: 'are you there?' }).waitFor();
    await context.close();
  });
});
