/**
 * Kafka configuration under Kafka's own names, with Kafka 3.6's defaults, validated.
 *
 * One definition per setting (its kind, default, allowed values and a sentence of documentation)
 * gives the validation, the TypeScript type and the reference table in docs/brokers/kafka.md
 * (a test checks the page lists every key with its default). Values may be given as numbers or as
 * the strings Kafka's property files and KafkaJS's `configEntries` use ("1", "true", "all").
 * An unknown key or a bad value throws an error that names the key and says what is allowed.
 *
 * Where the simulation deviates from Kafka's default (a smaller `offsets.topic.num.partitions`),
 * the spec says so in `simDefaultNote`, and the docs page repeats it.
 */

export interface IntSpec {
  kind: 'int';
  default: number;
  min: number;
  max: number;
  doc: string;
  simDefaultNote?: string;
}
export interface DoubleSpec {
  kind: 'double';
  default: number;
  min: number;
  max: number;
  doc: string;
  simDefaultNote?: string;
}
export interface BoolSpec {
  kind: 'bool';
  default: boolean;
  doc: string;
  simDefaultNote?: string;
}
export interface EnumSpec<V extends string = string> {
  kind: 'enum';
  default: V;
  values: readonly V[];
  doc: string;
  simDefaultNote?: string;
}
export interface StringSpec {
  kind: 'string';
  default: string | null;
  doc: string;
  simDefaultNote?: string;
}
export interface AcksSpec {
  kind: 'acks';
  default: -1 | 0 | 1;
  doc: string;
  simDefaultNote?: string;
}
export interface ListSpec<V extends string = string> {
  kind: 'list';
  default: readonly V[];
  values: readonly V[];
  doc: string;
  simDefaultNote?: string;
}
export interface FunctionSpec {
  kind: 'function';
  doc: string;
  simDefaultNote?: string;
}

export type ConfigSpec = IntSpec | DoubleSpec | BoolSpec | EnumSpec | StringSpec | AcksSpec | ListSpec | FunctionSpec;

type ValueOf<S> = S extends IntSpec | DoubleSpec
  ? number
  : S extends BoolSpec
    ? boolean
    : S extends EnumSpec<infer V>
      ? V
      : S extends StringSpec
        ? string | null
        : S extends AcksSpec
          ? -1 | 0 | 1
          : S extends ListSpec<infer V>
            ? V[]
            : S extends FunctionSpec
              ? ((...args: never[]) => unknown) | undefined
              : never;

/** The resolved configuration for a schema: every key present, typed by its spec. */
export type ResolvedConfig<T extends Record<string, ConfigSpec>> = { -readonly [K in keyof T]: ValueOf<T[K]> };

/** The input form: any subset of the keys, as values or their string forms. */
export type ConfigInput<T extends Record<string, ConfigSpec>> = { [K in keyof T]?: ValueOf<T[K]> | string | number | boolean };

const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

const int = (def: number, doc: string, min = 0, max = LONG_MAX, simDefaultNote?: string): IntSpec => ({ kind: 'int', default: def, min, max, doc, simDefaultNote });
const dbl = (def: number, doc: string, min: number, max: number): DoubleSpec => ({ kind: 'double', default: def, min, max, doc });
const bool = (def: boolean, doc: string): BoolSpec => ({ kind: 'bool', default: def, doc });
const oneOf = <V extends string>(def: V, values: readonly V[], doc: string): EnumSpec<V> => ({ kind: 'enum', default: def, values, doc });
const str = (def: string | null, doc: string): StringSpec => ({ kind: 'string', default: def, doc });

// ---------------------------------------------------------------------------------------------
// Topic configs (https://kafka.apache.org/documentation/#topicconfigs)

