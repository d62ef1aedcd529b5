import { useId } from 'react';
import { gradedFileName } from '../../labs/assess/class-grading';
import { keyLab } from '../../labs/assess/key';
import { formatPoints } from '../../labs/assess/points';
import { runName, zeroReasonText, type LabResult, type LearnerResult } from '../../labs/assess/results';
import { selectLearner, type GradingState } from './instructor-store';
import { openReview, reviewHash } from './review-handoff';

type Graded = Extract<GradingState, { kind: 'graded' }>;

/** Hands the learner's code for this lab and this run to the lab page, which replays it read-only. */
function openRun(g: Graded, learner: LearnerResult, lab: LabResult, seed: number, schedule: number): void {
  const entry = g.accepted.find((a) => a.submission.learner === learner.learner);
  const code = entry?.submission.labs.find((l) => l.lab === lab.lab)?.code;
  if (code === undefined) return;
  const publicSeeds = g.assessment.labs.find((l) => l.lab === lab.lab)?.seeds ?? [];
  const graded = lab.runLog.find((r) => r.seed === seed && r.schedule === schedule);
  const run = {
    learner: learner.learner,
    file: learner.file,
    lab: lab.lab,
    code,
    filename: gradedFileName(lab.lab),
    seed,
    schedule,
    ...(schedule >= 0 ? { faults: keyLab(g.key, lab.lab).faultSchedules[schedule] } : {}),
    hidden: schedule >= 0 || !publicSeeds.includes(seed),
    ...(graded ? { gradedHash: graded.historyHash } : {}),
  };
  location.hash = reviewHash(openReview(run), run);
}

function OpenRun({ g, learner, lab, seed, schedule, publicSeeds }: { g: Graded; learner: LearnerResult; lab: LabResult; seed: number; schedule: number; publicSeeds: readonly number[] }) {
  const name = runName(seed, schedule, false, publicSeeds);
  return (
    <button type="button" className="secondary small" onClick={() => openRun(g, learner, lab, seed, schedule)} aria-label={`Open run: ${learner.learner}, ${lab.lab}, ${name}`} data-testid="open-run" data-seed={seed} data-schedule={schedule}>
      Open run
    </button>
  );
}

function LabDetail({ g, learner, lab }: { g: Graded; learner: LearnerResult; lab: LabResult }) {
  const publicSeeds = g.assessment.labs.find((l) => l.lab === lab.lab)?.seeds ?? [];
  const label = (seed: number, schedule: number): string => {
    const hidden = schedule >= 0 || !publicSeeds.includes(seed);
    return `${runName(seed, schedule, false, publicSeeds)}${hidden ? ' (hidden)' : ''}`;
  };
  const stopped = lab.stopped === 'all-checks-failed' ? ': every check had failed, so later runs could not change the score' : lab.stopped === 'zeroed' ? ': stopped at the run that scored the lab 0' : '';
  return (
    <section className="lab-detail" data-lab={lab.lab} aria-label={`${lab.title}: ${formatPoints(lab.earned)} of ${formatPoints(lab.points)}`}>
      <h3>
        {lab.title} <code>{lab.lab}</code>
        <span className="lab-detail-score">
          {formatPoints(lab.earned)} / {formatPoints(lab.points)}
        </span>
      </h3>
      <p>
        {lab.runs} of {lab.runsPlanned} runs made{stopped}.
      </p>
      {lab.zero && (
        <p className="zero-reason" data-testid="zero-reason">
          {zeroReasonText(lab.zero, false, publicSeeds)}
        </p>
      )}
      <table className="check-table">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Points</th>
            <th scope="col">Runs passed</th>
            <th scope="col">First failure</th>
          </tr>
        </thead>
        <tbody>
          {lab.checks.map((c) => {
            const ok = c.earned > 0;
            return (
              <tr key={c.id} data-check={c.id} data-state={ok ? 'passed' : 'failed'}>
                <th scope="row">{c.title}</th>
                <td className={ok ? 'result-ok' : 'result-bad'}>{ok ? '✓ Passed' : '✗ Failed'}</td>
                <td>
                  {formatPoints(c.earned)} / {formatPoints(c.points)}
                </td>
                <td>
                  {c.passedRuns} of {c.runs}
                </td>
                <td className="wrap">
                  {c.firstFailure ? (
                    <div className="first-failure">
                      <span>
                        {label(c.firstFailure.seed, c.firstFailure.schedule)}: {c.firstFailure.summary}
                      </span>
                      <OpenRun g={g} learner={learner} lab={lab} seed={c.firstFailure.seed} schedule={c.firstFailure.schedule} publicSeeds={publicSeeds} />
                    </div>
                  ) : ok ? (
                    '—'
                  ) : (
                    'not run'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {lab.issues.length > 0 && (
        <div className="issues">
          <p>Errors in the code (first of each):</p>
          <ul>
            {lab.issues.map((i, k) => (
              <li key={k}>
                {label(i.seed, i.schedule)}, node {i.node}: {i.text}
              </li>
            ))}
          </ul>
        </div>
      )}
      {lab.runLog.length > 0 && (
        <details className="run-log">
          <summary>Every run ({lab.runLog.length})</summary>
          <ul>
            {lab.runLog.map((r) => (
              <li key={`${r.schedule}/${r.seed}`}>
                <span>{label(r.seed, r.schedule)}</span>
                <code>{r.historyHash}</code>
                <OpenRun g={g} learner={learner} lab={lab} seed={r.seed} schedule={r.schedule} publicSeeds={publicSeeds} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** One learner's grades in full: each lab's checks, why any lab scored 0, their errors, and every run to open. */
export function LearnerDetails({ g, learner }: { g: Graded; learner: LearnerResult }) {
  const id = useId();
  const missing = learner.labs.filter((l) => l.zero?.kind === 'not-submitted');
  const submitted = learner.labs.filter((l) => l.zero?.kind !== 'not-submitted');
  return (
    <section className="panel learner-details" aria-labelledby={`${id}-h`} data-testid="learner-details" data-learner={learner.learner}>
      <div className="view-head">
        <h2 id={`${id}-h`}>
          {learner.learner}: {formatPoints(learner.total)} / {formatPoints(learner.max)}
        </h2>
        <button type="button" className="secondary small" onClick={() => selectLearner(undefined)}>
          Close
        </button>
      </div>
      <p>
        From <code>{learner.file}</code>, exported by Brokerlab {learner.appVersion}.
      </p>
      {learner.notes.map((n, i) => (
        <p key={i} className="note">
          Note: {n}
        </p>
      ))}
      {missing.length > 0 && (
        <p className="zero-reason">
          Not submitted (0 points): {missing.map((l) => l.lab).join(', ')}.
        </p>
      )}
      {submitted.map((lab) => (
        <LabDetail key={lab.lab} g={g} learner={learner} lab={lab} />
      ))}
    </section>
  );
}
