// Mentions as the composer writes them: the name being typed after an `@`, the members it may mean, and the text with
// the chosen one written in as `@[Name](userId)` (`@[all](all)` for everyone in a group), as the contract names them.
import type { ChatMember, Message } from '@chat/kit/contract';
import { MENTION_ALL as ALL, MENTION_PATTERN } from './contract.ts';

/** What is typed after an `@` at the caret, and where that `@` is; null when the caret is not in a mention. */
export type MentionQuery = { start: number; query: string };

/** One that can be mentioned: a member, or everyone in a group. */
export type MentionOption = { userId: string; name: string };

const typing = /(?:^|[\s([{"'«])@([^\s@[\]()]{0,32})$/u;

export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const found = typing.exec(text.slice(0, caret));
  if (!found) return null;
  const query = found[1] ?? '';
  return { start: caret - query.length - 1, query };
}

const fold = (s: string) => s.toLocaleLowerCase().replaceAll('ё', 'е');

/** The members (never the writer) whose name has a word starting with `query`; `all` too in a group. */
export function mentionOptions(
  members: readonly ChatMember[],
  query: string,
  { me, group, limit = 8 }: { me: string; group: boolean; limit?: number },
): MentionOption[] {
  const q = fold(query);
  const matches = (name: string) =>
    fold(name)
      .split(/\s+/)
      .some((word) => word.startsWith(q)) || fold(name).startsWith(q);
  const options: MentionOption[] = members
    .filter((m) => m.userId !== me && matches(m.displayName))
    .map((m) => ({ userId: m.userId, name: m.displayName }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (group && ALL.startsWith(q)) options.push({ userId: ALL, name: ALL });
  return options.slice(0, limit);
}

/** A name as the mention syntax can hold it: one line, no `]`, 1 to 64 characters. */
const writable = (name: string) =>
  Array.from(name.replace(/[\]\n\r]/g, ' ').trim())
    .slice(0, 64)
    .join('') || '?';

/** `text` with the mention typed from `start` to `caret` replaced by the chosen one, and where the caret goes. */
export function insertMention(
  text: string,
  { start }: MentionQuery,
  caret: number,
  option: MentionOption,
): { text: string; caret: number } {
  const written = option.userId === ALL ? '@[all](all)' : `@[${writable(option.name)}](${option.userId})`;
  const after = text.slice(caret);
  const inserted = `${written}${after.startsWith(' ') ? '' : ' '}`;
  return {
    text: text.slice(0, start) + inserted + after,
    caret: start + inserted.length + (after.startsWith(' ') ? 1 : 0),
  };
}

/** True when the message names the viewer (or everyone) and is not their own. */
export const mentionsMe = (message: Pick<Message, 'senderId' | 'mentions' | 'deletedAt'>, me: string): boolean =>
  message.senderId !== me && !message.deletedAt && (message.mentions.includes(me) || message.mentions.includes(ALL));

/** The body with each mention written as @Name (what copying a message gives). */
export const withMentionNames = (body: string): string =>
  body.replace(new RegExp(MENTION_PATTERN.source, 'g'), (_, name: string) => `@${name}`);
