import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ScenarioInfo, ScenarioRunResult } from '../../host/engine';
import { CodeEditor } from '../editor/CodeEditor';
import { engine } from '../engine-client';
import { FaultPanel } from '../faults/FaultPanel';
import { FaultScheduleList } from '../faults/FaultScheduleList';
import { sortByTime, type FaultEntry } from '../faults/fault-entry';
import { RunSummary } from '../playground/RunSummary';
import { readPlaygroundParams, writePlaygroundParams } from '../playground/playground-url';
import { runIntoSession } from '../playground/run-scenario';
import { SCRATCH_CODE, SCRATCH_DTS } from '../playground/scratch-sample';
import { buildHash, replaceHash } from '../router/hash-route';
import { useHashRoute } from '../router/use-hash-route';
import { isTyping } from '../timeline/use-timeline-shortcuts';
import { RunSession } from '../workspace/run-session';
import { Workspace } from '../workspace/Workspace';

/** Everything a run needs, and everything a shared link carries. */
interface RunConfig {
  scenario: string;
  seed: string;
  nodes: string;
  faults: FaultEntry[];
}

const NODES_MAX = 64;

function seedProblem(seed: string): string | undefined {
  return /^\d+$/.test(seed.trim()) ? undefined : `The seed is a whole number (0 or more); "${seed}" is not.`;
}

function nodesProblem(nodes: string): string | undefined {
  if (nodes.trim() === '') return undefined;
  const n = Number(nodes);
  return Number.isInteger(n) && n >= 2 && n <= NODES_MAX ? undefined : `Nodes is a whole number from 2 to ${NODES_MAX} (or empty for the scenario's default); "${nodes}" is not.`;
}

/**
 * The playground: pick a built-in scenario and a seed, schedule faults, run, and study the run in
 * every view. The URL carries scenario, seed, size and schedule, so a link reproduces the run.
 */
