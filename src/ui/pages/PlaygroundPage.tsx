import '../playground/playground.css';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ScenarioInfo, ScenarioRunResult } from '../../host/engine';
import type { PlaygroundFamilyInfo } from '../../host/playground-engine';
import type { LabRunResult } from '../../labs/lab/run';
import { checkPlaygroundConfig, formatConfigProblems, playgroundNodeNames, type PlaygroundConfig, type PlaygroundFamily } from '../../labs/playground/config';
import { PLAYGROUND_STARTERS } from '../../labs/playground/starters';
import { CodeEditor } from '../editor/CodeEditor';
import type { Problem } from '../editor/problem';
import { engine, RunStopped, stopEngine } from '../engine-client';
import { formatUs } from '../format-time';
import { FaultPanel } from '../faults/FaultPanel';
import { FaultScheduleList } from '../faults/FaultScheduleList';
import { sortByTime, type FaultEntry } from '../faults/fault-entry';
import { markerOfProblem, markersOfRunProblems } from '../lab/learner-problems';
import { BrokerRepro } from '../playground/BrokerRepro';
import { CodePanel } from '../playground/CodePanel';
import { PlaygroundChecks } from '../playground/PlaygroundChecks';
import { readPlaygroundParams, writePlaygroundParams } from '../playground/playground-url';
import { runPlaygroundIntoSession } from '../playground/run-playground';
import { runIntoSession } from '../playground/run-scenario';
import { RunSummary } from '../playground/RunSummary';
import { SCRATCH_CODE, SCRATCH_DTS } from '../playground/scratch-sample';
import { defaultDrafts, draftFromLink, type Drafts, type TopologyDraft } from '../playground/topology-draft';
import { TopologyPanel } from '../playground/TopologyPanel';
import { usePlaygroundCode } from '../playground/use-playground-code';
import { buildHash, replaceHash } from '../router/hash-route';
import { useHashRoute } from '../router/use-hash-route';
import { isTyping } from '../timeline/use-timeline-shortcuts';
import { RunSession } from '../workspace/run-session';
import { Workspace } from '../workspace/Workspace';

/** What the page runs: the built-in scenarios ("network only") or a broker family. */
type Mode = 'network' | PlaygroundFamily;

/** Everything a built-in scenario's run needs, and everything its shared link carries. */
interface RunConfig {
  scenario: string;
  seed: string;
  nodes: string;
  faults: FaultEntry[];
}

/** What a broker-family run ran with: for its summary and the files that reproduce it. */
interface BrokerRan {
  config: PlaygroundConfig;
  code: string;
  seed: number;
  faults: FaultEntry[];
}

const NODES_MAX = 64;
const NO_MARKERS: Problem[] = [];
const MODES: { value: Mode; label: string }[] = [
  { value: 'network', label: 'Network only (built-in scenarios)' },
  { value: 'kafka', label: 'Kafka' },
  { value: 'rabbitmq', label: 'RabbitMQ' },
];

/** What the page says after Stop: how far the run got (its history stays on the views). */
function stoppedNotice(session: RunSession): string {
  return `Stopped after ${session.history.length.toLocaleString('en')} history entries, at ${formatUs(session.history.endUs)} of simulated time: the views show the run up to there.`;
}

function seedProblem(seed: string): string | undefined {
  return /^\d+$/.test(seed.trim()) ? undefined : `The seed is a whole number (0 or more); "${seed}" is not.`;
}

function nodesProblem(nodes: string): string | undefined {
  if (nodes.trim() === '') return undefined;
  const n = Number(nodes);
  return Number.isInteger(n) && n >= 2 && n <= NODES_MAX ? undefined : `Nodes is a whole number from 2 to ${NODES_MAX} (or empty for the scenario's default); "${nodes}" is not.`;
}

/**
 * The playground. "Network only" runs a built-in scenario; Kafka and RabbitMQ run a topology the
 * learner builds in a form with the learner's own producer and consumer code, through the same
 * runner as the labs. Faults, every view and the one timeline are the same for all three. The URL
 * carries the run (scenario or family, seed, faults, topology and code), so a link reproduces it.
 */
