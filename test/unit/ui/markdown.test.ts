import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderInline, renderMarkdown, safeHref } from '../../../src/ui/markdown';

describe('the guide renderer: blocks', () => {
  it('renders headings, shifted under the page title when asked', () => {
    expect(renderMarkdown('# Title\n\n## 1. Run it')).toBe('<h1>Title</h1>\n<h2>1. Run it</h2>');
    expect(renderMarkdown('# Title\n## Part', { headingOffset: 1 })).toBe('<h2>Title</h2>\n<h3>Part</h3>');
    expect(renderMarkdown('###### deep', { headingOffset: 3 })).toBe('<h6>deep</h6>');
    expect(renderMarkdown('# About C#')).toBe('<h1>About C#</h1>');
    expect(renderMarkdown('# Closed ##')).toBe('<h1>Closed</h1>');
  });

  it('joins a paragraph\'s lines and separates paragraphs at blank lines', () => {
    expect(renderMarkdown('one\ntwo\n\nthree')).toBe('<p>one\ntwo</p>\n<p>three</p>');
  });

  it('keeps fenced code verbatim and escaped, with its language', () => {
    const md = '```ts\nawait ctx.commit(msg);\nif (a < b && c > d) {}\n```';
    expect(renderMarkdown(md)).toBe('<pre><code class="language-ts">await ctx.commit(msg);\nif (a &lt; b &amp;&amp; c &gt; d) {}</code></pre>');
    // Markdown inside a fence is text.
    expect(renderMarkdown('~~~\n# not a heading\n**not bold**\n~~~')).toBe('<pre><code># not a heading\n**not bold**</code></pre>');
    // An unclosed fence runs to the end rather than swallowing nothing.
    expect(renderMarkdown('```\nx')).toBe('<pre><code>x</code></pre>');
  });

  it('renders bullet lists with continuation lines, tight items without <p>', () => {
    const md = '- **Check results**: the lost orders,\n  with the moment.\n- **Console**: anything you log';
    expect(renderMarkdown(md)).toBe('<ul>\n<li><strong>Check results</strong>: the lost orders,\nwith the moment.</li>\n<li><strong>Console</strong>: anything you log</li>\n</ul>');
  });

  it('renders numbered lists, their start number, and lazy continuation lines', () => {
    const md = '1. Store a clock\n   with each value.\n2. Merge it\nlazily continued.';
    expect(renderMarkdown(md)).toBe('<ol>\n<li>Store a clock\nwith each value.</li>\n<li>Merge it\nlazily continued.</li>\n</ol>');
    expect(renderMarkdown('3. third\n4. fourth')).toContain('<ol start="3">');
  });

  it('nests lists by indentation and makes a list with blank lines between items loose', () => {
    expect(renderMarkdown('- a\n  - b\n  - c\n- d')).toBe('<ul>\n<li>a\n<ul>\n<li>b</li>\n<li>c</li>\n</ul></li>\n<li>d</li>\n</ul>');
    expect(renderMarkdown('- a\n\n- b')).toBe('<ul>\n<li><p>a</p></li>\n<li><p>b</p></li>\n</ul>');
  });

  it('ends a list at a paragraph after a blank line', () => {
    expect(renderMarkdown('- a\n- b\n\nAfter.')).toBe('<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>After.</p>');
  });

  it('renders pipe tables with header, alignment and code cells holding pipes', () => {
    const md = '| service | wants |\n|---|:-:|\n| `audit` | every **order** event |\n| `a|b` | x |';
    expect(renderMarkdown(md)).toBe(
      '<table>\n<thead><tr><th scope="col">service</th><th scope="col" style="text-align:center">wants</th></tr></thead>\n<tbody>\n' +
        '<tr><td><code>audit</code></td><td style="text-align:center">every <strong>order</strong> event</td></tr>\n' +
        '<tr><td><code>a|b</code></td><td style="text-align:center">x</td></tr>\n</tbody>\n</table>',
    );
  });

  it('renders block quotes and rules', () => {
    expect(renderMarkdown('> quoted *text*\n> more')).toBe('<blockquote><p>quoted <em>text</em>\nmore</p></blockquote>');
    expect(renderMarkdown('a\n\n---\n\nb')).toBe('<p>a</p>\n<hr>\n<p>b</p>');
  });
});

