import './submission.css';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { AssessFileError } from '../../labs/assess/file-error';
import { APP_VERSION } from '../app-version';
import { downloadText } from '../download';
import { FileProblems } from '../instructor/FileProblems';
import { labSaves } from '../storage/lab-saves';
import { bundledAssessments } from './bundled-assessments';
import { exportSubmission, savedCode, type LabLike, type SavedCode } from './submission-files';

const NAME_KEY = 'brokerlab.learner-name';

function rememberedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

function rememberName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Storage switched off: the name is simply asked again next time.
  }
}

type Loaded = { kind: 'loading' } | { kind: 'ready'; saved: SavedCode[] } | { kind: 'failed'; message: string };

/**
 * Export a submission: the learner's name, which assessment (or none), and the labs whose saved
 * code goes in, then one download: the file `brokerlab submit` would write for the same code.
 */
export function ExportDialog({ open, labs, onClose }: { open: boolean; labs: readonly LabLike[]; onClose: () => void }) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const assessments = useMemo(() => bundledAssessments(), []);
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [name, setName] = useState(rememberedName);
  const [assessment, setAssessment] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<AssessFileError | string>();
  const [done, setDone] = useState<string>();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);

  // Read the saved code each time the dialog opens: the learner may have worked since.
  useEffect(() => {
    if (!open) return;
    let live = true;
    setLoaded({ kind: 'loading' });
    setDone(undefined);
    setError(undefined);
    labSaves.getAll().then(
      (records) => {
        if (!live) return;
        const saved = savedCode(records, labs);
        setLoaded({ kind: 'ready', saved });
        // Labs the learner changed go in by default; a lab still at its starter is theirs to add.
        setChosen(new Set(saved.filter((s) => !s.isStarter).map((s) => s.lab)));
      },
      (e: Error) => live && setLoaded({ kind: 'failed', message: `Your saved work could not be read: ${e.message}. Nothing was changed.` }),
    );
    return () => {
      live = false;
    };
  }, [open, labs]);

  const a = assessments.find((x) => x.id === assessment);
  const saved = loaded.kind === 'ready' ? loaded.saved : [];
  const picked = saved.filter((s) => chosen.has(s.lab));
  const outside = a ? picked.filter((s) => !a.labs.includes(s.lab)) : [];
  const missing = a ? a.labs.filter((lab) => !picked.some((s) => s.lab === lab)) : [];

  function toggle(lab: string, on: boolean): void {
    const next = new Set(chosen);
    if (on) next.add(lab);
    else next.delete(lab);
    setChosen(next);
  }

  async function download(): Promise<void> {
    setError(undefined);
    setDone(undefined);
    if (name.trim() === '') return setError('Write your name: your instructor grades the file under it.');
    if (picked.length === 0) return setError('Choose at least one lab.');
    try {
      const out = await exportSubmission({
        learner: name,
        appVersion: APP_VERSION,
        assessment: a?.id,
        exportedAt: new Date().toISOString(),
        labs: picked.map((s) => ({ lab: s.lab, code: s.code })),
      });
      rememberName(out.submission.learner);
      downloadText(out.name, out.text, 'application/json');
      setDone(`Downloaded ${out.name}: ${picked.length} lab${picked.length === 1 ? '' : 's'}, content hash ${out.submission.hash.slice(0, 12)}…. Hand this file in; it holds your code and no score.`);
    } catch (e) {
      setError(e instanceof AssessFileError ? e : (e as Error).message);
    }
  }

  return (
    <dialog ref={ref} className="panel confirm-dialog submission-dialog" aria-labelledby={`${id}-title`} onClose={onClose} data-testid="export-dialog">
      <h2 id={`${id}-title`}>Export a submission</h2>
      <p>One file with your saved code for the labs you choose, for your instructor. It holds no scores: grading runs your code again.</p>
      <div className="field">
        <label htmlFor={`${id}-name`}>Your name</label>
        <input id={`${id}-name`} type="text" value={name} maxLength={200} autoComplete="name" onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-assessment`}>For</label>
        <select id={`${id}-assessment`} value={assessment} onChange={(e) => setAssessment(e.target.value)}>
          <option value="">No assessment in particular</option>
          {assessments.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
      </div>
      {loaded.kind === 'loading' && <p role="status">Reading your saved work…</p>}
      {loaded.kind === 'failed' && (
        <div className="error-panel" role="alert">
          <p>{loaded.message}</p>
        </div>
      )}
      {loaded.kind === 'ready' && saved.length === 0 && <p className="dialog-warn">You have no saved code yet: open a lab and write some first.</p>}
      {saved.length > 0 && (
        <fieldset>
          <legend>Labs with saved code</legend>
          <ul className="dialog-labs">
            {saved.map((s) => (
              <li key={s.lab} data-dialog-lab={s.lab}>
                <label className="check">
                  <input type="checkbox" checked={chosen.has(s.lab)} onChange={(e) => toggle(s.lab, e.target.checked)} />
                  {s.title}
                </label>
                <span className="lab-fate">
                  {s.isStarter ? 'still the starter code' : `${s.code.split('\n').length} lines`}
                  {a && !a.labs.includes(s.lab) ? ` · not part of ${a.id}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
      {missing.length > 0 && <p className="dialog-warn">No code chosen for {missing.join(', ')}: {missing.length === 1 ? 'it scores' : 'they score'} 0 in {a!.id}.</p>}
      {outside.length > 0 && <p className="dialog-warn">{outside.map((s) => s.lab).join(', ')} {outside.length === 1 ? 'is' : 'are'} not part of {a!.id}: the grader ignores {outside.length === 1 ? 'it' : 'them'}.</p>}
      {typeof error === 'string' && (
        <div className="error-panel" role="alert">
          <p>{error}</p>
        </div>
      )}
      {error instanceof AssessFileError && <FileProblems error={error} testId="export-error" />}
      {done && (
        <p className="dialog-ok" role="status" data-testid="export-done">
          {done}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          {done ? 'Close' : 'Cancel'}
        </button>
        <button type="button" onClick={() => void download()} disabled={loaded.kind !== 'ready' || saved.length === 0}>
          Download the submission
        </button>
      </div>
    </dialog>
  );
}
