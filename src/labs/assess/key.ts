import { formatFaultErrors, validateFaultSchedule } from '../../sim/network/faults';
import type { Assessment } from './assessment';
import { AssessFileError, type FileProblem, type FileResult } from './file-error';
import { checkSeeds, FORMAT_VERSION, isKebabId, ProblemList, readEnvelope } from './envelope';

export const KEY_FORMAT = 'brokerlab-assessment-key';

/**
 * The instructor's private half of an assessment: per lab, seeds learners never see and extra
 * fault schedules the runs apply on top of the lab's own faults. Never bundled into the app; it
 * lives with the instructor (and on Gradescope, inside the autograder, which learners cannot read).
 */
export interface AssessmentKey {
  format: typeof KEY_FORMAT;
  version: typeof FORMAT_VERSION;
  /** The assessment's id: a key grades only the assessment it was made for. */
  assessment: string;
  /** Free text for people; `key new` writes a reminder to keep the file private. */
  note?: string;
  labs: KeyLab[];
}

export interface KeyLab {
  lab: string;
  /** Seeds graded in addition to the assessment's public ones. */
  hiddenSeeds: number[];
  /**
   * Extra fault schedules in the fault-schedule JSON format (README, "A fault schedule"). Every
   * seed runs once under the lab's own faults and once more under each of these.
   */
  faultSchedules: unknown[][];
}

export const HIDDEN_SEEDS_MAX = 1_000;
export const FAULT_SCHEDULES_MAX = 20;
export const SCHEDULE_ENTRIES_MAX = 1_000;
const KEY_CHARS_MAX = 8 * 1024 * 1024;

const HINT = 'Pass the key made by brokerlab key new (format "brokerlab-assessment-key").';

