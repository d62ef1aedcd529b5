/**
 * The playground's topology, as the page's form edits it and a link carries it: a broker family
 * and what to build — brokers, topics or exchanges and queues, producers and consumers — under the
 * real systems' config names (`acks`, `enable.idempotence`, `min.insync.replicas`,
 * `x-dead-letter-exchange`, `x-queue-type`, prefetch). Plain data and pure functions only: the
 * page validates as the learner types, the engine validates again before it builds anything.
 *
 * Every number has a limit (STYLE 5) and every problem names its field and says what to do
 * (STYLE 14): `topics[0].min.insync.replicas` → "must be at most the replication factor (2)…".
 */

export type PlaygroundFamily = 'kafka' | 'rabbitmq';

export const PLAYGROUND_FAMILIES: readonly PlaygroundFamily[] = ['kafka', 'rabbitmq'];

// ---------------------------------------------------------------- Kafka

export type KafkaAcks = 'all' | '1' | '0';

export interface KafkaTopicConfig {
  name: string;
  partitions: number;
  replicationFactor: number;
  'min.insync.replicas': number;
}

export interface KafkaProducerConfig {
  /** How many producer nodes run this configuration. */
  count: number;
  topic: string;
  acks: KafkaAcks;
  'enable.idempotence': boolean;
  /** Messages each producer node is asked to send (`start.messages`). */
  messages: number;
  /** Whether records carry a key (`start.keyed`): keyed records of one key share a partition. */
  keyed: boolean;
}

export interface KafkaGroupConfig {
  'group.id': string;
  topic: string;
  /** Consumer nodes in the group. */
  members: number;
  'enable.auto.commit': boolean;
}

export interface KafkaPlaygroundConfig {
  family: 'kafka';
  brokers: number;
  topics: KafkaTopicConfig[];
  producers: KafkaProducerConfig[];
  groups: KafkaGroupConfig[];
}

// ---------------------------------------------------------------- RabbitMQ

export type RabbitExchangeType = 'direct' | 'fanout' | 'topic';
export type RabbitQueueType = 'classic' | 'quorum';
export type RabbitAckMode = 'manual' | 'auto';

export interface RabbitExchangeConfig {
  name: string;
  type: RabbitExchangeType;
}

export interface RabbitBindingConfig {
  exchange: string;
  /** The binding key (ignored by fanout exchanges; `*` and `#` patterns on topic exchanges). */
  bindingKey: string;
}

export interface RabbitQueueConfig {
  name: string;
  'x-queue-type': RabbitQueueType;
  /** Where rejected and expired messages go; '' for none. */
  'x-dead-letter-exchange': string;
  bindings: RabbitBindingConfig[];
}

export interface RabbitProducerConfig {
  count: number;
  /** '' is the default exchange (the routing key names the queue). */
  exchange: string;
  /** Routing keys, separated by commas; the starter cycles through them. */
  routingKeys: string;
  messages: number;
}

export interface RabbitConsumerConfig {
  count: number;
  queue: string;
  /** manual: the handler acks (`ctx.channel.ack(msg)`); auto: consume with noAck. */
  ack: RabbitAckMode;
  /** basic.qos prefetch count; 0 is unlimited. */
  prefetch: number;
}

export interface RabbitPlaygroundConfig {
  family: 'rabbitmq';
  nodes: number;
  exchanges: RabbitExchangeConfig[];
  queues: RabbitQueueConfig[];
  producers: RabbitProducerConfig[];
  consumers: RabbitConsumerConfig[];
}

export type PlaygroundConfig = KafkaPlaygroundConfig | RabbitPlaygroundConfig;

// ---------------------------------------------------------------- limits

