import { useId } from 'react';
import type { CheckResult } from '../../labs/lab/run';
import { formatUs } from '../format-time';
import type { MomentTarget } from '../timeline/moment';

interface Props {
  checks: readonly CheckResult[] | undefined;
  running: boolean;
  onJump: (target: MomentTarget) => void;
}

/**
 * What the playground's checks found: information about the run, not a grade. Each says whether
 * it holds, in a word and a mark as well as a colour, with its counts; evidence with a moment is
 * a button that takes every view there.
 */
export function PlaygroundChecks({ checks, running, onJump }: Props) {
  const id = useId();
  return (
    <section className="panel pg-checks" aria-labelledby={`${id}-title`} data-testid="pg-checks">
      <div className="view-head">
        <h2 id={`${id}-title`}>What happened to the messages</h2>
      </div>
      {!checks ? (
        <p className="view-note">{running ? 'Running…' : 'After a run: whether every acknowledged message was handled, and handled once.'}</p>
      ) : (
        <ul className="pg-check-list">
          {checks.map((c) => (
            <li key={c.id} className={`pg-check pg-check-${c.passed ? 'holds' : 'broken'}`} data-check={c.id} data-state={c.passed ? 'holds' : 'broken'}>
              <p className="pg-check-head">
                <span aria-hidden="true" className="pg-check-mark">
                  {c.passed ? '✓' : '✗'}
                </span>
                <span className="pg-check-title">{c.title}</span>
                <span className="pg-check-state">{c.passed ? 'holds' : 'does not hold'}</span>
              </p>
              <p className="pg-check-summary">{c.summary}</p>
              {c.evidence.length > 0 && (
                <ul className="pg-evidence" aria-label={`Evidence for ${c.title}`}>
                  {c.evidence.map((e, k) => (
                    <li key={k}>
                      {e.timeUs !== undefined ? (
                        <button type="button" className="pg-evidence-jump" onClick={() => onJump({ timeUs: e.timeUs!, seq: e.seq })}>
                          <span className="pg-evidence-when">{formatUs(e.timeUs)}</span> {e.message}
                        </button>
                      ) : (
                        <span>{e.message}</span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
