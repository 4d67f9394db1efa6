// Draws the app's PNG icons (the favicon's speech bubble on its blue square) for the web app manifest:
// `node web/scripts/icons.ts` writes web/static/icon-192.png, icon-512.png and icon-maskable-512.png.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const BLUE = [0x2f, 0x6f, 0xed];
const WHITE = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The colour of a pixel, in the favicon's 32×32 units; `full` fills the whole square (a maskable icon's safe zone). */
function colourAt(x: number, y: number, full: boolean): number[] | null {
  // the maskable icon keeps the bubble inside the middle 80%
  const [u, v] = full ? [(x - 16) / 0.75 + 16, (y - 16) / 0.75 + 16] : [x, y];
  const inBubble = (u >= 8 && u <= 24 && v >= 10 && v <= 20) || (v > 20 && v <= 24 && u >= 10 && u <= 14 - (v - 20));
  if (inBubble) return WHITE;
  if (full) return BLUE;
  const r = 8;
  const cx = Math.min(Math.max(x, r), 32 - r);
  const cy = Math.min(Math.max(y, r), 32 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r ? BLUE : null;
}

function png(size: number, full: boolean): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const colour = colourAt(((x + 0.5) / size) * 32, ((y + 0.5) / size) * 32, full);
      if (colour) row.set([...colour, 0xff], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = path.join(import.meta.dirname, '../static');
writeFileSync(path.join(dir, 'icon-192.png'), png(192, false));
writeFileSync(path.join(dir, 'icon-512.png'), png(512, false));
writeFileSync(path.join(dir, 'icon-maskable-512.png'), png(512, true));
