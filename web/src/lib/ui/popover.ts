// Where a menu or picker opens beside the button that opened it: below when it fits, else above; never off screen.
type Box = { top: number; bottom: number; left: number; right: number };

export function placeNear(
  anchor: Box,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  margin = 8,
): { top: number; left: number } {
  const below = anchor.bottom + 4;
  const top = below + size.height + margin <= viewport.height ? below : Math.max(margin, anchor.top - 4 - size.height);
  // aligned with the anchor's right edge when it is on the right half of the screen, else with its left edge
  const preferred = anchor.right > viewport.width / 2 ? anchor.right - size.width : anchor.left;
  const left = Math.min(Math.max(margin, preferred), Math.max(margin, viewport.width - size.width - margin));
  return { top, left };
}
