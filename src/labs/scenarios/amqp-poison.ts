import { RabbitCluster, type Channel, type Message as AmqpMessage } from '../../sim/broker/amqp';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import { formatTime } from '../../sim/time';
import { dlqHasReasons, fail, pass, quantile, type Checker, type CheckInput, type Evidence } from '../checkers';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabInstance } from '../lab/spec';
import { ServiceClient } from '../lab/service-client';
import type { ApiNamespace, Json } from '../sandbox/api';
import { ApiError } from '../sandbox/bridge';
import type { LabOp } from '../sandbox/learner-node';
import { isWire, type Wire } from '../sandbox/wire';
import { AmqpApp, amqpTypes, channelNamespace, hostChannel } from './amqp-app';

/**
 * The poison-message story: a producer sends render jobs to the queue `work`; the learner's
 * `worker` consumes it (its handleMessage runs inside an amqplib-style consumer, prefetch 4) and
 * renders each job through the `renderer` service. Some jobs are poison (they always fail), some
 * are flaky (they fail their first one or two attempts), and once in the run the renderer has an
 * outage of a second, during which every job fails. The learner declares the topology in `setup`
 * (the work queue, retry queues, the dead-letter queue `work.dlq`) and decides in handleMessage
 * what happens to a job that failed: ack, requeue, retry later, or dead-letter.
 *
 * The renderer knows the ground truth (each job's class and every attempt); a monitor consumes
 * `work.dlq` and records what arrives there, with the reason.
 */

export const BROKER = 'rabbit1';
export const WORKER = 'worker';
export const RENDERER = 'renderer';
export const WORK_QUEUE = 'work';
export const DLQ = 'work.dlq';
/** Attempts a job may get, at most, before it must be dead-lettered. */
export const ATTEMPTS_MAX = 5;
/** A retry must wait at least this long after the attempt that failed. */
export const RETRY_WAIT_US_MIN = 50_000;
/** The p99 time from production to rendering for jobs that never failed. */
export const HEALTHY_P99_US_MAX = 300_000;
const PREFETCH = 4;

export type JobClass = 'ok' | 'flaky' | 'poison';

/** History kinds this scenario adds (besides the `wl.*` and `amqp.*` ones). */
export const PoisonKinds = {
  /** The renderer finished one attempt. `{ id, n, ok, error?, startUs }` */
  attempt: 'render.attempt',
  /** The renderer went down or came back. `{ up }` */
  outage: 'render.outage',
} as const;

export const poisonApi: { readonly [name: string]: ApiNamespace } = {
  channel: channelNamespace(
    ['assertExchange', 'assertQueue', 'bindQueue', 'publish', 'sendToQueue', 'ack', 'nack', 'reject'],
    "Your channel to RabbitMQ (node rabbit1), shaped like amqplib's Channel. The consumer that feeds handleMessage runs on it (prefetch 4: up to four messages at a time), so acks, nacks and rejects go here. Declaring and binding take simulated time (await them); publish, ack, nack and reject are sent at once.",
  ),
  renderer: {
    kind: 'namespace',
    typeName: 'Renderer',
    doc: 'The rendering service your worker depends on. A render takes 4–12 ms plus the network; a job it cannot render keeps it busy longer before it fails.',
    members: {
      render: {
        kind: 'function',
        bridge: 'async',
        params: [{ name: 'job', ts: 'Job', check: 'json', doc: 'The job, as the producer sent it.' }],
        returns: 'Promise<{ pages: number }>',
        doc: 'Renders a job. Rejects with the renderer\'s error: `422 …` (the job itself is broken), `503 …` (the renderer is down) or `504 …` (it timed out this time).',
      },
    },
  },
};

export const poisonTypes = `${amqpTypes}

/** A render job, as the producer sends it (the message's content is its JSON). */
export interface Job {
  jobId: string;
  template: string;
  customer: string;
}`;

export interface PoisonOptions {
  jobs: number;
  /** Mean gap between two jobs. */
  everyMs: number;
  poisonChance: number;
  flakyChance: number;
  /** When the renderer's outage may start (uniform), and how long it lasts. */
  outageFromMs: number;
  outageToMs: number;
  outageMs: number;
}

