// `npm run screenshots`: the main screens, light and dark, desktop and phone width, into docs/screenshots/. The demo
// chats get a conversation first (a code block with reactions, a reply with a mention, a pinned message), and a group
// never opened keeps an unread mention so the chat list shows its @ badge.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { seedDemoChats } from '@chat/infra/demo-chats';
import { buildWebIfStale } from '@chat/infra/web-build';
import { repoRoot } from '@chat/kit';
import type { Chat, Message } from '@chat/kit/contract';
import { launchBrowser, openChatTitled } from './support/browser.ts';
import { type Client, login } from './support/client.ts';
import { startSystem } from './support/system.ts';

const out = path.join(repoRoot, 'docs/screenshots');
mkdirSync(out, { recursive: true });

async function say(who: Client, chatId: string, body: string, replyTo?: string): Promise<Message> {
  const { status, body: message } = await who.api<Message>(`/api/chats/${chatId}/messages`, {
    method: 'POST',
    body: { clientId: randomUUID(), body, ...(replyTo ? { replyTo } : {}) },
  });
  if (status !== 201) throw new Error(`send answered ${status}`);
  return message;
}

const react = (who: Client, m: Message, emoji: string) =>
  who.api(`/api/chats/${m.chatId}/messages/${m.id}/reactions/${encodeURIComponent(emoji)}`, { method: 'PUT' });

/** The conversation the screenshots show, made through the public API as the people in it would. */
async function converse(baseUrl: string): Promise<void> {
  const [first, second, third, admin] = await Promise.all(
    ['first', 'second', 'third', 'admin'].map((name) => login(baseUrl, `${name}@mail.ru`)),
  );
  if (!first || !second || !third || !admin) throw new Error('demo users missing');
  const { body } = await admin.api<{ chats: Chat[] }>('/api/chats');
  const general = body.chats.find((c) => c.title === 'General');
  if (!general) throw new Error('no General chat');
  const welcome = (await admin.api<{ messages: Message[] }>(`/api/chats/${general.id}/messages?limit=5`)).body
    .messages[0];
  if (welcome) await admin.api(`/api/chats/${general.id}/pins/${welcome.id}`, { method: 'PUT' });

  const fix = await say(
    second,
    general.id,
    "Found the flaky test — it didn't wait for the read mark:\n```ts\nawait expect.poll(() => bubble.status()).toBe('read');\n```",
  );
  await react(first, fix, '👍');
  await react(third, fix, '👍');
  await react(admin, fix, '🎉');
  const merged = await say(
    admin,
    general.id,
    `Nice, **merged** ✅ @[First](${first.user.id}) can you check it on your phone?`,
    fix.id,
  );
  await react(second, merged, '❤️');

  const { body: release } = await admin.api<Chat>('/api/chats/groups', {
    method: 'POST',
    body: { title: 'Release 2.0', memberIds: [first.user.id, second.user.id, third.user.id] },
  });
  await say(third, release.id, `@[First](${first.user.id}) the release notes are ready for review 📝`);
}

buildWebIfStale(repoRoot);
const system = await startSystem();
const browser = await launchBrowser();
try {
  await seedDemoChats(system.baseUrl);
  await converse(system.baseUrl);
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
      await page.getByTestId('login-email').waitFor();
      await page.screenshot({ path: path.join(out, `login-${device}-${scheme}.png`) });
      await page.getByTestId('login-email').fill('first@mail.ru');
      await page.getByTestId('login-password').fill('qwerty123');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('chat-item').first().waitFor();
      if (device === 'phone') await page.screenshot({ path: path.join(out, `chats-${device}-${scheme}.png`) });
      await openChatTitled(page, 'General');
      await page.getByTestId('pinned-bar').waitFor();
      await page.getByTestId('reply-quote').last().waitFor();
      await page.getByTestId('composer').click();
      await page.getByTestId('composer').pressSequentially('Looks good on the phone too 👍');
      // the screenshot shows the page as it rests, without the caret blinking in it
      await page.getByTestId('composer').blur();
      await page.screenshot({ path: path.join(out, `chat-${device}-${scheme}.png`) });
      await context.close();
    }
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await system.stop();
}
