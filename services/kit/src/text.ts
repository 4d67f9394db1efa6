// Text as search compares it, the same on every server whatever its locale: lower case by Unicode rules (in the
// application, since PostgreSQL's lower() under the C locale leaves Cyrillic alone) and ё folded to е. Every UTF-16
// unit keeps its place, so offsets found in the folded text are offsets into the original.

export function foldForSearch(text: string): string {
  let folded = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    // a few letters grow when lowered (İ → i̇); those stay as they are so offsets keep
    const kept = lower.length === ch.length ? lower : ch;
    folded += kept === 'ё' ? 'е' : kept;
  }
  return folded;
}

/** The words of a text: runs of letters and digits (what the full-text parser makes words of). */
export function wordsOf(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}