/** What the renderer knows about a job: its class, and for a flaky one how many attempts fail. */
interface JobTruth {
  cls: JobClass;
  failFirst: number;
}

const START_AFTER_SETUP_US = 100_000;
const START_LATEST_US = 1_500_000;
const REOPEN_US = 500_000;
const RENDER_US = { min: 4_000, max: 12_000 };
/** A poison job keeps the renderer busy a while before it gives up on it. */
const POISON_RENDER_US = { min: 60_000, max: 100_000 };
const TEMPLATES = ['invoice', 'receipt', 'statement', 'label'];

export function buildPoisonScenario(ctx: LabBuildContext, opts: PoisonOptions): LabInstance {
  const { world } = ctx;
  const cluster = RabbitCluster.create(world, { names: [BROKER] });
  const truth = new Map<string, JobTruth>();
  const rng = world.rng.fork('poison-workload');
  const outageStartUs = rng.int(opts.outageFromMs, opts.outageToMs) * 1000;
  const outageEndUs = outageStartUs + opts.outageMs * 1000;

  const waiting: (() => void)[] = [];
  let started = false;
  const begin = (): void => {
    if (started) return;
    started = true;
    for (const w of waiting.splice(0)) w();
  };
  const whenStarted = (fn: () => void): void => void (started ? fn() : waiting.push(fn));
  world.kernel.after(START_LATEST_US, begin);

  ctx.learnerNode(WORKER, { ops: (node) => workerOps(node, () => node.setTimer(START_AFTER_SETUP_US, begin)) });

  // The renderer: the dependency, with the ground truth of every job and an outage.
  world.addNode(RENDERER, (node) => rendererNode(node, truth, outageStartUs, outageEndUs));

  // The producer: jobs to `work` through the default exchange, once setup is done.
  let producing = true;
  world.addNode('producer', (node) => {
    const current: { ch: Channel | undefined } = { ch: undefined };
    hostChannel(node, BROKER, REOPEN_US, (ch) => {
      const first = current.ch === undefined;
      current.ch = ch;
      if (first) whenStarted(() => produce(node, current, opts, truth, outageStartUs, outageEndUs, () => (producing = false)));
    });
    return {};
  });

  // The DLQ monitor: records what reaches work.dlq, with the reason an operator would read.
  world.addNode('dlq-monitor', (node) => {
    whenStarted(() =>
      hostChannel(node, BROKER, REOPEN_US, (ch) => {
        ch.consume(DLQ, (m) => {
          if (m === null) return;
          node.record(WL.dlq, { id: jobIdOf(m), reason: reasonOf(m) });
          ch.ack(m);
        });
      }),
    );
    return {};
  });

  let checkedAtUs = -1;
  let settled = false;
  return {
    converged: () => {
      if (producing) return false;
      if (world.nowUs - checkedAtUs < 50_000) return settled;
      checkedAtUs = world.nowUs;
      settled = cluster.queues().every((q) => q.ready === 0 && q.unacked === 0);
      return settled;
    },
  };
}


/** The job id of a delivered message: its messageId, else the jobId in its content. */
function jobIdOf(m: AmqpMessage): string {
  if (typeof m.properties.messageId === 'string') return m.properties.messageId;
  try {
    const j = JSON.parse(m.content) as { jobId?: unknown };
    return typeof j.jobId === 'string' ? j.jobId : '';
  } catch {
    return '';
  }
}

/** Why a message is in the DLQ: RabbitMQ's last death (reason and queue), or the publisher's `x-reason` header. */
function reasonOf(m: AmqpMessage): string {
  const h = m.properties.headers ?? {};
  const own = h['x-reason'];
  if (typeof own === 'string' && own.trim() !== '') return own;
  const r = h['x-last-death-reason'];
  if (typeof r === 'string') return `${r} in ${String(h['x-last-death-queue'] ?? '?')}`;
  return '';
}

