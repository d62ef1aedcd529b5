import { Fragment, useId } from 'react';
import { gradesCsv, gradesJson } from '../../labs/assess/gradebook-csv';
import { formatPoints } from '../../labs/assess/points';
import type { ClassResults, LabResult } from '../../labs/assess/results';
import { downloadText } from '../download';
import { sortLearners } from './gradebook-order';
import { selectLearner, setSort, type InstructorState } from './instructor-store';

/** A lab id that may break after its hyphens in a narrow column header. */
function breakable(id: string) {
  const parts = id.split('-');
  return parts.map((p, i) => (
    <Fragment key={i}>
      {p}
      {i < parts.length - 1 && (
        <>
          -<wbr />
        </>
      )}
    </Fragment>
  ));
}

function LabCell({ lab }: { lab: LabResult | undefined }) {
  if (!lab || lab.zero?.kind === 'not-submitted') {
    return (
      <td className="lab-cell lab-missing" data-lab={lab?.lab}>
        <span aria-label="not submitted" title="not submitted">
          —
        </span>
      </td>
    );
  }
  const passed = lab.checks.filter((c) => c.earned > 0).length;
  return (
    <td className={`lab-cell${lab.zero ? ' lab-zeroed' : ''}`} data-lab={lab.lab} data-earned={formatPoints(lab.earned)}>
      <span className="cell-score">{formatPoints(lab.earned)}</span>
      <span className="cell-marks" aria-label={lab.zero ? 'scored 0: see the details' : `${passed} of ${lab.checks.length} checks passed`}>
        {lab.zero ? (
          <span className="mark-bad">0!</span>
        ) : (
          lab.checks.map((c) => (
            <span key={c.id} className={c.earned > 0 ? 'mark-ok' : 'mark-bad'}>
              {c.earned > 0 ? '✓' : '✗'}
            </span>
          ))
        )}
      </span>
    </td>
  );
}

/** The class at a glance: a row per learner, a column per lab (points and a mark per check), totals; sortable; grades.csv. */
export function Gradebook({ s, results }: { s: InstructorState; results: ClassResults }) {
  const id = useId();
  const rows = sortLearners(results.learners, s.sort);
  const max = results.learners[0]?.max ?? results.assessment.labs.reduce((a, l) => a + l.points, 0);
  const mean = results.learners.length ? results.learners.reduce((a, l) => a + l.total, 0) / results.learners.length : 0;
  const totalSort = s.sort === 'total-desc' ? 'descending' : s.sort === 'total-asc' ? 'ascending' : undefined;
  return (
    <section className="panel gradebook" aria-labelledby={`${id}-h`} data-testid="gradebook">
      <div className="view-head">
        <h2 id={`${id}-h`}>Gradebook</h2>
        <p className="gradebook-stats">
          {results.learners.length} learner{results.learners.length === 1 ? '' : 's'} · mean {formatPoints(mean)} of {formatPoints(max)}
        </p>
        <div className="toolbar">
          <button type="button" onClick={() => downloadText('grades.csv', gradesCsv(results), 'text/csv')} data-testid="download-csv">
            Download grades.csv
          </button>
          {/* Everything, hidden seeds included, as `brokerlab grade` writes grades.json: for the instructor's own tools. */}
          <button type="button" className="secondary" onClick={() => downloadText('grades.json', gradesJson(results), 'application/json')} data-testid="download-json">
            Download grades.json
          </button>
        </div>
      </div>
      <div className="table-wrap">
        <table className="gradebook-table">
          <caption className="visually-hidden">Points per learner and lab; a ✓ or ✗ per check. Choose a learner for the details.</caption>
          <thead>
            <tr>
              <th scope="col" aria-sort={s.sort === 'name' ? 'ascending' : undefined}>
                <button type="button" className="sort-button" onClick={() => setSort('name')}>
                  Learner{s.sort === 'name' ? ' ▲' : ''}
                </button>
              </th>
              {results.assessment.labs.map((l) => (
                <th key={l.lab} scope="col" className="lab-col" title={l.title}>
                  <span className="lab-col-id">{breakable(l.lab)}</span>
                  <span className="lab-col-max">of {formatPoints(l.points)}</span>
                </th>
              ))}
              <th scope="col" aria-sort={totalSort}>
                <button type="button" className="sort-button" onClick={() => setSort(s.sort === 'total-desc' ? 'total-asc' : 'total-desc')} data-testid="sort-total">
                  Total{s.sort === 'total-desc' ? ' ▼' : s.sort === 'total-asc' ? ' ▲' : ''}
                </button>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.learner} className={s.selected === r.learner ? 'row-selected' : undefined} data-learner={r.learner} data-total={formatPoints(r.total)}>
                <th scope="row">
                  <button type="button" className="linkish learner-button" aria-pressed={s.selected === r.learner} onClick={() => selectLearner(s.selected === r.learner ? undefined : r.learner)}>
                    {r.learner}
                  </button>
                  {r.notes.length > 0 && (
                    <span className="note-mark" title={r.notes.join('; ')} aria-label={`${r.notes.length} note${r.notes.length === 1 ? '' : 's'}`}>
                      {' '}
                      ※
                    </span>
                  )}
                </th>
                {results.assessment.labs.map((l) => (
                  <LabCell key={l.lab} lab={r.labs.find((x) => x.lab === l.lab)} />
                ))}
                <td className="total-cell">
                  {formatPoints(r.total)}
                  <span className="total-max"> / {formatPoints(r.max)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
