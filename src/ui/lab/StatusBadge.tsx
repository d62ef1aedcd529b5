import type { ProgressStatus } from '../../labs/progress';

const WORDS: Record<ProgressStatus, string> = { 'not started': 'Not started', 'in progress': 'In progress', passed: 'Passed' };
const MARKS: Record<ProgressStatus, string> = { 'not started': '○', 'in progress': '◐', passed: '✓' };

/** A lab's progress in words and a shape (never colour alone). */
export function StatusBadge({ status }: { status: ProgressStatus }) {
  return (
    <span className={`status-badge status-${status.replace(' ', '-')}`} data-status={status}>
      <span aria-hidden="true">{MARKS[status]}</span> {WORDS[status]}
    </span>
  );
}
