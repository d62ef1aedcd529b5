import type { Locator, Page } from '@playwright/test';

/** The text elements a page check reads by default: everything in `main` that carries words. */
export const PAGE_TEXT = 'main p, main label, main li, main dt, main dd, main h2, main h3, main th, main td, main button, main option, main legend, main code, main span';

/**
 * Text under 16 px, or under 4.5:1 against the nearest opaque background (the projector rule), for
 * the elements matching `selector` inside `target` (a page, or one panel of it). Inputs and selects
 * count with their value. The editor, canvases and charts draw their own text and are skipped, and
 * disabled buttons are exempt from the contrast rule (WCAG 1.4.3).
 */
export function readabilityProblems(target: Page | Locator, selector = PAGE_TEXT): Promise<string[]> {
  const root = 'goto' in target ? target.locator('html') : target;
  return root.evaluate((rootEl, sel) => {
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
    for (const el of rootEl.querySelectorAll(sel)) {
      if (!(el instanceof HTMLElement) || el.offsetParent === null || el.closest('.monaco-editor, canvas, .uplot')) continue;
      const control = el instanceof HTMLInputElement || el instanceof HTMLSelectElement;
      const text = el.textContent?.trim() || (control ? (el as HTMLInputElement).value : '');
      if (!text && !control) continue;
      const what = `${el.tagName}.${el.className} "${text.slice(0, 30)}"`;
      const style = getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      if (size < 16) problems.push(`${what} is ${size}px`);
      if (el.closest('button:disabled')) continue;
      const fg = lum(parse(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) problems.push(`${what} has contrast ${ratio.toFixed(2)}`);
    }
    return [...new Set(problems)];
  }, selector);
}
