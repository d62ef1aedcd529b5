import type { Page } from '@playwright/test';

/** Text under 16 px, or under 4.5:1 against the nearest opaque background (the projector rule). */
export function readabilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]): number => {
      const f = (v: number): number => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = parse(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3]! > 0.9)) return c.slice(0, 3);
      }
      return [15, 20, 25];
    };
    const problems: string[] = [];
    const selector = 'main p, main label, main li, main dt, main dd, main h2, main h3, main th, main td, main button, main option, main legend, main code, main span';
    for (const el of document.querySelectorAll(selector)) {
      if (!(el instanceof HTMLElement) || el.offsetParent === null || !el.textContent?.trim() || el.closest('.monaco-editor, canvas, .uplot')) continue;
      const style = getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      if (size < 16) problems.push(`${el.tagName}.${el.className} "${el.textContent.slice(0, 30)}" is ${size}px`);
      if (el.closest('button:disabled')) continue;
      const fg = lum(parse(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) problems.push(`${el.tagName}.${el.className} "${el.textContent.slice(0, 30)}" has contrast ${ratio.toFixed(2)}`);
    }
    return [...new Set(problems)];
  });
}