export default function PlaygroundPage() {
  const id = useId();
  const route = useHashRoute();
  const session = useMemo(() => new RunSession(), []);
  const [mode, setMode] = useState<Mode>('network');
  const [scenarios, setScenarios] = useState<{ name: string; description: string }[]>([]);
  const [config, setConfig] = useState<RunConfig>({ scenario: 'gossip', seed: '1', nodes: '', faults: [] });
  const [info, setInfo] = useState<ScenarioInfo>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [result, setResult] = useState<ScenarioRunResult>();
  const [ranWith, setRanWith] = useState<RunConfig>();
  const [editorOpen, setEditorOpen] = useState(false);
  const [scratch, setScratch] = useState(SCRATCH_CODE);
  // Broker families
  const [families, setFamilies] = useState<PlaygroundFamilyInfo[]>([]);
  const [drafts, setDrafts] = useState<Drafts>(defaultDrafts);
  const [brokerResult, setBrokerResult] = useState<LabRunResult>();
  const [brokerRan, setBrokerRan] = useState<BrokerRan>();
  const [markers, setMarkers] = useState<Problem[]>(NO_MARKERS);
  const code = usePlaygroundCode();
  const written = useRef<string>(undefined);

  useEffect(() => {
    void engine()
      .listScenarios()
      .then(setScenarios, (e: Error) => setError(`The engine did not start: ${e.message}`));
  }, []);

  // The editor's declarations come from the engine, generated from the API it runs.
  const family = mode === 'network' ? undefined : mode;
  useEffect(() => {
    if (!family || families.length > 0) return;
    void engine()
      .playgroundFamilies()
      .then(setFamilies, (e: Error) => setError(`The engine did not start: ${e.message}`));
  }, [family, families.length]);

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

  // A broker family's nodes come from its topology; while the form has problems, from the last sound one.
  const checked = useMemo(() => (family ? checkPlaygroundConfig(drafts[family]) : undefined), [family, drafts]);
  const lastNodes = useRef<Partial<Record<PlaygroundFamily, string[]>>>({});
  if (family && checked?.ok) lastNodes.current[family] = playgroundNodeNames(checked.config);
  const nodeNames = family ? (lastNodes.current[family] ?? []) : (info?.nodeNames ?? []);
  const nodesKey = nodeNames.join('\n');

  // Before a run, the views already show the nodes of the chosen scenario or topology.
  useEffect(() => {
    if (session.history.state === 'empty') session.history.clear(nodesKey === '' ? [] : nodesKey.split('\n'));
  }, [nodesKey, session]);

  const runScenario = useCallback(
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
        if (e instanceof RunStopped) setNotice(stoppedNotice(session));
        else setError(`The engine failed: ${(e as Error).message}`);
      } finally {
        setRunning(false);
      }
    },
    [session],
  );

  const runBroker = useCallback(
    async (fam: PlaygroundFamily, draft: TopologyDraft, src: string, seedText: string, faults: FaultEntry[]): Promise<void> => {
      setNotice(undefined);
      const topo = checkPlaygroundConfig(draft);
      const problem = seedProblem(seedText) ?? (topo.ok ? undefined : `The topology has ${topo.problems.length === 1 ? 'a problem' : `${topo.problems.length} problems`}; nothing ran:\n${formatConfigProblems(topo.problems)}`);
      setError(problem);
      if (problem || !topo.ok) return;
      const seed = Number(seedText.trim());
      const hash = buildHash('/playground', writePlaygroundParams({ family: fam, seed: String(seed), faults, topology: topo.config, code: src === PLAYGROUND_STARTERS[fam] ? undefined : src }));
      written.current = hash.slice(hash.indexOf('?') + 1);
      replaceHash(hash);
      setRunning(true);
      setBrokerResult(undefined);
      setMarkers(NO_MARKERS);
      try {
        const out = await runPlaygroundIntoSession(engine(), session, { config: topo.config, code: src, seed, faults: faults.length ? faults : undefined, faultsSource: 'the fault schedule' }, playgroundNodeNames(topo.config));
        if (!out.current) return;
        const { reply } = out;
        if (reply.ok) {
          setBrokerResult(reply.result);
          setBrokerRan({ config: reply.config, code: src, seed, faults });
          setMarkers(out.problems.length ? markersOfRunProblems(out.problems) : NO_MARKERS);
        } else {
          setError(reply.error);
          const marker = reply.problem && markerOfProblem(reply.problem);
          if (marker) setMarkers([marker]);
        }
      } catch (e) {
        if (e instanceof RunStopped) setNotice(stoppedNotice(session));
        else setError(`The engine failed: ${(e as Error).message}`);
      } finally {
        setRunning(false);
      }
    },
    [session],
  );

  // A link (typed, pasted or shared) sets the inputs and runs; the page's own URL updates do not.
  const { fromLink } = code;
  useEffect(() => {
    if (route.path !== '/playground' || route.query === written.current) return;
    const { params, problem } = readPlaygroundParams(route.params);
    written.current = route.query;
    if (problem) setNotice(problem);
    if (params.family) {
      const fam = params.family;
      const seed = params.seed ?? '1';
      const faults = params.faults ?? [];
      setMode(fam);
      setConfig((c) => ({ ...c, seed, faults }));
      // Only a link with a topology is a run to reproduce; `family=` alone just picks the family.
      if (params.topology === undefined) return;
      const draft = draftFromLink(fam, params.topology);
      const src = params.code ?? PLAYGROUND_STARTERS[fam];
      setDrafts((d) => ({ ...d, [fam]: draft }));
      fromLink(fam, src);
      void runBroker(fam, draft, src, seed, faults);
      return;
    }
    const cfg: RunConfig = { scenario: params.scenario ?? 'gossip', seed: params.seed ?? '1', nodes: params.nodes ?? '', faults: params.faults ?? [] };
    setMode('network');
    setConfig(cfg);
    if (params.scenario) void runScenario(cfg);
  }, [route, runScenario, runBroker, fromLink]);

  const runNow = useRef(() => {});
  runNow.current = () => {
    if (running) return;
    if (family) void runBroker(family, drafts[family], code.codes[family], config.seed, config.faults);
    else void runScenario(config);
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

  function clearRun(lanes: readonly string[]): void {
    session.history.clear([...lanes]);
    setResult(undefined);
    setRanWith(undefined);
    setBrokerResult(undefined);
    setBrokerRan(undefined);
    setMarkers(NO_MARKERS);
    setError(undefined);
    setNotice(undefined);
  }

  function reset(): void {
    clearRun(nodeNames);
    const cfg = { ...config, faults: [] };
    setConfig(cfg);
    const params = family ? writePlaygroundParams({ family, seed: cfg.seed }) : writePlaygroundParams({ scenario: cfg.scenario, seed: cfg.seed, nodes: cfg.nodes });
    const hash = buildHash('/playground', params);
    written.current = hash.slice(hash.indexOf('?') + 1);
    replaceHash(hash);
  }

  function chooseMode(next: Mode): void {
    if (next === mode) return;
    setMode(next);
    setConfig((c) => ({ ...c, faults: [] }));
    const lanes = next === 'network' ? (info?.nodeNames ?? []) : (lastNodes.current[next] ?? playgroundNodeNamesOf(drafts[next]));
    clearRun(lanes);
    // The address names the family (a reload keeps it); it carries a run only once one happened.
    const params = next === 'network' ? writePlaygroundParams({ scenario: config.scenario, seed: config.seed, nodes: config.nodes }) : writePlaygroundParams({ family: next, seed: config.seed });
    const hash = buildHash('/playground', params);
    written.current = hash.slice(hash.indexOf('?') + 1);
    replaceHash(hash);
  }

  const set = (patch: Partial<RunConfig>): void => setConfig((c) => ({ ...c, ...patch }));
  const description = scenarios.find((s) => s.name === config.scenario)?.description;
  const familyInfo = families.find((f) => f.family === family);

  return (
    <div className={`page page-wide playground${family ? ' pg-broker' : ''}`}>
      <header className="page-head">
        <h1>Playground</h1>
        <p className="tagline">
          {family ? 'Build a topology, write the producers and consumers, schedule faults, and scrub through what happened.' : 'Run a built-in scenario, schedule faults, and scrub through what happened.'} Same seed and faults, same history.
        </p>
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
              <label htmlFor={`${id}-mode`}>Broker family</label>
              <select id={`${id}-mode`} value={mode} onChange={(e) => chooseMode(e.target.value as Mode)} disabled={running}>
                {MODES.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            </div>
            {!family && (
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
            )}
            <div className="field-pair">
              <div className="field">
                <label htmlFor={`${id}-seed`}>Seed</label>
                <input id={`${id}-seed`} inputMode="numeric" value={config.seed} onChange={(e) => set({ seed: e.target.value })} />
              </div>
              {!family && info?.sizable && (
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
              {running && (
                <button type="button" className="secondary" onClick={stopEngine}>
                  Stop
                </button>
              )}
              <button type="button" className="secondary" onClick={reset} disabled={running}>
                Reset
              </button>
              <span className="help">
                <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs
              </span>
            </div>
          </form>
          <FaultPanel nodes={nodeNames} nowMs={() => session.timeline.moment.timeUs / 1000} onAdd={(entry) => set({ faults: sortByTime([...config.faults, entry]) })} />
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
          {code.loadProblem && family && (
            <p role="status" className="panel notice">
              {code.loadProblem}
            </p>
          )}
          {family && code.offer === family && (
            <div className="panel notice pg-offer" role="status">
              <p>The link's code is in the editor. Your own saved code is kept until you edit this.</p>
              <div className="inline">
                <button type="button" className="secondary small" onClick={() => code.restoreSaved(family)}>
                  Use my saved code
                </button>
                <button type="button" className="secondary small" onClick={code.dismissOffer}>
                  Keep the link's code
                </button>
              </div>
            </div>
          )}
          {family && checked && <TopologyPanel family={family} draft={drafts[family]} onChange={(d) => setDrafts((all) => ({ ...all, [family]: d }))} problems={checked.ok ? [] : checked.problems} onReset={() => setDrafts((all) => ({ ...all, [family]: defaultDrafts()[family] }))} />}
          {family && (
            <CodePanel
              family={family}
              code={code.codes[family]}
              onChange={(v) => {
                code.edit(family, v);
                setMarkers(NO_MARKERS); // they point into the code as it was run
              }}
              dts={familyInfo?.dts}
              markers={markers}
              saveState={code.saveStates[family]}
              onRun={() => runNow.current()}
            />
          )}
          {family ? (
            <RunSummary result={brokerResult} running={running} history={session.history} repro={brokerRan && <BrokerRepro ranWith={brokerRan} />} />
          ) : (
            <RunSummary result={result} running={running} history={session.history} repro={result && <ScenarioRepro result={result} ranWith={ranWith} />} />
          )}
          {family && <PlaygroundChecks checks={brokerResult?.checks} running={running} onJump={session.jumpTo} />}
          <Workspace session={session} />
        </div>
      </div>
      {!family && (
        <section className="panel editor-section" aria-labelledby={`${id}-editor`}>
          <div className="view-head">
            <h2 id={`${id}-editor`}>Scratch editor</h2>
            <button type="button" className="secondary" onClick={() => setEditorOpen((o) => !o)} aria-expanded={editorOpen}>
              {editorOpen ? 'Close the editor' : 'Open the editor'}
            </button>
          </div>
          <p className="view-note">TypeScript with IntelliSense for a stand-in handler API; here it is only type-checked. Pick Kafka or RabbitMQ above to run your own producers and consumers.</p>
          {editorOpen && <CodeEditor value={scratch} onChange={setScratch} dts={SCRATCH_DTS} label="Scratch editor, TypeScript" heightPx={300} onRun={() => runNow.current()} />}
        </section>
      )}
    </div>
  );
}

/** The node names of a draft, or none while it has problems. */
function playgroundNodeNamesOf(draft: TopologyDraft): string[] {
  const c = checkPlaygroundConfig(draft);
  return c.ok ? playgroundNodeNames(c.config) : [];
}

/** How to reproduce a built-in scenario's run in a terminal. */
function ScenarioRepro({ result, ranWith }: { result: ScenarioRunResult; ranWith: RunConfig | undefined }) {
  const hasFaults = (ranWith?.faults.length ?? 0) > 0;
  if ((ranWith?.nodes ?? '') !== '') return null;
  return (
    <p className="repro">
      Reproduce in a terminal:{' '}
      <code>
        npx brokerlab run {result.scenario} --seed {result.seed}
        {hasFaults ? ' --faults faults.json' : ''}
      </code>
      {hasFaults ? ' (the schedule as JSON, from “Edit as JSON”)' : ''}
    </p>
  );
}
