/**
 * Records as a partition log stores them.
 */


/**
 * Fixed per-record overhead in bytes added to key, value and header bytes. It is Kafka's
 * `DefaultRecord.MAX_RECORD_OVERHEAD` (21): the upper bound of a v2 record's length, attributes,
 * timestamp/offset deltas and size varints. The 61-byte record *batch* header is not counted,
 * because this log sizes records one by one.
 */
export const RECORD_OVERHEAD_BYTES = 21;

/** A record header, as in Kafka (string key, optional value). */
export interface RecordHeader {
  key: string;
  value: string | null;
}

/** A transaction marker written by the transaction coordinator (a Kafka control record). */
export type ControlType = 'commit' | 'abort';

/** What a producer (or the coordinator, for markers) hands to the log. */
export interface NewRecord {
  key: string | null;
  /** `null` is a tombstone: "delete this key" in a compacted topic. */
  value: string | null;
  timestampMs: number;
  headers?: RecordHeader[];
  /** Idempotent/transactional producer id (PID). */
  producerId?: number;
  producerEpoch?: number;
  /** Per-partition sequence number of an idempotent producer. */
  sequence?: number;
  /** Part of a transaction (read_committed consumers skip it until the commit marker). */
  isTransactional?: boolean;
  /** Set on transaction markers; such records carry no key or value. */
  control?: ControlType;
  /** Leader epoch of the leader that appended it. */
  leaderEpoch?: number;
}

/** A record in the log, with the offset it was given and its size. */
export interface LogRecord extends NewRecord {
  readonly offset: number;
  readonly sizeBytes: number;
  /**
   * When the cleaner may drop this tombstone or marker: set to "first cleaned + delete.retention.ms"
   * (Kafka stores it per batch as `deleteHorizonMs`, KIP-534).
   */
  deleteHorizonMs?: number;
}

/** Bytes a record takes in the log: UTF-8 key, value and header bytes plus {@link RECORD_OVERHEAD_BYTES}. */
export function recordSizeBytes(record: NewRecord): number {
  let size = RECORD_OVERHEAD_BYTES;
  if (record.key !== null) size += utf8Length(record.key);
  if (record.value !== null) size += utf8Length(record.value);
  if (record.headers !== undefined) {
    for (const h of record.headers) size += utf8Length(h.key) + (h.value === null ? 0 : utf8Length(h.value));
  }
  return size;
}

/** The number of bytes UTF-8 needs for `s` (what TextEncoder would produce), without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
