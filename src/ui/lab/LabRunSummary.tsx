import { useSyncExternalStore } from 'react';
import type { LabRunResult } from '../../labs/lab';
import type { FaultEntry } from '../faults/fault-entry';
import { formatUs } from '../format-time';
import type { HistoryStore } from '../history/history-store';
import { ReproDownloads } from '../repro-downloads';
import type { LabSummary } from './labs-data';

interface Props {
  lab: LabSummary;
  result: LabRunResult | undefined;
  running: boolean;
  history: HistoryStore;
  ranWith: { seed: number; faults: FaultEntry[] } | undefined;
  /** The code now in the editor, offered as the file the terminal command reads. */
  code: string;
}

/** The run's score, identity and size, and the command that reproduces it in a terminal. */
export function LabRunSummary({ lab, result, running, history, ranWith, code }: Props) {
  const streamed = useSyncExternalStore(history.subscribe, () => history.length);
  const faults = ranWith?.faults ?? [];
  return (
    <section className="panel run-summary" aria-label="Run result">
      <dl className="stats" aria-live="polite">
        <div>
          <dt>Score</dt>
          <dd data-testid="lab-run-score">{result ? `${result.score} / ${result.maxScore}` : running ? 'running…' : '—'}</dd>
        </div>
        <div>
          <dt>History hash</dt>
          <dd data-testid="lab-history-hash" className="mono">
            {result?.historyHash ?? (running ? 'running…' : '—')}
          </dd>
        </div>
        <div>
          <dt>History entries</dt>
          <dd data-testid="lab-entries">{result ? result.historyEntries.toLocaleString('en') : running ? streamed.toLocaleString('en') : '—'}</dd>
        </div>
        <div>
          <dt>Simulated time</dt>
          <dd>{result ? formatUs(result.simTimeUs) : '—'}</dd>
        </div>
      </dl>
      {result && ranWith && (
        <div className="repro">
          <p>
            Reproduce in a terminal:{' '}
            <code data-testid="lab-repro">
              npx brokerlab run {lab.id} --code handler.ts --seed {ranWith.seed}
              {faults.length > 0 ? ' --faults faults.json' : ''}
            </code>
          </p>
          <div className="inline">
            <ReproDownloads code={code} faults={faults} />
          </div>
        </div>
      )}
    </section>
  );
}
