import { checkAssessmentLabs, parseAssessment, type Assessment } from '../../labs/assess/assessment';
import { onePerLearner, sortForGrading, type AcceptedSubmission } from '../../labs/assess/class-grading';
import { AssessFileError, type FileResult } from '../../labs/assess/file-error';
import { checkKeyAgainst, parseKey, type AssessmentKey } from '../../labs/assess/key';
import { compareText, type RejectedFile } from '../../labs/assess/results';
import { parseSubmission } from '../../labs/assess/submission';
import { PICKED_BYTES_MAX, readPicked, type PickedFile } from './picked-file';

export { readPicked, PICKED_BYTES_MAX, type PickedFile };

function unreadable<T>(f: Extract<PickedFile, { unreadable: unknown }>): FileResult<T> {
  return { ok: false, error: new AssessFileError(f.name, f.unreadable.kind, [{ path: '', message: f.unreadable.message }]) };
}

/** An assessment file, checked against the labs this build has. */
export function readAssessment(f: PickedFile, knownLabs: readonly string[]): FileResult<Assessment> {
  if ('unreadable' in f) return unreadable(f);
  const r = parseAssessment(f.text, f.name);
  if (!r.ok) return r;
  const bad = checkAssessmentLabs(r.value, f.name, knownLabs);
  return bad ? { ok: false, error: bad } : r;
}

/** A key file, checked against its assessment and each lab's node names. */
export function readKey(f: PickedFile, assessment: Assessment, nodesByLab: ReadonlyMap<string, readonly string[]>): FileResult<AssessmentKey> {
  if ('unreadable' in f) return unreadable(f);
  const r = parseKey(f.text, f.name);
  if (!r.ok) return r;
  const bad = checkKeyAgainst(r.value, f.name, assessment, nodesByLab);
  return bad ? { ok: false, error: bad } : r;
}

/**
 * Submission files as `brokerlab grade` reads a folder: in name order, each parsed (a bad file is
 * rejected with its reason and never stops the rest), one per learner (the first by name wins),
 * then learners by name and rejected files by name.
 */
export async function readSubmissionFiles(files: readonly PickedFile[]): Promise<{ accepted: AcceptedSubmission[]; rejected: RejectedFile[] }> {
  const accepted: AcceptedSubmission[] = [];
  const rejected: RejectedFile[] = [];
  for (const f of [...files].sort((a, b) => compareText(a.name, b.name))) {
    if ('unreadable' in f) {
      rejected.push({ file: f.name, kind: f.unreadable.kind, message: `${f.name}: ${f.unreadable.message}` });
      continue;
    }
    const r = await parseSubmission(f.text, f.name);
    if (r.ok) accepted.push({ file: f.name, submission: r.value });
    else rejected.push({ file: f.name, kind: r.error.kind, message: r.error.message });
  }
  const { kept, rejected: duplicates } = onePerLearner(accepted);
  const all = [...rejected, ...duplicates];
  sortForGrading(kept, all);
  return { accepted: kept, rejected: all };
}
