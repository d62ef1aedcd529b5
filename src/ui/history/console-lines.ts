import type { HistoryEntry } from '../../sim';

/**
 * What the console shows: log lines with a level, plus the world's own events (faults, crashes,
 * phases, limits) at level `system`, so a run without learner logs still explains itself.
 */
export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'system';
export const CONSOLE_LEVELS: readonly ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'system'];

export interface ConsoleLine {
  seq: number;
  timeUs: number;
  node: string;
  level: ConsoleLevel;
  text: string;
}

const SYSTEM_KINDS = new Set(['fault', 'crash', 'restart', 'pause', 'resume', 'phase', 'limit']);
const LEVELS = new Set<string>(CONSOLE_LEVELS);

/** The console line for an entry, or undefined when the entry is not for the console. */
export function consoleLineOf(e: HistoryEntry): ConsoleLine | undefined {
  const learnerLog = e.kind.endsWith('.log');
  const learnerError = e.kind.endsWith('.error');
  if (e.kind !== 'log' && e.kind !== 'error' && !learnerLog && !learnerError && !SYSTEM_KINDS.has(e.kind)) return undefined;
  const d = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  let level: ConsoleLevel;
  if (e.kind === 'error' || learnerError) level = 'error';
  else if (SYSTEM_KINDS.has(e.kind)) level = 'system';
  else level = typeof d.level === 'string' && LEVELS.has(d.level) ? (d.level as ConsoleLevel) : 'log';
  return { seq: e.seq, timeUs: e.timeUs, node: e.node, level, text: textOf(e, d) };
}

function textOf(e: HistoryEntry, d: Record<string, unknown>): string {
  if (typeof d.text === 'string') return d.text;
  if (typeof d.message === 'string') return d.message;
  if (e.kind === 'fault') {
    const { kind, at: _at, ...rest } = d;
    const args = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `fault ${String(kind)}${args.length ? ` ${args.join(' ')}` : ''}`;
  }
  if (e.kind === 'phase') return `phase ${String(d.phase)} begins`;
  if (e.kind === 'crash') return `crash: volatile state lost${typeof d.unsyncedWritesLost === 'number' ? `, ${d.unsyncedWritesLost} unsynced disk writes lost` : ''}`;
  if (e.kind === 'restart') return 'restart from disk';
  if (e.kind === 'pause') return 'pause: timers and messages wait';
  if (e.kind === 'resume') return `resume${typeof d.timers === 'number' ? `: ${d.timers} held timers, ${String(d.messages)} held messages` : ''}`;
  if (e.data === undefined) return e.kind;
  return `${e.kind} ${JSON.stringify(e.data)}`;
}
