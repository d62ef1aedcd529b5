import { fileError, type FileResult } from './file-error';
import { parseJsonText } from './json-text';
import { FORMAT_NAMES, sniffText, sniffValue } from './sniff';

/** The format version this Brokerlab writes and reads. */
export const FORMAT_VERSION = 1;

export interface EnvelopeSpec {
  /** The `format` field's value, e.g. `brokerlab-submission`. */
  format: string;
  /** Largest file accepted, in characters. */
  charsMax: number;
  /** What to do when the file is of another kind, as a sentence (`pass the file … exported`). */
  foreignHint: string;
}

/**
 * The checks every Brokerlab file goes through before its own fields are read: not too large, not
 * empty, JSON (or where and why not), an object of the expected `format`, a version we read.
 */
export function readEnvelope(text: string, file: string, spec: EnvelopeSpec): FileResult<Record<string, unknown>> {
  const name = FORMAT_NAMES[spec.format] ?? `a ${spec.format} file`;
  if (text.length > spec.charsMax) {
    return fileError(file, 'too-large', `${formatChars(text.length)} is too large for ${name} (at most ${formatChars(spec.charsMax)}); check that this is the right file`);
  }
  if (text.trim() === '') return fileError(file, 'empty', `the file is empty; it should hold ${name}. ${spec.foreignHint}`);
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const looks = sniffText(text);
    if (looks) return fileError(file, 'not-json', `truncated or not JSON (line ${parsed.line}, column ${parsed.column}): it looks like ${looks}, not ${name}. ${spec.foreignHint}`);
    const why = parsed.truncated
      ? `${parsed.detail}, so it was probably cut off while being copied, downloaded or uploaded. Get the whole file again`
      : `${parsed.detail}. Fix the file there, or get it again`;
    return fileError(file, 'not-json', `truncated or not JSON (line ${parsed.line}, column ${parsed.column}): ${why}`);
  }
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as { format?: unknown }).format !== spec.format) {
    return fileError(file, 'foreign', `not ${name} (it looks like ${sniffValue(value)}). ${spec.foreignHint}`);
  }
  const obj = value as Record<string, unknown>;
  const version = obj.version;
  if (version !== FORMAT_VERSION) {
    if (Number.isInteger(version) && (version as number) > FORMAT_VERSION) {
      return fileError(file, 'newer-version', `${name} in format version ${version as number}, made by a newer Brokerlab; this one reads version ${FORMAT_VERSION}. Update Brokerlab (git pull && npm install) and try again`, 'version');
    }
    return fileError(file, 'invalid', `must be ${FORMAT_VERSION}, got ${JSON.stringify(version) ?? 'nothing'}`, 'version');
  }
  return { ok: true, value: obj };
}

function formatChars(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** Collects problems by JSON path while a validator walks a file's fields. */
export class ProblemList {
  readonly problems: { path: string; message: string }[] = [];
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  get empty(): boolean {
    return this.problems.length === 0;
  }
}

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isKebabId(v: unknown): v is string {
  return typeof v === 'string' && KEBAB.test(v) && v.length <= 100;
}

/** Seeds are whole numbers from 0 to 2^32 − 1 (what `crypto.getRandomValues` gives a Uint32Array). */
export const SEED_MAX = 0xffff_ffff;

export function isSeed(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= SEED_MAX;
}

/** Checks a list of seeds: every problem named by its index; returns the valid seeds. */
export function checkSeeds(list: ProblemList, path: string, value: unknown, opts: { min: number; max: number }): number[] {
  if (!Array.isArray(value)) {
    list.add(path, `must be a list of seeds (whole numbers from 0 to ${SEED_MAX}), like [3, 17, 42]`);
    return [];
  }
  if (value.length < opts.min || value.length > opts.max) list.add(path, `lists ${value.length} seeds; list ${opts.min === opts.max ? opts.min : `${opts.min} to ${opts.max}`}`);
  const seen = new Set<number>();
  value.forEach((s, i) => {
    if (!isSeed(s)) list.add(`${path}[${i}]`, `a seed is a whole number from 0 to ${SEED_MAX}, got ${JSON.stringify(s)}`);
    else if (seen.has(s)) list.add(`${path}[${i}]`, `seed ${s} is listed twice`);
    else seen.add(s);
  });
  return value.filter(isSeed);
}