function produce(
  node: SimNode,
  current: { ch: Channel | undefined },
  opts: PoisonOptions,
  truth: Map<string, JobTruth>,
  outageStartUs: number,
  outageEndUs: number,
  done: () => void,
): void {
  let n = 0;
  const next = (): void => {
    if (n >= opts.jobs) return done();
    n++;
    const jobId = `j-${n}`;
    // Every run has a poison job and a flaky one early, so the first seconds already tell.
    let cls: JobClass = n === 4 ? 'poison' : n === 9 ? 'flaky' : 'ok';
    if (cls === 'ok' && n > 10) {
      const r = node.rng.next();
      if (r < opts.poisonChance) cls = 'poison';
      else if (r < opts.poisonChance + opts.flakyChance) cls = 'flaky';
    }
    // Flaky jobs stay clear of the outage: their own failures are enough to need a retry.
    if (cls === 'flaky' && node.nowUs > outageStartUs - 2_500_000 && node.nowUs < outageEndUs) cls = 'ok';
    const failFirst = cls === 'flaky' ? node.rng.int(1, 2) : 0;
    truth.set(jobId, { cls, failFirst });
    const job = { jobId, template: node.rng.pick(TEMPLATES), customer: `c-${node.rng.int(1, 40)}` };
    node.record(WL.produce, { id: jobId, class: cls });
    try {
      const ch = current.ch;
      if (!ch || ch.state !== 'open') throw new Error('the channel is closed');
      ch.sendToQueue(WORK_QUEUE, JSON.stringify(job), { messageId: jobId, persistent: true, timestamp: Math.floor(node.nowUs / 1000), contentType: 'application/json' });
    } catch (err) {
      node.log(`could not publish ${jobId}: ${(err as Error).message}`, 'warn');
    }
    node.setTimer(Math.round(opts.everyMs * 1000 * (0.5 + node.rng.next())), next);
  };
  next();
}

/** The renderer: answers render requests with the ground truth, down during its outage. */
function rendererNode(node: SimNode, truth: Map<string, JobTruth>, outageStartUs: number, outageEndUs: number) {
  const attempts = new Map<string, number>();
  if (node.nowUs < outageStartUs) {
    node.setTimer(outageStartUs - node.nowUs, () => {
      node.record(PoisonKinds.outage, { up: false });
      node.log('renderer is down: every render fails with 503 until it is back', 'warn');
    });
    node.setTimer(outageEndUs - node.nowUs, () => {
      node.record(PoisonKinds.outage, { up: true });
      node.log('renderer is back', 'info');
    });
  }
  return {
    onMessage(payload: unknown, env: { from: string }) {
      if (!isWire(payload) || payload.wire !== 'request') return;
      const job = (payload.body as { job?: { jobId?: unknown } } | null)?.job;
      const id = typeof job?.jobId === 'string' ? job.jobId : '';
      const startUs = node.nowUs;
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      const t = truth.get(id);
      let error: string | undefined;
      if (!t) error = `400 unknown job ${JSON.stringify(id)}`;
      else if (startUs >= outageStartUs && startUs < outageEndUs) error = '503 renderer unavailable';
      else if (t.cls === 'poison') error = `422 template cannot render job ${id}: field customer.address is missing`;
      else if (n <= t.failFirst) error = '504 font service timed out';
      const took = t?.cls === 'poison' && error?.startsWith('422') ? POISON_RENDER_US : RENDER_US;
      node.setTimer(node.rng.int(took.min, took.max), () => {
        node.record(PoisonKinds.attempt, error === undefined ? { id, n, ok: true, startUs } : { id, n, ok: false, error, startUs });
        if (error === undefined) node.record(WL.effect, { id });
        const reply: Wire = error === undefined ? { wire: 'response', id: payload.id, ok: true, body: { pages: 1 + (n % 3) } } : { wire: 'response', id: payload.id, ok: false, error };
        node.send(env.from, reply);
      });
    },
  };
}

