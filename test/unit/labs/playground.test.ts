import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlayground } from '../../../src/host/playground-engine';
import { releaseRun, runLab } from '../../../src/labs/lab';
import {
  checkPlaygroundConfig,
  defaultKafkaConfig,
  defaultRabbitConfig,
  KAFKA_STARTER,
  PLAYGROUND_STARTERS,
  playgroundDts,
  playgroundLab,
  playgroundNodeNames,
  RABBITMQ_STARTER,
  type ConfigProblem,
  type PlaygroundConfig,
} from '../../../src/labs/playground';
import { loadQuickJS, prepareLearnerProgram, type LearnerProgram } from '../../../src/labs/sandbox';

/**
 * The playground's broker families: a topology from the form is checked field by field, becomes
 * a lab without a grade, and runs learner code deterministically — the starter of each family
 * delivers every message it sends.
 */
await loadQuickJS();

const tmp = mkdtempSync(join(tmpdir(), 'brokerlab-playground-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function program(code: string): LearnerProgram {
  const p = prepareLearnerProgram(code);
  if (!p.ok) throw new Error(p.problem.text);
  return p.program;
}

function config(raw: unknown): PlaygroundConfig {
  const c = checkPlaygroundConfig(raw);
  if (!c.ok) throw new Error(c.problems.map((p) => `${p.field}: ${p.message}`).join('\n'));
  return c.config;
}

function problemsOf(raw: unknown): ConfigProblem[] {
  const c = checkPlaygroundConfig(raw);
  return c.ok ? [] : c.problems;
}

/** The one problem about `field`, failing the test when there is none. */
function problemAt(raw: unknown, field: string): ConfigProblem {
  const all = problemsOf(raw);
  const p = all.find((x) => x.field === field);
  expect(p, `a problem at ${field}; got ${JSON.stringify(all)}`).toBeDefined();
  return p!;
}

function run(cfg: PlaygroundConfig, code: string, seed: number, faults?: unknown) {
  const { result, world } = runLab(playgroundLab(cfg), program(code), { seed, faults });
  const effects = [...world.history.ofKind('wl.effect')].map((e) => e.data as { id: string; scope: string });
  const produced = [...world.history.ofKind('wl.produce')].length;
  const acked = [...world.history.ofKind('wl.ack')].length;
  const errors = [...world.history.ofKind('learner.error', 'learner.budget')].map((e) => (e.data as { text: string }).text);
  const nodes = world.nodeNames();
  releaseRun(world);
  return { result, effects, produced, acked, errors, nodes };
}

describe('topology validation names the field and says what to do', () => {
  it('the defaults are sound, and numbers typed as text are read as numbers', () => {
    expect(problemsOf(defaultKafkaConfig())).toEqual([]);
    expect(problemsOf(defaultRabbitConfig())).toEqual([]);
    const typed = { ...defaultKafkaConfig(), brokers: '3', topics: [{ name: 'orders', partitions: '6', replicationFactor: '2', 'min.insync.replicas': '1' }] };
    const c = config(typed);
    expect(c.family === 'kafka' && c.brokers).toBe(3);
    expect(c.family === 'kafka' && c.topics[0]!.partitions).toBe(6);
  });

  it('a topology without a family is refused', () => {
    expect(problemsOf(null)[0]!.message).toMatch(/"kafka" or "rabbitmq"/);
    expect(problemAt({ family: 'nats' }, 'family').message).toBe('must be one of "kafka", "rabbitmq"; got "nats"');
  });

  it('Kafka: brokers, partitions, replication factor and min.insync.replicas within their bounds', () => {
    const k = defaultKafkaConfig();
    expect(problemAt({ ...k, brokers: 0 }, 'brokers').message).toBe('must be a whole number from 1 to 5; got 0');
    expect(problemAt({ ...k, brokers: 'three' }, 'brokers').where).toBe('Brokers');
    expect(problemAt({ ...k, topics: [{ ...k.topics[0]!, partitions: 13 }] }, 'topics[0].partitions').message).toBe('must be a whole number from 1 to 12; got 13');
    const rf = problemAt({ ...k, brokers: 2 }, 'topics[0].replicationFactor');
    expect(rf.where).toBe('Topic 1 ("orders"), replication factor');
    expect(rf.message).toMatch(/is 3, but the cluster has 2 brokers: each replica needs its own broker \(Kafka: INVALID_REPLICATION_FACTOR\)/);
    const misr = problemAt({ ...k, topics: [{ ...k.topics[0]!, replicationFactor: 1, 'min.insync.replicas': 2 }] }, 'topics[0].min.insync.replicas');
    expect(misr.message).toMatch(/more than the replication factor \(1\).*NOT_ENOUGH_REPLICAS/);
  });

  it('Kafka: topic and group names, references and uniqueness', () => {
    const k = defaultKafkaConfig();
    expect(problemAt({ ...k, topics: [{ ...k.topics[0]!, name: 'or ders' }] }, 'topics[0].name').message).toMatch(/"or ders" has characters a name cannot have/);
    expect(problemAt({ ...k, topics: [{ ...k.topics[0]!, name: '__consumer_offsets' }] }, 'topics[0].name').message).toMatch(/internal topics/);
    expect(problemAt({ ...k, topics: [k.topics[0]!, k.topics[0]!] }, 'topics[1].name').message).toMatch(/used by topic 1 too/);
    expect(problemAt({ ...k, producers: [{ ...k.producers[0]!, topic: 'payments' }] }, 'producers[0].topic').message).toBe('must be one of the topics ("orders"); got "payments"');
    expect(problemAt({ ...k, groups: [{ ...k.groups[0]!, topic: 'payments' }] }, 'groups[0].topic').where).toBe('Consumer group 1 ("billing"), topic');
    expect(problemAt({ ...k, groups: [k.groups[0]!, k.groups[0]!] }, 'groups[1].group.id').message).toMatch(/used by group 1 too/);
    expect(problemAt({ ...k, topics: [] }, 'topics').message).toBe('needs at least 1');
  });

  it('Kafka: enable.idempotence needs acks=all, as the Java client says', () => {
    const k = defaultKafkaConfig();
    const p = problemAt({ ...k, producers: [{ ...k.producers[0]!, acks: '1' }] }, 'producers[0].enable.idempotence');
    expect(p.message).toMatch(/Must set acks to all in order to use the idempotent producer/);
    expect(problemsOf({ ...k, producers: [{ ...k.producers[0]!, acks: '1', 'enable.idempotence': false }] })).toEqual([]);
    expect(problemAt({ ...k, producers: [{ ...k.producers[0]!, acks: '2' }] }, 'producers[0].acks').message).toBe('must be one of "all", "1", "0"; got "2"');
  });

  it('limits: clients per run, and node names that would collide', () => {
    const k = defaultKafkaConfig();
    const many = { ...k, producers: [1, 2, 3, 4].map(() => ({ ...k.producers[0]!, count: 5 })) };
    expect(problemAt(many, 'producers').message).toMatch(/add up to 22 client nodes; a run can have at most 16/);
    const clash = { ...k, groups: [{ ...k.groups[0]!, 'group.id': 'producer' }] };
    expect(problemAt(clash, 'groups').message).toMatch(/two nodes would both be called "producer-1"/);
  });

  it('RabbitMQ: exchanges, queues, bindings, dead-letter exchange and clients', () => {
    const r = defaultRabbitConfig();
    expect(problemAt({ ...r, nodes: 4 }, 'nodes').message).toBe('must be a whole number from 1 to 3; got 4');
    expect(problemAt({ ...r, exchanges: [{ name: 'amq.orders', type: 'direct' }, r.exchanges[1]!] }, 'exchanges[0].name').message).toMatch(/reserved by RabbitMQ \(403 ACCESS_REFUSED\)/);
    expect(problemAt({ ...r, exchanges: [{ name: 'orders', type: 'headers' }, r.exchanges[1]!] }, 'exchanges[0].type').message).toBe('must be one of "direct", "fanout", "topic"; got "headers"');
    const q0 = r.queues[0]!;
    const dlx = problemAt({ ...r, queues: [{ ...q0, 'x-dead-letter-exchange': 'nowhere' }, r.queues[1]!] }, 'queues[0].x-dead-letter-exchange');
    expect(dlx.where).toBe('Queue 1 ("orders"), x-dead-letter-exchange');
    expect(dlx.message).toBe('must be "" (none) or one of the exchanges ("orders", "orders.dlx"); got "nowhere"');
    expect(problemAt({ ...r, queues: [{ ...q0, 'x-queue-type': 'stream' }, r.queues[1]!] }, 'queues[0].x-queue-type').message).toBe('must be one of "classic", "quorum"; got "stream"');
    const topicX = { ...r, exchanges: [{ name: 'orders', type: 'topic' }, r.exchanges[1]!], queues: [{ ...q0, bindings: [{ exchange: 'orders', bindingKey: 'order.#x' }] }, r.queues[1]!] };
    expect(problemAt(topicX, 'queues[0].bindings[0].bindingKey').message).toMatch(/not a topic pattern/);
    expect(problemAt({ ...r, queues: [{ ...q0, bindings: [{ exchange: 'events', bindingKey: 'x' }] }, r.queues[1]!] }, 'queues[0].bindings[0].exchange').message).toMatch(/one of the exchanges/);
    expect(problemAt({ ...r, producers: [{ ...r.producers[0]!, exchange: '', routingKeys: 'nope' }] }, 'producers[0].routingKeys').message).toMatch(/through the default exchange a routing key names a queue; "nope" is not one of the queues/);
    expect(problemsOf({ ...r, producers: [{ ...r.producers[0]!, exchange: '', routingKeys: 'orders' }] })).toEqual([]);
    expect(problemAt({ ...r, consumers: [{ ...r.consumers[0]!, queue: 'payments' }] }, 'consumers[0].queue').message).toBe('must be one of the queues ("orders", "orders.dead"); got "payments"');
    expect(problemAt({ ...r, consumers: [{ ...r.consumers[0]!, prefetch: -1 }] }, 'consumers[0].prefetch').message).toBe('must be a whole number from 0 to 1000; got -1');
    expect(problemAt({ ...r, consumers: [{ ...r.consumers[0]!, ack: 'sometimes' }] }, 'consumers[0].ack').where).toBe('Consumer 1, ack mode');
  });
});

describe('the starters type-check against the .d.ts the editor shows', () => {
  const TSC = join(resolve(__dirname, '../../..'), 'node_modules/.bin/tsc');
  for (const family of ['kafka', 'rabbitmq'] as const) {
    it(family, () => {
      const dir = mkdtempSync(join(tmp, `${family}-`));
      writeFileSync(join(dir, 'brokerlab.d.ts'), playgroundDts(family));
      writeFileSync(join(dir, 'handler.ts'), PLAYGROUND_STARTERS[family]);
      const compilerOptions = { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022'], types: [] };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['brokerlab.d.ts', 'handler.ts'] }));
      let out = '';
      try {
        execFileSync(TSC, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      }
      expect(out).toBe('');
    });
  }
});

describe('Kafka playground', { timeout: 120_000 }, () => {
  const cfg = config(defaultKafkaConfig());

  it('the starter delivers every message it sends, once, to every member of its group; lanes are the config\'s nodes', () => {
    const r = run(cfg, KAFKA_STARTER, 1);
    const k = cfg.family === 'kafka' ? cfg : undefined!;
    const sent = k.producers[0]!.messages;
    expect(r.errors).toEqual([]);
    expect(r.produced).toBe(sent);
    expect(r.acked).toBe(sent);
    expect(new Set(r.effects.map((e) => e.id)).size).toBe(sent);
    expect(r.effects.every((e) => e.scope === 'billing')).toBe(true);
    expect(r.result.checks.map((c) => [c.id, c.passed])).toEqual([
      ['billing-handled-every-acked', true],
      ['billing-handled-once', true],
    ]);
    expect(r.nodes).toEqual(playgroundNodeNames(cfg));
    expect(r.nodes).toEqual(['controller', 'b1', 'b2', 'b3', 'admin', 'producer-1', 'billing-1', 'billing-2']);
  });

  it('same seed, same history; another seed, another history', () => {
    const a = run(cfg, KAFKA_STARTER, 7).result.historyHash;
    expect(run(cfg, KAFKA_STARTER, 7).result.historyHash).toBe(a);
    expect(run(cfg, KAFKA_STARTER, 8).result.historyHash).not.toBe(a);
  });

  it('a crashed broker: the run is still deterministic and no acknowledged message is lost with RF 3', () => {
    const faults = [{ at: 500, kind: 'crash', node: 'b1' }];
    const a = run(cfg, KAFKA_STARTER, 3, faults);
    expect(run(cfg, KAFKA_STARTER, 3, faults).result.historyHash).toBe(a.result.historyHash);
    expect(a.result.checks.find((c) => c.id === 'billing-handled-every-acked')?.passed).toBe(true);
  });

  it('two groups on one topic each handle every message; keyed and unkeyed producers, acks 1 and 0', () => {
    const two = config({
      family: 'kafka',
      brokers: 2,
      topics: [{ name: 'events', partitions: 4, replicationFactor: 2, 'min.insync.replicas': 1 }],
      producers: [
        { count: 1, topic: 'events', acks: '1', 'enable.idempotence': false, messages: 10, keyed: true },
        { count: 1, topic: 'events', acks: '0', 'enable.idempotence': false, messages: 10, keyed: false },
      ],
      groups: [
        { 'group.id': 'audit', topic: 'events', members: 1, 'enable.auto.commit': true },
        { 'group.id': 'mailer', topic: 'events', members: 2, 'enable.auto.commit': false },
      ],
    });
    const r = run(two, KAFKA_STARTER, 2);
    expect(r.errors).toEqual([]);
    for (const g of ['audit', 'mailer']) expect(new Set(r.effects.filter((e) => e.scope === g).map((e) => e.id)).size).toBe(20);
    expect(r.result.checks.every((c) => c.passed)).toBe(true);
  });

  it('a send to a topic the topology lacks fails at the learner\'s line with what to do', () => {
    const code = `import type { Ctx, ProducerStart } from 'brokerlab';
export async function produce(start: ProducerStart, ctx: Ctx): Promise<void> {
  await ctx.producer.send({ topic: 'payments', messages: [{ value: 'x' }] });
}
export async function handleMessage(): Promise<void> {}
`;
    const r = run(cfg, code, 1);
    expect(r.errors[0]).toMatch(/^produce failed \(its promise rejected\) with Error: ctx\.producer\.send: unknown topic "payments"; the topology has "orders" \(add a topic in the form to use another\) at line 3/);
  });
});

describe('RabbitMQ playground', { timeout: 120_000 }, () => {
  const cfg = config(defaultRabbitConfig());

  it('the starter publishes with confirms and every message is handled once by the queue\'s consumers', () => {
    const r = run(cfg, RABBITMQ_STARTER, 1);
    const sent = cfg.family === 'rabbitmq' ? cfg.producers[0]!.messages : 0;
    expect(r.errors).toEqual([]);
    expect(r.produced).toBe(sent);
    expect(r.acked).toBe(sent);
    expect(new Set(r.effects.map((e) => e.id)).size).toBe(sent);
    expect(r.effects.every((e) => e.scope === 'orders')).toBe(true);
    expect(r.result.checks.map((c) => [c.id, c.passed])).toEqual([
      ['handled-every-confirmed', true],
      ['orders-handled-once', true],
    ]);
    expect(r.nodes).toEqual(playgroundNodeNames(cfg));
    expect(r.nodes).toEqual(['rabbit1', 'admin', 'producer-1', 'orders-1', 'orders-2']);
  });

  it('same seed, same history; another seed, another history', () => {
    const a = run(cfg, RABBITMQ_STARTER, 5).result.historyHash;
    expect(run(cfg, RABBITMQ_STARTER, 5).result.historyHash).toBe(a);
    expect(run(cfg, RABBITMQ_STARTER, 6).result.historyHash).not.toBe(a);
  });

  it('a fanout to two queues, a quorum queue on three nodes, auto ack: each queue handles every message', () => {
    const fan = config({
      family: 'rabbitmq',
      nodes: 3,
      exchanges: [{ name: 'news', type: 'fanout' }],
      queues: [
        { name: 'web', 'x-queue-type': 'quorum', 'x-dead-letter-exchange': '', bindings: [{ exchange: 'news', bindingKey: '' }] },
        { name: 'mail', 'x-queue-type': 'classic', 'x-dead-letter-exchange': '', bindings: [{ exchange: 'news', bindingKey: '' }] },
      ],
      producers: [{ count: 2, exchange: 'news', routingKeys: 'a, b', messages: 8 }],
      consumers: [
        { count: 1, queue: 'web', ack: 'auto', prefetch: 0 },
        { count: 2, queue: 'mail', ack: 'manual', prefetch: 1 },
      ],
    });
    const r = run(fan, RABBITMQ_STARTER, 4);
    expect(r.errors).toEqual([]);
    for (const q of ['web', 'mail']) expect(new Set(r.effects.filter((e) => e.scope === q).map((e) => e.id)).size).toBe(16);
    expect(r.result.checks.every((c) => c.passed)).toBe(true);
    expect(r.nodes).toEqual(['rabbit1', 'rabbit2', 'rabbit3', 'admin', 'producer-1', 'producer-2', 'web-1', 'mail-1', 'mail-2']);
  });

  it('with ack mode auto, ctx.channel.ack is an error that says why', () => {
    const auto = config({ ...defaultRabbitConfig(), consumers: [{ count: 1, queue: 'orders', ack: 'auto', prefetch: 0 }] });
    const code = RABBITMQ_STARTER.replace('await ctx.commit(msg);', 'ctx.channel.ack(msg);');
    const r = run(auto, code, 1);
    expect(r.errors[0]).toMatch(/ctx\.channel\.ack\(msg\): orders-1 consumes orders with noAck \(ack mode auto\).*406 PRECONDITION_FAILED/);
  });
});

describe('the host runs nothing unless topology and code are sound', () => {
  it('a bad topology comes back as its problems, each with its field', async () => {
    const batches: unknown[] = [];
    const reply = await runPlayground({ config: { ...defaultKafkaConfig(), brokers: 9 }, code: KAFKA_STARTER, seed: 1 }, (b) => batches.push(b));
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.configProblems?.map((p) => p.field)).toEqual(['brokers']);
    expect(reply.error).toBe('The topology has a problem:\nBrokers: must be a whole number from 1 to 5; got 9');
    expect(batches).toEqual([]);
  });

  it('a syntax error comes back with its line and column', async () => {
    const batches: unknown[] = [];
    const code = KAFKA_STARTER.replace('const { topic, partition, message } = msg.payload;', 'const { topic, partition, message } = msg.payload;;;)');
    const reply = await runPlayground({ config: defaultKafkaConfig(), code, seed: 1 }, (b) => batches.push(b));
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    const line = code.split('\n').findIndex((l) => l.includes(';;;)')) + 1;
    expect(reply.problem?.kind).toBe('syntax');
    expect(reply.problem?.line).toBe(line);
    expect(reply.error).toMatch(new RegExp(`^handler\\.ts:${line}:\\d+ SyntaxError`));
    expect(batches).toEqual([]);
  });

  it('a fault naming a node the topology lacks is refused, naming the entry and field', async () => {
    const reply = await runPlayground({ config: defaultRabbitConfig(), code: RABBITMQ_STARTER, seed: 1, faults: [{ at: 100, kind: 'crash', node: 'b1' }] });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toMatch(/entry 0, field "node": unknown node "b1"/);
  });

  it('a sound run returns the checked config with its result', async () => {
    const reply = await runPlayground({ config: defaultRabbitConfig(), code: RABBITMQ_STARTER, seed: 2 });
    expect(reply.ok && reply.result.checks.every((c) => c.passed)).toBe(true);
    expect(reply.ok && reply.config).toEqual(defaultRabbitConfig());
  });
});
