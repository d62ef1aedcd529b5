import { useSyncExternalStore, type ReactNode } from 'react';
import type { HistoryStore } from '../history/history-store';
import { formatUs } from '../format-time';

/** Why the run stopped, in words. */
const OUTCOME_WORDS: Record<string, string> = {
  predicate: 'Converged early',
  'until-time': 'Ran to the end',
  quiescent: 'Nothing left to do',
  'limit-events': 'Event limit reached',
  'limit-time': 'Time limit reached',
  stopped: 'Stopped',
  'until-events': 'Paused',
};

/** What every run reports, whatever ran it (a built-in scenario, a broker family). */
export interface RunFigures {
  historyHash: string;
  historyEntries: number;
  simTimeUs: number;
  outcome: string;
}

interface Props {
  result: RunFigures | undefined;
  running: boolean;
  /** The streaming history, for the entry count while the run is going. */
  history: HistoryStore;
  /** How to reproduce the run (shown once there is a result). */
  repro?: ReactNode;
}

/** The run's identity and size: its hash, counts, outcome and how to reproduce it. */
export function RunSummary({ result, running, history, repro }: Props) {
  const streamed = useSyncExternalStore(history.subscribe, () => history.length);
  return (
    <section className="panel run-summary" aria-label="Run result">
      <dl className="stats" aria-live="polite">
        <div>
          <dt>History hash</dt>
          <dd data-testid="pg-history-hash" className="mono">
            {result?.historyHash ?? (running ? 'running…' : '—')}
          </dd>
        </div>
        <div>
          <dt>History entries</dt>
          <dd data-testid="pg-entries">{result ? result.historyEntries.toLocaleString('en') : running ? streamed.toLocaleString('en') : '—'}</dd>
        </div>
        <div>
          <dt>Simulated time</dt>
          <dd>{result ? formatUs(result.simTimeUs) : '—'}</dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd data-testid="pg-outcome">{result ? (OUTCOME_WORDS[result.outcome] ?? result.outcome) : '—'}</dd>
        </div>
      </dl>
      {result && repro}
    </section>
  );
}