/** One incarnation of the worker: the AMQP app (setup, then the consumer) and `renderer.render`. */
function workerOps(node: SimNode, onSetupDone: () => void): Record<string, LabOp> {
  const rpc = new ServiceClient(node);
  node.addReceiver((payload, env) => rpc.receive(payload, env));
  let consuming = false;
  const consume = (app: AmqpApp, ch: Channel): void => {
    ch.prefetch(PREFETCH);
    ch.consume(WORK_QUEUE, (m) => {
      if (m === null) return;
      const learner = app.learner;
      if (!learner) return;
      const payload = app.remember(ch, m);
      node.record(WL.deliver, { id: jobIdOf(m) });
      learner.deliverLocal([
        {
          payload,
          from: WORK_QUEUE,
          sentAtMs: m.properties.timestamp ?? node.nowUs / 1000,
          commit: () => {
            try {
              app.ackDelivery(ch, m);
              return SimPromise.resolved<void>(undefined);
            } catch (e) {
              return SimPromise.rejected(e);
            }
          },
        },
      ]);
    }).onSettled((p) => {
      if (p.state === 'rejected') node.log(`the worker could not consume ${WORK_QUEUE}: ${(p.reason as Error).message}`, 'error');
    });
  };
  const app = new AmqpApp(node, BROKER, {
    afterSetup: (a) => {
      consuming = true;
      if (a.ch) consume(a, a.ch);
      onSetupDone();
    },
    // A channel the broker closed (after a bad declare or publish) is replaced: consume again on it.
    onChannel: (a, ch) => {
      if (consuming) consume(a, ch);
    },
  });
  return {
    ...app.ops(),
    'renderer.render': ([job]) => {
      const out = new SimPromise<Json>();
      rpc.call(RENDERER, { job: job as Json }, 1000).onSettled((r) => {
        if (r.state === 'fulfilled') out.resolve(r.value as Json);
        else out.reject(new ApiError(`ctx.renderer.render: ${(r.reason as Error).message}`));
      });
      return out;
    },
  };
}

// ---------------------------------------------------------------- checks

interface Attempt {
  n: number;
  ok: boolean;
  error?: string;
  startUs: number;
  endUs: number;
  seq: number;
}

interface RunFacts {
  jobs: Map<string, { cls: JobClass; timeUs: number; seq: number }>;
  attempts: Map<string, Attempt[]>;
  rendered: Map<string, { timeUs: number; seq: number }>;
  dlq: Map<string, { reason: string; timeUs: number; seq: number }>;
}

function facts(input: CheckInput): RunFacts {
  const jobs = new Map<string, { cls: JobClass; timeUs: number; seq: number }>();
  for (const e of input.ofKind(WL.produce)) {
    const d = e.data as { id: string; class: JobClass };
    if (!jobs.has(d.id)) jobs.set(d.id, { cls: d.class, timeUs: e.timeUs, seq: e.seq });
  }
  const attempts = new Map<string, Attempt[]>();
  for (const e of input.ofKind(PoisonKinds.attempt)) {
    const d = e.data as { id: string; n: number; ok: boolean; error?: string; startUs: number };
    let list = attempts.get(d.id);
    if (!list) attempts.set(d.id, (list = []));
    list.push({ n: d.n, ok: d.ok, error: d.error, startUs: d.startUs, endUs: e.timeUs, seq: e.seq });
  }
  for (const list of attempts.values()) list.sort((a, b) => a.startUs - b.startUs);
  const rendered = new Map<string, { timeUs: number; seq: number }>();
  for (const e of input.ofKind(WL.effect)) {
    const id = (e.data as { id: string }).id;
    if (!rendered.has(id)) rendered.set(id, { timeUs: e.timeUs, seq: e.seq });
  }
  const dlq = new Map<string, { reason: string; timeUs: number; seq: number }>();
  for (const e of input.ofKind(WL.dlq)) {
    const d = e.data as { id: string; reason?: string };
    if (!dlq.has(d.id)) dlq.set(d.id, { reason: d.reason ?? '', timeUs: e.timeUs, seq: e.seq });
  }
  return { jobs, attempts, rendered, dlq };
}

const EVIDENCE_MAX = 3;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** What became of a job that was never rendered, in words. */
function fate(f: RunFacts, id: string): string {
  const tries = f.attempts.get(id) ?? [];
  const last = tries.at(-1);
  const dead = f.dlq.get(id);
  if (tries.length === 0) return dead ? `it never reached the renderer, and went to ${DLQ} at ${formatTime(dead.timeUs)}` : `it never reached the renderer and was still waiting in ${WORK_QUEUE} when the run ended`;
  const lastWords = last ? `, the last at ${formatTime(last.startUs)} (${last.error ?? 'ok'})` : '';
  return `${plural(tries.length, 'attempt')}${lastWords}${dead ? `, then it was dead-lettered at ${formatTime(dead.timeUs)}` : ''}`;
}