export const TOPIC_CONFIG = {
  'cleanup.policy': oneOf('delete', ['delete', 'compact', 'compact,delete'] as const, 'delete old segments, compact by key, or both'),
  'retention.ms': int(604800000, 'delete closed segments whose newest record is older than this; -1 keeps them forever', -1),
  'retention.bytes': int(-1, 'delete the oldest segments while the partition is larger than this; -1 = no limit', -1),
  'segment.bytes': int(1073741824, 'roll a new segment when the active one would exceed this size', 14, INT_MAX),
  'segment.ms': int(604800000, 'roll a new segment when the active one is this old', 1),
  'delete.retention.ms': int(86400000, 'how long a tombstone stays after the cleaner first saw it'),
  'min.cleanable.dirty.ratio': dbl(0.5, 'compact once this fraction of the log is dirty', 0, 1),
  'max.message.bytes': int(1048588, 'the largest record batch the partition accepts', 0, INT_MAX),
  'min.insync.replicas': int(1, 'with acks=all, the fewest in-sync replicas a write needs (else NOT_ENOUGH_REPLICAS)', 1, INT_MAX),
  'unclean.leader.election.enable': bool(false, 'elect an out-of-sync replica when no in-sync one is alive (may lose acknowledged data)'),
  'flush.messages': int(LONG_MAX, 'fsync the log after this many messages (Kafka relies on replication instead)', 1),
  'flush.ms': int(LONG_MAX, 'fsync the log when this much time passed since the last flush', 0),
  'message.timestamp.type': oneOf('CreateTime', ['CreateTime', 'LogAppendTime'] as const, 'whose clock stamps records: the producer\'s or the broker\'s'),
  'remote.storage.enable': bool(false, 'tiered storage: copy closed segments to the remote tier'),
  'local.retention.ms': int(-2, 'tiered storage: how long segments stay on local disk; -2 = retention.ms', -2),
  'local.retention.bytes': int(-2, 'tiered storage: how many bytes stay on local disk; -2 = retention.bytes', -2),
} as const satisfies Record<string, ConfigSpec>;
export type TopicConfig = ResolvedConfig<typeof TOPIC_CONFIG>;

/** Broker-level defaults for topic configs, under the broker's names (`log.retention.ms` → `retention.ms`). */
export const BROKER_TOPIC_DEFAULT_NAMES: Readonly<Record<string, keyof TopicConfig>> = {
  'log.cleanup.policy': 'cleanup.policy',
  'log.retention.ms': 'retention.ms',
  'log.retention.bytes': 'retention.bytes',
  'log.segment.bytes': 'segment.bytes',
  'log.roll.ms': 'segment.ms',
  'log.cleaner.delete.retention.ms': 'delete.retention.ms',
  'log.cleaner.min.cleanable.ratio': 'min.cleanable.dirty.ratio',
  'message.max.bytes': 'max.message.bytes',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
  'log.flush.interval.messages': 'flush.messages',
  'log.flush.interval.ms': 'flush.ms',
  'log.message.timestamp.type': 'message.timestamp.type',
  'log.local.retention.ms': 'local.retention.ms',
  'log.local.retention.bytes': 'local.retention.bytes',
};

// ---------------------------------------------------------------------------------------------
// Broker and controller configs (https://kafka.apache.org/documentation/#brokerconfigs)

