/**
 * Topic-level log configuration, under Kafka's own names.
 *
 * Defaults are Kafka's broker defaults (`log.segment.bytes`, `log.retention.hours=168`, …), so a
 * lab that sets nothing behaves like a freshly installed cluster. Values are plain numbers in the
 * unit their name says (`…ms`, `…bytes`); -1 disables a retention limit, as in Kafka.
 */

/** `cleanup.policy`: what happens to old data. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** The log settings a partition log obeys, keyed exactly as Kafka's topic configs. */
export interface LogConfig {
  /** Maximum size of one segment file; a new segment is rolled when the next batch would not fit. */
  'segment.bytes': number;
  /** Roll a new segment once the newest batch is this much younger than the segment's first batch. */
  'segment.ms': number;
  /** Delete closed segments whose newest record is older than this; -1 = keep forever. */
  'retention.ms': number;
  /** Delete oldest segments while the log is larger than this; -1 = no size limit. */
  'retention.bytes': number;
  /** `delete`, `compact`, or both. */
  'cleanup.policy': CleanupPolicy;
  /** How long a tombstone survives after the cleaner first saw it, so consumers can observe the delete. */
  'delete.retention.ms': number;
  /** Compact once dirty bytes / (clean + dirty bytes) reaches this ratio. */
  'min.cleanable.dirty.ratio': number;
  /** Largest record batch the log accepts. */
  'max.message.bytes': number;
}

/** Kafka's defaults for each setting (broker `log.*` defaults). */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  'segment.bytes': 1073741824,
  'segment.ms': 604800000,
  'retention.ms': 604800000,
  'retention.bytes': -1,
  'cleanup.policy': 'delete',
  'delete.retention.ms': 86400000,
  'min.cleanable.dirty.ratio': 0.5,
  'max.message.bytes': 1048588,
});

/** Whether old segments are deleted by time or size (`delete` is part of the policy). */
export function deletesOldSegments(policy: CleanupPolicy): boolean {
  return policy === 'delete' || policy === 'compact,delete';
}

/** Whether the cleaner compacts the log (`compact` is part of the policy). */
export function compacts(policy: CleanupPolicy): boolean {
  return policy === 'compact' || policy === 'compact,delete';
}

/**
 * Fills in defaults and rejects values Kafka would reject, naming the setting so the lab author
 * knows what to change.
 */
export function resolveLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const config: LogConfig = { ...DEFAULT_LOG_CONFIG, ...overrides };
  const positive = ['segment.bytes', 'segment.ms', 'max.message.bytes'] as const;
  for (const name of positive) {
    if (!Number.isInteger(config[name]) || config[name] < 1) throw new Error(`${name} must be a positive integer, got ${config[name]}`);
  }
  for (const name of ['retention.ms', 'retention.bytes'] as const) {
    if (!Number.isInteger(config[name]) || config[name] < -1) throw new Error(`${name} must be -1 (unlimited) or a non-negative integer, got ${config[name]}`);
  }
  if (!Number.isInteger(config['delete.retention.ms']) || config['delete.retention.ms'] < 0) {
    throw new Error(`delete.retention.ms must be a non-negative integer, got ${config['delete.retention.ms']}`);
  }
  const ratio = config['min.cleanable.dirty.ratio'];
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`min.cleanable.dirty.ratio must be between 0 and 1, got ${ratio}`);
  if (!['delete', 'compact', 'compact,delete'].includes(config['cleanup.policy'])) {
    throw new Error(`cleanup.policy must be delete, compact or compact,delete, got ${String(config['cleanup.policy'])}`);
  }
  return config;
}
