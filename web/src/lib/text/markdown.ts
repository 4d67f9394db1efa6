// A message body (Markdown) as HTML that is safe to put in the page: raw HTML is never rendered (markdown-it escapes it
// with html:false), links go to a new tab without a way back into this page, images are not loaded, mentions become
// highlighted names and fenced code blocks get a copy button.
import { MENTION_PATTERN } from './contract.ts';
import MarkdownIt from 'markdown-it';
import type { StateInline, Token } from 'markdown-it';

/** What rendering needs to know beyond the body. */
export type RenderEnv = {
  /** The viewer: mentions of them (or of everyone) are stronger. */
  me: string;
  /** The current name of a mentioned member; the name written in the body when unknown. */
  nameOf?: (userId: string) => string | undefined;
  /** The copy button's label. */
  copyLabel?: string;
};

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
// what a chat message means by Markdown (see the contract): no headings, rules, tables, images, indented code or
// reference definitions, so `# 1` or four leading spaces stay what was typed
md.disable(['heading', 'lheading', 'hr', 'table', 'code', 'reference', 'image']);

const { escapeHtml } = md.utils;
const COPY_ICON =
  '<svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" fill="none" stroke="currentColor" ' +
  'stroke-width="1.5"><rect x="5.5" y="5.5" width="8.5" height="8.5" rx="1.5"/><path d="M3 10.5V3.5A1.5 1.5 0 0 1 4.5 2h6"/></svg>';
const mentionAt = new RegExp(MENTION_PATTERN.source, 'y');

function mention(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */) return false;
  mentionAt.lastIndex = state.pos;
  const found = mentionAt.exec(state.src);
  if (!found || state.pos + found[0].length > state.posMax) return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.meta = { name: found[1] ?? '', userId: (found[2] ?? '').toLowerCase() };
  }
  state.pos += found[0].length;
  return true;
}
// before links: `@[Name](id)` would otherwise be a link to "id"
md.inline.ruler.before('link', 'mention', mention);

type MentionMeta = { name: string; userId: string };
const metaOf = (token: Token): MentionMeta => (token.meta ?? { name: '', userId: '' }) as MentionMeta;

function mentionName(token: Token, env: Partial<RenderEnv> | undefined): string {
  const { name, userId } = metaOf(token);
  return userId === 'all' ? 'all' : (env?.nameOf?.(userId) ?? name);
}

md.renderer.rules.mention = (tokens, i, _options, rawEnv) => {
  const env = rawEnv as Partial<RenderEnv> | undefined;
  const token = tokens[i] as Token;
  const { userId } = metaOf(token);
  const mine = userId === env?.me || userId === 'all';
  return `<span class="mention${mine ? ' me' : ''}" data-testid="mention">@${escapeHtml(mentionName(token, env))}</span>`;
};

md.renderer.rules.fence = (tokens, i, _options, rawEnv) => {
  const env = rawEnv as Partial<RenderEnv> | undefined;
  const token = tokens[i] as Token;
  const lang = token.info.trim().split(/\s+/)[0] ?? '';
  const label = escapeHtml(env?.copyLabel ?? 'Copy');
  const langClass = lang ? ` class="language-${escapeHtml(lang)}"` : '';
  return (
    `<div class="code-block"><div class="code-head"><span>${escapeHtml(lang)}</span><button type="button" class="copy" ` +
    `data-copy data-testid="copy-code" aria-label="${label}" title="${label}">${COPY_ICON}</button></div>` +
    `<pre><code${langClass}>${escapeHtml(token.content)}</code></pre></div>\n`
  );
};

const linkOpen = md.renderer.rules.link_open;
md.renderer.rules.link_open = (tokens, i, options, env, self) => {
  const token = tokens[i] as Token;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return linkOpen ? linkOpen(tokens, i, options, env, self) : self.renderToken(tokens, i, options);
};

export function renderMarkdown(body: string, env: RenderEnv): string {
  return md.render(body, { ...env });
}

/** The body as one line of plain text (a chat list preview, a quote, a pinned message): no markup, mentions as @Name. */
export function plainText(body: string, env: Partial<RenderEnv> = {}): string {
  const parts: string[] = [];
  for (const block of md.parse(body, {})) {
    if (block.type === 'fence') parts.push(block.content);
    for (const token of block.children ?? []) {
      if (token.type === 'text' || token.type === 'code_inline') parts.push(token.content);
      else if (token.type === 'mention') parts.push(`@${mentionName(token, env)}`);
      else if (token.type === 'softbreak' || token.type === 'hardbreak') parts.push(' ');
    }
    if (block.nesting === -1 || block.type === 'fence') parts.push(' ');
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}
