import { formatPoints } from './points';
import { runName, scoreText, zeroReasonText, type LearnerResult, type RejectedFile } from './results';

/**
 * Gradescope's autograder results (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
 * a top-level score and output, and one test per check with its score, max_score, status and
 * output. Only the fields Brokerlab fills are typed here.
 */
export interface GradescopeResults {
  score: number;
  output: string;
  tests: GradescopeTest[];
}

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: 'visible' | 'hidden' | 'after_due_date' | 'after_published';
}

/** Evidence lines shown per failed check. */
const EVIDENCE_SHOWN_MAX = 3;

/**
 * One learner's results.json. It goes to the learner, so it never names a hidden seed or shows a
 * key's fault schedule: a failure there reads "failed on a hidden seed" with the checker's words.
 */
export function gradescopeResults(r: LearnerResult, publicSeedsByLab: ReadonlyMap<string, readonly number[]>): GradescopeResults {
  const tests: GradescopeTest[] = [];
  const lines = [`Brokerlab regraded ${r.learner}'s code: ${scoreText(r.total, r.max)} points. Scores come from re-running the code, not from the file.`];
  r.labs.forEach((l, li) => {
    const pub = publicSeedsByLab.get(l.lab) ?? [];
    lines.push(`${l.lab}: ${scoreText(l.earned, l.points)}${l.zero ? ` — ${zeroReasonText(l.zero, true, pub)}` : ''}`);
    l.checks.forEach((c, ci) => {
      const out: string[] = [];
      if (l.zero) out.push(zeroReasonText(l.zero, true, pub));
      else if (c.firstFailure) {
        const f = c.firstFailure;
        out.push(`Failed on ${runName(f.seed, f.schedule, true, pub)}: ${f.summary}`);
        for (const e of f.evidence.slice(0, EVIDENCE_SHOWN_MAX)) out.push(`  ${e.message}`);
        if (!f.hidden) out.push(`Reproduce: npx brokerlab run ${l.lab} --code <your file> --seed ${f.seed}`);
      } else out.push(`Passed in all ${c.runs} runs.`);
      if (!l.zero && l.issues.length > 0 && c.firstFailure) out.push(`Your code reported: ${l.issues[0]!.text.split('\n')[0]}`);
      tests.push({
        name: `${l.lab}: ${c.title}`,
        number: `${li + 1}.${ci + 1}`,
        score: c.earned,
        max_score: c.points,
        status: c.earned === c.points && c.points > 0 ? 'passed' : 'failed',
        output: out.join('\n'),
        visibility: 'visible',
      });
    });
  });
  if (r.notes.length) lines.push(...r.notes.map((n) => `Note: ${n}`));
  return { score: Number(formatPoints(r.total)), output: lines.join('\n'), tests };
}

/** results.json for a file that could not be graded: 0 points and what was wrong with it. */
export function rejectedGradescopeResults(rej: RejectedFile): GradescopeResults {
  return { score: 0, output: `Brokerlab could not grade this submission.\n${rej.message}`, tests: [] };
}
