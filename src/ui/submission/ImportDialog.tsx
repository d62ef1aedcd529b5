import './submission.css';
import { useEffect, useId, useRef, useState } from 'react';
import { AssessFileError } from '../../labs/assess/file-error';
import { parseSubmission, type Submission } from '../../labs/assess/submission';
import { APP_VERSION } from '../app-version';
import { downloadText } from '../download';
import { FileDrop } from '../instructor/FileDrop';
import { FileProblems } from '../instructor/FileProblems';
import { readPicked } from '../instructor/picked-file';
import { labSaves } from '../storage/lab-saves';
import { exportSubmission, importedRecord, planImport, type ImportItem, type LabLike } from './submission-files';

type Step =
  | { kind: 'pick' }
  | { kind: 'reading'; file: string }
  | { kind: 'refused'; error: AssessFileError }
  | { kind: 'review'; file: string; submission: Submission; items: ImportItem[] }
  | { kind: 'writing' }
  | { kind: 'done'; written: string[]; failed: string[] };

function fateText(i: ImportItem): string {
  switch (i.fate) {
    case 'new':
      return `new here: ${i.lines} line${i.lines === 1 ? '' : 's'}`;
    case 'same':
      return 'the same as your saved code';
    case 'overwrite':
      return `replaces your saved code (${i.saved!.split('\n').length} lines → ${i.lines})`;
    case 'unknown':
      return 'not a lab of this Brokerlab: skipped';
  }
}

/**
 * Import a submission: read a file (every problem with it named, as the grader names them), show
 * whose it is and what each lab would do to the saved work here, and write only the labs chosen,
 * after the learner confirms. Code it replaces can be downloaded first; progress is kept.
 */
