import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabs } from '../../src/host/labs-node';
import { grade, labApi, runLab, type LoadedLab } from '../../src/labs/lab';
import { generateDts, loadQuickJS, prepareLearnerProgram, type LearnerProgram } from '../../src/labs/sandbox';

const TSC = join(resolve(__dirname, '../..'), 'node_modules/.bin/tsc');
let tmp: string;
afterAll(() => tmp && rmSync(tmp, { recursive: true, force: true }));

/** Type-checks a lab's starter and solution against the .d.ts its learners see in the editor. */
function typecheckLab(lab: LoadedLab): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'brokerlab-labs-'));
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

/**
 * Every lab proves itself: the starter fails the check the lab is about (on its public seeds), and
 * the solution passes every check on 20 seeds. A broken lab cannot land.
 */
let labs: LoadedLab[] = [];

function program(lab: LoadedLab, which: 'starter' | 'solution'): LearnerProgram {
  const p = prepareLearnerProgram(lab[which], { filename: `${which}.ts` });
  if (!p.ok) throw new Error(`${lab.dir}/${which}.ts does not compile: ${p.problem.text}`);
  return p.program;
}

beforeAll(async () => {
  await loadQuickJS();
  labs = await loadLabs();
});

describe('labs', () => {
  it('load and validate', () => {
    expect(labs.length).toBeGreaterThan(0);
  });

  it('starters and solutions type-check against the API learners see', () => {
    for (const lab of labs) expect(typecheckLab(lab), lab.dir).toBe('');
  });

  it('each starter fails a check on some public seed, and says which', () => {
    for (const lab of labs) {
      const starter = program(lab, 'starter');
      const failedChecks = new Set<string>();
      for (const seed of lab.spec.seeds.slice(0, 5)) {
        const { result } = runLab(lab, starter, { seed });
        for (const c of result.checks) if (!c.passed) failedChecks.add(c.id);
      }
      expect([...failedChecks], `${lab.spec.id}: the starter should fail a check`).not.toEqual([]);
    }
  });

  it('each solution passes every check on 20 seeds', () => {
    for (const lab of labs) {
      const g = grade(lab, program(lab, 'solution'), lab.spec.seeds.slice(0, 20));
      for (const c of g.checks) {
        expect(c.earned, `${lab.spec.id} / ${c.id}: ${c.firstFailure ? `seed ${c.firstFailure.seed}: ${c.firstFailure.summary}` : ''} — reproduce: npx brokerlab check ${lab.spec.id} --code ${lab.dir}/solution.ts`).toBe(c.points);
      }
      expect(g.runs.length).toBe(20);
    }
  });

  it('runs are deterministic: the same seed gives the same history', () => {
    for (const lab of labs) {
      const p = program(lab, 'starter');
      expect(runLab(lab, p, { seed: 3 }).result.historyHash).toBe(runLab(lab, p, { seed: 3 }).result.historyHash);
    }
  });
});
