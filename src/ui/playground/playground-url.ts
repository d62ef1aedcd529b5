import type { FaultEntry } from '../faults/fault-entry';
import { decodeBase64Url, encodeBase64Url } from './base64url';

/**
 * What a playground link carries, so a run can be shared and reproduced:
 * `#/playground?scenario=gossip&seed=3&nodes=20&faults=<base64url JSON>`.
 */
export interface PlaygroundParams {
  scenario?: string;
  seed?: string;
  nodes?: string;
  faults?: FaultEntry[];
}

export type ParsedParams = { params: PlaygroundParams; problem?: string };

export function readPlaygroundParams(q: URLSearchParams): ParsedParams {
  const params: PlaygroundParams = {};
  let problem: string | undefined;
  const scenario = q.get('scenario');
  if (scenario) params.scenario = scenario;
  const seed = q.get('seed');
  if (seed !== null) params.seed = seed;
  const nodes = q.get('nodes');
  if (nodes !== null) params.nodes = nodes;
  const faults = q.get('faults');
  if (faults) {
    const text = decodeBase64Url(faults);
    let parsed: unknown;
    try {
      parsed = text === undefined ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) params.faults = parsed as FaultEntry[];
    else problem = 'The link\'s fault schedule ("faults=…") could not be read; it should be base64url-encoded JSON. The schedule was left empty.';
  }
  return { params, problem };
}

export function writePlaygroundParams(p: PlaygroundParams): URLSearchParams {
  const q = new URLSearchParams();
  if (p.scenario) q.set('scenario', p.scenario);
  if (p.seed !== undefined) q.set('seed', p.seed);
  if (p.nodes) q.set('nodes', p.nodes);
  if (p.faults && p.faults.length > 0) q.set('faults', encodeBase64Url(JSON.stringify(p.faults)));
  return q;
}
