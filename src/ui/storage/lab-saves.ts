import type { Snapshot } from 'xstate';
import { labProgressMachine, progressStatus, type ProgressContext, type ProgressHint, type ProgressStatus } from '../../labs/progress';
import { IdbStore } from './idb';

/**
 * What the app keeps for each lab in IndexedDB: the learner's code and the progress machine's
 * persisted snapshot, in one record keyed by the lab's id. Reading is defensive: a record written
 * by an older version, edited by hand or damaged yields what can still be used, and a sentence
 * for each part that cannot.
 */
export interface SavedLabRecord {
  labId: string;
  /** The record's format; bumped if it ever changes shape. */
  format: 1;
  code?: string;
  /** `actor.getPersistedSnapshot()` of the lab's progress machine. */
  progress?: unknown;
  /** The node names of the lab's last run, so the fault panel can offer them before the next. */
  nodes?: string[];
  savedAtMs?: number;
}

export const LAB_SAVES = { dbName: 'brokerlab', storeName: 'labs', keyPath: 'labId', version: 1 } as const;

export type ProgressSnapshot = Snapshot<unknown> & { value: string; context: ProgressContext };

/** The usable parts of a saved record, and what could not be used. */
export interface ReadSavedLab {
  code?: string;
  progress?: ProgressSnapshot;
  nodes?: string[];
  problems: string[];
}

const STATES = new Set(Object.keys(labProgressMachine.config.states ?? {}));
const COUNTS = ['failures', 'attempts', 'hintsUnlocked', 'bestPoints', 'lastPoints', 'totalPoints'] as const;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A persisted progress snapshot made safe to restore for this lab today: the state must be one the
 * machine has and the counts whole numbers; the hints and total come from the lab as it is now (a
 * lab may have gained a hint since), and the unlocked count is recomputed from the failures.
 */
export function readProgress(raw: unknown, lab: { labId: string; hints: readonly ProgressHint[]; totalPoints: number }): { progress?: ProgressSnapshot; problem?: string } {
  if (!isRecord(raw)) return { problem: 'the progress is not an object' };
  if (raw.status !== 'active') return { problem: `the progress has status ${JSON.stringify(raw.status)}, not "active"` };
  if (typeof raw.value !== 'string' || !STATES.has(raw.value)) return { problem: `the progress is in an unknown state ${JSON.stringify(raw.value)}` };
  const c = raw.context;
  if (!isRecord(c)) return { problem: 'the progress has no context' };
  for (const k of COUNTS) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return { problem: `the progress's ${k} is ${JSON.stringify(v)}, not a whole number` };
  }
  if (c.labId !== lab.labId) return { problem: `the progress belongs to lab ${JSON.stringify(c.labId)}` };
  const failures = c.failures as number;
  // A run in flight when the page closed never finished: restore it as the state it came from.
  const value = raw.value === 'running' ? 'editing' : raw.value === 'passedRunning' ? 'passedEditing' : raw.value;
  const context: ProgressContext = {
    labId: lab.labId,
    failures,
    attempts: c.attempts as number,
    hintsUnlocked: lab.hints.filter((h) => h.afterFailures <= failures).length,
    hints: lab.hints,
    bestPoints: c.bestPoints as number,
    lastPoints: c.lastPoints as number,
    totalPoints: lab.totalPoints,
  };
  return { progress: { ...(raw as object), status: 'active', value, context, children: {}, historyValue: {} } as unknown as ProgressSnapshot };
}

/** Reads a stored record for a lab; never throws. Empty code counts as no code (never restore nothing). */
export function readSavedLab(raw: unknown, lab: { labId: string; hints: readonly ProgressHint[]; totalPoints: number }): ReadSavedLab {
  if (raw === undefined) return { problems: [] };
  if (!isRecord(raw)) return { problems: ['the saved record is not an object'] };
  const out: ReadSavedLab = { problems: [] };
  if (raw.code !== undefined) {
    if (typeof raw.code !== 'string') out.problems.push(`the saved code is ${raw.code === null ? 'null' : `a ${typeof raw.code}`}, not text`);
    else if (raw.code.trim() !== '') out.code = raw.code;
  }
  if (raw.progress !== undefined) {
    const p = readProgress(raw.progress, lab);
    if (p.progress) out.progress = p.progress;
    else out.problems.push(p.problem!);
  }
  if (Array.isArray(raw.nodes) && raw.nodes.every((n) => typeof n === 'string')) out.nodes = raw.nodes as string[];
  return out;
}

/** What the catalog shows for a lab from its saved progress. */
export interface LabStanding {
  status: ProgressStatus;
  bestPoints: number;
  attempts: number;
}

/** The catalog's view of a record: its status and best score, or undefined when unreadable. */
export function standingOf(raw: unknown): LabStanding | undefined {
  if (!isRecord(raw) || !isRecord(raw.progress)) return undefined;
  const p = raw.progress;
  if (typeof p.value !== 'string' || !STATES.has(p.value) || !isRecord(p.context)) return undefined;
  const best = p.context.bestPoints;
  const attempts = p.context.attempts;
  return { status: progressStatus(p.value), bestPoints: typeof best === 'number' ? best : 0, attempts: typeof attempts === 'number' ? attempts : 0 };
}

/** The app's one store of saved lab work. */
export const labSaves = new IdbStore<SavedLabRecord>(LAB_SAVES);

/** The record for a lab as stored (unvalidated), or undefined; errors are thrown with a readable message. */
export function loadSavedLab(labId: string): Promise<unknown> {
  return labSaves.get(labId);
}

/** Every lab's standing, by id, and the ids whose records could not be read. */
export async function loadStandings(): Promise<{ standings: Map<string, LabStanding>; unreadable: string[] }> {
  const all = await labSaves.getAll();
  const standings = new Map<string, LabStanding>();
  const unreadable: string[] = [];
  for (const raw of all) {
    if (!isRecord(raw) || typeof raw.labId !== 'string') continue;
    if (raw.progress === undefined) continue;
    const s = standingOf(raw);
    if (s) standings.set(raw.labId, s);
    else unreadable.push(raw.labId);
  }
  return { standings, unreadable };
}
