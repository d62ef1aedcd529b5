import '../lab/lab.css';
import { useId, useState } from 'react';
import type { HostileResult } from '../../labs/sandbox';
import { engine } from '../engine-client';
import { useHashRoute } from '../router/use-hash-route';

/** Case names from a comma- or space-separated list; empty means every case. */
function parseOnly(text: string): string[] | undefined {
  const names = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length ? names : undefined;
}

/**
 * `#/about`: what Brokerlab is, and a diagnostics section that runs the learner sandbox's hostile
 * suite (infinite loops, escapes, host objects, …) in this browser's engine worker — the same
 * cases and the same history hashes as `npx brokerlab selftest` in Node.
 */
export default function AboutPage() {
  const id = useId();
  const route = useHashRoute();
  const [only, setOnly] = useState(route.params.get('only') ?? '');
  const [running, setRunning] = useState(false);
  const [results, setResults] = useState<HostileResult[]>();
  const [error, setError] = useState<string>();
  const [wallMs, setWallMs] = useState<number>();

  async function run(): Promise<void> {
    setRunning(true);
    setError(undefined);
    setResults(undefined);
    const started = performance.now();
    try {
      setResults(await engine().selftest(parseOnly(only)));
      setWallMs(Math.round(performance.now() - started));
    } catch (e) {
      setError(`The self-test could not run: ${(e as Error).message}`);
    } finally {
      setRunning(false);
    }
  }

  const failed = results?.filter((r) => !r.passed).length ?? 0;

  return (
    <div className="page about">
      <header className="masthead">
        <h1>About Brokerlab</h1>
        <p className="tagline">An offline lab for message brokers on a deterministic simulator: the same seed, code and faults give the same history, in this browser and in Node.</p>
      </header>
      <section className="panel" aria-labelledby={`${id}-what`}>
        <h2 id={`${id}-what`}>How it works</h2>
        <p>
          The engine runs in a Web Worker. Your lab code is TypeScript, transpiled and run in a QuickJS sandbox inside the simulation: it has no network, no
          storage, no <code>Date</code> and no host objects, only <code>console</code> and the <code>ctx</code> the lab hands it. Every handler call has a step,
          memory and stack budget, so an infinite loop is an error in the results, never a frozen tab.
        </p>
        <p>
          Everything is stored in this browser: your code and progress in IndexedDB, the app itself in the service worker's cache, so it works offline after
          the first visit.
        </p>
      </section>
      <section className="panel selftest" aria-labelledby={`${id}-selftest`}>
        <h2 id={`${id}-selftest`}>Sandbox self-test</h2>
        <p>
          Runs hostile code against the learner sandbox in this browser — the same cases as <code>npx brokerlab selftest</code> — and checks that each is
          stopped as intended and that a later run is unaffected. Compare the history hashes with the terminal's: they match byte for byte.
        </p>
        <form
          className="controls"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <div className="field grow">
            <label htmlFor={`${id}-only`}>Only these cases</label>
            <input id={`${id}-only`} value={only} onChange={(e) => setOnly(e.target.value)} placeholder="every case" aria-describedby={`${id}-only-help`} spellCheck={false} />
            <p id={`${id}-only-help`} className="help">
              Case names separated by commas, for example <code>infinite-loop, fetch</code>; empty runs all of them (the memory cases take a few seconds).
            </p>
          </div>
          <button type="submit" disabled={running}>
            {running ? 'Running…' : 'Run the self-test'}
          </button>
        </form>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p role="status" className="selftest-verdict" data-testid="selftest-verdict">
          {running ? 'Running the hostile cases…' : results ? `${results.length - failed} of ${results.length} passed${wallMs !== undefined ? ` in ${(wallMs / 1000).toFixed(1)} s` : ''}.` : ''}
        </p>
        {results && (
          <div className="table-wrap">
            <table data-testid="selftest-results">
              <caption className="visually-hidden">Self-test results</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Result</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Observed</th>
                  <th scope="col">History hash</th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => (
                  <tr key={r.name} data-case={r.name} data-passed={String(r.passed)} data-hash={r.historyHash}>
                    <th scope="row" className="mono">
                      {r.name}
                    </th>
                    <td className={r.passed ? 'ok' : 'bad'}>{r.passed ? '✓ passed' : '✗ failed'}</td>
                    <td className="wrap">{r.expected}</td>
                    <td className="wrap" data-field="observed">
                      {r.observed}
                    </td>
                    <td className="mono" data-field="historyHash">
                      {r.historyHash || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
