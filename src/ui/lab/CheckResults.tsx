import { useId } from 'react';
import type { LabRunResult } from '../../labs/lab';
import { formatUs } from '../format-time';
import type { MomentTarget } from '../timeline/moment';
import type { LabSummary } from './labs-data';

interface Props {
  checks: LabSummary['checks'];
  result: LabRunResult | undefined;
  running: boolean;
  /** Scrubs the shared timeline (and every view) to a counterexample's moment. */
  onJump: (target: MomentTarget) => void;
}

/**
 * The lab's checks with their points: before a run, what will be checked; after, each verdict
 * with its summary and evidence. Evidence with a moment is a button that takes every view there.
 */
export function CheckResults({ checks, result, running, onJump }: Props) {
  const id = useId();
  const total = checks.reduce((a, c) => a + c.points, 0);
  return (
    <section className="panel checks" aria-labelledby={`${id}-title`} data-testid="lab-checks">
      <div className="view-head">
        <h2 id={`${id}-title`}>Checks</h2>
        <p className="score" data-testid="lab-score" aria-live="polite">
          {running ? 'Running…' : result ? `${result.score} / ${result.maxScore} points` : `${total} points`}
        </p>
      </div>
      <ul className="check-list">
        {checks.map((c) => {
          const r = result?.checks.find((x) => x.id === c.id);
          const state = r ? (r.passed ? 'passed' : 'failed') : 'pending';
          return (
            <li key={c.id} className={`check-item check-${state}`} data-check={c.id} data-state={state}>
              <div className="check-head">
                <span className="check-mark" aria-hidden="true">
                  {state === 'passed' ? '✓' : state === 'failed' ? '✗' : '·'}
                </span>
                <span className="check-title">{c.title}</span>
                <span className="check-state">{state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'not run'}</span>
                <span className="check-points">
                  {r ? (r.passed ? c.points : 0) : '–'} / {c.points}
                </span>
              </div>
              {r ? <p className="check-summary">{r.summary}</p> : <p className="check-summary">{c.teaches}</p>}
              {r && r.evidence.length > 0 && (
                <ul className="evidence" aria-label={`Evidence for ${c.title}`}>
                  {r.evidence.map((e, k) => (
                    <li key={k}>
                      {e.timeUs !== undefined ? (
                        <button type="button" className="evidence-jump" onClick={() => onJump({ timeUs: e.timeUs!, seq: e.seq })} data-time-us={e.timeUs} data-seq={e.seq}>
                          <span className="evidence-when">{formatUs(e.timeUs)}</span>
                          <span className="evidence-what">{e.message}</span>
                        </button>
                      ) : (
                        <span className="evidence-what">{e.message}</span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
