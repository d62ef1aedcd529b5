import type { ConfigProblem, KafkaPlaygroundConfig, PlaygroundConfig, PlaygroundFamily, RabbitPlaygroundConfig } from '../../labs/playground/config';
import { defaultConfig } from '../../labs/playground/config';

/**
 * The topology form's state: the config's shape, with numbers kept as the learner typed them (text
 * while they edit), so "12" can pass through "1" and an empty field can say what it needs. The
 * engine's `checkPlaygroundConfig` reads it as it is.
 */
export type Draft<T> = T extends number ? number | string : T extends (infer U)[] ? Draft<U>[] : T extends object ? { [K in keyof T]: Draft<T[K]> } : T;

export type KafkaDraft = Draft<KafkaPlaygroundConfig>;
export type RabbitDraft = Draft<RabbitPlaygroundConfig>;
export type TopologyDraft = KafkaDraft | RabbitDraft;

export type Drafts = { kafka: KafkaDraft; rabbitmq: RabbitDraft };

export function defaultDrafts(): Drafts {
  return { kafka: defaultConfig('kafka') as KafkaDraft, rabbitmq: defaultConfig('rabbitmq') as RabbitDraft };
}

/**
 * A draft from a link: the link's topology when it is an object of the right family (it is
 * checked like any draft, so its problems show in the form), else the default.
 */
export function draftFromLink(family: PlaygroundFamily, topology: unknown): TopologyDraft {
  if (typeof topology === 'object' && topology !== null && (topology as { family?: unknown }).family === family) return topology as TopologyDraft;
  return defaultConfig(family) as TopologyDraft;
}

/** Problems by field path, for the form to show beside each field. */
export function problemsByField(problems: readonly ConfigProblem[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of problems) if (!m.has(p.field)) m.set(p.field, p.message);
  return m;
}

/** A name like `base`, `base-2`, … not yet in `taken`. */
export function freshName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Replaces item `i` of a list with `patch` merged in. */
export function patchAt<T extends object>(list: readonly T[], i: number, patch: Partial<T>): T[] {
  return list.map((x, k) => (k === i ? { ...x, ...patch } : x));
}

export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, k) => k !== i);
}

/** A DOM id for a field path (`topics[0].min.insync.replicas` → `…-topics-0-min-insync-replicas`). */
export function fieldId(formId: string, path: string): string {
  return `${formId}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
}

export type { PlaygroundConfig };

/** A count field's value, or undefined when it is not a whole number from 1 to 16 (the field then shows its problem). */
export function countOf(v: number | string): number | undefined {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isInteger(n) && n > 0 && n <= 16 ? n : undefined;
}

/** Node names for an entry's caption: all of a few, or the first and last of many. */
export function nodeList(names: string[]): string {
  return names.length > 3 ? `${names[0]} … ${names.at(-1)}` : names.join(', ');
}
