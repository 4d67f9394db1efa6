// Attachments (`npm run bench:media`; needs PostgreSQL and Redis as for the tests): a 10 MB file and a 10 MB JPEG
// (generated noise, so it stays big) uploaded through the gateway, the JPEG's thumbnail made on its own, and the file
// downloaded again. Median and best of BENCH_RUNS (5) runs each.
//   BENCH_RUNS=5
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { THUMBNAIL_SIZE } from '../services/kit/src/contract/index.ts';
import { fetchFile, register, upload } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { percentile } from './support/fanout.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MB = 1_000_000;

/** Noise compresses badly: about 10 MB of JPEG at this size and quality. */
async function bigJpeg(): Promise<Buffer> {
  const [width, height] = [4000, 2880];
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

const system = await startSystem({ LOG_LEVEL: 'error' });
try {
  const ann = await register(system.baseUrl, 'Ann');
  const file = randomBytes(10 * MB);
  const jpeg = await bigJpeg();
  const times = async (run: () => Promise<unknown>) => {
    const seen: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await run();
      seen.push(performance.now() - started);
    }
    return { median: percentile(seen, 0.5), best: Math.min(...seen) };
  };
  const rate = (bytes: number, ms: number) => `${((bytes / MB / ms) * 1000).toFixed(0)} MB/s`;

  const plain = await times(() => upload(system.baseUrl, ann, file, 'data.bin'));
  const photo = await times(() => upload(system.baseUrl, ann, jpeg, 'photo.jpg'));
  const thumbnail = await times(() =>
    sharp(jpeg).rotate().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside' }).webp({ quality: 80 }).toBuffer(),
  );
  const stored = await upload(system.baseUrl, ann, file, 'again.bin');
  const download = await times(async () => {
    const res = await fetchFile(system.baseUrl, ann, stored.url);
    await res.arrayBuffer();
  });

  console.log(`\nAttachments through the gateway, local storage, ${RUNS} runs each\n`);
  console.log('| what | median ms | best ms | throughput (median) |\n|---|---|---|---|');
  const row = (what: string, t: { median: number; best: number }, bytes?: number) =>
    console.log(`| ${what} | ${t.median.toFixed(0)} | ${t.best.toFixed(0)} | ${bytes ? rate(bytes, t.median) : '—'} |`);
  row('upload of a 10 MB file', plain, file.length);
  row(`upload of a ${(jpeg.length / MB).toFixed(1)} MB JPEG (decode, strip, re-encode, thumbnail)`, photo, jpeg.length);
  row(`thumbnail of that JPEG alone (${THUMBNAIL_SIZE} px WebP)`, thumbnail);
  row('download of the 10 MB file', download, file.length);
} finally {
  await system.stop();
}
process.exit(0);
