/**
 * A fault schedule entry as people write it (README: `{ "at": 500, "kind": "crash", "node": "b1" }`).
 * The page keeps entries in this form, shows them, puts them in the URL and sends them to the
 * engine, which validates them; the page checks only what its own form can get wrong.
 */
export interface FaultEntry {
  at: number | string;
  kind: string;
  [field: string]: unknown;
}

/** The fault buttons the playground offers; the engine knows a few more (README lists them). */
export const PANEL_KINDS = ['crash', 'restart', 'pause', 'resume', 'partition', 'heal', 'latency', 'loss', 'clockSkew'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

export const KIND_NAMES: Record<PanelKind, string> = {
  crash: 'Crash a node',
  restart: 'Restart a node',
  pause: 'Pause a node (stop the world)',
  resume: 'Resume a node',
  partition: 'Partition the network',
  heal: 'Heal every partition',
  latency: 'Add latency',
  loss: 'Lose packets',
  clockSkew: 'Skew a clock',
};

function linkText(e: FaultEntry): string {
  const from = typeof e.from === 'string' ? e.from : 'any node';
  const to = typeof e.to === 'string' ? e.to : 'any node';
  return `${from} → ${to}`;
}

/** A short sentence for an entry, e.g. `crash n3`, `partition {n1, n2} | {n3, n4, n5}`. */
export function describeFault(e: FaultEntry): string {
  switch (e.kind) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
      return `${e.kind} ${String(e.node)}`;
    case 'partition': {
      const groups = Array.isArray(e.groups) ? (e.groups as unknown[]).map((g) => `{${Array.isArray(g) ? g.join(', ') : '?'}}`) : ['?'];
      return `partition ${groups.join(e.oneWay === true ? ' ⇸ ' : ' | ')}`;
    }
    case 'heal':
      return 'heal every partition';
    case 'latency':
      return `latency +${String(e.addMs)} ms, ${linkText(e)}`;
    case 'loss':
      return `lose ${Math.round(Number(e.p) * 100)}% of packets, ${linkText(e)}`;
    case 'clockSkew':
      return `clock of ${String(e.node)} ${Number(e.offsetMs) >= 0 ? '+' : ''}${String(e.offsetMs)} ms`;
    default: {
      const { at: _at, kind, ...rest } = e;
      return `${kind} ${JSON.stringify(rest)}`;
    }
  }
}

/** Entries ordered by time, keeping the written order for equal times (as the engine applies them). */
export function sortByTime(entries: readonly FaultEntry[]): FaultEntry[] {
  const t = (e: FaultEntry): number => (typeof e.at === 'number' ? e.at : Number.parseFloat(String(e.at)) || 0);
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => t(a.e) - t(b.e) || a.i - b.i)
    .map((x) => x.e);
}
