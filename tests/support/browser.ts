// Debian's Chromium driven by playwright-core (no browser downloads), one fresh context per simulated person.
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
    ],
  });
}

/**
 * Logs a person in through the login screen and waits for the chat list. `prepare` sees the browser context first
 * (to route its requests, say).
 */
export async function logIn(
  browser: Browser,
  baseUrl: string,
  email: string,
  password = 'qwerty123',
  prepare?: (context: BrowserContext) => Promise<void>,
) {
  const context = await browser.newContext({ baseURL: baseUrl });
  await prepare?.(context);
  const page = await context.newPage();
  await reportPageErrorsOnFailure(page, email);
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  // attached: a new user's list is empty, so it has no size to be visible with
  await page.getByTestId('chat-list').waitFor({ state: 'attached' });
  return { context, page };
}

// Where a page stood, as lines (evaluated in the page; the tests are not compiled with the DOM's types)
const PAGE_STATE = `(() => {
  const focus = document.activeElement;
  const testid = focus && focus.getAttribute('data-testid');
  const composer = document.getElementById('composer');
  return [
    'at: ' + location.href,
    'focus: ' + (focus ? focus.tagName.toLowerCase() + (focus.id ? '#' + focus.id : '') + (testid ? ' (' + testid + ')' : '') : 'none'),
    'composer: ' + (composer ? JSON.stringify(composer.value) : 'none'),
    'pending messages: ' + document.querySelectorAll('[data-testid="message"][data-status="pending"]').length,
  ];
})()`;

/**
 * When the test fails, what went wrong inside the page is printed with it: exceptions, console errors and warnings,
 * the requests answered with an error, and where the page stood (its address, what had the focus, what the composer
 * held, the messages still pending). Only under vitest: scripts (`npm run screenshots`) use these helpers too, and
 * vitest cannot be loaded outside it.
 */
async function reportPageErrorsOnFailure(page: Page, who: string) {
  if (!process.env.VITEST) return;
  const { onTestFailed } = await import('vitest');
  const seen: string[] = [];
  page.on('pageerror', (err) => seen.push(`exception: ${err.stack ?? err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') seen.push(`${message.type()}: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) seen.push(`${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  try {
    onTestFailed(async () => {
      const state = await page.evaluate<string[]>(PAGE_STATE).catch((err: Error) => [`state unknown: ${err.message}`]);
      console.error(`${who}'s page:\n${[...seen, ...state].join('\n')}`);
    });
  } catch {
    // logged in outside a test (a beforeAll): nothing to attach the report to
  }
}

/** Opens the chat whose title holds `title` (its title, not a message preview that mentions the name). */
export async function openChatTitled(page: Page, title: string) {
  const titled = page.getByTestId('chat-item-title').filter({ hasText: title });
  await page.getByTestId('chat-item').filter({ has: titled }).first().click();
  await page.getByTestId('composer').waitFor();
}

export async function type(page: Page, text: string) {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** The visible message bubbles whose text is exactly `text`. */
export const bubble = (page: Page, text: string) =>
  page.getByTestId('message').filter({ has: page.getByTestId('message-body').getByText(text, { exact: true }) });

/**
 * Chooses an action in a message's menu (opened from its menu button, as a keyboard or mouse user does), and waits for
 * the menu to close, as a person sees it go before doing the next thing (closing, it gives the focus back to its button).
 */
export async function chooseInMenu(message: Locator, action: string) {
  await message.hover();
  await message.getByTestId('message-menu-button').click();
  await message.getByTestId(action).click();
  await message.page().getByRole('menu').waitFor({ state: 'detached' });
}
