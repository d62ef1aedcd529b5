import { Kinds } from '../history';
import { formatTime, parseDurationUs } from '../time';
import type { World } from '../world';
import { duplicateRule, lossRule, reorderRule } from './rules';

/**
 * Faults are data: a schedule of entries `{ at, kind, ... }`. `at` is simulated time, a number of
 * milliseconds or a string with a unit (`"1.5s"`, `"250ms"`, `"800us"`). The UI's fault buttons
 * only append entries; the nemesis generates them; the engine applies them at their time.
 */
export type FaultKind =
  | 'partition'
  | 'heal'
  | 'crash'
  | 'restart'
  | 'pause'
  | 'resume'
  | 'clockSkew'
  | 'clockDrift'
  | 'latency'
  | 'loss'
  | 'duplicate'
  | 'reorder'
  | 'diskFull'
  | 'slowDisk';

export const FAULT_KINDS: readonly FaultKind[] = [
  'partition',
  'heal',
  'crash',
  'restart',
  'pause',
  'resume',
  'clockSkew',
  'clockDrift',
  'latency',
  'loss',
  'duplicate',
  'reorder',
  'diskFull',
  'slowDisk',
];

/** A validated fault with its time in microseconds. Optional `from` / `to` on link faults mean every node. */
export type Fault = { atUs: number } & (
  | { kind: 'partition'; groups: string[][]; oneWay: boolean }
  | { kind: 'heal' }
  | { kind: 'crash' | 'restart' | 'pause' | 'resume'; node: string }
  | { kind: 'clockSkew'; node: string; offsetUs: number }
  | { kind: 'clockDrift'; node: string; ppm: number }
  | { kind: 'latency'; from?: string; to?: string; addUs: number }
  | { kind: 'loss' | 'duplicate'; from?: string; to?: string; p: number }
  | { kind: 'reorder'; from?: string; to?: string; p: number; maxDelayUs: number }
  | { kind: 'diskFull'; node: string; full: boolean }
  | { kind: 'slowDisk'; node: string; factor: number }
);

/** One problem in a fault schedule: which entry, which field, and what to do about it. */
export interface FaultScheduleError {
  index: number;
  field: string;
  message: string;
}

export type ValidationResult = { ok: true; faults: Fault[] } | { ok: false; errors: FaultScheduleError[] };

const FIELDS: Record<FaultKind, readonly string[]> = {
  partition: ['groups', 'oneWay'],
  heal: [],
  crash: ['node'],
  restart: ['node'],
  pause: ['node'],
  resume: ['node'],
  clockSkew: ['node', 'offsetMs'],
  clockDrift: ['node', 'ppm'],
  latency: ['from', 'to', 'addMs'],
  loss: ['from', 'to', 'p'],
  duplicate: ['from', 'to', 'p'],
  reorder: ['from', 'to', 'p', 'maxDelayMs'],
  diskFull: ['node', 'full'],
  slowDisk: ['node', 'factor'],
};

/**
 * Checks a fault schedule written by a person (or a program) against the nodes of a scenario.
 * Every problem is reported, each naming the entry and the field; nothing is applied unless the
 * whole schedule is valid. The faults come back sorted by time (stable for equal times).
 */
