import { isObjectiveId } from '../curriculum';
import type { LabSpec } from './spec';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const BROKERS = ['kafka', 'rabbitmq', 'nats', 'pulsar', 'redis', 'sqs', 'kinesis', 'none'];
export const README_WORDS_MIN = 300;
export const README_WORDS_MAX = 900;

/** One thing wrong with a lab: the file, the field, and what to do. */
export interface LabProblem {
  file: string;
  field: string;
  message: string;
}

export function formatLabProblems(problems: readonly LabProblem[]): string {
  return problems.map((p) => `${p.file}${p.field ? `: ${p.field}` : ''}: ${p.message}`).join('\n');
}

/** Counts words the way a reader would: runs of letters or digits, code blocks included. */
export function wordCount(markdown: string): number {
  return (markdown.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).length;
}

/**
 * Validates a lab's spec and files; returns every problem (empty when the lab is sound). Its fixed
 * faults are validated when it runs, against the nodes its scenario built.
 */
export function validateLab(
  dir: string,
  spec: unknown,
  files: { readme: string | undefined; starter: string | undefined; solution: string | undefined },
): { problems: LabProblem[] } {
  const problems: LabProblem[] = [];
  const labFile = `${dir}/lab.ts`;
  const bad = (field: string, message: string, file = labFile): void => void problems.push({ file, field, message });
  if (typeof spec !== 'object' || spec === null) {
    bad('default export', 'lab.ts must `export default defineLab({ ... })`');
    return { problems };
  }
  const s = spec as Partial<LabSpec>;
  if (typeof s.id !== 'string' || !KEBAB.test(s.id)) bad('id', `must be a kebab-case id like "at-least-once", got ${JSON.stringify(s.id)}`);
  for (const f of ['title', 'topic', 'summary'] as const) {
    if (typeof s[f] !== 'string' || (s[f] as string).trim() === '') bad(f, 'must be a non-empty string');
  }
  if (typeof s.topic === 'string' && !KEBAB.test(s.topic)) bad('topic', `must be kebab-case, got ${JSON.stringify(s.topic)}`);
  if (!BROKERS.includes(s.broker as string)) bad('broker', `must be one of ${BROKERS.join(', ')}, got ${JSON.stringify(s.broker)}`);
  if (!Array.isArray(s.objectives) || s.objectives.length === 0) bad('objectives', 'list at least one curriculum objective id (see src/labs/curriculum.ts)');
  else s.objectives.forEach((o, i) => isObjectiveId(String(o)) || bad(`objectives[${i}]`, `unknown objective ${JSON.stringify(o)}; the ids are in src/labs/curriculum.ts`));
  if (!Array.isArray(s.seeds) || s.seeds.length === 0) bad('seeds', 'list at least one public seed');
  else s.seeds.forEach((x, i) => (Number.isSafeInteger(x) && x >= 0) || bad(`seeds[${i}]`, `seeds are whole numbers ≥ 0, got ${JSON.stringify(x)}`));
  for (const f of ['chaosMs', 'healMs'] as const) {
    const v = s[f];
    if (typeof v !== 'number' || !(v > 0) || v > 3_600_000) bad(f, `must be a positive number of milliseconds up to one hour, got ${JSON.stringify(v)}`);
  }
  if (typeof s.build !== 'function') bad('build', 'must be a function that builds the scenario in the given world');
  if (!Array.isArray(s.checks) || s.checks.length === 0) bad('checks', 'list at least one check');
  else {
    const ids = new Set<string>();
    s.checks.forEach((c, i) => {
      if (typeof c?.id !== 'string' || !KEBAB.test(c.id)) bad(`checks[${i}].id`, `must be kebab-case, got ${JSON.stringify(c?.id)}`);
      else if (ids.has(c.id)) bad(`checks[${i}].id`, `"${c.id}" is used twice`);
      else ids.add(c.id);
      if (typeof c?.title !== 'string' || c.title.trim() === '') bad(`checks[${i}].title`, 'must be a non-empty string');
      if (typeof c?.teaches !== 'string' || c.teaches.trim() === '') bad(`checks[${i}].teaches`, 'say in one sentence what passing shows');
      if (!Number.isInteger(c?.points) || c.points <= 0) bad(`checks[${i}].points`, `must be a positive whole number, got ${JSON.stringify(c?.points)}`);
      if (typeof c?.checker !== 'function') bad(`checks[${i}].checker`, 'must be a checker function (see src/labs/checkers)');
    });
  }
  if (!Array.isArray(s.hints)) bad('hints', 'must be a list (it may be empty)');
  else {
    let last = -1;
    s.hints.forEach((h, i) => {
      if (!Number.isInteger(h?.afterFailures) || h.afterFailures < 0) bad(`hints[${i}].afterFailures`, 'must be a whole number ≥ 0');
      else if (h.afterFailures < last) bad(`hints[${i}].afterFailures`, 'hints are listed in the order they unlock');
      else last = h.afterFailures;
      if (typeof h?.text !== 'string' || h.text.trim() === '') bad(`hints[${i}].text`, 'must be a non-empty string');
    });
  }
  if (s.faults !== undefined && !Array.isArray(s.faults)) bad('faults', 'must be a fault schedule: a list of entries like { at: 500, kind: "crash", node: "b1" }');
  if (files.readme === undefined) bad('', 'missing: every lab has a README.md guide', `${dir}/README.md`);
  else {
    const words = wordCount(files.readme);
    if (words < README_WORDS_MIN || words > README_WORDS_MAX) bad('', `the guide has ${words} words; keep it between ${README_WORDS_MIN} and ${README_WORDS_MAX}`, `${dir}/README.md`);
  }
  if (files.starter === undefined) bad('', 'missing: the code the learner starts from', `${dir}/starter.ts`);
  if (files.solution === undefined) bad('', 'missing: a reference solution that passes every check', `${dir}/solution.ts`);
  return { problems };
}
