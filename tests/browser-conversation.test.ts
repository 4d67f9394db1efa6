// The conversation features in browsers against the whole system: replies with a quote that jumps to the original,
// reactions, mentions, Markdown with code blocks, pins and message search, each seen live by the other side.
import { randomUUID } from 'node:crypto';
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import type { Chat, Message } from '@chat/kit/contract';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubble, chooseInMenu, launchBrowser, logIn, openChatTitled, type } from './support/browser.ts';
import { type Client, login } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let browser: Browser;
let second: Client;
let directId: string;

beforeAll(async () => {
  buildWebIfStale(repoRoot);
  system = await startSystem();
  const { seedDemoChats } = await import('@chat/infra/demo-chats');
  await seedDemoChats(system.baseUrl);
  browser = await launchBrowser();
  second = await login(system.baseUrl, 'second@mail.ru');
  const { body } = await second.api<{ chats: Chat[] }>('/api/chats');
  directId = body.chats.find((c) => c.kind === 'direct')?.id ?? '';
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

const tagged = (text: string) => `${text} ${randomUUID().slice(0, 6)}`;

/** Second says something in the direct chat through the REST API. */
async function secondSays(body: string): Promise<Message> {
  const res = await second.api<Message>(`/api/chats/${directId}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body },
  });
  if (res.status !== 201) throw new Error(`send answered ${res.status}`);
  return res.body;
}

/** Enough messages after the ones there now that those are no longer in a chat's first page (50). */
async function pushOutOfFirstPage(): Promise<void> {
  for (let i = 1; i <= 65; i++) await secondSays(`filler ${i}`);
}

const highlighted = (page: Page) => page.locator('[data-testid="message"][data-highlighted]');

describe('conversations in the web app', () => {
  it('answers a message with a quote, and the quote shows the original even when it is no longer loaded', async () => {
    const text = tagged('the original');
    await secondSays(text);
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const seen = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await openChatTitled(seen.page, 'First');
    const original = bubble(first.page, text);

    // Reply from the hover tools; Escape in the composer cancels it
    await original.hover();
    await original.getByTestId('reply-button').click();
    await first.page.getByTestId('reply-bar').getByText(text).waitFor();
    await first.page.getByTestId('composer').press('Escape');
    await first.page.getByTestId('reply-bar').waitFor({ state: 'detached' });
    // and from the keyboard: the menu button, Enter opens the menu, Enter chooses its first item (Reply)
    await original.getByTestId('message-menu-button').focus();
    await first.page.keyboard.press('Enter');
    await expect
      .poll(() => first.page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid')"))
      .toBe('reply-action');
    await first.page.keyboard.press('Enter');
    await first.page.getByTestId('reply-bar').getByText(text).waitFor();

    await pushOutOfFirstPage();
    await bubble(first.page, 'filler 65').waitFor();
    const answer = tagged('the answer');
    await type(first.page, answer);
    const quote = bubble(first.page, answer).getByTestId('reply-quote');
    await quote.filter({ hasText: text }).waitFor();
    expect(await quote.textContent()).toContain('Second');
    await bubble(seen.page, answer).getByTestId('reply-quote').filter({ hasText: text }).waitFor();

    // a fresh page holds the newest 50 only: the original is loaded around its seq when the quote is clicked
    await first.page.reload();
    await openChatTitled(first.page, 'Second');
    await bubble(first.page, answer).waitFor();
    expect(await original.count()).toBe(0);
    await bubble(first.page, answer).getByTestId('reply-quote').click();
    await original.waitFor();
    await expect.poll(() => original.getAttribute('data-highlighted')).toBe('true');

    // the original edited: its quote follows
    const { body } = await second.api<{ messages: Message[] }>(`/api/chats/${directId}/messages?limit=100`);
    const originalId = body.messages.find((m) => m.body === text)?.id ?? '';
    await second.api(`/api/chats/${directId}/messages/${originalId}`, { method: 'PATCH', body: { body: 'rewritten' } });
    await bubble(first.page, answer).getByTestId('reply-quote').filter({ hasText: 'rewritten' }).waitFor();
    await Promise.all([first.context.close(), seen.context.close()]);
  }, 90_000);

  it('shows a reaction to both people live, and each toggles their own', async () => {
    const text = tagged('react to me');
    await secondSays(text);
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const other = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await openChatTitled(other.page, 'First');

    // the picker searches the full set of emoji (loaded when it opens)
    const mine = bubble(first.page, text);
    await mine.hover();
    await mine.getByTestId('react-button').click();
    await first.page.getByTestId('emoji-search').fill('rocket');
    await first.page.locator('[data-testid="emoji-option"][aria-label="rocket"]').click();
    const chipOf = (page: Page) => bubble(page, text).locator('[data-testid="reaction"][data-emoji="🚀"]');
    await chipOf(other.page).waitFor();
    await expect.poll(() => chipOf(first.page).getAttribute('aria-pressed')).toBe('true');
    expect(await chipOf(other.page).textContent()).toContain('1');
    expect(await chipOf(other.page).getAttribute('aria-pressed')).toBe('false');
    expect(await chipOf(other.page).getAttribute('title')).toBe('First');

    await chipOf(other.page).click();
    await expect.poll(() => chipOf(first.page).textContent()).toContain('2');
    await expect.poll(() => chipOf(other.page).getAttribute('aria-pressed')).toBe('true');

    await chipOf(first.page).click();
    await expect.poll(() => chipOf(other.page).textContent()).toContain('1');
    await expect.poll(() => chipOf(first.page).getAttribute('aria-pressed')).toBe('false');
    expect(await chipOf(first.page).getAttribute('title')).toBe('Second');
    await Promise.all([first.context.close(), other.context.close()]);
  }, 90_000);

  it('marks a chat with @ while the user has an unread mention there, until it is read', async () => {
    const admin = await logIn(browser, system.baseUrl, 'admin@mail.ru');
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    await openChatTitled(admin.page, 'General');
    const composer = admin.page.getByTestId('composer');
    await composer.fill('Look here @Fir');
    await admin.page.getByTestId('mention-option').filter({ hasText: 'First' }).waitFor();
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toMatch(/^Look here @\[First\]\([0-9a-f-]{36}\) $/);
    await composer.pressSequentially('please');
    await composer.press('Enter');
    const sent = admin.page.getByTestId('message').filter({ hasText: 'please' }).last();
    expect(await sent.getByTestId('mention').textContent()).toBe('@First');

    const general = first.page.getByTestId('chat-item').filter({ hasText: 'General' });
    await general.getByTestId('mention-badge').waitFor();
    await openChatTitled(first.page, 'General');
    await general.getByTestId('mention-badge').waitFor({ state: 'detached' });
    const mention = first.page.getByTestId('message').filter({ hasText: 'please' }).last().getByTestId('mention');
    expect(await mention.getAttribute('class')).toContain('me');
    // the chat was read on opening; the button still leads to the mention
    await first.page.getByTestId('next-mention').click();
    await highlighted(first.page).filter({ hasText: 'please' }).waitFor();
    await first.page.getByTestId('next-mention').waitFor({ state: 'detached' });
    await Promise.all([admin.context.close(), first.context.close()]);
  }, 90_000);

  it('renders a fenced code block as code with a copy button, and Shift+Enter as a new line', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const other = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await other.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.baseUrl });
    await openChatTitled(first.page, 'Second');
    await openChatTitled(other.page, 'First');
    const code = `const answer = ${Date.now()};`;
    await type(first.page, `Here it is:\n\`\`\`js\n${code}\n\`\`\``);
    const block = other.page.getByTestId('message-body').filter({ hasText: code }).locator('pre code');
    await block.waitFor();
    expect(await block.textContent()).toBe(`${code}\n`);
    expect(await block.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).fontFamily)).toMatch(
      /mono|Menlo|Consolas/i,
    );
    const copy = other.page.getByTestId('message-body').filter({ hasText: code }).getByTestId('copy-code');
    await copy.click();
    await expect.poll(() => copy.getAttribute('aria-label')).toBe('Copied');
    expect(await other.page.evaluate<string>('navigator.clipboard.readText()')).toBe(`${code}\n`);

    const composer = first.page.getByTestId('composer');
    await composer.click();
    await first.page.keyboard.type('line one');
    await first.page.keyboard.press('Shift+Enter');
    await first.page.keyboard.type('line two');
    await first.page.keyboard.press('Enter');
    const twoLines = other.page.getByTestId('message-body').filter({ hasText: 'line two' }).last();
    await twoLines.waitFor();
    // one message of two lines: a line break between them
    expect(await twoLines.locator('br').count()).toBe(1);
    expect((await twoLines.textContent())?.trim()).toBe('line one\nline two');
    await Promise.all([first.context.close(), other.context.close()]);
  }, 90_000);

  it('shows pins to the other side, whose bar goes through them, jumping to each; either member unpins', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const other = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await openChatTitled(other.page, 'First');
    const older = tagged('pin me first');
    const newer = tagged('pin me next');
    for (const text of [older, newer]) {
      await type(first.page, text);
      await expect.poll(() => bubble(first.page, text).getAttribute('data-status')).not.toBe('pending');
      await chooseInMenu(bubble(first.page, text), 'pin-action');
    }

    // the newest pin first; each click shows the one in the bar and moves on to the next
    const preview = other.page.getByTestId('pinned-preview');
    await preview.filter({ hasText: newer }).waitFor();
    await type(other.page, 'something newer');
    await other.page.getByTestId('pinned-show').click();
    await highlighted(other.page).filter({ hasText: newer }).waitFor();
    await preview.filter({ hasText: older }).waitFor();
    await other.page.getByTestId('pinned-show').click();
    await highlighted(other.page).filter({ hasText: older }).waitFor();

    // round again to the newest, which the bar's button unpins; the other unpins the older from its menu
    await preview.filter({ hasText: newer }).waitFor();
    await other.page.getByTestId('unpin-button').click();
    await first.page.getByTestId('pinned-preview').filter({ hasText: older }).waitFor();
    await chooseInMenu(bubble(first.page, older), 'pin-action');
    await other.page.getByTestId('pinned-bar').waitFor({ state: 'detached' });
    await Promise.all([first.context.close(), other.context.close()]);
  }, 90_000);

  it('finds "Привет…" searching "Приве" and opens the chat at it', async () => {
    const { body } = await second.api<Chat>(`/api/chats/${directId}`);
    if (body.lastSeq < 60) await pushOutOfFirstPage();
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    await first.page.keyboard.press('Control+K');
    await expect.poll(() => first.page.evaluate<string | undefined>('document.activeElement?.id')).toBe('search-all');
    await first.page.keyboard.type('Приве');
    const hits = first.page.getByTestId('search-hit');
    const hello = hits.filter({ hasText: 'Это новый чат' });
    await hello.waitFor();
    expect(await hello.getByTestId('search-hit-chat').textContent()).toBe('Second');
    expect(await hello.locator('strong').first().textContent()).toBe('Привет');
    const position = (await hits.allTextContents()).findIndex((t) => t.includes('Это новый чат'));
    for (let i = 0; i <= position; i++) await first.page.keyboard.press('ArrowDown');
    await first.page.keyboard.press('Enter');

    await expect.poll(() => first.page.getByTestId('chat-title').textContent()).toBe('Second');
    await highlighted(first.page).filter({ hasText: 'Привет! Это новый чат' }).waitFor();

    // search in the open chat: no chat labels, Enter opens the first hit
    await first.page.getByTestId('chat-search-button').click();
    const inChat = first.page.getByTestId('chat-search');
    await inChat.getByTestId('search-input').fill('filler 7');
    await inChat.getByTestId('search-hit').first().waitFor();
    expect(await inChat.getByTestId('search-hit-chat').count()).toBe(0);
    await inChat.getByTestId('search-input').press('Enter');
    await highlighted(first.page).filter({ hasText: 'filler 7' }).waitFor();
    await first.context.close();
  }, 90_000);
});