export const BROKER_CONFIG = {
  'log.cleanup.policy': TOPIC_CONFIG['cleanup.policy'],
  'log.retention.ms': TOPIC_CONFIG['retention.ms'],
  'log.retention.bytes': TOPIC_CONFIG['retention.bytes'],
  'log.segment.bytes': TOPIC_CONFIG['segment.bytes'],
  'log.roll.ms': TOPIC_CONFIG['segment.ms'],
  'log.cleaner.delete.retention.ms': TOPIC_CONFIG['delete.retention.ms'],
  'log.cleaner.min.cleanable.ratio': TOPIC_CONFIG['min.cleanable.dirty.ratio'],
  'message.max.bytes': TOPIC_CONFIG['max.message.bytes'],
  'min.insync.replicas': TOPIC_CONFIG['min.insync.replicas'],
  'unclean.leader.election.enable': TOPIC_CONFIG['unclean.leader.election.enable'],
  'log.flush.interval.messages': TOPIC_CONFIG['flush.messages'],
  'log.flush.interval.ms': TOPIC_CONFIG['flush.ms'],
  'log.message.timestamp.type': TOPIC_CONFIG['message.timestamp.type'],
  'log.local.retention.ms': TOPIC_CONFIG['local.retention.ms'],
  'log.local.retention.bytes': TOPIC_CONFIG['local.retention.bytes'],
  'log.retention.check.interval.ms': int(300000, 'how often each broker applies retention (time and size)', 1),
  'log.cleaner.enable': bool(true, 'run the log cleaner for compacted topics'),
  'log.cleaner.backoff.ms': int(15000, 'how often the cleaner looks for a log to compact', 1),
  'replica.high.watermark.checkpoint.interval.ms': int(5000, 'how often the high watermark is written to disk (a restarted broker starts from it)', 1),
  'num.partitions': int(1, 'partitions of an automatically created topic', 1, INT_MAX),
  'default.replication.factor': int(1, 'replication factor of an automatically created topic', 1, INT_MAX),
  'auto.create.topics.enable': bool(true, 'create a topic when a client asks for metadata of an unknown one'),
  'replica.lag.time.max.ms': int(30000, 'a follower that has not caught up to the leader for this long leaves the ISR', 1),
  'replica.fetch.wait.max.ms': int(500, 'how long a follower fetch waits at the leader for new data (long poll)', 0),
  'replica.fetch.min.bytes': int(1, 'bytes a follower fetch waits for', 1),
  'replica.fetch.max.bytes': int(1048576, 'bytes a follower fetches per partition', 1, INT_MAX),
  'replica.fetch.response.max.bytes': int(10485760, 'bytes per follower fetch response', 1, INT_MAX),
  'replica.fetch.backoff.ms': int(1000, 'how long a follower waits after a failed fetch', 0),
  'replica.socket.timeout.ms': int(30000, 'a follower fetch without an answer for this long is retried', 1),
  'broker.heartbeat.interval.ms': int(2000, 'how often a broker heartbeats to the controller', 1),
  'broker.session.timeout.ms': int(9000, 'the controller fences a broker not heard from for this long', 1),
  'offsets.topic.num.partitions': int(5, 'partitions of __consumer_offsets; a group\'s coordinator leads partition abs(groupId.hashCode) % this', 1, INT_MAX, "Kafka's default is 50; the simulation uses 5 so a small cluster stays small"),
  'offsets.topic.replication.factor': int(3, 'replication factor of __consumer_offsets', 1, INT_MAX, 'capped at the number of brokers, so a one-broker lab works; Kafka refuses instead'),
  'offsets.topic.segment.bytes': int(104857600, 'segment size of __consumer_offsets', 1, INT_MAX),
  'offsets.commit.timeout.ms': int(5000, 'an offset commit waits this long for the offsets topic replicas', 1),
  'group.initial.rebalance.delay.ms': int(3000, 'the first rebalance of an empty group waits this long for more members', 0),
  'group.min.session.timeout.ms': int(6000, 'smallest session.timeout.ms a consumer may ask for', 0),
  'group.max.session.timeout.ms': int(1800000, 'largest session.timeout.ms a consumer may ask for', 0),
  'transaction.state.log.num.partitions': int(5, 'partitions of __transaction_state', 1, INT_MAX, "Kafka's default is 50; the simulation uses 5"),
  'transaction.state.log.replication.factor': int(3, 'replication factor of __transaction_state', 1, INT_MAX, 'capped at the number of brokers'),
  'transaction.state.log.min.isr': int(2, 'min.insync.replicas of __transaction_state', 1, INT_MAX, 'capped at the replication factor'),
  'transaction.max.timeout.ms': int(900000, 'largest transaction.timeout.ms a producer may ask for', 1),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': int(10000, 'how often the transaction coordinator aborts transactions past their timeout', 1),
  'remote.log.storage.system.enable': bool(false, 'allow tiered storage on this cluster'),
  'remote.log.manager.task.interval.ms': int(30000, 'how often closed segments are copied to the remote tier and remote retention applied', 1),
} as const satisfies Record<string, ConfigSpec>;
export type BrokerConfig = ResolvedConfig<typeof BROKER_CONFIG>;

// ---------------------------------------------------------------------------------------------
// Producer configs (https://kafka.apache.org/documentation/#producerconfigs)

export const PRODUCER_CONFIG = {
  'client.id': str(null, 'a name for the client in logs and the history (defaults to the node name)'),
  acks: { kind: 'acks', default: -1, doc: '0: do not wait; 1: the leader wrote it; all (-1): every in-sync replica has it' } satisfies AcksSpec,
  'linger.ms': int(0, 'wait up to this long for more records before sending a batch', 0),
  'batch.size': int(16384, 'bytes per partition batch; a full batch is sent without waiting for linger.ms', 0, INT_MAX),
  'compression.type': oneOf('none', ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, 'compression codec (modelled as a size factor)'),
  retries: int(INT_MAX, 'how many times a failed batch is resent', 0, INT_MAX),
  'retry.backoff.ms': int(100, 'wait before resending a failed batch', 0),
  'request.timeout.ms': int(30000, 'a request without an answer for this long fails (and may be retried)', 0, INT_MAX),
  'delivery.timeout.ms': int(120000, 'a record not acknowledged this long after send() fails', 0, INT_MAX),
  'max.in.flight.requests.per.connection': int(5, 'unacknowledged requests per broker; above 1 without idempotence, retries can reorder', 1, INT_MAX),
  'enable.idempotence': bool(true, 'producer id and sequence numbers so retries never duplicate or reorder'),
  'transactional.id': str(null, 'enables transactions; a new producer with the same id fences the old one'),
  'transaction.timeout.ms': int(60000, 'the coordinator aborts a transaction open longer than this', 1, INT_MAX),
  'max.request.size': int(1048576, 'largest request (and record) the producer sends', 1, INT_MAX),
  'metadata.max.age.ms': int(300000, 'refresh metadata at least this often', 0),
  'partitioner.ignore.keys': bool(false, 'use the sticky partitioner even for keyed records'),
  createPartitioner: { kind: 'function', doc: 'KafkaJS-style custom partitioner: a factory returning ({ topic, partitionMetadata, message }) => partition' } satisfies FunctionSpec,
} as const satisfies Record<string, ConfigSpec>;
export type ProducerConfig = ResolvedConfig<typeof PRODUCER_CONFIG>;

