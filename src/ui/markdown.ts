/**
 * A small Markdown renderer for the lab guides: our own READMEs, written in a known subset —
 * ATX headings, paragraphs, bullet and numbered lists (nested by indentation), fenced code,
 * block quotes, pipe tables, rules, and inline code, bold, italic and links. It returns HTML in
 * which every character of the source is escaped: a `<script>` in a guide is shown as text,
 * never run, and a link can only point at http(s), mailto, a fragment or a relative path.
 */

export interface MarkdownOptions {
  /** Added to every heading level, so a guide's `#` can sit under the page's own `<h1>`. */
  headingOffset?: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: nothing in it is markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Nested lists and quotes deeper than this are shown as plain paragraphs (a limit on recursion). */
const DEPTH_MAX = 8;

export function renderMarkdown(source: string, opts: MarkdownOptions = {}): string {
  const lines = source.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  return renderBlocks(lines, opts.headingOffset ?? 0, 0);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const BULLET = /^( {0,3})([-*+])\s+(.*)$/;
const ORDERED = /^( {0,3})(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

const blank = (l: string | undefined): boolean => l === undefined || l.trim() === '';

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || BULLET.test(line) || ORDERED.test(line) || QUOTE.test(line);
}

function renderBlocks(lines: readonly string[], offset: number, depth: number): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (blank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const lang = fence[2] ?? '';
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(marker)) body.push(lines[i++]!);
      i++; // the closing fence (or the end of the text)
      const cls = lang ? ` class="language-${escapeHtml(lang)}"` : '';
      out.push(`<pre><code${cls}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + offset);
      out.push(`<h${level}>${renderInline(heading[2]!)}</h${level}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < DEPTH_MAX) {
      const body: string[] = [];
      while (i < lines.length && !blank(lines[i]) && (QUOTE.test(lines[i]!) || body.length > 0)) {
        const q = QUOTE.exec(lines[i]!);
        body.push(q ? q[1]! : lines[i]!);
        i++;
      }
      out.push(`<blockquote>${renderBlocks(body, offset, depth + 1)}</blockquote>`);
      continue;
    }
    const list = BULLET.exec(line) ?? ORDERED.exec(line);
    if (list && depth < DEPTH_MAX) {
      const r = renderList(lines, i, offset, depth);
      out.push(r.html);
      i = r.next;
      continue;
    }
    if (line.includes('|') && TABLE_DIVIDER.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('|')) {
      const r = renderTable(lines, i);
      out.push(r.html);
      i = r.next;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !blank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]!))) para.push(lines[i++]!.trim());
    out.push(`<p>${renderInline(para.join('\n'))}</p>`);
  }
  return out.join('\n');
}

/** A list and its items; an item's lines are its first line and everything indented under it. */
function renderList(lines: readonly string[], start: number, offset: number, depth: number): { html: string; next: number } {
  const first = (BULLET.exec(lines[start]!) ?? ORDERED.exec(lines[start]!))!;
  const ordered = !BULLET.test(lines[start]!);
  const itemRe = ordered ? ORDERED : BULLET;
  const items: { lines: string[]; loose: boolean }[] = [];
  let i = start;
  let sawBlank = false;
  let loose = false;
  while (i < lines.length) {
    const m = itemRe.exec(lines[i]!);
    if (!m) break;
    if (sawBlank) loose = true;
    const indent = m[0].length - m[3]!.length;
    const item = { lines: [m[3]!], loose: false };
    i++;
    sawBlank = false;
    while (i < lines.length) {
      const l = lines[i]!;
      if (blank(l)) {
        // A blank line ends the item unless the next line is still indented under it.
        const nextIndented = i + 1 < lines.length && !blank(lines[i + 1]) && leadingSpaces(lines[i + 1]!) >= Math.min(indent, 2);
        if (!nextIndented) {
          sawBlank = true;
          i++;
          break;
        }
        item.lines.push('');
        item.loose = true;
        i++;
        continue;
      }
      const spaces = leadingSpaces(l);
      if (spaces >= Math.min(indent, 2)) item.lines.push(l.slice(Math.min(spaces, indent)));
      else if (!startsBlock(l) && item.lines.at(-1) !== '') item.lines.push(l.trim()); // a lazy continuation
      else break;
      i++;
    }
    items.push(item);
    if (sawBlank && !(i < lines.length && itemRe.test(lines[i]!))) break;
  }
  const tag = ordered ? 'ol' : 'ul';
  const startNumber = ordered ? Number(first[2]) : 1;
  const startAttr = ordered && startNumber !== 1 ? ` start="${startNumber}"` : '';
  const body = items
    .map((it) => {
      const inner = renderBlocks(it.lines, offset, depth + 1);
      // A tight item's single paragraph is shown without <p>, as Markdown does.
      const tight = !loose && !it.loose ? inner.replace(/^<p>([\s\S]*?)<\/p>(?=\n|$)/, '$1') : inner;
      return `<li>${tight}</li>`;
    })
    .join('\n');
  return { html: `<${tag}${startAttr}>\n${body}\n</${tag}>`, next: i };
}

