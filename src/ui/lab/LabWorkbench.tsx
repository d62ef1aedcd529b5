import './lab.css';
import { useActorRef, useSelector } from '@xstate/react';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { LabRunResult } from '../../labs/lab';
import { labProgressMachine, progressStatus } from '../../labs/progress';
import { CodeEditor } from '../editor/CodeEditor';
import type { Problem } from '../editor/problem';
import { engine, RunStopped, stopEngine } from '../engine-client';
import { formatUs } from '../format-time';
import { FaultPanel } from '../faults/FaultPanel';
import { FaultScheduleList } from '../faults/FaultScheduleList';
import { sortByTime, type FaultEntry } from '../faults/fault-entry';
import { buildHash, replaceHash } from '../router/hash-route';
import { useHashRoute } from '../router/use-hash-route';
import { LabAutosave, type SaveState } from '../storage/autosave';
import { labSaves, type ProgressSnapshot } from '../storage/lab-saves';
import { isTyping } from '../timeline/use-timeline-shortcuts';
import { RunSession } from '../workspace/run-session';
import { Workspace } from '../workspace/Workspace';
import { CheckResults } from './CheckResults';
import { HintList } from './HintList';
import { LabGuide } from './LabGuide';
import { LabRunSummary } from './LabRunSummary';
import { readLabParams, writeLabParams } from './lab-url';
import { brokerName, topicTitle, totalPoints, type LabSummary } from './labs-data';
import { markerOfProblem, markersOfRunProblems } from './learner-problems';
import { ResetCodeDialog } from './ResetCodeDialog';
import { runLabIntoSession } from './run-lab';
import { SaveStatus } from './SaveStatus';
import { StatusBadge } from './StatusBadge';
import { ReviewBanner, type LabReview } from './ReviewBanner';

export interface LabRestore {
  code?: string;
  progress?: ProgressSnapshot;
  nodes?: string[];
  /** A sentence about saved work that could not be read (shown until dismissed). */
  notice?: string;
}

interface RanWith {
  seed: number;
  faults: FaultEntry[];
}

const NO_MARKERS: Problem[] = [];

function seedProblem(seed: string): string | undefined {
  return /^\d+$/.test(seed.trim()) ? undefined : `The seed is a whole number (0 or more); "${seed}" is not.`;
}

/**
 * One lab, open: the guide beside the learner's code, a run bar, the checks with their evidence,
 * hints, extra faults, and every view of the last run under one timeline. Progress is the lab's
 * xstate machine (EDIT, RUN, CHECKED, RUN_FAILED, RESET); code and progress autosave to IndexedDB.
 */
