import './file-drop.css';
import type { AssessFileError } from '../../labs/assess/file-error';

/** A file's problems, one line each, as the CLI prints them (`file: path: message`). */
export function FileProblems({ error, testId }: { error: AssessFileError; testId: string }) {
  return (
    <div className="error-panel file-problems" role="alert" data-testid={testId} data-kind={error.kind}>
      {error.message.split('\n').map((line, i) => (
        <p key={i}>{line}</p>
      ))}
    </div>
  );
}