function leadingSpaces(l: string): number {
  return l.length - l.trimStart().length;
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  // A pipe inside inline code does not split a cell.
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && s[k + 1] === '|') {
      cell += '|';
      k++;
    } else if (c === '`') {
      inCode = !inCode;
      cell += c;
    } else if (c === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

function renderTable(lines: readonly string[], start: number): { html: string; next: number } {
  const head = splitRow(lines[start]!);
  const aligns = splitRow(lines[start + 1]!).map((d) => (d.startsWith(':') && d.endsWith(':') ? 'center' : d.endsWith(':') ? 'right' : d.startsWith(':') ? 'left' : ''));
  const style = (k: number): string => (aligns[k] ? ` style="text-align:${aligns[k]}"` : '');
  let i = start + 2;
  const rows: string[][] = [];
  while (i < lines.length && !blank(lines[i]) && lines[i]!.includes('|')) rows.push(splitRow(lines[i++]!));
  const th = head.map((c, k) => `<th scope="col"${style(k)}>${renderInline(c)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${head.map((_, k) => `<td${style(k)}>${renderInline(r[k] ?? '')}</td>`).join('')}</tr>`).join('\n');
  return { html: `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`, next: i };
}

/** Only these link targets are kept; anything else (javascript:, data:, …) is shown as text. */
export function safeHref(url: string): string | undefined {
  const u = url.trim();
  if (/^(https?:|mailto:)/i.test(u)) return u;
  if (/^[a-z][a-z0-9+.-]*:/i.test(u)) return undefined; // any other scheme
  if (/^\/\//.test(u)) return undefined; // protocol-relative: another host
  return u;
}

const INLINE_DEPTH_MAX = 6;

/** Inline Markdown to HTML: code spans, links, bold, italic; every other character escaped. */
export function renderInline(text: string, depth = 0): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    // A backslash makes the next punctuation character literal.
    if (c === '\\' && i + 1 < n && /[\\`*_[\]()#+\-.!|<>{}]/.test(text[i + 1]!)) {
      out += escapeHtml(text[i + 1]!);
      i += 2;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      const end = text.indexOf(fence, i + run);
      if (end > 0) {
        let code = text.slice(i + run, end).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
        out += `<code>${escapeHtml(code)}</code>`;
        i = end + run;
        continue;
      }
      out += escapeHtml(fence);
      i += run;
      continue;
    }
    if (c === '[' && depth < INLINE_DEPTH_MAX) {
      const link = parseLink(text, i);
      if (link) {
        const href = safeHref(link.url);
        const label = renderInline(link.label, depth + 1);
        if (href === undefined) out += label;
        else {
          const external = /^https?:/i.test(href);
          out += `<a href="${escapeHtml(href)}"${external ? ' target="_blank" rel="noopener noreferrer"' : ''}>${label}</a>`;
        }
        i = link.end;
        continue;
      }
    }
    if ((c === '*' || c === '_') && depth < INLINE_DEPTH_MAX) {
      const strong = text[i + 1] === c;
      const marker = strong ? c + c : c;
      const em = emphasis(text, i, marker);
      if (em) {
        const inner = renderInline(text.slice(i + marker.length, em), depth + 1);
        out += strong ? `<strong>${inner}</strong>` : `<em>${inner}</em>`;
        i = em + marker.length;
        continue;
      }
      out += escapeHtml(marker);
      i += marker.length;
      continue;
    }
    out += c === '\n' ? '\n' : escapeHtml(c);
    i++;
  }
  return out;
}

/** `[label](url)` at `i`: the label (brackets may nest), the url (no spaces), and where it ends. */
function parseLink(text: string, i: number): { label: string; url: string; end: number } | undefined {
  let level = 0;
  let k = i;
  for (; k < text.length; k++) {
    if (text[k] === '\\') {
      k++;
      continue;
    }
    if (text[k] === '[') level++;
    else if (text[k] === ']' && --level === 0) break;
  }
  if (k >= text.length || text[k + 1] !== '(') return undefined;
  // The target may hold balanced parentheses, as URLs sometimes do.
  let close = -1;
  let parens = 0;
  for (let j = k + 2; j < text.length; j++) {
    if (text[j] === '(') parens++;
    else if (text[j] === ')' && parens-- === 0) {
      close = j;
      break;
    }
  }
  if (close < 0) return undefined;
  const url = text.slice(k + 2, close).trim();
  if (url === '' || /\s/.test(url)) return undefined;
  return { label: text.slice(i + 1, k), url, end: close + 1 };
}

/**
 * Where the emphasis opened at `i` with `marker` closes, or undefined. The opener must be followed
 * by a non-space and the closer preceded by one; `_` must also sit at word boundaries, so
 * `snake_case_names` stay as they are.
 */
function emphasis(text: string, i: number, marker: string): number | undefined {
  const after = text[i + marker.length];
  if (after === undefined || /\s/.test(after)) return undefined;
  const underscore = marker[0] === '_';
  if (underscore && i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]!)) return undefined;
  let k = i + marker.length;
  while (k < text.length) {
    if (text[k] === '\\') {
      k += 2;
      continue;
    }
    if (text[k] === '`') {
      // Markers inside a code span do not close anything.
      const close = text.indexOf('`', k + 1);
      if (close > 0) {
        k = close + 1;
        continue;
      }
    }
    if (text[k] === marker[0]) {
      let run = 1;
      while (text[k + run] === marker[0]) run++;
      // A run of markers closes only when it is exactly as long as the opener (`**` does not
      // close `*`), follows a non-space, and for `_` ends a word.
      const next = text[k + run];
      const inWord = underscore && next !== undefined && /[\p{L}\p{N}]/u.test(next);
      if (run === marker.length && !/\s/.test(text[k - 1]!) && !inWord) return k;
      k += run;
      continue;
    }
    k++;
  }
  return undefined;
}