// ---------------------------------------------------------------------------------------------
// Consumer configs (https://kafka.apache.org/documentation/#consumerconfigs)

export const ASSIGNMENT_STRATEGIES = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'] as const;

export const CONSUMER_CONFIG = {
  'client.id': str(null, 'a name for the client in logs and the history (defaults to the node name)'),
  'group.id': str(null, 'the consumer group (required)'),
  'group.instance.id': str(null, 'static membership: a restart within session.timeout.ms keeps the assignment without a rebalance'),
  'session.timeout.ms': int(45000, 'the coordinator removes a member not heard from for this long', 1, INT_MAX),
  'heartbeat.interval.ms': int(3000, 'how often the consumer heartbeats to the coordinator', 1, INT_MAX),
  'max.poll.interval.ms': int(300000, 'processing one poll of records longer than this makes the consumer leave the group', 1, INT_MAX),
  'max.poll.records': int(500, 'records handed to the handlers per poll', 1, INT_MAX),
  'enable.auto.commit': bool(true, 'commit processed offsets every auto.commit.interval.ms'),
  'auto.commit.interval.ms': int(5000, 'how often offsets are committed automatically', 0, INT_MAX),
  'auto.offset.reset': oneOf('latest', ['latest', 'earliest', 'none'] as const, 'where to start without a committed offset, or when the offset is out of range'),
  'isolation.level': oneOf('read_uncommitted', ['read_uncommitted', 'read_committed'] as const, 'read_committed hides aborted and still-open transactional records'),
  'partition.assignment.strategy': { kind: 'list', default: ['range', 'cooperative-sticky'], values: ASSIGNMENT_STRATEGIES, doc: 'assignors in order of preference; the group uses one every member supports' } satisfies ListSpec<(typeof ASSIGNMENT_STRATEGIES)[number]>,
  'fetch.min.bytes': int(1, 'bytes a fetch waits for at the broker', 0, INT_MAX),
  'fetch.max.wait.ms': int(500, 'how long a fetch waits at the broker for fetch.min.bytes', 0, INT_MAX),
  'fetch.max.bytes': int(52428800, 'bytes per fetch response', 0, INT_MAX),
  'max.partition.fetch.bytes': int(1048576, 'bytes per partition per fetch', 0, INT_MAX),
  'request.timeout.ms': int(30000, 'a request without an answer for this long fails and is retried', 0, INT_MAX),
  'retry.backoff.ms': int(100, 'wait before retrying a failed request', 0),
  'metadata.max.age.ms': int(300000, 'refresh metadata at least this often', 0),
} as const satisfies Record<string, ConfigSpec>;
export type ConsumerConfig = ResolvedConfig<typeof CONSUMER_CONFIG>;

// ---------------------------------------------------------------------------------------------

/** Compression as a size factor: what fraction of the uncompressed bytes a batch takes (typical text/JSON). */
export const COMPRESSION_RATIO: Readonly<Record<ProducerConfig['compression.type'], number>> = {
  none: 1,
  gzip: 0.35,
  snappy: 0.55,
  lz4: 0.5,
  zstd: 0.3,
};

/** A config problem a person can act on: which key, what was given, what is allowed. */
export class KafkaConfigError extends Error {
  override name = 'KafkaConfigError';
}

