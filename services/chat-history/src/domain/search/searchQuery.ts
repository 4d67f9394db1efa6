// A search box's text as a PostgreSQL tsquery: words folded like the indexed text, "quoted words" as a phrase, the
// last word as a prefix (search as you type), every term required. Only letters and digits reach the query, so
// characters that mean something to the query parser (& | ! ( ) : * ' \) are searched as the text they separate.
import { foldForSearch, wordsOf } from '@chat/kit';

const quote = (word: string) => `'${word}'`;

/** The tsquery text for `to_tsquery('russian', …)`, or null when the text has no word at all. */
export function tsqueryOf(text: string): string | null {
  const terms: string[] = [];
  let lastBareWord = -1;
  // alternating outside / inside double quotes
  const parts = text.split('"');
  parts.forEach((part, i) => {
    const words = wordsOf(foldForSearch(part));
    if (words.length === 0) return;
    if (i % 2 === 1 && i < parts.length - 1) {
      terms.push(words.length === 1 ? quote(words[0] as string) : `(${words.map(quote).join(' <-> ')})`);
      lastBareWord = -1;
      return;
    }
    for (const word of words) terms.push(quote(word));
    lastBareWord = terms.length - 1;
  });
  if (terms.length === 0) return null;
  // a word still being typed: the last one, unless the text ends after it
  if (lastBareWord === terms.length - 1 && !/\s$/.test(text)) terms[lastBareWord] += ':*';
  return terms.join(' & ');
}

/** Character ranges of `[start, end)` marked by ts_headline's \u0001 … \u0002 in `marked`. */
export function highlightsOf(marked: string): [number, number][] {
  const ranges: [number, number][] = [];
  let offset = 0;
  let start = -1;
  for (let i = 0; i < marked.length; i++) {
    const unit = marked.charCodeAt(i);
    if (unit === 1) start = offset;
    else if (unit === 2 && start >= 0) {
      ranges.push([start, offset]);
      start = -1;
    } else offset++;
  }
  return ranges;
}
