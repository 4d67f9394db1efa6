// A search hit's body as a short run of text with the matched words marked, from the server's [start, end) offsets
// into the body; mentions show as @Name. Text only: the page shows the segments as text, never as HTML.
import { MENTION_PATTERN } from './contract.ts';

export type Segment = { text: string; hit: boolean };

type Unit = { start: number; end: number; text: string; mention: boolean };

/** The body cut into plain runs and mentions (a mention is shown as @Name, as one unit). */
function unitsOf(body: string): Unit[] {
  const units: Unit[] = [];
  let at = 0;
  for (const found of body.matchAll(new RegExp(MENTION_PATTERN.source, 'g'))) {
    const start = found.index ?? 0;
    if (start > at) units.push({ start: at, end: start, text: body.slice(at, start), mention: false });
    units.push({ start, end: start + found[0].length, text: `@${found[1]}`, mention: true });
    at = start + found[0].length;
  }
  if (at < body.length) units.push({ start: at, end: body.length, text: body.slice(at), mention: false });
  return units;
}

/** The ranges inside the body, ordered, overlapping ones merged. */
function cleanRanges(ranges: readonly (readonly [number, number])[], length: number): [number, number][] {
  const sorted = ranges
    .map(([s, e]) => [Math.max(0, Math.min(s, length)), Math.max(0, Math.min(e, length))] as [number, number])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}

/** The whole body as segments, the highlighted ranges marked. */
function segmentsOf(body: string, ranges: [number, number][]): Segment[] {
  const segments: Segment[] = [];
  const push = (text: string, hit: boolean) => {
    const last = segments.at(-1);
    if (last && last.hit === hit) last.text += text;
    else if (text) segments.push({ text, hit });
  };
  for (const unit of unitsOf(body)) {
    if (unit.mention) {
      push(
        unit.text,
        ranges.some(([s, e]) => s < unit.end && e > unit.start),
      );
      continue;
    }
    // cut the run at every range edge inside it
    const edges = [unit.start, unit.end];
    for (const [s, e] of ranges) for (const edge of [s, e]) if (edge > unit.start && edge < unit.end) edges.push(edge);
    edges.sort((a, b) => a - b);
    for (let i = 0; i + 1 < edges.length; i++) {
      const [s, e] = [edges[i]!, edges[i + 1]!];
      push(
        body.slice(s, e),
        ranges.some(([rs, re]) => rs <= s && re >= e),
      );
    }
  }
  return segments;
}

/** Where to cut text at `at` without splitting a surrogate pair. */
const safeCut = (text: string, at: number) => (/[\uDC00-\uDFFF]/.test(text.charAt(at)) ? at - 1 : at);

/**
 * Segments of the body with the highlighted ranges marked, starting a little before the first hit when the body is
 * long, and at most `max` characters of it.
 */
export function snippetOf(
  body: string,
  highlights: readonly (readonly [number, number])[],
  { before = 40, max = 160 }: { before?: number; max?: number } = {},
): Segment[] {
  const all = segmentsOf(body, cleanRanges(highlights, body.length));
  const firstHit = all.findIndex((s) => s.hit);
  let skip = Math.max(0, all.slice(0, Math.max(0, firstHit)).reduce((n, s) => n + s.text.length, 0) - before);
  let room = max;
  const shown: Segment[] = skip > 0 ? [{ text: '…', hit: false }] : [];
  for (const [i, segment] of all.entries()) {
    if (skip >= segment.text.length) {
      skip -= segment.text.length;
      continue;
    }
    const from = safeCut(segment.text, skip);
    skip = 0;
    const to = Math.min(segment.text.length, from + room);
    const text = segment.text.slice(from, to === segment.text.length ? to : safeCut(segment.text, to));
    room -= text.length;
    shown.push({ text: text.replace(/\s+/g, ' '), hit: segment.hit });
    if (text.length < segment.text.length - from || (room <= 0 && i < all.length - 1)) {
      shown.push({ text: '…', hit: false });
      break;
    }
  }
  return shown;
}
