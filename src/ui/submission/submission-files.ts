import { learnerSlugs } from '../../labs/assess/results';
import { buildSubmission, submissionToText, type Submission } from '../../labs/assess/submission';
import type { SavedLabRecord } from '../storage/lab-saves';

/**
 * A learner's submission from the code autosaved in this browser, and a submission file read
 * back into it. Pure: the dialogs read and write the store; these decide what goes where.
 */

/** A lab as the dialogs need it. */
export interface LabLike {
  id: string;
  title: string;
  starter: string;
}

/** A lab's saved code, and whether it is still the lab's starter (nothing of the learner's in it). */
export interface SavedCode {
  lab: string;
  title: string;
  code: string;
  isStarter: boolean;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The saved code of every record (non-empty text, as autosave restores it), in the labs' order; records of labs this build lacks are left out. */
export function savedCode(records: readonly unknown[], labs: readonly LabLike[]): SavedCode[] {
  const byLab = new Map<string, string>();
  for (const r of records) {
    if (isRecord(r) && typeof r.labId === 'string' && typeof r.code === 'string' && r.code.trim() !== '') byLab.set(r.labId, r.code);
  }
  return labs.flatMap((l) => {
    const code = byLab.get(l.id);
    return code === undefined ? [] : [{ lab: l.id, title: l.title, code, isStarter: normalise(code) === normalise(l.starter) }];
  });
}

function normalise(code: string): string {
  return code.replace(/\r\n/g, '\n').trim();
}

/** `ada-lovelace-first-track-submission.json`, or `…-brokerlab-submission.json` without an assessment. */
export function submissionFileName(learner: string, assessment?: string): string {
  const slug = learnerSlugs([learner]).get(learner) ?? 'learner';
  return `${slug}-${assessment ?? 'brokerlab'}-submission.json`;
}

export interface ExportInput {
  learner: string;
  appVersion: string;
  labs: { lab: string; code: string }[];
  assessment?: string;
  /** When it was exported (ISO 8601); the dialog passes the clock's time. */
  exportedAt: string;
}

/** The file the learner downloads: exactly what `brokerlab submit` writes for the same fields. */
export async function exportSubmission(input: ExportInput): Promise<{ name: string; text: string; submission: Submission }> {
  const submission = await buildSubmission(input);
  return { name: submissionFileName(submission.learner, input.assessment), text: submissionToText(submission), submission };
}

/**
 * What importing a submission does to each of its labs: `new` (no saved code here), `overwrite`
 * (replaces different saved code), `same` (the saved code is already this), `unknown` (a lab this
 * build does not have: skipped).
 */
export type LabFate = 'new' | 'overwrite' | 'same' | 'unknown';

export interface ImportItem {
  lab: string;
  title: string;
  fate: LabFate;
  code: string;
  lines: number;
  /** The code it would replace, when `overwrite`. */
  saved?: string;
}

export function lineCount(code: string): number {
  return code === '' ? 0 : code.replace(/\n$/, '').split('\n').length;
}

/** Each lab of the submission against the saved work here. */
export function planImport(submission: Pick<Submission, 'labs'>, records: readonly unknown[], labs: readonly Pick<LabLike, 'id' | 'title'>[]): ImportItem[] {
  const saved = new Map<string, string>();
  for (const r of records) if (isRecord(r) && typeof r.labId === 'string' && typeof r.code === 'string' && r.code.trim() !== '') saved.set(r.labId, r.code);
  return submission.labs.map((l) => {
    const lab = labs.find((x) => x.id === l.lab);
    const item: ImportItem = { lab: l.lab, title: lab?.title ?? l.lab, fate: 'new', code: l.code, lines: lineCount(l.code) };
    const mine = saved.get(l.lab);
    if (!lab) item.fate = 'unknown';
    else if (mine === undefined) item.fate = 'new';
    else if (mine === l.code) item.fate = 'same';
    else {
      item.fate = 'overwrite';
      item.saved = mine;
    }
    return item;
  });
}

/**
 * The record to store for an imported lab: the code replaced, everything else of the existing
 * record (progress, node names) kept, so importing code never resets a learner's progress.
 */
export function importedRecord(existing: unknown, labId: string, code: string, nowMs: number): SavedLabRecord {
  const base = isRecord(existing) && existing.labId === labId ? (existing as unknown as SavedLabRecord) : undefined;
  return { ...(base ?? {}), labId, format: 1, code, savedAtMs: nowMs };
}
