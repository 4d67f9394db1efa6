// Every emoji, named in the interface's language, for the reaction picker's search. The data (emojibase-data, a few
// hundred kilobytes) is loaded only when a picker first opens, so the main bundle stays small.
/** The fields of emojibase's compact data that the picker uses. */
type CompactEmoji = { unicode: string; label: string; tags?: string[]; group?: number; order?: number };

export type EmojiEntry = { emoji: string; label: string; tags: string[] };

const datasets = {
  en: () => import('emojibase-data/en/compact.json'),
  ru: () => import('emojibase-data/ru/compact.json'),
};
export type EmojiLang = keyof typeof datasets;

const COMPONENT_GROUP = 2; // skin tones and hair styles on their own: not reactions

let oneEmoji: RegExp | null = null;
try {
  // biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag would stop the whole module in an older engine
  oneEmoji = new RegExp('^\\p{RGI_Emoji}$', 'v');
} catch {
  // an engine without Unicode sets: every emoji of the data is offered as it is
}

/**
 * The emoji as the server accepts it (one RGI emoji), or null. The data writes some emoji that show as emoji anyway with
 * a variation selector (👍️); the RGI form has none.
 */
export function rgiForm(emoji: string): string | null {
  if (!oneEmoji || oneEmoji.test(emoji)) return emoji;
  const bare = emoji.replaceAll('\uFE0F', '');
  return oneEmoji.test(bare) ? bare : null;
}

export function entriesOf(data: readonly CompactEmoji[]): EmojiEntry[] {
  return [...data]
    .filter((e) => e.group !== undefined && e.group !== COMPONENT_GROUP)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .flatMap((e) => {
      const emoji = rgiForm(e.unicode);
      return emoji ? [{ emoji, label: e.label.toLocaleLowerCase(), tags: e.tags ?? [] }] : [];
    });
}

const loaded: Partial<Record<EmojiLang, Promise<EmojiEntry[]>>> = {};

export function emojiCatalog(lang: EmojiLang): Promise<EmojiEntry[]> {
  loaded[lang] ??= datasets[lang]()
    .then((module) => entriesOf(module.default))
    .catch((err: unknown) => {
      delete loaded[lang]; // offline: tried again when a picker opens next
      throw err;
    });
  return loaded[lang];
}

const fold = (s: string) => s.toLocaleLowerCase().replaceAll('ё', 'е').trim();

/** Emoji whose name or tags match `query`: names starting with it first, then words of names, then tags. */
export function searchEmoji(entries: readonly EmojiEntry[], query: string, limit = 80): EmojiEntry[] {
  const q = fold(query);
  if (!q) return entries.slice(0, limit);
  const rank = (e: EmojiEntry): number => {
    const label = fold(e.label);
    if (label.startsWith(q)) return 0;
    if (label.split(/[\s:,-]+/).some((w) => w.startsWith(q))) return 1;
    if (e.tags.some((t) => fold(t).startsWith(q))) return 2;
    return label.includes(q) ? 3 : 4;
  };
  return entries
    .map((e, i) => ({ e, i, r: rank(e) }))
    .filter(({ r }) => r < 4)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .slice(0, limit)
    .map(({ e }) => e);
}