export function ImportDialog({ open, labs, onClose, onImported }: { open: boolean; labs: readonly LabLike[]; onClose: () => void; onImported: () => void }) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [step, setStep] = useState<Step>({ kind: 'pick' });
  const [chosen, setChosen] = useState<Set<string>>(new Set());

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setStep({ kind: 'pick' });
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  async function read(file: File): Promise<void> {
    setStep({ kind: 'reading', file: file.name });
    const picked = await readPicked(file);
    if ('unreadable' in picked) return setStep({ kind: 'refused', error: new AssessFileError(file.name, picked.unreadable.kind, [{ path: '', message: picked.unreadable.message }]) });
    const r = await parseSubmission(picked.text, file.name);
    if (!r.ok) return setStep({ kind: 'refused', error: r.error });
    let records: unknown[];
    try {
      records = await labSaves.getAll();
    } catch (e) {
      return setStep({ kind: 'refused', error: new AssessFileError(file.name, 'unreadable', [{ path: '', message: `your saved work could not be read to compare with it (${(e as Error).message}); nothing was imported` }]) });
    }
    const items = planImport(r.value, records, labs);
    // Everything that changes something is chosen; the learner unticks what they want to keep.
    setChosen(new Set(items.filter((i) => i.fate === 'new' || i.fate === 'overwrite').map((i) => i.lab)));
    setStep({ kind: 'review', file: file.name, submission: r.value, items });
  }

  function toggle(lab: string, on: boolean): void {
    const next = new Set(chosen);
    if (on) next.add(lab);
    else next.delete(lab);
    setChosen(next);
  }

  async function backup(items: ImportItem[]): Promise<void> {
    const replaced = items.filter((i) => i.fate === 'overwrite' && chosen.has(i.lab));
    const out = await exportSubmission({ learner: 'backup', appVersion: APP_VERSION, exportedAt: new Date().toISOString(), labs: replaced.map((i) => ({ lab: i.lab, code: i.saved! })) });
    downloadText(out.name.replace(/^backup-/, 'my-code-backup-'), out.text, 'application/json');
  }

  async function write(items: ImportItem[]): Promise<void> {
    const todo = items.filter((i) => chosen.has(i.lab) && i.fate !== 'unknown' && i.fate !== 'same');
    setStep({ kind: 'writing' });
    const written: string[] = [];
    const failed: string[] = [];
    for (const i of todo) {
      try {
        const existing = await labSaves.get(i.lab);
        await labSaves.put(importedRecord(existing, i.lab, i.code, Date.now()));
        written.push(i.lab);
      } catch (e) {
        failed.push(`${i.lab}: ${(e as Error).message}`);
      }
    }
    setStep({ kind: 'done', written, failed });
    onImported();
  }

  const review = step.kind === 'review' ? step : undefined;
  const toWrite = review ? review.items.filter((i) => chosen.has(i.lab) && (i.fate === 'new' || i.fate === 'overwrite')) : [];
  const overwriting = toWrite.filter((i) => i.fate === 'overwrite');

  return (
    <dialog ref={ref} className="panel confirm-dialog submission-dialog" aria-labelledby={`${id}-title`} onClose={onClose} data-testid="import-dialog">
      <h2 id={`${id}-title`}>Import a submission</h2>
      <p>Puts the code from a submission file into this browser’s saved work, lab by lab. You see what it would replace before anything is written; your progress in each lab is kept.</p>
      {(step.kind === 'pick' || step.kind === 'refused' || step.kind === 'reading') && <FileDrop what="a submission file" button="Choose a submission file…" testId="import-drop" onFiles={([f]) => void read(f!)} disabled={step.kind === 'reading'} />}
      {step.kind === 'reading' && <p role="status">Reading {step.file}…</p>}
      {step.kind === 'refused' && <FileProblems error={step.error} testId="import-error" />}
      {review && (
        <>
          <dl className="dialog-summary" data-testid="import-summary">
            <dt>Learner</dt>
            <dd>{review.submission.learner}</dd>
            <dt>File</dt>
            <dd>{review.file}</dd>
            {review.submission.assessment && (
              <>
                <dt>Assessment</dt>
                <dd>{review.submission.assessment}</dd>
              </>
            )}
            {review.submission.exportedAt && (
              <>
                <dt>Exported</dt>
                <dd>{review.submission.exportedAt}</dd>
              </>
            )}
            <dt>Made by</dt>
            <dd>
              Brokerlab {review.submission.appVersion}
              {review.submission.appVersion !== APP_VERSION ? ` (this is ${APP_VERSION})` : ''}
            </dd>
            <dt>Content hash</dt>
            <dd>intact ({review.submission.hash.slice(0, 12)}…)</dd>
          </dl>
          <fieldset>
            <legend>Its labs</legend>
            <ul className="dialog-labs">
              {review.items.map((i) => (
                <li key={i.lab} data-dialog-lab={i.lab} data-fate={i.fate}>
                  <label className="check">
                    <input type="checkbox" checked={chosen.has(i.lab)} disabled={i.fate === 'unknown' || i.fate === 'same'} onChange={(e) => toggle(i.lab, e.target.checked)} />
                    {i.title}
                  </label>
                  <span className={`lab-fate fate-${i.fate === 'unknown' || i.fate === 'same' ? 'skip' : i.fate}`}>{fateText(i)}</span>
                </li>
              ))}
            </ul>
          </fieldset>
          {overwriting.length > 0 && (
            <div className="dialog-warn-row">
              <p className="dialog-warn" data-testid="import-overwrite">
                {overwriting.length === 1 ? `Your saved code for ${overwriting[0]!.lab} will be replaced.` : `Your saved code for ${overwriting.length} labs will be replaced: ${overwriting.map((i) => i.lab).join(', ')}.`}
              </p>
              <button type="button" className="secondary small" onClick={() => void backup(review.items)}>
                Download my code first
              </button>
            </div>
          )}
        </>
      )}
      {step.kind === 'writing' && <p role="status">Writing…</p>}
      {step.kind === 'done' && (
        <div role="status" data-testid="import-done">
          {step.written.length > 0 && (
            <p className="dialog-ok">
              Imported {step.written.join(', ')}. Open {step.written.length === 1 ? 'the lab' : 'a lab'} from the catalog to see the code.
            </p>
          )}
          {step.written.length === 0 && step.failed.length === 0 && <p>Nothing needed importing.</p>}
          {step.failed.map((f) => (
            <p key={f} className="error">
              Not imported: {f}
            </p>
          ))}
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          {step.kind === 'done' ? 'Close' : 'Cancel'}
        </button>
        {review && (
          <button type="button" onClick={() => void write(review.items)} disabled={toWrite.length === 0} data-testid="import-confirm">
            {toWrite.length === 0 ? 'Nothing to import' : `Import ${toWrite.length} lab${toWrite.length === 1 ? '' : 's'}${overwriting.length ? `, replacing ${overwriting.length}` : ''}`}
          </button>
        )}
      </div>
    </dialog>
  );
}