export const LIMITS = {
  kafkaBrokers: { min: 1, max: 5 },
  topics: { min: 1, max: 5 },
  partitions: { min: 1, max: 12 },
  producerEntries: { min: 0, max: 4 },
  producerCount: { min: 1, max: 5 },
  messages: { min: 0, max: 500 },
  groups: { min: 0, max: 3 },
  members: { min: 1, max: 5 },
  rabbitNodes: { min: 1, max: 3 },
  exchanges: { min: 0, max: 5 },
  queues: { min: 1, max: 6 },
  bindings: { min: 0, max: 4 },
  consumerEntries: { min: 0, max: 4 },
  consumerCount: { min: 1, max: 5 },
  prefetch: { min: 0, max: 1000 },
  /** Learner nodes (producers plus consumers) in one run: each is a QuickJS sandbox. */
  clientNodesMax: 16,
  nameChars: 40,
  bindingKeyChars: 255,
} as const;

/** Node names the builders use for the brokers and helpers; clients may not take them. */
export const ADMIN_NODE = 'admin';
export const KAFKA_CONTROLLER = 'controller';

// ---------------------------------------------------------------- defaults

export function defaultKafkaConfig(): KafkaPlaygroundConfig {
  return {
    family: 'kafka',
    brokers: 3,
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, 'min.insync.replicas': 2 }],
    producers: [{ count: 1, topic: 'orders', acks: 'all', 'enable.idempotence': true, messages: 40, keyed: true }],
    groups: [{ 'group.id': 'billing', topic: 'orders', members: 2, 'enable.auto.commit': false }],
  };
}

export function defaultRabbitConfig(): RabbitPlaygroundConfig {
  return {
    family: 'rabbitmq',
    nodes: 1,
    exchanges: [
      { name: 'orders', type: 'direct' },
      { name: 'orders.dlx', type: 'fanout' },
    ],
    queues: [
      { name: 'orders', 'x-queue-type': 'classic', 'x-dead-letter-exchange': 'orders.dlx', bindings: [{ exchange: 'orders', bindingKey: 'order.created' }] },
      { name: 'orders.dead', 'x-queue-type': 'classic', 'x-dead-letter-exchange': '', bindings: [{ exchange: 'orders.dlx', bindingKey: '' }] },
    ],
    producers: [{ count: 1, exchange: 'orders', routingKeys: 'order.created', messages: 40 }],
    consumers: [{ count: 2, queue: 'orders', ack: 'manual', prefetch: 10 }],
  };
}

export function defaultConfig(family: PlaygroundFamily): PlaygroundConfig {
  return family === 'kafka' ? defaultKafkaConfig() : defaultRabbitConfig();
}

// ---------------------------------------------------------------- node names

export function kafkaBrokerNames(brokers: number): string[] {
  return Array.from({ length: brokers }, (_, i) => `b${i + 1}`);
}

export function rabbitNodeNames(nodes: number): string[] {
  return Array.from({ length: nodes }, (_, i) => `rabbit${i + 1}`);
}

/** One client node: its name and the configuration entry it runs. */
export interface ClientNode<T> {
  name: string;
  /** 1-based, across all entries of its kind (producer-1, producer-2, …). */
  index: number;
  entry: T;
}

export function producerNodes<T extends { count: number }>(producers: readonly T[]): ClientNode<T>[] {
  const out: ClientNode<T>[] = [];
  for (const entry of producers) for (let i = 0; i < entry.count; i++) out.push({ name: `producer-${out.length + 1}`, index: out.length + 1, entry });
  return out;
}

export function kafkaConsumerNodes(groups: readonly KafkaGroupConfig[]): ClientNode<KafkaGroupConfig>[] {
  const out: ClientNode<KafkaGroupConfig>[] = [];
  for (const entry of groups) for (let i = 1; i <= entry.members; i++) out.push({ name: `${entry['group.id']}-${i}`, index: i, entry });
  return out;
}

export function rabbitConsumerNodes(consumers: readonly RabbitConsumerConfig[]): ClientNode<RabbitConsumerConfig>[] {
  const out: ClientNode<RabbitConsumerConfig>[] = [];
  const perQueue = new Map<string, number>();
  for (const entry of consumers) {
    for (let i = 0; i < entry.count; i++) {
      const n = (perQueue.get(entry.queue) ?? 0) + 1;
      perQueue.set(entry.queue, n);
      out.push({ name: `${entry.queue}-${n}`, index: n, entry });
    }
  }
  return out;
}

