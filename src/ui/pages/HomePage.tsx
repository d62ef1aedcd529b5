import * as Comlink from 'comlink';
import { useRef, useState } from 'react';
import type { HistoryEntry } from '../../sim';
import type { ScenarioRunResult } from '../../host/engine';
import { engine } from '../engine-client';
import { formatUs } from '../format-time';

const SHOWN = 25;

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

/**
 * The home page: runs the gossip scenario in the engine worker and shows what came back. It
 * proves the worker path (same historyHash as Node for the same seed, checked by
 * test/e2e/worker-determinism.spec.ts) and points at the playground for everything else.
 */
export function HomePage() {
  const [seed, setSeed] = useState('1');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<ScenarioRunResult>();
  const [streamed, setStreamed] = useState(0);
  const [tail, setTail] = useState<HistoryEntry[]>([]);
  const tailRef = useRef<HistoryEntry[]>([]);

  async function run(): Promise<void> {
    setError(undefined);
    if (!/^\d+$/.test(seed.trim())) {
      setError(`The seed is a whole number (0 or more); "${seed}" is not.`);
      return;
    }
    setRunning(true);
    setResult(undefined);
    setStreamed(0);
    tailRef.current = [];
    let count = 0;
    const onBatch = Comlink.proxy((batch: HistoryEntry[]) => {
      count += batch.length;
      tailRef.current = [...tailRef.current, ...batch].slice(-SHOWN);
      setStreamed(count);
    });
    try {
      const reply = await engine().run({ scenario: 'gossip', seed: Number(seed.trim()) }, onBatch);
      if (reply.ok) setResult(reply.result);
      else setError(reply.error);
      setTail(tailRef.current);
    } catch (e) {
      setError(`The engine failed: ${(e as Error).message}`);
    } finally {
      setRunning(false);
    }
  }

  return (
    <div className="page">
      <header className="masthead">
        <h1>Brokerlab</h1>
        <p className="tagline">A deterministic lab for message brokers. Same seed, same history — byte for byte.</p>
      </header>
      <section className="panel explore" aria-labelledby="explore-title">
        <h2 id="explore-title">Break things on purpose</h2>
        <p>
          The playground runs the built-in scenarios with faults you schedule — crashes, partitions, lost packets, skewed
          clocks — and shows every message on a space-time diagram, a live topology, metrics, a console and the history, all
          scrubbed by one timeline.
        </p>
        <a className="button-link" href="#/playground?scenario=gossip&seed=1">
          Open the playground
        </a>
      </section>
      <section className="panel explore" aria-labelledby="labs-title">
        <h2 id="labs-title">Learn by fixing broken code</h2>
        <p>
          Each lab gives you a service that loses, duplicates or reorders messages under faults. Run it, watch a check fail, jump to the
          moment it went wrong, and fix the code. Your code and progress are saved in this browser.
        </p>
        <a className="button-link" href="#/labs">
          Browse the labs
        </a>
      </section>
      <section className="panel" aria-labelledby="run-title">
        <h2 id="run-title">Gossip with vector clocks</h2>
        <p>
          Five nodes broadcast events stamped with vector clocks while a nemesis crashes, pauses and partitions them; then the
          network heals and the clocks converge. The run happens in a Web Worker.
        </p>
        <form
          className="controls"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <label htmlFor="seed">Seed</label>
          <input id="seed" name="seed" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} aria-describedby="seed-help" />
          <button type="submit" disabled={running}>
            {running ? 'Running…' : 'Run gossip'}
          </button>
          <span id="seed-help" className="help">
            Any whole number. The same seed always gives the same history.
          </span>
        </form>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <dl className="stats" aria-live="polite">
          <div>
            <dt>History hash</dt>
            <dd data-testid="history-hash" className="mono">
              {result?.historyHash ?? '—'}
            </dd>
          </div>
          <div>
            <dt>Events</dt>
            <dd data-testid="events">{result ? result.events.toLocaleString('en') : '—'}</dd>
          </div>
          <div>
            <dt>History entries</dt>
            <dd data-testid="entries">{result || running ? (result?.historyEntries ?? streamed).toLocaleString('en') : '—'}</dd>
          </div>
          <div>
            <dt>Simulated time</dt>
            <dd>{result ? formatUs(result.simTimeUs) : '—'}</dd>
          </div>
          <div>
            <dt>Outcome</dt>
            <dd data-testid="outcome">{result ? (OUTCOME_WORDS[result.outcome] ?? result.outcome) : '—'}</dd>
          </div>
        </dl>
        {result && (
          <p className="repro">
            Reproduce in a terminal: <code>npx brokerlab run gossip --seed {result.seed}</code>
          </p>
        )}
      </section>
      <section className="panel" aria-labelledby="tail-title">
        <h2 id="tail-title">Last {SHOWN} history entries</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Kind</th>
                <th scope="col">Node</th>
                <th scope="col">Peer</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {tail.length === 0 ? (
                <tr>
                  <td colSpan={6} className="empty">
                    Run the scenario to see its history.
                  </td>
                </tr>
              ) : (
                tail.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>{formatUs(e.timeUs)}</td>
                    <td>
                      <span className={`kind kind-${e.kind.replace('.', '-')}`}>{e.kind}</span>
                    </td>
                    <td>{e.node}</td>
                    <td>{e.peer ?? ''}</td>
                    <td className="data">{e.data === undefined ? '' : JSON.stringify(e.data)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
