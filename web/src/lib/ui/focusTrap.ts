// Keeps the keyboard inside a popup (a menu, the emoji picker) while it is open: Tab cycles through its controls,
// Escape closes it; the focus goes back to where it came from when it closes.
const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), textarea, [tabindex]:not([tabindex="-1"]), a[href]';

export function trapFocus(node: HTMLElement, close: () => void) {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  let onClose = close;
  function onKey(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = [...node.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items.at(-1)!;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
  // a press outside closes it too
  function onPointer(event: PointerEvent) {
    if (!node.contains(event.target as Node)) onClose();
  }
  node.addEventListener('keydown', onKey);
  document.addEventListener('pointerdown', onPointer, true);
  return {
    update(next: () => void) {
      onClose = next;
    },
    destroy() {
      node.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer, true);
      const lost = document.activeElement === document.body || node.contains(document.activeElement);
      if (before?.isConnected && lost) before.focus();
    },
  };
}