/**
 * The run's nodes in the order the world adds them (the space-time diagram's lanes, the fault
 * panel's choices): brokers first, then the admin client that declares the topology, then
 * producers and consumers.
 */
export function playgroundNodeNames(config: PlaygroundConfig): string[] {
  if (config.family === 'kafka') {
    return [KAFKA_CONTROLLER, ...kafkaBrokerNames(config.brokers), ADMIN_NODE, ...producerNodes(config.producers).map((p) => p.name), ...kafkaConsumerNodes(config.groups).map((c) => c.name)];
  }
  return [...rabbitNodeNames(config.nodes), ADMIN_NODE, ...producerNodes(config.producers).map((p) => p.name), ...rabbitConsumerNodes(config.consumers).map((c) => c.name)];
}

/** The routing keys of a RabbitMQ producer entry, as a list (empty entries dropped; at least ''). */
export function routingKeyList(text: string): string[] {
  const keys = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  return keys.length > 0 ? keys : [''];
}

// ---------------------------------------------------------------- validation

/** One thing wrong with a topology: the field's path, where it is in words, and what to do. */
export interface ConfigProblem {
  /** The field's path, e.g. `topics[0].partitions` or `groups[1].group.id`. */
  field: string;
  /** Where, for a person: `Topic 1 ("orders"), partitions`. */
  where: string;
  message: string;
}

export type ConfigCheck = { ok: true; config: PlaygroundConfig } | { ok: false; problems: ConfigProblem[] };

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.where}: ${p.message}`).join('\n');
}

const NAME = /^[A-Za-z0-9._-]+$/;
const RABBIT_NAME = /^[A-Za-z0-9._:-]+$/;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

/** Collects problems while reading an untrusted topology; each reader returns a usable value either way. */
class Reader {
  readonly problems: ConfigProblem[] = [];

  bad(field: string, where: string, message: string): void {
    this.problems.push({ field, where, message });
  }

  /** A whole number in [min, max]; numbers typed as text ("3") are accepted. */
  int(field: string, where: string, raw: unknown, min: number, max: number): number {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      this.bad(field, where, `must be a whole number from ${min} to ${max}; got ${shown(raw)}`);
      return Math.min(max, Math.max(min, Number.isFinite(n) ? Math.round(n) : min));
    }
    return n;
  }

  bool(field: string, where: string, raw: unknown): boolean {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    this.bad(field, where, `must be true or false; got ${shown(raw)}`);
    return false;
  }

  oneOf<T extends string>(field: string, where: string, raw: unknown, values: readonly T[]): T {
    if (typeof raw === 'string' && (values as readonly string[]).includes(raw)) return raw as T;
    this.bad(field, where, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}; got ${shown(raw)}`);
    return values[0]!;
  }

  text(field: string, where: string, raw: unknown, maxChars: number): string {
    if (typeof raw !== 'string') {
      this.bad(field, where, `must be text; got ${shown(raw)}`);
      return '';
    }
    if (raw.length > maxChars) this.bad(field, where, `is ${raw.length} characters long; keep it to ${maxChars}`);
    return raw;
  }

  /** A name: 1 to LIMITS.nameChars characters from `pattern`. */
  name(field: string, where: string, raw: unknown, pattern: RegExp, allowed: string): string {
    if (typeof raw !== 'string' || raw.trim() === '') {
      this.bad(field, where, `needs a name (${allowed})`);
      return typeof raw === 'string' ? raw : '';
    }
    if (raw.length > LIMITS.nameChars) this.bad(field, where, `is ${raw.length} characters long; keep it to ${LIMITS.nameChars}`);
    else if (!pattern.test(raw)) this.bad(field, where, `${JSON.stringify(raw)} has characters a name cannot have: use ${allowed}`);
    return raw;
  }

  list(field: string, where: string, raw: unknown, min: number, max: number): unknown[] {
    if (!Array.isArray(raw)) {
      this.bad(field, where, `must be a list; got ${shown(raw)}`);
      return [];
    }
    if (raw.length < min || raw.length > max) this.bad(field, where, min === max ? `must have ${min}` : raw.length < min ? `needs at least ${min}` : `can have at most ${max}; there are ${raw.length}`);
    return raw.slice(0, max);
  }

  record(field: string, where: string, raw: unknown): Record<string, unknown> {
    if (isRecord(raw)) return raw;
    this.bad(field, where, `must be an object; got ${shown(raw)}`);
    return {};
  }
}

