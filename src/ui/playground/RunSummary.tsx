import { useSyncExternalStore } from 'react';
import type { ScenarioRunResult } from '../../host/engine';
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

interface Props {
  result: ScenarioRunResult | undefined;
  running: boolean;
  /** The streaming history, for the entry count while the run is going. */
  history: HistoryStore;
  /** True when the run used a schedule from the page (the CLI then needs a faults file). */
  hasFaults: boolean;
  nodesGiven: boolean;
}

/** The run's identity and size: its hash, counts, outcome and the command that reproduces it. */
export function RunSummary({ result, running, history, hasFaults, nodesGiven }: Props) {
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
      {result && !nodesGiven && (
        <p className="repro">
          Reproduce in a terminal:{' '}
          <code>
            npx brokerlab run {result.scenario} --seed {result.seed}
            {hasFaults ? ' --faults faults.json' : ''}
          </code>
          {hasFaults ? ' (the schedule as JSON, from “Edit as JSON”)' : ''}
        </p>
      )}
    </section>
  );
}