/** Parses and checks the shape of a key file; `checkKeyAgainst` then checks it against the assessment and labs. */
export function parseKey(text: string, file: string): FileResult<AssessmentKey> {
  const env = readEnvelope(text, file, { format: KEY_FORMAT, charsMax: KEY_CHARS_MAX, foreignHint: HINT });
  if (!env.ok) return env;
  const v = env.value;
  const list = new ProblemList();
  for (const k of Object.keys(v)) if (!['format', 'version', 'assessment', 'note', 'labs'].includes(k)) list.add(k, 'unknown field; a key has "assessment", "note" and "labs"');
  if (v.note !== undefined && typeof v.note !== 'string') list.add('note', 'is optional; when given, a string');
  if (!isKebabId(v.assessment)) list.add('assessment', `must be the id of the assessment this key belongs to, got ${JSON.stringify(v.assessment)}`);
  const labs: KeyLab[] = [];
  if (!Array.isArray(v.labs)) list.add('labs', 'must be a list of { "lab", "hiddenSeeds", "faultSchedules" }, one per lab of the assessment');
  else {
    const seen = new Set<string>();
    v.labs.forEach((raw: unknown, i: number) => {
      const at = `labs[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return list.add(at, 'each lab is an object with "lab", "hiddenSeeds" and "faultSchedules"');
      const l = raw as Record<string, unknown>;
      for (const k of Object.keys(l)) if (!['lab', 'hiddenSeeds', 'faultSchedules'].includes(k)) list.add(`${at}.${k}`, 'unknown field; a key lab has "lab", "hiddenSeeds" and "faultSchedules"');
      if (!isKebabId(l.lab)) list.add(`${at}.lab`, `must be a lab id, got ${JSON.stringify(l.lab)}`);
      else if (seen.has(l.lab)) list.add(`${at}.lab`, `"${l.lab}" is listed twice`);
      else seen.add(l.lab);
      const hiddenSeeds = checkSeeds(list, `${at}.hiddenSeeds`, l.hiddenSeeds, { min: 0, max: HIDDEN_SEEDS_MAX });
      const schedules: unknown[][] = [];
      const fs = l.faultSchedules ?? [];
      if (!Array.isArray(fs)) list.add(`${at}.faultSchedules`, 'must be a list of fault schedules, each a list of entries like { "at": 500, "kind": "crash", "node": "b1" }');
      else if (fs.length > FAULT_SCHEDULES_MAX) list.add(`${at}.faultSchedules`, `lists ${fs.length} schedules; at most ${FAULT_SCHEDULES_MAX} (each one re-runs every seed)`);
      else
        fs.forEach((s: unknown, j: number) => {
          if (!Array.isArray(s)) list.add(`${at}.faultSchedules[${j}]`, 'a fault schedule is a list of entries like { "at": 500, "kind": "crash", "node": "b1" }');
          else if (s.length > SCHEDULE_ENTRIES_MAX) list.add(`${at}.faultSchedules[${j}]`, `has ${s.length} entries; at most ${SCHEDULE_ENTRIES_MAX}`);
          else schedules.push(s);
        });
      labs.push({ lab: String(l.lab), hiddenSeeds, faultSchedules: schedules });
    });
  }
  if (!list.empty) return { ok: false, error: new AssessFileError(file, 'invalid', list.problems) };
  const key: AssessmentKey = { format: KEY_FORMAT, version: FORMAT_VERSION, assessment: v.assessment as string, labs };
  if (typeof v.note === 'string') key.note = v.note;
  return { ok: true, value: key };
}

/**
 * Checks a key against its assessment and the labs' node names (`nodesByLab`, from building each
 * lab's world once): the same assessment id, one entry per lab, hidden seeds that are not public,
 * and fault schedules that name real nodes. Every problem at once, each with its JSON path.
 */
export function checkKeyAgainst(key: AssessmentKey, file: string, assessment: Assessment, nodesByLab: ReadonlyMap<string, readonly string[]>): AssessFileError | undefined {
  if (key.assessment !== assessment.id) {
    return new AssessFileError(file, 'mismatch', [
      { path: 'assessment', message: `this key is for assessment "${key.assessment}", not "${assessment.id}": pass the key made for this assessment, or make one with brokerlab key new` },
    ]);
  }
  const problems: FileProblem[] = [];
  const inAssessment = new Map(assessment.labs.map((l) => [l.lab, l]));
  key.labs.forEach((k, i) => {
    const a = inAssessment.get(k.lab);
    if (!a) return void problems.push({ path: `labs[${i}].lab`, message: `"${k.lab}" is not a lab of assessment "${assessment.id}" (its labs: ${assessment.labs.map((l) => l.lab).join(', ')})` });
    const pub = new Set(a.seeds);
    k.hiddenSeeds.forEach((s, j) => pub.has(s) && problems.push({ path: `labs[${i}].hiddenSeeds[${j}]`, message: `seed ${s} is also a public seed of this lab; hidden seeds are ones learners have not seen` }));
    const nodes = nodesByLab.get(k.lab);
    if (!nodes) return;
    k.faultSchedules.forEach((s, j) => {
      const v = validateFaultSchedule(s, nodes);
      if (!v.ok) {
        for (const line of formatFaultErrors(v.errors, '').split('\n')) problems.push({ path: `labs[${i}].faultSchedules[${j}]`, message: line.replace(/^: /, '') });
      }
    });
  });
  const keyed = new Set(key.labs.map((l) => l.lab));
  for (const l of assessment.labs) {
    if (!keyed.has(l.lab)) problems.push({ path: 'labs', message: `has no entry for lab "${l.lab}"; add { "lab": "${l.lab}", "hiddenSeeds": [], "faultSchedules": [] } or make a new key with brokerlab key new` });
  }
  return problems.length ? new AssessFileError(file, 'invalid', problems) : undefined;
}

/** The key's entry for a lab (checked keys have one for every lab of their assessment). */
export function keyLab(key: AssessmentKey, lab: string): KeyLab {
  return key.labs.find((l) => l.lab === lab) ?? { lab, hiddenSeeds: [], faultSchedules: [] };
}

/** The file text Brokerlab writes for a key: readable, one fault entry per line. */
export function keyToText(key: AssessmentKey): string {
  const labs = key.labs.map((l) => {
    const schedules = l.faultSchedules.map((s) => (s.length === 0 ? '        []' : `        [\n${s.map((e) => `          ${inline(e)}`).join(',\n')}\n        ]`)).join(',\n');
    return `    {\n      "lab": ${JSON.stringify(l.lab)},\n      "hiddenSeeds": [${l.hiddenSeeds.join(', ')}],\n      "faultSchedules": [${schedules ? `\n${schedules}\n      ` : ''}]\n    }`;
  });
  const note = key.note === undefined ? '' : `  "note": ${JSON.stringify(key.note)},\n`;
  return `{\n  "format": "${KEY_FORMAT}",\n  "version": ${FORMAT_VERSION},\n  "assessment": ${JSON.stringify(key.assessment)},\n${note}  "labs": [\n${labs.join(',\n')}\n  ]\n}\n`;
}

/** `{ "at": 500, "kind": "crash", "node": "b1" }`: one JSON object on one line, spaced for reading. */
function inline(v: unknown): string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return JSON.stringify(v) ?? 'null';
  return `{ ${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`)
    .join(', ')} }`;
}
