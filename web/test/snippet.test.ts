import { describe, expect, it } from 'vitest';
import { snippetOf } from '../src/lib/text/snippet.ts';

const shown = (segments: { text: string; hit: boolean }[]) =>
  segments.map((s) => (s.hit ? `[${s.text}]` : s.text)).join('');

describe('a search hit', () => {
  it('marks the matched ranges of the body', () => {
    expect(shown(snippetOf('Привет! Это новый чат', [[0, 6]]))).toBe('[Привет]! Это новый чат');
    expect(
      shown(
        snippetOf('one two three', [
          [8, 13],
          [0, 3],
        ]),
      ),
    ).toBe('[one] two [three]');
  });

  it('ignores ranges outside the body and merges overlapping ones', () => {
    expect(
      shown(
        snippetOf('abcdef', [
          [1, 3],
          [2, 4],
          [10, 12],
          [5, 5],
        ]),
      ),
    ).toBe('a[bcd]ef');
  });

  it('starts a little before the first hit in a long body and cuts the rest', () => {
    const body = `${'x'.repeat(100)} needle ${'y'.repeat(300)}`;
    const text = shown(snippetOf(body, [[101, 107]], { before: 10, max: 40 }));
    expect(text.startsWith('…')).toBe(true);
    expect(text).toContain('[needle]');
    expect(text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThan(50);
  });

  it('shows a body that fits whole, without an ellipsis', () => {
    expect(shown(snippetOf('abc def', [[4, 7]], { max: 7 }))).toBe('abc [def]');
    expect(shown(snippetOf('no hits here', []))).toBe('no hits here');
  });

  it('shows a mention as @Name, marked when a hit falls in it', () => {
    const body = 'hi @[Anna](bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb) there';
    expect(shown(snippetOf(body, [[5, 9]]))).toBe('hi [@Anna] there');
    expect(shown(snippetOf(body, [[49, 54]]))).toBe('hi @Anna [there]');
  });
});
