import type { ChatMember } from '@chat/kit/contract';
import { describe, expect, it } from 'vitest';
import {
  insertMention,
  mentionOptions,
  mentionQueryAt,
  mentionsMe,
  withMentionNames,
} from '../src/lib/text/mentions.ts';

const ME = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const ANNA = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const members: ChatMember[] = [
  { userId: ME, displayName: 'Me', role: 'member' },
  { userId: ANNA, displayName: 'Anna Smith', role: 'owner' },
  { userId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', displayName: 'Пётр', role: 'member' },
];

describe('typing a mention', () => {
  it('finds the name typed after an @ at the caret, only at the start of a word', () => {
    expect(mentionQueryAt('hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('mail a@b', 8)).toBeNull();
    expect(mentionQueryAt('hi @an na', 9)).toBeNull();
    expect(mentionQueryAt('hi @an', 5)).toEqual({ start: 3, query: 'a' });
  });

  it('offers the other members whose name has a word starting with it, and all in a group', () => {
    expect(mentionOptions(members, 'sm', { me: ME, group: true }).map((o) => o.name)).toEqual(['Anna Smith']);
    expect(mentionOptions(members, 'пет', { me: ME, group: false }).map((o) => o.name)).toEqual(['Пётр']);
    expect(mentionOptions(members, '', { me: ME, group: true }).map((o) => o.userId)).toEqual([
      ANNA,
      'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
      'all',
    ]);
    expect(mentionOptions(members, '', { me: ME, group: false }).map((o) => o.userId)).not.toContain('all');
    expect(mentionOptions(members, 'me', { me: ME, group: false })).toEqual([]);
  });

  it('writes the chosen member in the contract syntax and puts the caret after it', () => {
    const text = 'hi @an how are you';
    const written = insertMention(text, { start: 3, query: 'an' }, 6, { userId: ANNA, name: 'Anna Smith' });
    expect(written.text).toBe(`hi @[Anna Smith](${ANNA}) how are you`);
    expect(written.text.slice(0, written.caret)).toBe(`hi @[Anna Smith](${ANNA}) `);
    const all = insertMention('@a', { start: 0, query: 'a' }, 2, { userId: 'all', name: 'all' });
    expect(all).toEqual({ text: '@[all](all) ', caret: 12 });
  });

  it('keeps a name the syntax cannot hold readable', () => {
    const written = insertMention('@x', { start: 0, query: 'x' }, 2, { userId: ANNA, name: 'A]nna\nB' });
    expect(written.text).toBe(`@[A nna B](${ANNA}) `);
  });
});

describe('a mention received', () => {
  it('names me when it mentions me or everyone, never in my own message or a deleted one', () => {
    const base = { senderId: ANNA, deletedAt: null };
    expect(mentionsMe({ ...base, mentions: [ME] }, ME)).toBe(true);
    expect(mentionsMe({ ...base, mentions: ['all'] }, ME)).toBe(true);
    expect(mentionsMe({ ...base, mentions: [ANNA] }, ME)).toBe(false);
    expect(mentionsMe({ senderId: ME, deletedAt: null, mentions: ['all'] }, ME)).toBe(false);
    expect(mentionsMe({ ...base, deletedAt: '2025-01-01T00:00:00Z', mentions: [ME] }, ME)).toBe(false);
  });

  it('is copied as @Name', () => {
    expect(withMentionNames(`ask @[Anna Smith](${ANNA}) or @[all](all)`)).toBe('ask @Anna Smith or @all');
  });
});
