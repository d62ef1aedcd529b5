/** A diagnostic from the editor, in the learner's own line numbers. */
export interface Problem {
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}