const KAFKA_NAMES = 'letters, digits, ".", "_" and "-"';
const RABBIT_NAMES = 'letters, digits, ".", "_", ":" and "-"';

/**
 * Reads a topology from untrusted input (the form, a link, a file): the config when it is sound,
 * else every problem, each naming its field. Numbers may arrive as text, as an input gives them.
 */
export function checkPlaygroundConfig(raw: unknown): ConfigCheck {
  const r = new Reader();
  if (!isRecord(raw)) {
    r.bad('', 'The topology', `must be an object with a "family" of ${PLAYGROUND_FAMILIES.map((f) => JSON.stringify(f)).join(' or ')}`);
    return { ok: false, problems: r.problems };
  }
  const family = r.oneOf('family', 'Broker family', raw.family, PLAYGROUND_FAMILIES);
  if (r.problems.length > 0) return { ok: false, problems: r.problems };
  const config = family === 'kafka' ? readKafka(r, raw) : readRabbit(r, raw);
  if (r.problems.length === 0) {
    const names = playgroundNodeNames(config);
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) r.bad(family === 'kafka' ? 'groups' : 'consumers', family === 'kafka' ? 'Consumer groups' : 'Consumers', `two nodes would both be called ${JSON.stringify(n)}: rename a ${family === 'kafka' ? 'group' : 'queue'} so its members' names differ from the other nodes`);
      seen.add(n);
    }
  }
  return r.problems.length === 0 ? { ok: true, config } : { ok: false, problems: r.problems };
}

