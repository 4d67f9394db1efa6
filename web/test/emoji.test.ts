import { describe, expect, it } from 'vitest';
import { entriesOf, rgiForm, searchEmoji } from '../src/lib/emoji/catalog.ts';

const data = [
  { unicode: '🚀', label: 'rocket', tags: ['space'], group: 5, order: 3 },
  { unicode: '👍️', label: 'thumbs up', tags: ['+1', 'yes'], group: 1, order: 2 },
  { unicode: '🏻', label: 'light skin tone', group: 2, order: 1 },
  { unicode: '😀', label: 'grinning face', tags: ['face', 'smile'], group: 0, order: 0 },
  { unicode: '🇦', label: 'regional indicator A', order: 9 },
];

describe('the emoji catalog', () => {
  it('keeps reactions only (no skin tone parts, no bare letters), in order, as the server accepts them', () => {
    expect(entriesOf(data).map((e) => e.emoji)).toEqual(['😀', '👍', '🚀']);
    expect(rgiForm('👍️')).toBe('👍');
    expect(rgiForm('❤️')).toBe('❤️');
    expect(rgiForm('ab')).toBeNull();
  });

  it('finds emoji by the start of a name, then of a word in it, then of a tag', () => {
    const entries = entriesOf(data);
    expect(searchEmoji(entries, 'Rock').map((e) => e.emoji)).toEqual(['🚀']);
    expect(searchEmoji(entries, 'up').map((e) => e.emoji)).toEqual(['👍']);
    expect(searchEmoji(entries, 'smi').map((e) => e.emoji)).toEqual(['😀']);
    expect(searchEmoji(entries, 'zzz')).toEqual([]);
    expect(searchEmoji(entries, '')).toHaveLength(3);
  });
});
