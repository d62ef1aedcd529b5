import './review-banner.css';
import type { LabRunResult } from '../../labs/lab';
import type { FaultEntry } from '../faults/fault-entry';
import { reviewRunName, type LabReview } from '../instructor/review-handoff';
import { labHref } from './labs-data';

export type { LabReview };

interface Props {
  review: LabReview;
  labId: string;
  result: LabRunResult | undefined;
  ranWith: { seed: number; faults: FaultEntry[] } | undefined;
}

/**
 * Says plainly that this lab page shows a learner's submission, read-only and unsaved, so nobody
 * mistakes it for their own code; and, once the replay has run, whether its history hash equals
 * the graded run's.
 */
export function ReviewBanner({ review, labId, result, ranWith }: Props) {
  const { run } = review;
  const sameRun = result !== undefined && ranWith !== undefined && ranWith.seed === run.seed && JSON.stringify(ranWith.faults) === JSON.stringify(run.faults ?? []);
  return (
    <section className="panel review-banner" aria-label="Reviewing a submission" data-testid="review-banner">
      <p className="review-title">
        Reviewing <strong>{run.learner}</strong>’s submission <span className="review-file">({run.file})</span> on {reviewRunName(run)}.
      </p>
      <p>The code is read-only and nothing on this page is saved: your own code for this lab is untouched.</p>
      {sameRun && run.gradedHash !== undefined && (
        <p data-testid="review-hash" className={result.historyHash === run.gradedHash ? 'review-same' : 'review-differs'}>
          {result.historyHash === run.gradedHash
            ? `Same run as graded: history hash ${result.historyHash}.`
            : `This run's history hash ${result.historyHash} differs from the graded run's ${run.gradedHash}: grading stops a run at the first budget overrun, so a run that overran ends later here.`}
        </p>
      )}
      <div className="inline">
        <a className="button-link" href="#/instructor">
          Back to the gradebook
        </a>
        <a className="button-link secondary-link" href={labHref(labId)}>
          Open my own code for this lab
        </a>
      </div>
    </section>
  );
}