/** Every job that is not poison was rendered: retries must outlast flaky failures and the outage. */
export function goodJobsRendered(): Checker {
  return (input) => {
    const f = facts(input);
    const good = [...f.jobs].filter(([, j]) => j.cls !== 'poison');
    if (good.length === 0) return fail('no job was produced, so nothing shows the worker renders them', []);
    const lost = good.filter(([id]) => !f.rendered.has(id));
    if (lost.length === 0) return pass(`all ${good.length} good jobs were rendered (${good.filter(([, j]) => j.cls === 'flaky').length} of them flaky)`);
    const evidence: Evidence[] = lost.slice(0, EVIDENCE_MAX).map(([id, j]) => ({
      message: `${j.cls === 'flaky' ? 'flaky' : 'good'} job ${id} was never rendered: ${fate(f, id)}`,
      ids: [id],
      node: 'producer',
      timeUs: j.timeUs,
      seq: j.seq,
    }));
    const deadGood = lost.filter(([id]) => f.dlq.has(id)).length;
    const why = deadGood > 0 ? `; ${deadGood} of them went to ${DLQ}` : '';
    return fail(`${lost.length} of ${good.length} good jobs were never rendered${why}`, evidence);
  };
}

/**
 * Poison jobs are isolated: each ends in work.dlq with a reason, after at most ATTEMPTS_MAX
 * attempts, and no job of any kind is attempted more often than that.
 */
export function poisonDeadLettered(): Checker {
  const reasons = dlqHasReasons();
  return (input) => {
    const f = facts(input);
    const poison = [...f.jobs].filter(([, j]) => j.cls === 'poison');
    const evidence: Evidence[] = [];
    const missing = poison.filter(([id]) => !f.dlq.has(id));
    for (const [id, j] of missing.slice(0, EVIDENCE_MAX)) {
      evidence.push({ message: `poison job ${id} never reached ${DLQ}: ${fate(f, id)}`, ids: [id], node: 'producer', timeUs: j.timeUs, seq: j.seq });
    }
    const tooMany = [...f.attempts].filter(([, list]) => list.length > ATTEMPTS_MAX).sort((a, b) => b[1].length - a[1].length);
    for (const [id, list] of tooMany.slice(0, EVIDENCE_MAX)) {
      const over = list[ATTEMPTS_MAX]!;
      evidence.push({ message: `job ${id} was attempted ${list.length} times (at most ${ATTEMPTS_MAX}); attempt ${ATTEMPTS_MAX + 1} was at ${formatTime(over.startUs)}`, ids: [id], node: RENDERER, timeUs: over.endUs, seq: over.seq });
    }
    const r = reasons(input);
    if (!r.passed) evidence.push(...r.evidence);
    if (missing.length === 0 && tooMany.length === 0 && r.passed) {
      if (poison.length === 0) return fail('no poison job was produced, so nothing shows they are isolated', []);
      return pass(`all ${poison.length} poison jobs reached ${DLQ} with a reason, and no job was attempted more than ${ATTEMPTS_MAX} times`);
    }
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`${missing.length} of ${poison.length} poison jobs never reached ${DLQ}`);
    if (tooMany.length > 0) parts.push(`${plural(tooMany.length, 'job')} attempted more than ${ATTEMPTS_MAX} times`);
    if (!r.passed) parts.push(r.summary);
    return fail(parts.join('; '), evidence);
  };
}

/**
 * No head-of-line blocking: jobs that never failed are rendered promptly (p99 under the bound)
 * while failed ones wait for their retries. A job never rendered counts until the end of the run.
 */
