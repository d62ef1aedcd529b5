import { HISTORY_HASH_VERSION } from '../../sim/history';
import { FORMAT_VERSION } from './envelope';
import { formatPoints } from './points';
import type { ClassResults } from './results';

/**
 * `grades.json`: everything, hidden seeds included (for the instructor's tools, never for
 * learners). `historyHashVersion` says how its runs' `historyHash`es were computed, so a tool
 * compares them only with hashes made the same way (`HISTORY_HASH_VERSION`).
 */
export function gradesJson(results: ClassResults): string {
  return `${JSON.stringify({ format: 'brokerlab-grades', version: FORMAT_VERSION, historyHashVersion: HISTORY_HASH_VERSION, ...results }, null, 2)}\n`;
}

/**
 * The gradebook: a row per learner (sorted by name), a column per check (`lab/check`, points
 * earned), each lab's total after its checks, then `total`, `max` and `notes`. Numbers are written
 * without locale, so the same grades give the same bytes on every machine.
 */
export function gradesCsv(results: ClassResults): string {
  const head = ['learner', 'file'];
  for (const l of results.assessment.labs) {
    for (const c of l.checks) head.push(`${l.lab}/${c.id}`);
    head.push(l.lab);
  }
  head.push('total', 'max', 'notes');
  const rows = [head.map(cell)];
  for (const r of results.learners) {
    const row = [cell(r.learner), cell(r.file)];
    for (const l of results.assessment.labs) {
      const got = r.labs.find((x) => x.lab === l.lab);
      for (const c of l.checks) row.push(formatPoints(got?.checks.find((x) => x.id === c.id)?.earned ?? 0));
      row.push(formatPoints(got?.earned ?? 0));
    }
    row.push(formatPoints(r.total), formatPoints(r.max), cell(r.notes.join('; ')));
    rows.push(row);
  }
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

/**
 * One text cell, quoted as RFC 4180 asks when it holds a comma, a quote or a line break. Text a
 * spreadsheet would run as a formula (a learner named "=HYPERLINK(…)") gets a leading apostrophe,
 * as OWASP's advice on CSV injection recommends.
 */
export function cell(text: string): string {
  let t = text;
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