function readKafka(r: Reader, raw: Record<string, unknown>): KafkaPlaygroundConfig {
  const brokers = r.int('brokers', 'Brokers', raw.brokers, LIMITS.kafkaBrokers.min, LIMITS.kafkaBrokers.max);
  const topics: KafkaTopicConfig[] = r.list('topics', 'Topics', raw.topics, LIMITS.topics.min, LIMITS.topics.max).map((t, i) => {
    const f = `topics[${i}]`;
    const o = r.record(f, `Topic ${i + 1}`, t);
    const name = r.name(`${f}.name`, `Topic ${i + 1}, name`, o.name, NAME, KAFKA_NAMES);
    const w = `Topic ${i + 1}${name ? ` (${JSON.stringify(name)})` : ''}`;
    if (name.startsWith('__')) r.bad(`${f}.name`, `${w}, name`, 'names starting with "__" are Kafka\'s internal topics (__consumer_offsets); choose another');
    const partitions = r.int(`${f}.partitions`, `${w}, partitions`, o.partitions, LIMITS.partitions.min, LIMITS.partitions.max);
    const before = r.problems.length;
    const replicationFactor = r.int(`${f}.replicationFactor`, `${w}, replication factor`, o.replicationFactor, 1, LIMITS.kafkaBrokers.max);
    if (r.problems.length === before && replicationFactor > brokers) {
      r.bad(`${f}.replicationFactor`, `${w}, replication factor`, `is ${replicationFactor}, but the cluster has ${brokers} broker${brokers === 1 ? '' : 's'}: each replica needs its own broker (Kafka: INVALID_REPLICATION_FACTOR)`);
    }
    const misr = r.int(`${f}.min.insync.replicas`, `${w}, min.insync.replicas`, o['min.insync.replicas'], 1, LIMITS.kafkaBrokers.max);
    if (misr > replicationFactor) {
      r.bad(`${f}.min.insync.replicas`, `${w}, min.insync.replicas`, `is ${misr}, more than the replication factor (${replicationFactor}): no write with acks=all could ever succeed (NOT_ENOUGH_REPLICAS); use at most ${replicationFactor}`);
    }
    return { name, partitions, replicationFactor, 'min.insync.replicas': misr };
  });
  const topicNames = topics.map((t) => t.name);
  topicNames.forEach((n, i) => {
    if (n !== '' && topicNames.indexOf(n) !== i) r.bad(`topics[${i}].name`, `Topic ${i + 1}, name`, `${JSON.stringify(n)} is used by topic ${topicNames.indexOf(n) + 1} too; topic names are unique`);
  });
  const topicOf = (field: string, where: string, v: unknown): string => {
    if (typeof v === 'string' && topicNames.includes(v)) return v;
    r.bad(field, where, topicNames.length ? `must be one of the topics (${topicNames.map((t) => JSON.stringify(t)).join(', ')}); got ${shown(v)}` : 'needs a topic: add one above');
    return typeof v === 'string' ? v : '';
  };
  const producers: KafkaProducerConfig[] = r.list('producers', 'Producers', raw.producers, LIMITS.producerEntries.min, LIMITS.producerEntries.max).map((p, i) => {
    const f = `producers[${i}]`;
    const w = `Producer ${i + 1}`;
    const o = r.record(f, w, p);
    const count = r.int(`${f}.count`, `${w}, count`, o.count, LIMITS.producerCount.min, LIMITS.producerCount.max);
    const topic = topicOf(`${f}.topic`, `${w}, topic`, o.topic);
    const acks = r.oneOf(`${f}.acks`, `${w}, acks`, typeof o.acks === 'number' ? (o.acks === -1 ? 'all' : String(o.acks)) : o.acks, ['all', '1', '0'] as const);
    const idempotent = r.bool(`${f}.enable.idempotence`, `${w}, enable.idempotence`, o['enable.idempotence']);
    if (idempotent && acks !== 'all') {
      r.bad(`${f}.enable.idempotence`, `${w}, enable.idempotence`, `needs acks=all (Kafka: "Must set acks to all in order to use the idempotent producer"); set acks to all or turn idempotence off`);
    }
    const messages = r.int(`${f}.messages`, `${w}, messages to send`, o.messages, LIMITS.messages.min, LIMITS.messages.max);
    const keyed = r.bool(`${f}.keyed`, `${w}, keyed`, o.keyed);
    return { count, topic, acks, 'enable.idempotence': idempotent, messages, keyed };
  });
  const groups: KafkaGroupConfig[] = r.list('groups', 'Consumer groups', raw.groups, LIMITS.groups.min, LIMITS.groups.max).map((g, i) => {
    const f = `groups[${i}]`;
    const o = r.record(f, `Consumer group ${i + 1}`, g);
    const id = r.name(`${f}.group.id`, `Consumer group ${i + 1}, group.id`, o['group.id'], NAME, KAFKA_NAMES);
    const w = `Consumer group ${i + 1}${id ? ` (${JSON.stringify(id)})` : ''}`;
    const topic = topicOf(`${f}.topic`, `${w}, topic`, o.topic);
    const members = r.int(`${f}.members`, `${w}, members`, o.members, LIMITS.members.min, LIMITS.members.max);
    const autoCommit = r.bool(`${f}.enable.auto.commit`, `${w}, enable.auto.commit`, o['enable.auto.commit']);
    return { 'group.id': id, topic, members, 'enable.auto.commit': autoCommit };
  });
  const ids = groups.map((g) => g['group.id']);
  ids.forEach((n, i) => {
    if (n !== '' && ids.indexOf(n) !== i) r.bad(`groups[${i}].group.id`, `Consumer group ${i + 1}, group.id`, `${JSON.stringify(n)} is used by group ${ids.indexOf(n) + 1} too; give each group its own id (two entries with one id are one group: raise its members instead)`);
  });
  checkClientTotal(r, producerNodes(producers).length + kafkaConsumerNodes(groups).length);
  return { family: 'kafka', brokers, topics, producers, groups };
}

