// Opening a chat at one message (a reply's original, a search hit, a pin, a mention): the page around it is loaded when
// it is not, then the message list scrolls to it and highlights it for a moment.
import { chatList, openChat } from './chatList.svelte.ts';
import { loadAround } from './messages.svelte.ts';

export const jump = $state({
  /** The chat being jumped in; null when there is no jump under way. */
  chatId: null as string | null,
  seq: 0,
  /** The message is loaded: the list may scroll to it. */
  ready: false,
  /** Landing on the first unread message of a chat being opened: the list shows the divider above it at the top. */
  unread: false,
});
let latest = 0;

export async function jumpTo(chatId: string, seq: number): Promise<boolean> {
  const run = ++latest;
  Object.assign(jump, { chatId, seq, ready: false, unread: false });
  if (chatList.openChatId !== chatId) await openChat(chatId);
  const found = await loadAround(chatId, seq);
  if (run !== latest) return found; // another jump took its place
  if (found && chatList.openChatId === chatId) jump.ready = true;
  else jump.chatId = null;
  return found;
}

/** The list has scrolled to the message. */
export function jumped(): void {
  Object.assign(jump, { chatId: null, ready: false, unread: false });
}
