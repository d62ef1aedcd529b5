import type { Json } from './api';
import { isCallId } from './call-table';
import type { RawError } from './errors';

/**
 * What the prelude reports, decoded. The prelude writes its outbox as JSON text (the format is
 * documented at the top of prelude.ts); this is the engine's reading of it. Nothing from the
 * sandbox is trusted: an entry of the wrong shape is skipped, and text that is not JSON at all
 * means the sandbox cannot be trusted any more.
 */
export type OutboxEntry =
  | { kind: 'done'; callId: number; value: Json | undefined }
  | { kind: 'done-many'; base: number; indexes: unknown; values: unknown; undefinedIndexes: unknown }
  /** how: 0 threw, 1 rejected, 2 returned something that cannot cross. */
  | { kind: 'failed'; callId: number; how: number; raw: RawError }
  | { kind: 'unhandled-rejection'; callId: number; raw: RawError }
  | { kind: 'loaded'; exports: string[] }
  | { kind: 'console'; callId: number; level: string; text: string; stack: string }
  | { kind: 'rejections-waiting' }
  | { kind: 'console-capped' };

/** The entries of one outbox, or undefined when the text is not an outbox at all. */
export function readOutbox(text: string): OutboxEntry[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const out: OutboxEntry[] = [];
  for (const e of parsed) {
    if (!Array.isArray(e)) continue;
    const id = e[1];
    switch (e[0]) {
      case 0:
        if (isCallId(id)) out.push({ kind: 'done', callId: id, value: e.length > 2 ? (e[2] as Json) : undefined });
        break;
      case 1:
        if (isCallId(id)) out.push({ kind: 'failed', callId: id, how: typeof e[2] === 'number' ? e[2] : 0, raw: toRaw(e[3]) });
        break;
      case 2:
        if (isCallId(id)) out.push({ kind: 'unhandled-rejection', callId: id, raw: toRaw(e[2]) });
        break;
      case 3:
        out.push({ kind: 'loaded', exports: Array.isArray(id) ? id.filter((x): x is string => typeof x === 'string') : [] });
        break;
      case 4:
        if (isCallId(id) && typeof e[2] === 'string' && typeof e[3] === 'string') {
          out.push({ kind: 'console', callId: id, level: e[2], text: e[3], stack: typeof e[4] === 'string' ? e[4] : '' });
        }
        break;
      case 5:
        out.push({ kind: 'rejections-waiting' });
        break;
      case 6:
        out.push({ kind: 'console-capped' });
        break;
      case 7:
        if (isCallId(id)) out.push({ kind: 'done-many', base: id, indexes: e[2], values: e[3], undefinedIndexes: e[4] });
        break;
    }
  }
  return out;
}

/** An error as the prelude described it, checked: an Error's parts, or a thrown value's description. */
function toRaw(x: unknown): RawError {
  if (typeof x === 'object' && x !== null) {
    const o = x as Record<string, unknown>;
    if (typeof o.thrown === 'string') return { thrown: o.thrown };
    if (typeof o.name === 'string' && typeof o.message === 'string') return { name: o.name, message: o.message, stack: typeof o.stack === 'string' ? o.stack : '' };
  }
  return { thrown: 'an unknown value' };
}
