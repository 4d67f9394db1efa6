// Attachments in the browser: a photo attached and sent by one person shows as a thumbnail for the other, who opens
// it full size in the viewer; a file over the limit is refused on the page with a clear error.
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bubble, launchBrowser, logIn, openChatTitled, type } from './support/browser.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let system: RunningSystem;
let browser: Browser;

beforeAll(async () => {
  buildWebIfStale(repoRoot);
  system = await startSystem();
  const { seedDemoChats } = await import('@chat/infra/demo-chats');
  await seedDemoChats(system.baseUrl);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('attachments in the web app', () => {
  it('an attached image reaches the other person as a thumbnail that opens full size; Escape closes it', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await openChatTitled(second.page, 'First');
    const png = await sharp({ create: { width: 1000, height: 600, channels: 3, background: '#dd8833' } })
      .png()
      .toBuffer();
    await first.page
      .getByTestId('file-input')
      .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png });
    await first.page.getByTestId('attached-file').and(first.page.locator('[data-status="done"]')).waitFor();
    await type(first.page, 'The sunset tonight');

    const message = bubble(second.page, 'The sunset tonight');
    const thumbnail = message.getByTestId('attachment-thumbnail');
    await thumbnail.locator('img').waitFor();
    expect(await thumbnail.locator('img').getAttribute('src')).toMatch(/^blob:/);
    await thumbnail.click();
    const full = second.page.getByTestId('lightbox-image');
    await full.waitFor();
    await expect
      .poll(() => full.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: 20_000,
      })
      .toBe(1000);
    await second.page.keyboard.press('Escape');
    await second.page.getByTestId('lightbox').waitFor({ state: 'detached' });
    await first.context.close();
    await second.context.close();
  });

  it('a photo attached and sent while offline goes once the network is back, exactly once', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    const second = await logIn(browser, system.baseUrl, 'second@mail.ru');
    await openChatTitled(first.page, 'Second');
    await openChatTitled(second.page, 'First');
    await first.context.setOffline(true);
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3388dd' } })
      .png()
      .toBuffer();
    await first.page
      .getByTestId('file-input')
      .setInputFiles({ name: 'offline.png', mimeType: 'image/png', buffer: png });
    await first.page.getByTestId('attached-file').and(first.page.locator('[data-status="failed"]')).waitFor();
    await type(first.page, 'Sent from the tunnel');
    await first.context.setOffline(false);

    const message = bubble(second.page, 'Sent from the tunnel');
    await message.getByTestId('attachment-thumbnail').locator('img').waitFor();
    await bubble(first.page, 'Sent from the tunnel')
      .and(first.page.locator('[data-message-id]:not([data-message-id=""])'))
      .waitFor();
    expect(await bubble(second.page, 'Sent from the tunnel').count()).toBe(1);
    await first.context.close();
    await second.context.close();
  });

  it('a 30 MiB file is refused on the page with a clear error', async () => {
    const first = await logIn(browser, system.baseUrl, 'first@mail.ru');
    await openChatTitled(first.page, 'Second');
    await first.page.getByTestId('file-input').setInputFiles({
      name: 'huge.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(30 * 1024 * 1024),
    });
    const error = first.page.getByTestId('upload-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('too large');
    await first.context.close();
  });
});
