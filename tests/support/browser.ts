// Debian's Chromium driven by playwright-core (no browser downloads), one fresh context per simulated person.
import { type Browser, chromium, type Page } from 'playwright-core';

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

/** Logs a person in through the login screen and waits for the chat list. */
export async function logIn(browser: Browser, baseUrl: string, email: string, password = 'qwerty123') {
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('chat-list').waitFor();
  return { context, page };
}

export async function openChatTitled(page: Page, title: string) {
  await page.getByTestId('chat-item').filter({ hasText: title }).first().click();
  await page.getByTestId('composer').waitFor();
}

export async function type(page: Page, text: string) {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** The visible message bubbles whose text is exactly `text`. */
export const bubble = (page: Page, text: string) =>
  page.getByTestId('message').filter({ has: page.getByTestId('message-body').getByText(text, { exact: true }) });
