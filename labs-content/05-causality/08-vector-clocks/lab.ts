import { vcCompare, vcMerge, type VectorClock } from '../../../src/sim/clocks/vector';
import type { HistoryEntry } from '../../../src/sim/history';
import type { SimNode } from '../../../src/sim/node';
import { pass, fail } from '../../../src/labs/checkers';
import type { Checker } from '../../../src/labs/checkers';
import { WL } from '../../../src/labs/checkers/workload';
import { defineLab } from '../../../src/labs/lab/spec';
import { ServiceClient } from '../../../src/labs/lab/service-client';
import type { Json } from '../../../src/labs/sandbox/api';

/** The replicas run the learner's code; each client reads and writes through its home replica. */
const REPLICAS = ['eu', 'us', 'ap'] as const;
/**
 * When each client writes, as [from, to) windows in microseconds. Before the first checkpoint
 * Carol (on `ap`, whose clock runs behind) writes last, after seeing everyone's writes; after it,
 * everyone writes at once and the run ends with three concurrent writes.
 */
const CLIENTS: Record<string, { home: string; windows: [number, number][] }> = {
  alice: { home: 'eu', windows: [[0, 1_000_000], [1_800_000, 2_400_000]] },
  bob: { home: 'us', windows: [[0, 1_000_000], [1_800_000, 2_400_000]] },
  carol: { home: 'ap', windows: [[0, 1_250_000], [1_800_000, 2_400_000]] },
};
/** The auditor reads every replica in the quiet gap and again at the end. */
const CHECKPOINTS_US = [1_700_000, 3_300_000];
const FINAL = 'lab.checkpoint';

/** What a client writes: who wrote it and which of their writes it is. Its id is `${writer}-${n}`. */
interface Written {
  writer: string;
  n: number;
}

const idOf = (v: Written): string => `${v.writer}-${v.n}`;

function isWritten(v: unknown): v is Written {
  return typeof v === 'object' && v !== null && typeof (v as Written).writer === 'string' && typeof (v as Written).n === 'number';
}

/**
 * A client: read from its home replica, think, write a new value with the context it read. The
 * client knows the ground truth of causality (which writes it had seen before it wrote), and
 * records it with each write, so the checks never trust the learner's own clocks.
 */
function client(node: SimNode, home: string, windows: [number, number][], groundTruth: Map<string, VectorClock>) {
  const rpc = new ServiceClient(node);
  let n = 0;
  const step = (): void => {
    const now = node.nowUs;
    const w = windows.find(([, to]) => now < to);
    if (!w) return;
    if (now < w[0]) return void node.setTimer(w[0] - now, step);
    rpc.call(home, { op: 'get' }).onSettled((got) => {
      if (got.state === 'rejected') return void node.setTimer(50_000, step);
      const reply = got.value as { values?: unknown; context?: Json } | null;
      const values = Array.isArray(reply?.values) ? reply.values.filter(isWritten) : [];
      // What this write happened after: everything the client just saw, and its own earlier writes.
      let vc: VectorClock = groundTruth.get(`${node.name}-${n}`) ?? {};
      for (const v of values) vc = vcMerge(vc, groundTruth.get(idOf(v)) ?? {});
      n++;
      const mine: Written = { writer: node.name, n };
      vc = { ...vc, [node.name]: n };
      groundTruth.set(idOf(mine), vc);
      node.setTimer(node.rng.int(10_000, 60_000), () => {
        node.record(WL.produce, { id: idOf(mine), vc });
        rpc.call(home, { op: 'put', value: mine as unknown as Json, context: reply?.context ?? null }).onSettled((put) => {
          if (put.state === 'fulfilled') node.record(WL.ack, { id: idOf(mine) });
          node.setTimer(node.rng.int(5_000, 40_000), step);
        });
      });
    });
  };
  node.setTimer(node.rng.int(0, 20_000), step);
  return { onMessage: (payload: unknown) => void rpc.receive(payload) };
}

/** At each checkpoint the auditor reads every replica and records what each holds. */
function auditor(node: SimNode) {
  const rpc = new ServiceClient(node);
  CHECKPOINTS_US.forEach((atUs, checkpoint) =>
    node.setTimer(atUs, () => {
      for (const r of REPLICAS) {
        rpc.call(r, { op: 'get' }).onSettled((got) => {
          const reply = got.state === 'fulfilled' ? (got.value as { values?: unknown } | null) : null;
          const ids = Array.isArray(reply?.values) ? reply.values.filter(isWritten).map(idOf).sort() : null;
          node.record(FINAL, { checkpoint, replica: r, ids, error: got.state === 'rejected' ? String((got.reason as Error).message) : undefined });
        });
      }
    }),
  );
  return { onMessage: (payload: unknown) => void rpc.receive(payload) };
}

