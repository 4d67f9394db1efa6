import { describe, expect, it } from 'vitest';
import { plainText, renderMarkdown } from '../src/lib/text/markdown.ts';

const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const render = (body: string) => renderMarkdown(body, { me: ME, copyLabel: 'Copy code' });

describe('a message body as HTML', () => {
  it('shows raw HTML as text, never as elements', () => {
    const html = render('<img src=x onerror=alert(1)> and <script>alert(2)</script>');
    expect(html).not.toMatch(/<img|<script/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('makes no link of a javascript: or data: address, and loads no image', () => {
    const html = render(
      '[click](javascript:alert(1)) [data](data:text/html,<b>x</b>) ![pic](https://example.com/a.png)',
    );
    expect(html).not.toContain('href="javascript');
    expect(html).not.toContain('href="data');
    expect(html).not.toContain('<img');
  });

  it('renders bold, italic, inline code, block quotes and lists', () => {
    const html = render('**bold** _italic_ `code`\n\n> quoted\n\n- one\n- two\n\n1. first');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>italic</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toMatch(/<blockquote>\s*<p>quoted<\/p>/);
    expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li>two<\/li>/);
    expect(html).toContain('<ol>');
  });

  it('opens links and bare addresses in a new tab that cannot reach back into the page', () => {
    const html = render('see https://example.com/a?b=1 and [docs](https://example.org)');
    expect(html).toContain(
      '<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">https://example.com/a?b=1</a>',
    );
    expect(html).toContain('<a href="https://example.org" target="_blank" rel="noopener noreferrer">docs</a>');
  });

  it('renders a fenced code block as escaped monospace text with a copy button', () => {
    const html = render('```js" onclick="x\nconst a = "<b>";\n```');
    expect(html).toContain(
      '<button type="button" class="copy" data-copy data-testid="copy-code" aria-label="Copy code"',
    );
    expect(html).toContain('<pre><code class="language-js&quot;">const a = &quot;&lt;b&gt;&quot;;\n</code></pre>');
  });

  it('keeps a new line as a line break, and text that only looks like a heading or indented code as it was', () => {
    expect(render('one\ntwo')).toBe('<p>one<br>\ntwo</p>\n');
    expect(render('# 1 thing')).toBe('<p># 1 thing</p>\n');
    expect(render('    four spaces')).toBe('<p>four spaces</p>\n');
  });

  it('shows mentions as names, mine and @all stronger, inside Markdown too and never inside code', () => {
    const html = renderMarkdown(`**hi @[Old Name](${OTHER})** @[Me](${ME}) @[all](all) \`@[X](${OTHER})\``, {
      me: ME,
      nameOf: (id) => (id === OTHER ? 'Second' : undefined),
    });
    expect(html).toContain('<strong>hi <span class="mention" data-testid="mention">@Second</span></strong>');
    expect(html).toContain('<span class="mention me" data-testid="mention">@Me</span>');
    expect(html).toContain('<span class="mention me" data-testid="mention">@all</span>');
    expect(html).toContain(`<code>@[X](${OTHER})</code>`);
  });

  it('escapes a mentioned name', () => {
    const html = render(`@[<img src=x>](${OTHER})`);
    expect(html).toContain('@&lt;img src=x&gt;</span>');
    expect(html).not.toContain('<img');
  });
});

describe('a message body as plain text', () => {
  it('drops the markup, keeps the words, code and mentions on one line', () => {
    expect(plainText(`**Bold** and \`code\`\n\n> quote @[Second](${OTHER})\n\n\`\`\`\nx = 1\n\`\`\``)).toBe(
      'Bold and code quote @Second x = 1',
    );
  });
});