describe('the guide renderer: inline', () => {
  it('renders code spans first, so nothing inside them is markup', () => {
    expect(renderInline('use `ctx.commit(msg)` then `**x**`')).toBe('use <code>ctx.commit(msg)</code> then <code>**x**</code>');
    expect(renderInline('``a ` b``')).toBe('<code>a ` b</code>');
  });

  it('renders bold and italic with both markers, nested', () => {
    expect(renderInline('**bold** and *it* and __b__ and _i_')).toBe('<strong>bold</strong> and <em>it</em> and <strong>b</strong> and <em>i</em>');
    expect(renderInline('**bold with *em* inside**')).toBe('<strong>bold with <em>em</em> inside</strong>');
    expect(renderInline('*it with **bold** inside*')).toBe('<em>it with <strong>bold</strong> inside</em>');
  });

  it('leaves lone markers, snake_case and arithmetic alone', () => {
    expect(renderInline('snake_case_name and a * b * c')).toBe('snake_case_name and a * b * c');
    expect(renderInline('2*3 is *not closed')).toBe('2*3 is *not closed');
    expect(renderInline('\\*literal\\*')).toBe('*literal*');
  });

  it('renders links, external ones in a new tab, and drops unsafe targets to their text', () => {
    expect(renderInline('[docs](https://kafka.apache.org/documentation/)')).toBe('<a href="https://kafka.apache.org/documentation/" target="_blank" rel="noopener noreferrer">docs</a>');
    expect(renderInline('[the playground](#/playground)')).toBe('<a href="#/playground">the playground</a>');
    expect(renderInline('[**bold** link](#x)')).toBe('<a href="#x"><strong>bold</strong> link</a>');
    expect(renderInline('[click](javascript:alert(1))')).toBe('click');
    expect(renderInline('[click](JAVASCRIPT:alert(1))')).toBe('click');
    expect(renderInline('[img](data:text/html,hi)')).toBe('img');
    expect(renderInline('[away](//evil.example/x)')).toBe('away');
    expect(renderInline('[not a link] (x)')).toBe('[not a link] (x)');
  });

  it('escapes a quote in a link target so it cannot leave the attribute', () => {
    expect(renderInline('[x](#a"onmouseover="alert(1))')).toBe('<a href="#a&quot;onmouseover=&quot;alert(1)">x</a>');
  });
});

describe('the guide renderer: escaping', () => {
  it('escapes every HTML character everywhere: nothing in a guide becomes markup', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '# <img src=x onerror=alert(1)>',
      '- <b>item</b>',
      '| <i>h</i> | x |\n|---|---|\n| <svg onload=alert(1)> | & |',
      '> <iframe src="x">',
      '**<u>bold</u>** `<code>` [<em>x</em>](#y)',
      '<div>\n*text*\n</div>',
    ].join('\n\n');
    const html = renderMarkdown(hostile);
    const tags = [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1]);
    const ours = new Set(['h1', 'h2', 'p', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'strong', 'em', 'code', 'pre', 'a', 'hr']);
    expect(tags.filter((t) => !ours.has(t!))).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;svg onload=alert(1)&gt;');
    expect(html).not.toMatch(/<[a-z]+ [^>]*on[a-z]+=/);
  });

  it('escapes the five characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('keeps only http(s), mailto, fragments and relative paths as link targets', () => {
    expect(safeHref('https://x.org')).toBe('https://x.org');
    expect(safeHref('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeHref('#/lab/x')).toBe('#/lab/x');
    expect(safeHref('../docs/labs.md')).toBe('../docs/labs.md');
    expect(safeHref(' javascript:x')).toBeUndefined();
    expect(safeHref('vbscript:x')).toBeUndefined();
    expect(safeHref('file:///etc/passwd')).toBeUndefined();
  });
});

describe('the guide renderer on every lab README', () => {
  const root = join(__dirname, '../../../labs-content');
  const readmes = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((t) =>
      readdirSync(join(root, t.name), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(root, t.name, d.name, 'README.md')),
    );

  it.each(readmes)('%s renders every heading, list and fence, and leaves no Markdown marker behind', (path) => {
    const md = readFileSync(path, 'utf8');
    const html = renderMarkdown(md, { headingOffset: 1 });
    const fences = (md.match(/^```/gm) ?? []).length / 2;
    expect((html.match(/<pre>/g) ?? []).length).toBe(fences);
    expect((html.match(/<h[2-7]>/g) ?? []).length).toBe((md.match(/^#{1,6} /gm) ?? []).length);
    // Outside code, no bold marker and no list bullet survives as text.
    const text = html.replace(/<pre>[\s\S]*?<\/pre>/g, '').replace(/<code>[\s\S]*?<\/code>/g, '');
    expect(text).not.toContain('**');
    expect(text).not.toMatch(/^- /m);
  });
});
