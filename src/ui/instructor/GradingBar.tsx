import { useEffect, useId, useRef } from 'react';
import { cancel, grade, notReady, setWorkers, WORKERS_MAX, type InstructorState } from './instructor-store';
import type { GradeProgress } from './grade-class';

function current(p: GradeProgress): string {
  if (p.current.length === 0) return p.tasks === 0 ? 'Starting the graders…' : 'Waiting for a grader…';
  return p.current.map((c) => `${c.learner}${c.others ? ` (and ${c.others} more with the same code)` : ''}: ${c.lab}, run ${Math.min(c.runsDone + 1, c.runsPlanned)} of ${c.runsPlanned}`).join(' · ');
}

/** The Grade button, its progress (submissions and labs done, who is being graded now) and Cancel. */
export function GradingBar({ s }: { s: InstructorState }) {
  const id = useId();
  const why = notReady(s);
  const g = s.grading;
  // When grading starts, its progress is what to watch: bring it into view.
  const ref = useRef<HTMLElement>(null);
  const grading = g.kind === 'grading';
  useEffect(() => {
    if (grading) ref.current?.scrollIntoView({ block: 'start' });
  }, [grading]);
  const cores = typeof navigator === 'undefined' ? 2 : navigator.hardwareConcurrency || 2;
  const choices = Array.from({ length: Math.min(WORKERS_MAX, Math.max(cores, s.workers)) }, (_, i) => i + 1);
  return (
    <section ref={ref} className="panel instr-grade" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="visually-hidden">
        Grading
      </h2>
      <div className="grade-controls">
        <button type="button" onClick={() => void grade()} disabled={why !== undefined} data-testid="grade-button">
          {s.accepted.length > 0 ? `Grade ${s.accepted.length} submission${s.accepted.length === 1 ? '' : 's'}` : 'Grade'}
        </button>
        {g.kind === 'grading' && (
          <button type="button" className="danger" onClick={cancel} data-testid="cancel-grading">
            Cancel
          </button>
        )}
        <label htmlFor={`${id}-workers`}>Graders at once</label>
        <select id={`${id}-workers`} value={s.workers} onChange={(e) => setWorkers(Number(e.target.value))} disabled={g.kind === 'grading'}>
          {choices.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        {why && g.kind !== 'grading' && <p className="grade-why">{why}</p>}
      </div>
      {g.kind === 'grading' && (
        <div className="grade-progress" role="status" aria-live="polite" data-testid="grade-progress">
          <progress max={Math.max(1, g.progress.tasks)} value={g.progress.tasksDone + g.progress.current.reduce((a, c) => a + c.runsDone / Math.max(1, c.runsPlanned), 0)} aria-label="Labs graded" />
          <p>
            <strong>
              {g.progress.learnersDone} of {g.progress.learners} submissions graded
            </strong>{' '}
            · {g.progress.tasksDone} of {g.progress.tasks} lab gradings done
          </p>
          <p data-testid="grade-current">Now grading: {current(g.progress)}</p>
        </div>
      )}
      {g.kind === 'graded' && (
        <div role="status" data-testid="grade-done">
          <p className="grade-done">
            Graded {g.outcome.results.learners.length} submission{g.outcome.results.learners.length === 1 ? '' : 's'} in {g.seconds} s
            {g.outcome.results.rejected.length ? `; ${g.outcome.results.rejected.length} file${g.outcome.results.rejected.length === 1 ? '' : 's'} rejected (listed under Submissions)` : ''}.
          </p>
          {g.inputs !== s.inputs && <p className="grade-stale">The files changed since these grades were made: grade again to include the changes.</p>}
          {g.outcome.graderLimited.length > 0 && (
            <div className="error-panel grade-limited">
              <p>Stopped by the grader's own limits (not the learner's code); grade these again, with fewer graders at once:</p>
              {g.outcome.graderLimited.map((l) => (
                <p key={`${l.learner}/${l.lab}`}>
                  {l.learner}, {l.lab}: {l.text}
                </p>
              ))}
            </div>
          )}
        </div>
      )}
      {g.kind === 'cancelled' && (
        <p role="status" className="grade-stale" data-testid="grade-cancelled">
          Cancelled after {g.progress.learnersDone} of {g.progress.learners} submissions; no grades were kept. Press Grade to start again.
        </p>
      )}
      {g.kind === 'failed' && (
        <div className="error-panel" role="alert">
          <p>Grading failed: {g.message}</p>
        </div>
      )}
    </section>
  );
}