export function validateFaultSchedule(input: unknown, knownNodes: readonly string[]): ValidationResult {
  const errors: FaultScheduleError[] = [];
  if (!Array.isArray(input)) {
    return { ok: false, errors: [{ index: -1, field: '', message: 'a fault schedule is a JSON array of entries like {"at": 500, "kind": "crash", "node": "b1"}' }] };
  }
  const known = new Set(knownNodes);
  const nodeList = knownNodes.join(', ');
  const faults: Fault[] = [];
  input.forEach((raw, index) => {
    const err = (field: string, message: string): void => void errors.push({ index, field, message });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      err('', 'each entry is an object with "at" and "kind"');
      return;
    }
    const e = raw as Record<string, unknown>;
    const atUs = parseDurationUs(e.at);
    if (e.at === undefined) err('at', 'missing: when the fault happens, in ms (a number) or with a unit ("2s")');
    else if (typeof e.at === 'number' && e.at < 0) err('at', `negative time ${e.at}: faults happen at 0 or later`);
    else if (atUs === undefined) err('at', `${JSON.stringify(e.at)} is not a time: use milliseconds (500) or a string with a unit ("500ms", "2s")`);
    if (typeof e.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(e.kind)) {
      err('kind', `unknown kind ${JSON.stringify(e.kind)}; the kinds are ${FAULT_KINDS.join(', ')}`);
      return;
    }
    const kind = e.kind as FaultKind;
    for (const key of Object.keys(e)) {
      if (key !== 'at' && key !== 'kind' && !FIELDS[kind].includes(key)) {
        err(key, `"${kind}" has no field "${key}"${FIELDS[kind].length ? `; its fields are ${FIELDS[kind].join(', ')}` : ''}`);
      }
    }
    const node = (field: string, optional = false): string | undefined => {
      const v = e[field];
      if (v === undefined && optional) return undefined;
      if (typeof v !== 'string') {
        err(field, `"${kind}" needs "${field}", a node name (known: ${nodeList})`);
        return undefined;
      }
      if (!known.has(v)) {
        err(field, `unknown node ${JSON.stringify(v)} (known: ${nodeList})`);
        return undefined;
      }
      return v;
    };
    const num = (field: string, check: (n: number) => boolean, expect: string, fallback?: number): number => {
      const v = e[field] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) {
        err(field, `"${kind}" needs "${field}" ${expect}, got ${JSON.stringify(e[field])}`);
        return 0;
      }
      return v;
    };
    const before = errors.length;
    let fault: Fault | undefined;
    const at = atUs ?? 0;
    switch (kind) {
      case 'partition': {
        const groups = e.groups;
        if (!Array.isArray(groups) || groups.length < 2 || !groups.every((g) => Array.isArray(g) && g.length > 0)) {
          err('groups', 'a partition needs "groups": two or more non-empty lists of node names, e.g. [["b1"], ["b2", "b3"]]');
          break;
        }
        const seen = new Map<string, number>();
        const clean: string[][] = [];
        groups.forEach((g: unknown[], gi) => {
          const out: string[] = [];
          for (const n of g) {
            if (typeof n !== 'string' || !known.has(n)) {
              err(`groups[${gi}]`, `unknown node ${JSON.stringify(n)} (known: ${nodeList})`);
              continue;
            }
            const prev = seen.get(n);
            if (prev !== undefined) err(`groups[${gi}]`, `node "${n}" is in groups ${prev} and ${gi}: partition groups must not overlap`);
            seen.set(n, gi);
            out.push(n);
          }
          clean.push(out);
        });
        if (e.oneWay !== undefined && typeof e.oneWay !== 'boolean') err('oneWay', '"oneWay" is true or false');
        if (e.oneWay === true && groups.length !== 2) err('oneWay', 'a one-way partition has exactly two groups: messages from the first to the second are dropped');
        fault = { atUs: at, kind, groups: clean, oneWay: e.oneWay === true };
        break;
      }
      case 'heal':
        fault = { atUs: at, kind };
        break;
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
        fault = { atUs: at, kind, node: node('node') ?? '' };
        break;
      case 'clockSkew':
        fault = { atUs: at, kind, node: node('node') ?? '', offsetUs: Math.round(num('offsetMs', () => true, 'a number of milliseconds (negative: behind)') * 1000) };
        break;
      case 'clockDrift':
        fault = { atUs: at, kind, node: node('node') ?? '', ppm: num('ppm', (n) => Math.abs(n) <= 1_000_000, 'in parts per million, between -1000000 and 1000000') };
        break;
      case 'latency':
        fault = { atUs: at, kind, from: node('from', true), to: node('to', true), addUs: Math.round(num('addMs', (n) => n >= 0, 'a non-negative number of milliseconds (0 removes it)') * 1000) };
        break;
      case 'loss':
      case 'duplicate':
        fault = { atUs: at, kind, from: node('from', true), to: node('to', true), p: num('p', (n) => n >= 0 && n <= 1, 'a probability between 0 and 1 (0 removes it)') };
        break;
      case 'reorder':
        fault = {
          atUs: at,
          kind,
          from: node('from', true),
          to: node('to', true),
          p: num('p', (n) => n >= 0 && n <= 1, 'a probability between 0 and 1 (0 removes it)'),
          maxDelayUs: Math.round(num('maxDelayMs', (n) => n > 0, 'a positive number of milliseconds', 10) * 1000),
        };
        break;
      case 'diskFull':
        if (e.full !== undefined && typeof e.full !== 'boolean') err('full', '"full" is true (the default) or false');
        fault = { atUs: at, kind, node: node('node') ?? '', full: e.full !== false };
        break;
      case 'slowDisk':
        fault = { atUs: at, kind, node: node('node') ?? '', factor: num('factor', (n) => n >= 1, 'a factor of 1 or more (1 restores normal speed)') };
        break;
    }
    if (fault && errors.length === before && atUs !== undefined) faults.push(fault);
  });
  if (errors.length > 0) return { ok: false, errors };
  // Stable sort: entries at the same time apply in the order they were written.
  faults.sort((a, b) => a.atUs - b.atUs);
  return { ok: true, faults };
}