export function LabWorkbench({ lab, restore, review }: { lab: LabSummary; restore: LabRestore; review?: LabReview }) {
  const id = useId();
  const route = useHashRoute();
  const session = useMemo(() => new RunSession(), []);
  const path = `/lab/${lab.id}`;
  // The link as the page was first opened; later changes of the address are handled below.
  const [linked] = useState(() => readLabParams(route.params));

  // Reviewing a learner's submission: their code, the graded run's seed and faults, nothing saved.
  const [code, setCode] = useState(review ? review.run.code : (restore.code ?? lab.starter));
  const [seed, setSeed] = useState(review ? String(review.run.seed) : (linked.params.seed ?? String(lab.seeds[0] ?? 1)));
  const [faults, setFaults] = useState<FaultEntry[]>(review ? ((review.run.faults ?? []) as FaultEntry[]) : (linked.params.faults ?? []));
  const [nodes, setNodes] = useState<string[]>(restore.nodes ?? []);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string>();
  const [markers, setMarkers] = useState<Problem[]>(NO_MARKERS);
  const [result, setResult] = useState<LabRunResult>();
  const [ranWith, setRanWith] = useState<RanWith>();
  const [notice, setNotice] = useState(review ? undefined : (restore.notice ?? linked.problem));
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const [resetOpen, setResetOpen] = useState(false);
  const written = useRef<string>(route.query);

  const input = useMemo(() => ({ labId: lab.id, hints: lab.hints, totalPoints: totalPoints(lab) }), [lab]);
  const actor = useActorRef(labProgressMachine, restore.progress && !review ? { input, snapshot: restore.progress } : { input });
  const stateValue = useSelector(actor, (s) => s.value as string);
  const ctx = useSelector(actor, (s) => s.context);
  const status = progressStatus(stateValue);

  // Autosave: code and progress go to IndexedDB once typing pauses, and at once when the page is
  // hidden or left. The record starts from what was restored, so a write never drops a field.
  // One saver for the page's life (the page is keyed by the lab's id); none while reviewing, so
  // the reviewer's own saved work for this lab is never touched.
  const [autosave] = useState(() => (review ? undefined : new LabAutosave(lab.id, { code: restore.code, progress: restore.progress, nodes: restore.nodes }, labSaves, setSaveState)));
  useEffect(() => {
    if (!autosave) return;
    const sub = actor.subscribe(() => autosave.update({ progress: actor.getPersistedSnapshot() }));
    const flush = (): void => void autosave.flush();
    const onHidden = (): void => {
      if (document.visibilityState === 'hidden') flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      sub.unsubscribe();
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', onHidden);
      void autosave.flush();
    };
  }, [actor, autosave]);

  // A lab never run on this machine still has nodes to fault: the engine builds its world to list them.
  useEffect(() => {
    if (nodes.length > 0) return;
    let live = true;
    engine()
      .labNodeNames(lab.id)
      .then((names) => live && names.length > 0 && setNodes((n) => (n.length > 0 ? n : names)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [lab.id, nodes.length]);

  // Before a run, the views show the lanes of the lab's last run (when one was saved).
  useEffect(() => {
    if (session.history.state === 'empty') session.history.clear(nodes);
  }, [nodes, session]);

  const onCodeChange = useCallback(
    (value: string) => {
      setCode(value);
      setMarkers(NO_MARKERS); // they point into the code as it was run
      actor.send({ type: 'EDIT' });
      autosave?.update({ code: value });
    },
    [actor, autosave],
  );

  const state = useRef({ code, seed, faults, running, nodes });
  state.current = { code, seed, faults, running, nodes };

  const run = useCallback(async (): Promise<void> => {
    const { code: src, seed: seedText, faults: extra, running: busy, nodes: lanes } = state.current;
    if (busy) return;
    const problem = seedProblem(seedText);
    setRunError(problem);
    if (problem) return;
    const seedNumber = Number(seedText.trim());
    // A review's address keeps its token and no more: a hidden seed or a key's schedule stays out of it.
    if (!review) {
      const hash = buildHash(path, writeLabParams({ seed: String(seedNumber), faults: extra }));
      written.current = hash.slice(hash.indexOf('?') + 1);
      replaceHash(hash);
    }
    setRunning(true);
    setResult(undefined);
    setMarkers(NO_MARKERS);
    actor.send({ type: 'RUN' });
    try {
      const request = { labId: lab.id, code: src, seed: seedNumber, faults: extra.length ? extra : undefined, ...(review ? { filename: review.run.filename } : {}) };
      const out = await runLabIntoSession(engine(), session, request, lanes);
      if (!out.current) return;
      const { reply } = out;
      if (reply.ok) {
        setResult(reply.result);
        setRanWith({ seed: seedNumber, faults: extra });
        setMarkers(out.problems.length ? markersOfRunProblems(out.problems) : NO_MARKERS);
        actor.send({ type: 'CHECKED', passed: reply.result.checks.every((c) => c.passed), points: reply.result.score });
        const names = session.history.nodes.names.filter((n) => n !== '');
        if (names.join('\n') !== lanes.join('\n')) {
          setNodes(names);
          autosave?.update({ nodes: names });
        }
      } else {
        actor.send({ type: 'RUN_FAILED' });
        setRunError(reply.error);
        const marker = reply.problem && markerOfProblem(reply.problem);
        if (marker) setMarkers([marker]);
      }
    } catch (e) {
      actor.send({ type: 'RUN_FAILED' });
      if (e instanceof RunStopped) setNotice(`Stopped after ${session.history.length.toLocaleString('en')} history entries, at ${formatUs(session.history.endUs)} of simulated time: the views show the run up to there, and no checks ran.`);
      else setRunError(`The engine failed: ${(e as Error).message}`);
    } finally {
      setRunning(false);
    }
  }, [actor, autosave, lab.id, path, session, review]);

  // A review replays the graded run at once: that is what "Open run" asked for.
  const replayed = useRef(false);
  useEffect(() => {
    if (!review || replayed.current) return;
    replayed.current = true;
    void run();
  }, [review, run]);

  // A link to this lab (pasted, or Back/Forward) sets seed and faults; the page's own rewrites do not.
  useEffect(() => {
    if (review || route.path !== path || route.query === written.current) return;
    written.current = route.query;
    const { params, problem } = readLabParams(route.params);
    if (params.seed !== undefined) setSeed(params.seed);
    setFaults(params.faults ?? []);
    if (problem) setNotice(problem);
  }, [route, path, review]);

  // Ctrl/Cmd+Enter runs from anywhere on the page; inside the editor, the editor's own binding does.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || (isTyping(e.target) && (e.target as HTMLElement).closest?.('.monaco-editor'))) return;
      e.preventDefault();
      void run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  function resetCode(): void {
    setCode(lab.starter);
    setMarkers(NO_MARKERS);
    actor.send({ type: 'RESET' });
    autosave?.update({ code: lab.starter });
  }

  const publicSeeds = lab.seeds.length > 1 && lab.seeds.every((s, i) => i === 0 || s === lab.seeds[i - 1]! + 1) ? `${lab.seeds[0]}–${lab.seeds.at(-1)}` : lab.seeds.join(', ');

  return (
    <div className="page page-wide lab-page">
      <header className="page-head lab-head">
        <h1>{lab.title}</h1>
        <ul className="lab-facts" aria-label="About this lab">
          <li className="broker-badge">{brokerName(lab.broker)}</li>
          <li className="topic-badge">{topicTitle(lab.topic)}</li>
          {!review && (
            <>
              <li>
                <StatusBadge status={status} />
              </li>
              <li data-testid="lab-progress">
                {ctx.attempts === 0 ? 'No runs yet' : `Best ${ctx.bestPoints} / ${ctx.totalPoints} · ${ctx.attempts} run${ctx.attempts === 1 ? '' : 's'}`}
              </li>
            </>
          )}
        </ul>
        <p className="tagline">{lab.summary}</p>
      </header>
      {review && <ReviewBanner review={review} labId={lab.id} result={result} ranWith={ranWith} />}
      {notice && (
        <div className="panel notice lab-notice" role="alert" data-testid="lab-notice">
          <p>{notice}</p>
          <button type="button" className="secondary small" onClick={() => setNotice(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      <div className="lab-top">
        <LabGuide readme={lab.readme} labelId={`${id}-guide`} />
        <section className="panel lab-code" aria-labelledby={`${id}-code`}>
          <div className="lab-code-head">
            <h2 id={`${id}-code`}>{review ? `${review.run.learner}’s code` : 'Your code'}</h2>
            <form
              className="run-bar"
              aria-label="Run the lab"
              onSubmit={(e) => {
                e.preventDefault();
                void run();
              }}
            >
              <label htmlFor={`${id}-seed`}>Seed</label>
              <input id={`${id}-seed`} inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} aria-describedby={`${id}-seed-help`} />
              <button type="submit" disabled={running} aria-keyshortcuts="Control+Enter Meta+Enter">
                {running ? 'Running…' : 'Run'}
              </button>
              {running && (
                <button type="button" className="secondary" onClick={stopEngine}>
                  Stop
                </button>
              )}
              {!review && (
                <button type="button" className="secondary" onClick={() => setResetOpen(true)} disabled={running}>
                  Reset code
                </button>
              )}
            </form>
          </div>
          <p id={`${id}-seed-help`} className="help run-help">
            Public seeds {publicSeeds}. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs, in the editor too.
            {faults.length > 0 && (faults.length === 1 ? ' 1 extra fault goes with the run.' : ` ${faults.length} extra faults go with the run.`)}
          </p>
          {runError && (
            <div role="alert" className="error-panel run-error" data-testid="lab-run-error">
              {runError.split('\n').map((line, i) => (
                <p key={i}>{line}</p>
              ))}
            </div>
          )}
          <CodeEditor
            value={code}
            onChange={onCodeChange}
            dts={lab.dts}
            dtsPath={`file:///labs/${lab.id}/brokerlab.d.ts`}
            path={review ? `file:///review/${review.token}/${review.run.filename}` : `file:///labs/${lab.id}/handler.ts`}
            label={review ? `${review.run.learner}’s handler code for ${lab.title}, TypeScript, read-only` : `Your handler code for ${lab.title}, TypeScript`}
            heightPx={430}
            onRun={() => void run()}
            markers={markers}
            readOnly={review !== undefined}
          />
          {review ? (
            <p className="save-status" data-testid="save-status" data-state="review">
              Read-only: nothing on this page is saved.
            </p>
          ) : (
            <SaveStatus state={saveState} />
          )}
        </section>
      </div>
      <div className="playground-grid lab-grid">
        <aside className="setup" aria-label="Checks, hints and faults">
          <CheckResults checks={lab.checks} result={result} running={running} onJump={session.jumpTo} />
          <HintList hints={lab.hints} unlocked={ctx.hintsUnlocked} failures={ctx.failures} />
          <section className="panel extra-faults" aria-label="About extra faults">
            <p className="view-note">
              The lab applies its own faults on every run. Faults added here are appended to them for your next runs, and travel in the page's address.
              {nodes.length === 0 && ' The nodes you can fault appear here in a moment.'}
            </p>
          </section>
          <FaultPanel nodes={nodes} nowMs={() => session.timeline.moment.timeUs / 1000} onAdd={(entry) => setFaults((f) => sortByTime([...f, entry]))} />
          <FaultScheduleList faults={faults} onChange={setFaults} />
        </aside>
        <div className="results">
          <LabRunSummary lab={lab} result={result} running={running} history={session.history} ranWith={ranWith} code={code} />
          <Workspace session={session} />
        </div>
      </div>
      <ResetCodeDialog open={resetOpen} onConfirm={resetCode} onClose={() => setResetOpen(false)} />
    </div>
  );
}
