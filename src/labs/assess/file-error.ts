/**
 * What can be wrong with a file a person hands to Brokerlab (an assessment, a key, a submission).
 * Named, so the CLI, the page and the tests can tell them apart; the message is for the person.
 */
export type FileProblemKind =
  | 'unreadable' // the file cannot be read at all (missing, a folder, no permission)
  | 'too-large' // over the size a file of its kind may have
  | 'empty' // nothing in it
  | 'not-json' // truncated, or not JSON at all
  | 'foreign' // JSON, but another kind of file (its `format` says so, or its shape does)
  | 'newer-version' // a format version this Brokerlab does not read yet
  | 'invalid' // the right kind of file with fields that are wrong
  | 'tampered' // a submission whose content hash does not match its contents
  | 'mismatch' // a sound file that does not belong with the others (a key for another assessment)
  | 'duplicate'; // a second submission from the same learner

/** One thing wrong: where in the file (a JSON path like `labs[0].code`, or `''` for the whole file) and what to do. */
export interface FileProblem {
  path: string;
  message: string;
}

/** A file that cannot be used, with every problem found in it. */
export class AssessFileError extends Error {
  override name = 'AssessFileError';
  constructor(
    readonly file: string,
    readonly kind: FileProblemKind,
    readonly problems: readonly FileProblem[],
  ) {
    super(formatFileProblems(file, problems));
  }
}

/** One line per problem: `file: path: message`, or `file: message` for the whole file. */
export function formatFileProblems(file: string, problems: readonly FileProblem[]): string {
  return problems.map((p) => `${file}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
}

/** A value or the reason there is none; the parsers never throw for a bad file. */
export type FileResult<T> = { ok: true; value: T } | { ok: false; error: AssessFileError };

export function fileError<T>(file: string, kind: FileProblemKind, message: string, path = ''): FileResult<T> {
  return { ok: false, error: new AssessFileError(file, kind, [{ path, message }]) };
}
