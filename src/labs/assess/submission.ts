import { SOURCE_CHARS_MAX } from '../sandbox/limits';
import { canonicalJson, sha256Hex } from './canonical';
import { AssessFileError, fileError, type FileResult } from './file-error';
import { FORMAT_VERSION, isKebabId, ProblemList, readEnvelope } from './envelope';

export const SUBMISSION_FORMAT = 'brokerlab-submission';

/**
 * What a learner hands in: their code for each lab, who they are and which Brokerlab made the
 * file. The page exports it and imports it back; `brokerlab submit` builds the same file. Nothing
 * in it is a score: grading re-runs the code, so a file that claims points gains nothing.
 */
export interface Submission {
  format: typeof SUBMISSION_FORMAT;
  version: typeof FORMAT_VERSION;
  learner: string;
  /** The Brokerlab version that made the file (package.json `version`). */
  appVersion: string;
  /** The assessment it was made for, when the learner picked one. */
  assessment?: string;
  /** When it was exported (ISO 8601), for people; grading ignores it. */
  exportedAt?: string;
  labs: SubmittedLab[];
  /**
   * SHA-256 (hex) of the canonical JSON (sorted keys, no whitespace) of every other field. It
   * catches files damaged in transit and naive edits. It is not a signature: anyone can recompute
   * it. What makes a forged file worthless is that scores are recomputed from the code.
   */
  hash: string;
}

export interface SubmittedLab {
  lab: string;
  /** The learner's TypeScript, as written in the editor. */
  code: string;
}

export const LEARNER_CHARS_MAX = 200;
export const SUBMITTED_LABS_MAX = 100;
const SUBMISSION_CHARS_MAX = 16 * 1024 * 1024;
const HINT = 'Pass the file the learner exported from Brokerlab (Export submission), or build one with brokerlab submit.';

export interface SubmissionInput {
  learner: string;
  appVersion: string;
  labs: SubmittedLab[];
  assessment?: string;
  exportedAt?: string;
}

/** Builds a submission with its content hash. The page and `brokerlab submit` both call this. */
export async function buildSubmission(input: SubmissionInput): Promise<Submission> {
  const body: Omit<Submission, 'hash'> = {
    format: SUBMISSION_FORMAT,
    version: FORMAT_VERSION,
    learner: input.learner.trim(),
    appVersion: input.appVersion,
    ...(input.assessment === undefined ? {} : { assessment: input.assessment }),
    ...(input.exportedAt === undefined ? {} : { exportedAt: input.exportedAt }),
    labs: input.labs.map((l) => ({ lab: l.lab, code: l.code })),
  };
  const problems = checkFields(body as unknown as Record<string, unknown>);
  if (problems.length) throw new AssessFileError('submission', 'invalid', problems);
  return { ...body, hash: await submissionHash(body) };
}

/** The hash a submission's fields (all but `hash`) should carry. */
export function submissionHash(fields: object): Promise<string> {
  const { hash: _, ...rest } = fields as Record<string, unknown>;
  return sha256Hex(canonicalJson(rest));
}

/** The file text: indented JSON, so a person can read the code in it. */
export function submissionToText(s: Submission): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

/**
 * Reads a submission file: JSON, the right format and version, an intact content hash, then
 * sound fields. Fields it does not know (a `score` someone added, say) are ignored: they count
 * toward the hash, but nothing reads them.
 */
export async function parseSubmission(text: string, file: string): Promise<FileResult<Submission>> {
  const env = readEnvelope(text, file, { format: SUBMISSION_FORMAT, charsMax: SUBMISSION_CHARS_MAX, foreignHint: HINT });
  if (!env.ok) return env;
  const v = env.value;
  if (typeof v.hash !== 'string' || !/^[0-9a-f]{64}$/.test(v.hash)) {
    return fileError(file, 'tampered', 'tampered or corrupted: it has no valid content hash (64 hex digits in "hash"). Export it again from Brokerlab, or rebuild it with brokerlab submit');
  }
  const expected = await submissionHash(v);
  if (expected !== v.hash) {
    return fileError(
      file,
      'tampered',
      'tampered or corrupted: its content hash does not match its contents, so it was changed after Brokerlab wrote it. Export it again from Brokerlab, or rebuild it with brokerlab submit',
    );
  }
  const problems = checkFields(v);
  if (problems.length) return { ok: false, error: new AssessFileError(file, 'invalid', problems) };
  const s: Submission = {
    format: SUBMISSION_FORMAT,
    version: FORMAT_VERSION,
    learner: (v.learner as string).trim(),
    appVersion: v.appVersion as string,
    labs: (v.labs as SubmittedLab[]).map((l) => ({ lab: l.lab, code: l.code })),
    hash: v.hash,
  };
  if (typeof v.assessment === 'string') s.assessment = v.assessment;
  if (typeof v.exportedAt === 'string') s.exportedAt = v.exportedAt;
  return { ok: true, value: s };
}

function checkFields(v: Record<string, unknown>): { path: string; message: string }[] {
  const list = new ProblemList();
  const learner = v.learner;
  if (typeof learner !== 'string' || learner.trim() === '') list.add('learner', 'must be the learner’s name, a non-empty string');
  else if (learner.length > LEARNER_CHARS_MAX) list.add('learner', `is ${learner.length} characters; at most ${LEARNER_CHARS_MAX}`);
  else if (/[\u0000-\u001f\u007f]/.test(learner)) list.add('learner', 'must not contain control characters (tabs, line breaks)');
  if (typeof v.appVersion !== 'string' || v.appVersion === '' || v.appVersion.length > 50) list.add('appVersion', 'must be the Brokerlab version that made the file, like "0.1.0"');
  if (v.assessment !== undefined && !isKebabId(v.assessment)) list.add('assessment', `is optional; when given, an assessment id like "first-track", got ${JSON.stringify(v.assessment)}`);
  if (v.exportedAt !== undefined && (typeof v.exportedAt !== 'string' || v.exportedAt.length > 40)) list.add('exportedAt', 'is optional; when given, a date like "2025-03-01T12:00:00.000Z"');
  if (!Array.isArray(v.labs) || v.labs.length === 0) list.add('labs', 'must list at least one lab, like [{ "lab": "vector-clocks", "code": "export async function …" }]');
  else if (v.labs.length > SUBMITTED_LABS_MAX) list.add('labs', `lists ${v.labs.length} labs; at most ${SUBMITTED_LABS_MAX}`);
  else {
    const seen = new Set<string>();
    v.labs.forEach((raw: unknown, i: number) => {
      const at = `labs[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return list.add(at, 'each lab is an object with "lab" and "code"');
      const l = raw as Record<string, unknown>;
      if (!isKebabId(l.lab)) list.add(`${at}.lab`, `must be a lab id like "vector-clocks", got ${JSON.stringify(l.lab)}`);
      else if (seen.has(l.lab)) list.add(`${at}.lab`, `"${l.lab}" appears twice; a submission holds one version of each lab`);
      else seen.add(l.lab);
      if (typeof l.code !== 'string') list.add(`${at}.code`, 'must be the learner’s code, a string');
      else if (l.code.length > SOURCE_CHARS_MAX) list.add(`${at}.code`, `is ${l.code.length} characters; a lab’s code is at most ${SOURCE_CHARS_MAX}`);
    });
  }
  return list.problems;
}