export function healthyJobsFlow(): Checker {
  return (input) => {
    const f = facts(input);
    const lat: { id: string; us: number; done: boolean }[] = [];
    for (const [id, j] of f.jobs) {
      if (j.cls !== 'ok') continue;
      if ((f.attempts.get(id) ?? []).some((a) => !a.ok)) continue;
      const r = f.rendered.get(id);
      lat.push({ id, us: (r?.timeUs ?? input.endUs) - j.timeUs, done: r !== undefined });
    }
    if (lat.length === 0) return fail('no healthy job was produced, so there is no latency to measure', []);
    const sorted = lat.map((l) => l.us).sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p99 = quantile(sorted, 0.99);
    const stuck = lat.filter((l) => !l.done).length;
    const summary = `healthy jobs: p50 ${formatTime(p50)}, p99 ${formatTime(p99)} over ${lat.length}${stuck > 0 ? `, ${stuck} never rendered` : ''}`;
    if (p99 <= HEALTHY_P99_US_MAX) return pass(summary);
    const slowest = lat.reduce((a, b) => (b.us > a.us ? b : a));
    const j = f.jobs.get(slowest.id)!;
    // Who held the worker meanwhile: the jobs attempted most while the slowest one waited.
    const until = j.timeUs + slowest.us;
    const busy = [...f.attempts]
      .map(([id, list]) => ({ id, n: list.filter((a) => a.startUs >= j.timeUs && a.startUs <= until).length }))
      .filter((b) => b.n > 1 && b.id !== slowest.id)
      .sort((a, b) => b.n - a.n)
      .slice(0, 3);
    const meanwhile = busy.length > 0 ? `; meanwhile the worker attempted ${busy.map((b) => `${b.id} ${b.n} times`).join(', ')}` : '';
    return fail(`${summary}; the bound is p99 ≤ ${formatTime(HEALTHY_P99_US_MAX)}`, [
      {
        message: `healthy job ${slowest.id} ${slowest.done ? `took ${formatTime(slowest.us)} from production to rendering` : `was produced at ${formatTime(j.timeUs)} and never rendered`}${meanwhile}`,
        ids: [slowest.id, ...busy.map((b) => b.id)],
        node: 'producer',
        timeUs: j.timeUs,
        seq: j.seq,
      },
    ]);
  };
}

/**
 * Backoff: a retry waits at least RETRY_WAIT_US_MIN after the attempt that failed, and each wait
 * of a job is longer than the one before it, so a struggling renderer gets more and more room.
 */
export function retriesBackOff(): Checker {
  return (input) => {
    const f = facts(input);
    let retries = 0;
    let hurried: { id: string; wait: number; a: Attempt; i: number } | undefined;
    let hurriedCount = 0;
    let flat: { id: string; prev: number; wait: number; a: Attempt; i: number } | undefined;
    let flatCount = 0;
    for (const [id, list] of f.attempts) {
      let prevWait = -1;
      for (let i = 1; i < list.length; i++) {
        retries++;
        const wait = list[i]!.startUs - list[i - 1]!.endUs;
        if (wait < RETRY_WAIT_US_MIN) {
          hurriedCount++;
          hurried ??= { id, wait, a: list[i]!, i };
        } else if (prevWait >= 0 && wait <= prevWait) {
          flatCount++;
          flat ??= { id, prev: prevWait, wait, a: list[i]!, i };
        }
        prevWait = wait;
      }
    }
    if (retries === 0) return fail('no job was retried, so nothing shows how retries are spaced', []);
    if (!hurried && !flat) return pass(`${plural(retries, 'retry', 'retries')}, each waiting at least ${formatTime(RETRY_WAIT_US_MIN)} after its failure, and longer than the retry before`);
    const evidence: Evidence[] = [];
    const parts: string[] = [];
    if (hurried) {
      parts.push(`${plural(hurriedCount, 'retry', 'retries')} came less than ${formatTime(RETRY_WAIT_US_MIN)} after the failure`);
      evidence.push({ message: `job ${hurried.id}: attempt ${hurried.i + 1} started ${formatTime(hurried.wait)} after attempt ${hurried.i} failed`, ids: [hurried.id], node: RENDERER, timeUs: hurried.a.startUs, seq: hurried.a.seq });
    }
    if (flat) {
      parts.push(`${plural(flatCount, 'retry', 'retries')} waited no longer than the retry before`);
      evidence.push({ message: `job ${flat.id}: attempt ${flat.i + 1} waited ${formatTime(flat.wait)} after its failure, attempt ${flat.i} had waited ${formatTime(flat.prev)}`, ids: [flat.id], node: RENDERER, timeUs: flat.a.startUs, seq: flat.a.seq });
    }
    return fail(`${parts.join('; ')} (of ${retries})`, evidence);
  };
}
