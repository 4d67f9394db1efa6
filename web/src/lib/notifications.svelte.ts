// The browser's own notifications while the tab is in the background: one for each new message the chat's level covers.
// Permission is asked only when the user presses the button that says so; a click on a notification brings the tab
// forward at that message.
import type { Message } from '@chat/kit/contract';
import { chatById, titleOf } from './chatList.svelte.ts';
import { jumpTo } from './jump.svelte.ts';
import { session } from './session.svelte.ts';
import { plainText } from './text/markdown.ts';
import { covers } from './sync/unread.ts';

const supported = typeof window !== 'undefined' && 'Notification' in window;
const PROMPT_KEY = 'notifications-prompt';

export const alerts = $state({
  permission: (supported ? Notification.permission : 'denied') as NotificationPermission,
  supported,
  /** The user said "not now" to the prompt. */
  dismissed: typeof localStorage !== 'undefined' && localStorage.getItem(PROMPT_KEY) === 'dismissed',
});

/** Asks the browser for permission (from a click: browsers only allow it then). */
export async function askPermission(): Promise<void> {
  if (!supported) return;
  alerts.permission = await Notification.requestPermission();
}

export function dismissPrompt(): void {
  alerts.dismissed = true;
  localStorage.setItem(PROMPT_KEY, 'dismissed');
}

/** A new message arrived live: a notification when the tab is hidden and the chat's level covers it. */
export function notifyOf(message: Message): void {
  if (!supported || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
  const me = session.user?.id ?? '';
  const chat = chatById(message.chatId);
  if (!chat || !covers(chat.notify, message, me)) return;
  const members = chat.members;
  const sender = members.find((m) => m.userId === message.senderId)?.displayName ?? '';
  const title = chat.kind === 'group' ? `${sender} · ${titleOf(chat)}` : sender || titleOf(chat);
  const nameOf = (userId: string) => members.find((m) => m.userId === userId)?.displayName;
  const body = plainText(message.body, { me, nameOf }).slice(0, 200);
  // the tag makes the notifications of the same message from several tabs one
  const shown = new Notification(title, { body, tag: message.id, icon: '/icon-192.png' });
  shown.onclick = () => {
    window.focus();
    shown.close();
    void jumpTo(message.chatId, message.seq);
  };
}