function readRabbit(r: Reader, raw: Record<string, unknown>): RabbitPlaygroundConfig {
  const nodes = r.int('nodes', 'RabbitMQ nodes', raw.nodes, LIMITS.rabbitNodes.min, LIMITS.rabbitNodes.max);
  const rabbitName = (field: string, where: string, v: unknown): string => {
    const name = r.name(field, where, v, RABBIT_NAME, RABBIT_NAMES);
    if (name.startsWith('amq.')) r.bad(field, where, 'names starting with "amq." are reserved by RabbitMQ (403 ACCESS_REFUSED); choose another');
    return name;
  };
  const exchanges: RabbitExchangeConfig[] = r.list('exchanges', 'Exchanges', raw.exchanges, LIMITS.exchanges.min, LIMITS.exchanges.max).map((x, i) => {
    const f = `exchanges[${i}]`;
    const o = r.record(f, `Exchange ${i + 1}`, x);
    const name = rabbitName(`${f}.name`, `Exchange ${i + 1}, name`, o.name);
    const type = r.oneOf(`${f}.type`, `Exchange ${i + 1}${name ? ` (${JSON.stringify(name)})` : ''}, type`, o.type, ['direct', 'fanout', 'topic'] as const);
    return { name, type };
  });
  const exchangeNames = exchanges.map((x) => x.name);
  exchangeNames.forEach((n, i) => {
    if (n !== '' && exchangeNames.indexOf(n) !== i) r.bad(`exchanges[${i}].name`, `Exchange ${i + 1}, name`, `${JSON.stringify(n)} is declared twice; exchange names are unique`);
  });
  const exchangeOf = (field: string, where: string, v: unknown, allowNone: string | undefined): string => {
    if (typeof v === 'string' && (exchangeNames.includes(v) || (allowNone !== undefined && v === ''))) return v;
    const options = exchangeNames.map((n) => JSON.stringify(n));
    r.bad(field, where, `must be ${allowNone ? `${allowNone} or ` : ''}one of the exchanges${options.length ? ` (${options.join(', ')})` : ' (declare one above)'}; got ${shown(v)}`);
    return typeof v === 'string' ? v : '';
  };
  const queues: RabbitQueueConfig[] = r.list('queues', 'Queues', raw.queues, LIMITS.queues.min, LIMITS.queues.max).map((q, i) => {
    const f = `queues[${i}]`;
    const o = r.record(f, `Queue ${i + 1}`, q);
    const name = rabbitName(`${f}.name`, `Queue ${i + 1}, name`, o.name);
    const w = `Queue ${i + 1}${name ? ` (${JSON.stringify(name)})` : ''}`;
    const type = r.oneOf(`${f}.x-queue-type`, `${w}, x-queue-type`, o['x-queue-type'], ['classic', 'quorum'] as const);
    const dlx = exchangeOf(`${f}.x-dead-letter-exchange`, `${w}, x-dead-letter-exchange`, o['x-dead-letter-exchange'] ?? '', '"" (none)');
    const bindings = r.list(`${f}.bindings`, `${w}, bindings`, o.bindings ?? [], LIMITS.bindings.min, LIMITS.bindings.max).map((b, k) => {
      const bf = `${f}.bindings[${k}]`;
      const bo = r.record(bf, `${w}, binding ${k + 1}`, b);
      const exchange = exchangeOf(`${bf}.exchange`, `${w}, binding ${k + 1}, exchange`, bo.exchange, undefined);
      const bindingKey = r.text(`${bf}.bindingKey`, `${w}, binding ${k + 1}, binding key`, bo.bindingKey ?? '', LIMITS.bindingKeyChars);
      const kind = exchanges.find((x) => x.name === exchange)?.type;
      if (kind === 'topic' && bindingKey !== '' && bindingKey.split('.').some((word) => word === '' || (/[*#]/.test(word) && word.length > 1))) {
        r.bad(`${bf}.bindingKey`, `${w}, binding ${k + 1}, binding key`, `${JSON.stringify(bindingKey)} is not a topic pattern: words separated by ".", where a word is text, "*" (exactly one word) or "#" (zero or more words)`);
      }
      return { exchange, bindingKey };
    });
    return { name, 'x-queue-type': type, 'x-dead-letter-exchange': dlx, bindings };
  });
  const queueNames = queues.map((q) => q.name);
  queueNames.forEach((n, i) => {
    if (n !== '' && queueNames.indexOf(n) !== i) r.bad(`queues[${i}].name`, `Queue ${i + 1}, name`, `${JSON.stringify(n)} is declared twice; queue names are unique`);
  });
  const producers: RabbitProducerConfig[] = r.list('producers', 'Producers', raw.producers, LIMITS.producerEntries.min, LIMITS.producerEntries.max).map((p, i) => {
    const f = `producers[${i}]`;
    const w = `Producer ${i + 1}`;
    const o = r.record(f, w, p);
    const count = r.int(`${f}.count`, `${w}, count`, o.count, LIMITS.producerCount.min, LIMITS.producerCount.max);
    const exchange = exchangeOf(`${f}.exchange`, `${w}, exchange`, o.exchange, '"" (the default exchange)');
    const routingKeys = r.text(`${f}.routingKeys`, `${w}, routing keys`, o.routingKeys ?? '', LIMITS.bindingKeyChars);
    if (exchange === '' && !routingKeyList(routingKeys).every((k) => queueNames.includes(k))) {
      r.bad(`${f}.routingKeys`, `${w}, routing keys`, `through the default exchange a routing key names a queue; ${routingKeyList(routingKeys).filter((k) => !queueNames.includes(k)).map((k) => JSON.stringify(k)).join(', ')} is not one of the queues`);
    }
    if (routingKeyList(routingKeys).some((k) => /[*#]/.test(k)) && exchanges.find((x) => x.name === exchange)?.type === 'topic') {
      r.bad(`${f}.routingKeys`, `${w}, routing keys`, 'a routing key is a plain key like "order.eu.created"; "*" and "#" belong in binding keys');
    }
    const messages = r.int(`${f}.messages`, `${w}, messages to send`, o.messages, LIMITS.messages.min, LIMITS.messages.max);
    return { count, exchange, routingKeys, messages };
  });
  const consumers: RabbitConsumerConfig[] = r.list('consumers', 'Consumers', raw.consumers, LIMITS.consumerEntries.min, LIMITS.consumerEntries.max).map((c, i) => {
    const f = `consumers[${i}]`;
    const w = `Consumer ${i + 1}`;
    const o = r.record(f, w, c);
    const count = r.int(`${f}.count`, `${w}, count`, o.count, LIMITS.consumerCount.min, LIMITS.consumerCount.max);
    let queue = '';
    if (typeof o.queue === 'string' && queueNames.includes(o.queue)) queue = o.queue;
    else r.bad(`${f}.queue`, `${w}, queue`, `must be one of the queues (${queueNames.map((q) => JSON.stringify(q)).join(', ')}); got ${shown(o.queue)}`);
    const ack = r.oneOf(`${f}.ack`, `${w}, ack mode`, o.ack, ['manual', 'auto'] as const);
    const prefetch = r.int(`${f}.prefetch`, `${w}, prefetch`, o.prefetch, LIMITS.prefetch.min, LIMITS.prefetch.max);
    return { count, queue, ack, prefetch };
  });
  checkClientTotal(r, producerNodes(producers).length + rabbitConsumerNodes(consumers).length);
  return { family: 'rabbitmq', nodes, exchanges, queues, producers, consumers };
}

function checkClientTotal(r: Reader, n: number): void {
  if (n > LIMITS.clientNodesMax) r.bad('producers', 'Producers and consumers', `add up to ${n} client nodes; a run can have at most ${LIMITS.clientNodesMax} (each runs your code in its own sandbox)`);
}
