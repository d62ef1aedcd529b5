import type { FaultEntry, PanelKind } from './fault-entry';

/** The fault panel's form, as typed (strings until built). */
export interface FaultDraft {
  kind: PanelKind;
  atMs: string;
  node: string;
  /** Nodes on the first side of a partition; every other node is on the second side. */
  isolated: readonly string[];
  oneWay: boolean;
  from: string;
  to: string;
  addMs: string;
  p: string;
  offsetMs: string;
}

export type DraftResult = { ok: true; entry: FaultEntry } | { ok: false; error: string };

/**
 * Turns the form into a schedule entry, or says which field to fix. Node names and ranges are
 * checked again by the engine; this catches what the form makes easy to get wrong.
 */
export function buildFault(d: FaultDraft, nodes: readonly string[]): DraftResult {
  const at = Number(d.atMs);
  if (d.atMs.trim() === '' || !Number.isFinite(at) || at < 0) return { ok: false, error: `Time: "${d.atMs}" is not a time; give milliseconds, 0 or more.` };
  const link = (): Record<string, string> => ({ ...(d.from ? { from: d.from } : {}), ...(d.to ? { to: d.to } : {}) });
  switch (d.kind) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
      if (!nodes.includes(d.node)) return { ok: false, error: 'Node: pick the node this happens to.' };
      return { ok: true, entry: { at, kind: d.kind, node: d.node } };
    case 'clockSkew': {
      if (!nodes.includes(d.node)) return { ok: false, error: 'Node: pick the node whose clock jumps.' };
      const offsetMs = Number(d.offsetMs);
      if (d.offsetMs.trim() === '' || !Number.isFinite(offsetMs)) return { ok: false, error: `Offset: "${d.offsetMs}" is not a number of milliseconds (negative: behind).` };
      return { ok: true, entry: { at, kind: 'clockSkew', node: d.node, offsetMs } };
    }
    case 'partition': {
      const a = nodes.filter((n) => d.isolated.includes(n));
      const b = nodes.filter((n) => !d.isolated.includes(n));
      if (a.length === 0 || b.length === 0) return { ok: false, error: 'Partition: tick the nodes to cut off, at least one and not all of them.' };
      return { ok: true, entry: { at, kind: 'partition', groups: [a, b], ...(d.oneWay ? { oneWay: true } : {}) } };
    }
    case 'heal':
      return { ok: true, entry: { at, kind: 'heal' } };
    case 'latency': {
      const addMs = Number(d.addMs);
      if (d.addMs.trim() === '' || !Number.isFinite(addMs) || addMs < 0) return { ok: false, error: `Extra latency: "${d.addMs}" is not a number of milliseconds, 0 or more (0 removes it).` };
      return { ok: true, entry: { at, kind: 'latency', ...link(), addMs } };
    }
    case 'loss': {
      const p = Number(d.p);
      if (d.p.trim() === '' || !(p >= 0 && p <= 1)) return { ok: false, error: `Probability: "${d.p}" is not between 0 and 1 (0 ends the loss).` };
      return { ok: true, entry: { at, kind: 'loss', ...link(), p } };
    }
  }
}
