import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The determinism contract (DESIGN §2) forbids src/sim from touching anything the engine does not
 * own: wall clocks, ambient randomness, timers, the DOM, Node's APIs, or modules outside src/sim.
 * This scans the source so a violation fails the build instead of a replay months later.
 */
const SIM = resolve(__dirname, '../../../src/sim');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\b/, 'Date'],
  [/Math\.random/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask|requestAnimationFrame)\b/, 'timers'],
  [/\bperformance\b/, 'performance'],
  [/\b(window|document|navigator|localStorage|indexedDB|fetch|XMLHttpRequest)\b/, 'browser APIs'],
  [/\b(process|require|Buffer|__dirname)\b/, 'Node APIs'],
];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
}

describe('src/sim purity', () => {
  const all = files(SIM);
  it('finds the simulation sources', () => expect(all.length).toBeGreaterThan(10));
  for (const file of all) {
    it(`${relative(SIM, file)} uses only what the engine owns`, () => {
      const raw = readFileSync(file, 'utf8');
      const code = stripComments(raw);
      for (const [re, what] of FORBIDDEN) expect(re.test(code), `${relative(SIM, file)} uses ${what}`).toBe(false);
      for (const m of raw.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec === 'seedrandom') continue;
        expect(spec.startsWith('.'), `${relative(SIM, file)} imports package "${spec}"`).toBe(true);
        expect(resolve(file, '..', spec).startsWith(SIM), `${relative(SIM, file)} imports ${spec} from outside src/sim`).toBe(true);
      }
    });
  }
});