/** One replica's values at one checkpoint, with the writes acknowledged before it. */
interface Reading {
  checkpoint: number;
  replica: string;
  ids: string[] | null;
  e: HistoryEntry;
  acked: string[];
  /** The newest acknowledged writes: none of them was followed (causally) by another. */
  newest: string[];
}

type RunReading = { clocks: Map<string, VectorClock>; readings: Reading[] };
/** Each run's reading, made once for the three checks (they get the same input). Checks only read it. */
const runReadings = new WeakMap<Parameters<Checker>[0], RunReading>();

/** The checkpoints' readings, judged against the ground-truth clocks the clients recorded. */
function readRun(input: Parameters<Checker>[0]): RunReading {
  const known = runReadings.get(input);
  if (known) return known;
  const clocks = new Map<string, VectorClock>();
  for (const e of input.ofKind(WL.produce)) clocks.set((e.data as { id: string }).id, (e.data as { vc: VectorClock }).vc);
  const acks: { id: string; timeUs: number }[] = [];
  for (const e of input.ofKind(WL.ack)) acks.push({ id: (e.data as { id: string }).id, timeUs: e.timeUs });
  const readings: Reading[] = [];
  // Every replica's reading at a checkpoint is judged against the same acknowledged writes: find
  // them and the newest of them (a pairwise comparison) once per checkpoint, not once per replica.
  const atCheckpoint = new Map<number, { acked: string[]; newest: string[] }>();
  for (const e of input.ofKind(FINAL)) {
    const d = e.data as { checkpoint: number; replica: string; ids: string[] | null };
    let judged = atCheckpoint.get(d.checkpoint);
    if (!judged) {
      const acked = acks.filter((a) => a.timeUs <= CHECKPOINTS_US[d.checkpoint]!).map((a) => a.id);
      const newest = acked.filter((a) => !acked.some((b) => b !== a && vcCompare(clocks.get(a)!, clocks.get(b)!) === 'before'));
      atCheckpoint.set(d.checkpoint, (judged = { acked, newest }));
    }
    readings.push({ checkpoint: d.checkpoint, replica: d.replica, ids: d.ids, e, acked: [...judged.acked], newest: [...judged.newest] });
  }
  const run = { clocks, readings };
  runReadings.set(input, run);
  return run;
}

const when = (r: Reading): string => (r.checkpoint === 0 ? 'at the mid-run checkpoint' : 'at the end');

/** A run in which no write was acknowledged proves nothing: the replicas never answered. */
function nothingAcked(readings: Reading[]): ReturnType<Checker> | undefined {
  return readings.some((r) => r.acked.length > 0) ? undefined : fail('no write was acknowledged, so the replicas never showed they keep writes', []);
}

/** No replica holds a value that a later write (one made after seeing it) replaced. */
const newestWins: Checker = (input) => {
  const { clocks, readings } = readRun(input);
  const idle = nothingAcked(readings);
  if (idle) return idle;
  for (const r of readings) {
    for (const id of r.ids ?? []) {
      const newer = r.acked.find((b) => b !== id && clocks.has(id) && vcCompare(clocks.get(id)!, clocks.get(b)!) === 'before');
      if (newer) {
        return fail(`${r.replica} held ${id} ${when(r)}, though ${newer} replaced it`, [
          { message: `${r.replica} holds ${id} ${when(r)}, but ${newer} was written after its writer had seen ${id}: a lost update`, ids: [id, newer], node: r.replica, timeUs: r.e.timeUs, seq: r.e.seq },
        ]);
      }
    }
  }
  return readings.length === 0 ? fail('the auditor read no replica', []) : pass(`no replica held a value that a later write replaced (${clocks.size} writes)`);
};