function normalizeKey(k: string): string {
  return k.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function describeAllowed(spec: ConfigSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'double':
      return spec.max >= LONG_MAX ? `a number ≥ ${spec.min}` : `a number from ${spec.min} to ${spec.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'string':
      return 'a string';
    case 'acks':
      return '"all" (or -1), 1 or 0';
    case 'list':
      return `a list (array or comma-separated string) of ${spec.values.join(', ')}`;
    case 'function':
      return 'a function';
  }
}

function parseValue(key: string, spec: ConfigSpec, raw: unknown, what: string): unknown {
  const bad = (): never => {
    throw new KafkaConfigError(`${what}: "${key}" must be ${describeAllowed(spec)}, got ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}`);
  };
  switch (spec.kind) {
    case 'int':
    case 'double': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || n < spec.min || n > spec.max) bad();
      if (spec.kind === 'int' && !Number.isInteger(n)) bad();
      return n;
    }
    case 'bool':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      return bad();
    case 'enum':
      if (typeof raw !== 'string' || !spec.values.includes(raw)) bad();
      return raw;
    case 'string':
      if (raw === null) return null;
      if (typeof raw !== 'string' || raw.length === 0) bad();
      return raw;
    case 'acks':
      if (raw === 'all' || raw === -1 || raw === '-1') return -1;
      if (raw === 1 || raw === '1') return 1;
      if (raw === 0 || raw === '0') return 0;
      return bad();
    case 'list': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : bad();
      if (items.length === 0) bad();
      for (const item of items) if (typeof item !== 'string' || !spec.values.includes(item)) bad();
      return [...items];
    }
    case 'function':
      if (raw === undefined) return undefined;
      if (typeof raw !== 'function') bad();
      return raw;
  }
}

/**
 * Resolves a config against its schema: defaults for missing keys, parsed and checked values for
 * the given ones. `what` names the config in messages ("producer config").
 */
export function resolveConfig<T extends Record<string, ConfigSpec>>(schema: T, input: object | undefined, what: string, defaults?: Partial<ResolvedConfig<T>>): ResolvedConfig<T> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) {
    const spec = schema[key]!;
    out[key] = spec.kind === 'function' ? undefined : spec.kind === 'list' ? [...spec.default] : spec.default;
  }
  if (defaults) for (const [k, v] of Object.entries(defaults)) if (v !== undefined) out[k] = v;
  if (input === undefined || input === null) return out as ResolvedConfig<T>;
  if (typeof input !== 'object' || Array.isArray(input)) throw new KafkaConfigError(`${what} must be an object of Kafka settings like { "acks": "all" }`);
  for (const [key, raw] of Object.entries(input)) {
    const spec = Object.prototype.hasOwnProperty.call(schema, key) ? schema[key] : undefined;
    if (spec === undefined) throw new KafkaConfigError(unknownKeyMessage(key, Object.keys(schema), what));
    if (raw === undefined) continue;
    out[key] = parseValue(key, spec, raw, what);
  }
  return out as ResolvedConfig<T>;
}

/** "unknown producer config key "lingerMs"; did you mean "linger.ms"? The keys are: …". */
export function unknownKeyMessage(key: string, keys: readonly string[], what: string): string {
  const n = normalizeKey(key);
  const guess = keys.find((k) => normalizeKey(k) === n) ?? keys.find((k) => n.length >= 4 && normalizeKey(k).startsWith(n));
  return `unknown ${what} key "${key}"${guess ? `; did you mean "${guess}"?` : ''} The ${what} keys are: ${keys.join(', ')}`;
}

/** Parses one topic config entry (as `configEntries` or cluster defaults give it). */
export function parseTopicConfigValue(key: string, raw: unknown, what = 'topic config'): unknown {
  const spec = (TOPIC_CONFIG as Record<string, ConfigSpec>)[key];
  if (spec === undefined) throw new KafkaConfigError(unknownKeyMessage(key, Object.keys(TOPIC_CONFIG), what));
  return parseValue(key, spec, raw, what);
}

/** Topic config defaults taken from a broker config (its `log.*` names). */
export function topicDefaultsFromBroker(broker: BrokerConfig): TopicConfig {
  const out: Record<string, unknown> = {};
  for (const [brokerKey, topicKey] of Object.entries(BROKER_TOPIC_DEFAULT_NAMES)) out[topicKey] = (broker as Record<string, unknown>)[brokerKey];
  return out as TopicConfig;
}

/** A setting's default as the reference page shows it. */
export function formatDefault(spec: ConfigSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'double':
      return spec.default === LONG_MAX ? 'Long.MAX_VALUE' : String(spec.default);
    case 'bool':
      return String(spec.default);
    case 'enum':
      return spec.default;
    case 'string':
      return spec.default === null ? 'null' : spec.default;
    case 'acks':
      return spec.default === -1 ? 'all' : String(spec.default);
    case 'list':
      return spec.default.join(',');
    case 'function':
      return '(none)';
  }
}

/** The reference table of a schema, as Markdown rows: key, default, meaning. */
export function configTable(schema: Record<string, ConfigSpec>): string {
  const rows = Object.entries(schema).map(([key, spec]) => `| \`${key}\` | \`${formatDefault(spec)}\` | ${spec.doc}${spec.simDefaultNote ? ` (${spec.simDefaultNote})` : ''} |`);
  return ['| key | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
