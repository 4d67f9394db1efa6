// `npm run screenshots`: the main screens, light and dark, desktop and phone width, into docs/screenshots/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { seedDemoChats } from '@chat/infra/demo-chats';
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import { launchBrowser, openChatTitled, type } from './support/browser.ts';
import { startSystem } from './support/system.ts';

const out = path.join(repoRoot, 'docs/screenshots');
mkdirSync(out, { recursive: true });
buildWebIfStale(repoRoot);
const system = await startSystem();
const browser = await launchBrowser();
try {
  await seedDemoChats(system.baseUrl);
  const sizes = { desktop: { width: 1200, height: 760 }, phone: { width: 390, height: 780 } };
  for (const scheme of ['light', 'dark'] as const) {
    for (const [device, viewport] of Object.entries(sizes)) {
      const context = await browser.newContext({
        baseURL: system.baseUrl,
        colorScheme: scheme,
        viewport,
        locale: 'en-US',
      });
      const page = await context.newPage();
      await page.goto('/login');
      await page.screenshot({ path: path.join(out, `login-${device}-${scheme}.png`) });
      await page.getByTestId('login-email').fill('first@mail.ru');
      await page.getByTestId('login-password').fill('qwerty123');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('chat-item').first().waitFor();
      if (device === 'phone') await page.screenshot({ path: path.join(out, `chats-${device}-${scheme}.png`) });
      await openChatTitled(page, 'General');
      if (scheme === 'light' && device === 'desktop')
        await type(page, 'Screens look right in both themes 👍 https://example.com');
      await page.getByTestId('message').last().waitFor();
      await page.screenshot({ path: path.join(out, `chat-${device}-${scheme}.png`) });
      await context.close();
    }
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await system.stop();
}
