import type { DemoReport } from '../../host/engine';

interface Props {
  report: DemoReport | undefined;
  running: boolean;
  fix: boolean;
  fixLabel: string;
}

/**
 * What the run showed, in figures large enough for the back of a lecture hall. The figure that
 * shows the anomaly is marked with a word and a symbol as well as a colour; with the fix, the
 * same figure reads as fine when it is zero.
 */
export function DemoOutcome({ report, running, fix, fixLabel }: Props) {
  return (
    <section className="demo-outcome" aria-labelledby="demo-outcome-title">
      <h2 id="demo-outcome-title">{fix ? `Outcome with ${fixLabel}` : 'Outcome'}</h2>
      {report === undefined ? (
        <p className="demo-outcome-text" role="status">
          {running ? 'Running the demo…' : '—'}
        </p>
      ) : (
        <>
          <dl className="demo-figures">
            {report.figures.map((f) => {
              const bad = f.anomaly === true && f.value > 0;
              return (
                <div key={f.label} className={bad ? 'demo-figure bad' : f.anomaly ? 'demo-figure good' : 'demo-figure'}>
                  <dt>{f.label}</dt>
                  <dd>
                    {f.value.toLocaleString('en')}
                    {bad && <span className="demo-figure-mark" aria-label="anomaly"> ⚠</span>}
                    {f.anomaly && !bad && <span className="demo-figure-mark" aria-label="none"> ✓</span>}
                  </dd>
                </div>
              );
            })}
          </dl>
          <p className={report.anomaly ? 'demo-outcome-text bad' : 'demo-outcome-text good'} data-testid="demo-outcome" aria-live="polite">
            {report.outcome}
          </p>
        </>
      )}
    </section>
  );
}