/** Formats validation errors for a person: one line each, naming the file, the entry and the field. */
export function formatFaultErrors(errors: readonly FaultScheduleError[], source = 'fault schedule'): string {
  return errors
    .map((e) => (e.index < 0 ? `${source}: ${e.message}` : `${source}: entry ${e.index}${e.field ? `, field "${e.field}"` : ''}: ${e.message}`))
    .join('\n');
}

/** Turns a validated fault back into the JSON form people write (the inverse of validation). */
export function faultToJson(f: Fault): Record<string, unknown> {
  const { atUs, ...rest } = f;
  const out: Record<string, unknown> = { at: atUs / 1000, kind: rest.kind };
  for (const [k, v] of Object.entries(rest)) {
    if (k === 'kind' || v === undefined) continue;
    if (k === 'offsetUs') out.offsetMs = (v as number) / 1000;
    else if (k === 'addUs') out.addMs = (v as number) / 1000;
    else if (k === 'maxDelayUs') out.maxDelayMs = (v as number) / 1000;
    else if (k === 'oneWay' && v === false) continue;
    else out[k] = v;
  }
  return out;
}

/** Schedules every fault of a validated schedule on the world's kernel. */
export function scheduleFaults(world: World, faults: readonly Fault[]): void {
  for (const f of faults) world.kernel.at(Math.max(f.atUs, world.nowUs), () => applyFault(world, f));
}

/** Applies one fault now and records it in the history. */
export function applyFault(world: World, f: Fault): void {
  world.record(Kinds.fault, 'node' in f ? f.node : '', undefined, undefined, { ...faultToJson(f), at: formatTime(f.atUs) });
  const net = world.network;
  switch (f.kind) {
    case 'partition':
      if (f.oneWay) net.partition(f.groups[0]!, f.groups[1]!, true);
      else for (let i = 0; i < f.groups.length; i++) for (let j = i + 1; j < f.groups.length; j++) net.partition(f.groups[i]!, f.groups[j]!);
      return;
    case 'heal':
      net.heal();
      return;
    case 'crash':
      world.node(f.node).crash();
      return;
    case 'restart':
      world.node(f.node).restart();
      return;
    case 'pause':
      world.node(f.node).pause();
      return;
    case 'resume':
      world.node(f.node).resume();
      return;
    case 'clockSkew':
      world.node(f.node).clock.step(f.offsetUs);
      return;
    case 'clockDrift':
      world.node(f.node).clock.setDrift(f.ppm, world.nowUs);
      return;
    case 'latency':
      net.addLatency(f.addUs, f.from, f.to);
      return;
    case 'loss':
      clearMatchingRules(world, f.kind, f.from, f.to);
      if (f.p > 0) net.addRule((id) => lossRule(id, f.p, f.from, f.to));
      return;
    case 'duplicate':
      clearMatchingRules(world, f.kind, f.from, f.to);
      if (f.p > 0) net.addRule((id) => duplicateRule(id, f.p, f.from, f.to));
      return;
    case 'reorder':
      clearMatchingRules(world, f.kind, f.from, f.to);
      if (f.p > 0) net.addRule((id) => reorderRule(id, f.p, f.maxDelayUs, f.from, f.to));
      return;
    case 'diskFull':
      world.node(f.node).disk.full = f.full;
      return;
    case 'slowDisk':
      world.node(f.node).disk.slowFactor = f.factor;
      return;
  }
}

/** A new rule of a kind on the same links replaces the old one, so `loss p=0` ends a lossy window. */
function clearMatchingRules(world: World, kind: 'loss' | 'duplicate' | 'reorder', from?: string, to?: string): void {
  world.network.removeRulesWhere((r) => r.kind === kind && r.from === from && r.to === to);
}