/** Concurrent writes are all kept (as siblings) until a write that saw them resolves them. */
const concurrentKept: Checker = (input) => {
  const { readings } = readRun(input);
  for (const r of readings) {
    if (r.ids === null) return fail(`${r.replica} did not answer the auditor ${when(r)}`, [{ message: `the auditor's read of ${r.replica} failed`, node: r.replica, timeUs: r.e.timeUs, seq: r.e.seq }]);
    const missing = r.newest.filter((id) => !r.ids!.includes(id));
    if (missing.length > 0) {
      const many = missing.length > 1;
      return fail(`${r.replica} lost ${missing.length} newest write${many ? 's' : ''} ${when(r)}`, [
        { message: `${r.replica} holds [${r.ids.join(', ')}] ${when(r)}, without ${missing.join(', ')}: no later write saw ${many ? 'them' : 'it'}, so ${many ? 'they' : 'it'} should still be there`, ids: missing, node: r.replica, timeUs: r.e.timeUs, seq: r.e.seq },
      ]);
    }
  }
  return readings.length === 0 ? fail('the auditor read no replica', []) : pass('every replica kept every write that no later write had replaced');
};

/** At each checkpoint every replica holds the same values. */
const replicasConverge: Checker = (input) => {
  const { readings } = readRun(input);
  const idle = nothingAcked(readings);
  if (idle) return idle;
  for (let c = 0; c < CHECKPOINTS_US.length; c++) {
    const at = readings.filter((r) => r.checkpoint === c);
    if (at.length < REPLICAS.length) return fail('not every replica answered the auditor', []);
    const first = at[0]!;
    const odd = at.find((r) => JSON.stringify(r.ids) !== JSON.stringify(first.ids));
    if (odd) {
      return fail(`${odd.replica} disagrees with ${first.replica} ${when(odd)}`, [
        { message: `${first.replica} holds [${(first.ids ?? []).join(', ')}] but ${odd.replica} holds [${(odd.ids ?? []).join(', ')}] ${when(odd)}`, node: odd.replica, timeUs: odd.e.timeUs, seq: odd.e.seq },
      ]);
    }
  }
  return pass('the replicas agreed at every checkpoint');
};

export default defineLab({
  id: 'vector-clocks',
  title: 'Causality: vector clocks instead of last-writer-wins',
  topic: 'causality',
  broker: 'none',
  objectives: ['lo.ordering-consistency', 'ordering.guarantees', 'ordering.consistency-models', 'ordering.conflicts', 'ordering.timestamps'],
  summary: 'Three replicas of a shared document, three writers, and clocks that disagree. Replace last-writer-wins with vector clocks: never lose a newer write, keep concurrent ones.',
  // Seed 3 first: it shows every check failing for the starter.
  seeds: [3, ...Array.from({ length: 19 }, (_, i) => (i < 2 ? i + 1 : i + 2))],
  chaosMs: 2_500,
  healMs: 1_000,
  faults: [
    { at: 0, kind: 'clockSkew', node: 'us', offsetMs: 350 },
    { at: 0, kind: 'clockSkew', node: 'ap', offsetMs: -600 },
  ],
  checks: [
    { id: 'newest-wins', title: 'No lost update', points: 40, checker: newestWins, teaches: 'A write that saw another must replace it, whatever the clocks say.' },
    { id: 'concurrent-kept', title: 'Concurrent writes kept', points: 40, checker: concurrentKept, teaches: 'Writes that did not see each other are concurrent: keep both until someone resolves them.' },
    { id: 'replicas-converge', title: 'Replicas converge', points: 20, checker: replicasConverge, teaches: 'Replicas that have seen the same writes hold the same values.' },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the failed check’s evidence: which replica kept which write, and which write replaced it? Compare the writers’ clocks in the history (the clockSkew faults at time 0).' },
    { afterFailures: 2, text: 'A timestamp from ctx.now() cannot tell "after" from "at the same time". Give every stored value a vector clock, one entry per replica, and compare clocks instead.' },
    { afterFailures: 3, text: 'The context you return from a get is what the client hands back with its put: make it the merged clock of the values it read. A put’s clock is that context with this replica’s entry incremented.' },
    { afterFailures: 4, text: 'When clocks are concurrent neither value wins: keep both as siblings and return all of them from get. Drop a sibling only when another clock is after it.' },
  ],
  build({ world, learnerNode }) {
    for (const r of REPLICAS) learnerNode(r, { streamSends: true });
    // Replicas are far apart: 30–60 ms between them makes writes overlap in time.
    for (const a of REPLICAS) for (const b of REPLICAS) if (a < b) world.network.setLatency(a, b, { kind: 'uniform', minUs: 30_000, maxUs: 60_000 });
    const groundTruth = new Map<string, VectorClock>();
    for (const [c, { home, windows }] of Object.entries(CLIENTS)) world.addNode(c, (node) => client(node, home, windows, groundTruth));
    world.addNode('auditor', auditor);
    return {};
  },
});
