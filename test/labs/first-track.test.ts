import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLabs } from '../../src/host/labs-node';
import { grade, labApi, runLab, type LoadedLab } from '../../src/labs/lab';
import { generateDts, loadQuickJS, prepareLearnerProgram, type LearnerProgram } from '../../src/labs/sandbox';

/**
 * Every lab proves itself: its starter and solution type-check against the API learners see, the
 * starter fails a check on one of its first five public seeds, the solution passes every check on
 * 20 seeds, and runs are deterministic. A broken lab cannot land.
 */
await loadQuickJS();
const labs: LoadedLab[] = await loadLabs();

const TSC = join(resolve(__dirname, '../..'), 'node_modules/.bin/tsc');
const tmp = mkdtempSync(join(tmpdir(), 'brokerlab-labs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Type-checks a lab's starter and solution against the .d.ts its learners see in the editor. */
function typecheckLab(lab: LoadedLab): string {
  const dir = mkdtempSync(join(tmp, `${lab.spec.id}-`));
  writeFileSync(join(dir, 'brokerlab.d.ts'), generateDts(labApi(lab.spec)));
  writeFileSync(join(dir, 'starter.ts'), lab.starter);
  writeFileSync(join(dir, 'solution.ts'), lab.solution);
  const compilerOptions = { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022'], types: [] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['brokerlab.d.ts', 'starter.ts', 'solution.ts'] }));
  try {
    execFileSync(TSC, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

function program(lab: LoadedLab, which: 'starter' | 'solution'): LearnerProgram {
  const p = prepareLearnerProgram(lab[which], { filename: `${which}.ts` });
  if (!p.ok) throw new Error(`${lab.dir}/${which}.ts does not compile: ${p.problem.text}`);
  return p.program;
}

it('the labs load and validate', () => {
  expect(labs.length).toBeGreaterThan(0);
});

for (const lab of labs) {
  describe(`${lab.spec.id} (${lab.dir})`, { timeout: 600_000 }, () => {
    it('starter and solution type-check against the API learners see', () => {
      expect(typecheckLab(lab)).toBe('');
    });

    it('the starter fails a check on one of its first five public seeds', () => {
      const starter = program(lab, 'starter');
      const failed = new Set<string>();
      for (const seed of lab.spec.seeds.slice(0, 5)) for (const c of runLab(lab, starter, { seed }).result.checks) if (!c.passed) failed.add(c.id);
      expect([...failed], 'the starter passes every check: it does not show what the lab teaches').not.toEqual([]);
    });

    it('the solution passes every check on 20 seeds', () => {
      const seeds = lab.spec.seeds.slice(0, 20);
      expect(seeds.length, 'a lab has at least 20 public seeds').toBe(20);
      const g = grade(lab, program(lab, 'solution'), seeds);
      for (const c of g.checks) {
        const why = c.firstFailure ? `seed ${c.firstFailure.seed}: ${c.firstFailure.summary}` : '';
        expect(c.earned, `${c.id}: ${why} — reproduce: npx brokerlab check ${lab.spec.id} --code ${lab.dir}/solution.ts`).toBe(c.points);
      }
    });

    it('runs are deterministic: the same seed gives the same history', () => {
      const p = program(lab, 'starter');
      expect(runLab(lab, p, { seed: 3 }).result.historyHash).toBe(runLab(lab, p, { seed: 3 }).result.historyHash);
    });
  });
}
