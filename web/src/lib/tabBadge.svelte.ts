// The tab shows how much is unread: "(3) Chat" as its title and a count on its icon (muted chats left out).
import { chatList } from './chatList.svelte.ts';
import { t } from './i18n.svelte.ts';
import { badgeText, titleWithUnread, totalUnread } from './sync/unread.ts';

const ICON = '/favicon.svg';
const SIZE = 64;
let base: HTMLImageElement | null = null;

function iconLink(): HTMLLinkElement {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.append(link);
  }
  return link;
}

async function baseIcon(): Promise<HTMLImageElement> {
  if (base) return base;
  const image = new Image(SIZE, SIZE);
  image.src = ICON;
  await image.decode();
  base = image;
  return image;
}

/** The app's icon with a red count in its corner, drawn on a canvas; the plain icon when the count is 0. */
async function drawIcon(total: number): Promise<void> {
  const link = iconLink();
  if (total === 0) {
    link.type = 'image/svg+xml';
    link.href = ICON;
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.drawImage(await baseIcon().catch(() => new Image()), 0, 0, SIZE, SIZE);
  const text = badgeText(total);
  g.font = `bold ${text.length > 2 ? 24 : 32}px sans-serif`;
  const width = Math.max(36, g.measureText(text).width + 14);
  g.fillStyle = '#d32f2f';
  g.beginPath();
  g.roundRect(SIZE - width, SIZE - 36, width, 36, 18);
  g.fill();
  g.fillStyle = '#ffffff';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(text, SIZE - width / 2, SIZE - 17);
  link.type = 'image/png';
  link.href = canvas.toDataURL('image/png');
  link.dataset.unread = String(total);
}

/** Keeps the title and icon current while the chats are shown; the returned function stops it. */
export function showUnreadInTab(): () => void {
  let drawn = -1;
  const stop = $effect.root(() => {
    $effect(() => {
      const total = totalUnread(chatList.chats);
      document.title = titleWithUnread(t('appName'), total);
      if (total !== drawn) void drawIcon(total);
      drawn = total;
    });
  });
  return () => {
    stop();
    document.title = t('appName');
    void drawIcon(0);
  };
}
