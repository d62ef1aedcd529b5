import type { PlaygroundFamily } from '../../labs/playground/config';
import type { FaultEntry } from '../faults/fault-entry';
import { decodeBase64Url, encodeBase64Url } from './base64url';

/**
 * What a playground link carries, so a run can be shared and reproduced:
 * `#/playground?scenario=gossip&seed=3&nodes=20&faults=<base64url JSON>` for the built-in
 * scenarios (links made before broker families keep working: no `family` means these), and
 * `#/playground?family=kafka&seed=1&topology=<base64url JSON>&faults=…&code=<base64url text>` for
 * a broker family. `code` is left out while the code is the family's starter.
 */
export interface PlaygroundParams {
  /** A broker family; absent for the built-in scenarios. */
  family?: PlaygroundFamily;
  scenario?: string;
  seed?: string;
  nodes?: string;
  faults?: FaultEntry[];
  /** The topology as the form had it (checked again before it runs). */
  topology?: unknown;
  /** The learner's code, when the link carries it. */
  code?: string;
}

export type ParsedParams = { params: PlaygroundParams; problem?: string };

const FAMILIES: readonly string[] = ['kafka', 'rabbitmq'];

function decodeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function readPlaygroundParams(q: URLSearchParams): ParsedParams {
  const params: PlaygroundParams = {};
  const problems: string[] = [];
  const family = q.get('family');
  if (family !== null) {
    if (FAMILIES.includes(family)) params.family = family as PlaygroundFamily;
    else problems.push(`The link's broker family ("family=${family}") is not one the playground has (kafka, rabbitmq); it shows the built-in scenarios instead.`);
  }
  const scenario = q.get('scenario');
  if (scenario) params.scenario = scenario;
  const seed = q.get('seed');
  if (seed !== null) params.seed = seed;
  const nodes = q.get('nodes');
  if (nodes !== null) params.nodes = nodes;
  const faults = q.get('faults');
  if (faults) {
    const parsed = decodeJson(decodeBase64Url(faults));
    if (Array.isArray(parsed) && parsed.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) params.faults = parsed as FaultEntry[];
    else problems.push('The link\'s fault schedule ("faults=…") could not be read; it should be base64url-encoded JSON. The schedule was left empty.');
  }
  const topology = q.get('topology');
  if (topology) {
    const parsed = decodeJson(decodeBase64Url(topology));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) params.topology = parsed;
    else problems.push('The link\'s topology ("topology=…") could not be read; it should be base64url-encoded JSON. The default topology is shown instead.');
  }
  const code = q.get('code');
  if (code) {
    const text = decodeBase64Url(code);
    if (text !== undefined) params.code = text;
    else problems.push('The link\'s code ("code=…") could not be read; it should be base64url-encoded text. The starter is in the editor instead.');
  }
  return { params, problem: problems.length ? problems.join(' ') : undefined };
}

export function writePlaygroundParams(p: PlaygroundParams): URLSearchParams {
  const q = new URLSearchParams();
  if (p.family) q.set('family', p.family);
  if (p.scenario) q.set('scenario', p.scenario);
  if (p.seed !== undefined) q.set('seed', p.seed);
  if (p.nodes) q.set('nodes', p.nodes);
  if (p.faults && p.faults.length > 0) q.set('faults', encodeBase64Url(JSON.stringify(p.faults)));
  if (p.topology !== undefined) q.set('topology', encodeBase64Url(JSON.stringify(p.topology)));
  if (p.code !== undefined) q.set('code', encodeBase64Url(p.code));
  return q;
}
