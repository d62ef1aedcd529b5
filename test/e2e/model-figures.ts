/**
 * What the brokers' own inspectors report for a lab run, for the inspector UI test to compare the
 * page with: `node --import tsx test/e2e/model-figures.ts <lab> <code file> <seed> <atMs>` prints
 * JSON with the model's figures at the end of the run and at `atMs` of simulated time (read
 * between two events), each with the seq of the last history entry recorded by then. Runs are
 * deterministic, so the page's run of the same lab, code and seed has the same history.
 */

import { readFileSync } from 'node:fs';
import { loadLabs } from '../../src/host/labs-node';
import { runLab } from '../../src/labs/lab';
import { loadQuickJS, prepareLearnerProgram } from '../../src/labs/sandbox';
import { RabbitCluster } from '../../src/sim/broker/amqp';
import { KafkaCluster } from '../../src/sim/broker/kafka';
import type { World } from '../../src/sim/world';

export interface KafkaFigures {
  partitions: { topic: string; partition: number; leader: string | null; leaderEpoch: number; isr: string[]; highWatermark: number; logEndOffset: number }[];
  groups: { groupId: string; state: string; generation: number; members: number; totalLag: number }[];
}

export interface RabbitFigures {
  queues: { name: string; ready: number; unacked: number }[];
  deadLetters: number;
  lastDeadLetter: { id: string; xDeath: Record<string, unknown>[] } | null;
}

export interface ModelFigures {
  broker: 'kafka' | 'rabbitmq';
  historyHash: string;
  entries: number;
  end: KafkaFigures | RabbitFigures;
  at: { timeUs: number; seq: number; seqAtTime: number; figures: KafkaFigures | RabbitFigures };
}

function kafkaFigures(c: KafkaCluster): KafkaFigures {
  const ins = c.inspect();
  return {
    partitions: ins.partitions.map((p) => ({ topic: p.topic, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, highWatermark: p.highWatermark, logEndOffset: p.logEndOffset })),
    groups: ins.groups.map((g) => ({ groupId: g.groupId, state: g.state, generation: g.generation, members: g.members.length, totalLag: g.totalLag })),
  };
}

function rabbitFigures(c: RabbitCluster): RabbitFigures {
  const dead = c.deadLetters();
  const last = dead[dead.length - 1];
  return {
    queues: c.queues().map((q) => ({ name: q.name, ready: q.ready, unacked: q.unacked })),
    deadLetters: dead.length,
    lastDeadLetter: last === undefined ? null : { id: last.id, xDeath: last.xDeath as Record<string, unknown>[] },
  };
}

async function main(): Promise<void> {
  const [labId, codeFile, seedText, atMsText] = process.argv.slice(2);
  if (!labId || !codeFile || !seedText || !atMsText) throw new Error('usage: model-figures.ts <lab> <code file> <seed> <atMs>');
  await loadQuickJS();
  const lab = (await loadLabs()).find((l) => l.spec.id === labId);
  if (!lab) throw new Error(`no lab ${labId}`);
  const p = prepareLearnerProgram(readFileSync(codeFile, 'utf8'), { filename: 'handler.ts' });
  if (!p.ok) throw new Error(p.problem.text);
  const atUs = Number(atMsText) * 1000;
  let read: (() => KafkaFigures | RabbitFigures) | undefined;
  let at: ModelFigures['at'] | undefined;
  let broker: ModelFigures['broker'] = 'kafka';
  const probe = (world: World): void => {
    world.kernel.at(atUs, () => {
      at = { timeUs: world.nowUs, seq: world.history.length - 1, seqAtTime: -1, figures: read!() };
    });
  };
  // Catch the cluster the scenario builds, as the unit test does with a spy.
  const kafkaCreate = KafkaCluster.create.bind(KafkaCluster);
  KafkaCluster.create = (world, opts) => {
    const c = kafkaCreate(world, opts);
    read = () => kafkaFigures(c);
    probe(world);
    return c;
  };
  const rabbitCreate = RabbitCluster.create.bind(RabbitCluster);
  RabbitCluster.create = (world, opts) => {
    const c = rabbitCreate(world, opts);
    read = () => rabbitFigures(c);
    broker = 'rabbitmq';
    probe(world);
    return c;
  };
  const { result, world } = runLab(lab, p.program, { seed: Number(seedText) });
  if (read === undefined || at === undefined) throw new Error(`${labId} built no Kafka or RabbitMQ cluster, or ended before ${atMsText} ms`);
  // The page scrubbed to a time shows every entry up to it: the probe saw the same if no later
  // entry shares its microsecond.
  let seqAtTime = -1;
  for (const e of world.history.entries()) {
    if (e.timeUs > atUs) break;
    seqAtTime = e.seq;
  }
  at.seqAtTime = seqAtTime;
  const out: ModelFigures = { broker, historyHash: result.historyHash, entries: result.historyEntries, end: read(), at };
  process.stdout.write(JSON.stringify(out));
}

await main();