export default function PlaygroundPage() {
  const id = useId();
  const route = useHashRoute();
  const session = useMemo(() => new RunSession(), []);
  const [scenarios, setScenarios] = useState<{ name: string; description: string }[]>([]);
  const [config, setConfig] = useState<RunConfig>({ scenario: 'gossip', seed: '1', nodes: '', faults: [] });
  const [info, setInfo] = useState<ScenarioInfo>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [result, setResult] = useState<ScenarioRunResult>();
  const [ranWith, setRanWith] = useState<RunConfig>();
  const [editorOpen, setEditorOpen] = useState(false);
  const [code, setCode] = useState(SCRATCH_CODE);
  const written = useRef<string>(undefined);

  useEffect(() => {
    void engine()
      .listScenarios()
      .then(setScenarios, (e: Error) => setError(`The engine did not start: ${e.message}`));
  }, []);

  // The fault panel offers the nodes of the chosen scenario at the chosen size.
  const nodesNumber = nodesProblem(config.nodes) || config.nodes.trim() === '' ? undefined : Number(config.nodes);
  useEffect(() => {
    let live = true;
    engine()
      .scenarioInfo(config.scenario, nodesNumber)
      .then((i) => live && setInfo(i))
      .catch(() => live && setInfo(undefined));
    return () => {
      live = false;
    };
  }, [config.scenario, nodesNumber]);

  // Before a run, the views already show the chosen scenario's nodes.
  useEffect(() => {
    if (info && session.history.state === 'empty') session.history.clear(info.nodeNames);
  }, [info, session]);

  const run = useCallback(
    async (cfg: RunConfig): Promise<void> => {
      const problem = seedProblem(cfg.seed) ?? nodesProblem(cfg.nodes);
      setError(problem);
      setNotice(undefined);
      if (problem) return;
      const nodes = cfg.nodes.trim() === '' ? undefined : Number(cfg.nodes);
      const hash = buildHash('/playground', writePlaygroundParams(cfg));
      written.current = hash.slice(hash.indexOf('?') + 1);
      replaceHash(hash);
      setRunning(true);
      setResult(undefined);
      try {
        const scenarioNodes = (await engine().scenarioInfo(cfg.scenario, nodes)).nodeNames;
        const reply = await runIntoSession(engine(), session, { scenario: cfg.scenario, seed: Number(cfg.seed.trim()), nodes, faults: cfg.faults.length ? cfg.faults : undefined, faultsSource: 'fault schedule' }, scenarioNodes);
        if (reply.ok) {
          setResult(reply.result);
          setRanWith(cfg);
        } else setError(reply.error);
      } catch (e) {
        setError(`The engine failed: ${(e as Error).message}`);
      } finally {
        setRunning(false);
      }
    },
    [session],
  );

  // A link (typed, pasted or shared) sets the inputs and runs; the page's own URL updates do not.
  useEffect(() => {
    if (route.path !== '/playground' || route.query === written.current) return;
    const { params, problem } = readPlaygroundParams(route.params);
    const cfg: RunConfig = { scenario: params.scenario ?? 'gossip', seed: params.seed ?? '1', nodes: params.nodes ?? '', faults: params.faults ?? [] };
    setConfig(cfg);
    if (problem) setNotice(problem);
    written.current = route.query;
    if (params.scenario) void run(cfg);
  }, [route, run]);

  const runNow = useRef(() => {});
  runNow.current = () => {
    if (!running) void run(config);
  };

  // Ctrl/Cmd+Enter runs from anywhere on the page; inside the editor, the editor's own binding does.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || (isTyping(e.target) && (e.target as HTMLElement).closest?.('.monaco-editor'))) return;
      e.preventDefault();
      runNow.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  function reset(): void {
    session.history.clear(info?.nodeNames);
    setResult(undefined);
    setRanWith(undefined);
    setError(undefined);
    setNotice(undefined);
    const cfg = { ...config, faults: [] };
    setConfig(cfg);
    const hash = buildHash('/playground', writePlaygroundParams({ scenario: cfg.scenario, seed: cfg.seed, nodes: cfg.nodes }));
    written.current = hash.slice(hash.indexOf('?') + 1);
    replaceHash(hash);
  }

  const set = (patch: Partial<RunConfig>): void => setConfig((c) => ({ ...c, ...patch }));
  const description = scenarios.find((s) => s.name === config.scenario)?.description;

  return (
    <div className="page page-wide playground">
      <header className="page-head">
        <h1>Playground</h1>
        <p className="tagline">Run a built-in scenario, schedule faults, and scrub through what happened. Same seed and faults, same history.</p>
      </header>
      <div className="playground-grid">
        <aside className="setup" aria-label="Run setup">
          <form
            className="panel run-form"
            aria-labelledby={`${id}-run`}
            onSubmit={(e) => {
              e.preventDefault();
              runNow.current();
            }}
          >
            <h2 id={`${id}-run`}>Run</h2>
            <div className="field">
              <label htmlFor={`${id}-scenario`}>Scenario</label>
              <select id={`${id}-scenario`} value={config.scenario} onChange={(e) => set({ scenario: e.target.value, faults: [] })} disabled={scenarios.length === 0} aria-describedby={`${id}-scenario-help`}>
                {(scenarios.length ? scenarios : [{ name: config.scenario, description: '' }]).map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </select>
              <p id={`${id}-scenario-help`} className="help">
                {description ?? 'Loading the scenarios…'}
              </p>
            </div>
            <div className="field-pair">
              <div className="field">
                <label htmlFor={`${id}-seed`}>Seed</label>
                <input id={`${id}-seed`} inputMode="numeric" value={config.seed} onChange={(e) => set({ seed: e.target.value })} />
              </div>
              {info?.sizable && (
                <div className="field">
                  <label htmlFor={`${id}-nodes`}>Nodes</label>
                  <input id={`${id}-nodes`} inputMode="numeric" placeholder={String(info.nodeNames.length)} value={config.nodes} onChange={(e) => set({ nodes: e.target.value, faults: [] })} />
                </div>
              )}
            </div>
            <div className="inline">
              <button type="submit" disabled={running} aria-keyshortcuts="Control+Enter Meta+Enter">
                {running ? 'Running…' : 'Run'}
              </button>
              <button type="button" className="secondary" onClick={reset} disabled={running}>
                Reset
              </button>
              <span className="help">
                <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs
              </span>
            </div>
          </form>
          <FaultPanel nodes={info?.nodeNames ?? []} nowMs={() => session.timeline.moment.timeUs / 1000} onAdd={(entry) => set({ faults: sortByTime([...config.faults, entry]) })} />
          <FaultScheduleList faults={config.faults} onChange={(faults) => set({ faults })} />
        </aside>
        <div className="results">
          {error && (
            <div role="alert" className="panel error-panel" data-testid="run-error">
              {error.split('\n').map((line, i) => (
                <p key={i}>{line}</p>
              ))}
            </div>
          )}
          {notice && (
            <p role="status" className="panel notice">
              {notice}
            </p>
          )}
          <RunSummary result={result} running={running} history={session.history} hasFaults={(ranWith?.faults.length ?? 0) > 0} nodesGiven={(ranWith?.nodes ?? '') !== ''} />
          <Workspace session={session} />
        </div>
      </div>
      <section className="panel editor-section" aria-labelledby={`${id}-editor`}>
        <div className="view-head">
          <h2 id={`${id}-editor`}>Scratch editor</h2>
          <button type="button" className="secondary" onClick={() => setEditorOpen((o) => !o)} aria-expanded={editorOpen}>
            {editorOpen ? 'Close the editor' : 'Open the editor'}
          </button>
        </div>
        <p className="view-note">TypeScript with IntelliSense for Brokerlab's handler API. Labs will run code like this inside the simulator; here it is only type-checked.</p>
        {editorOpen && <CodeEditor value={code} onChange={setCode} dts={SCRATCH_DTS} label="Scratch editor, TypeScript" heightPx={300} onRun={() => runNow.current()} />}
      </section>
    </div>
  );
}
