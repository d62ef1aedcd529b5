import type { FaultEntry } from '../faults/fault-entry';
import { readPlaygroundParams, writePlaygroundParams } from '../playground/playground-url';

/**
 * What a lab link carries besides the lab: `#/lab/<id>?seed=3&faults=<base64url JSON>`, the same
 * encoding as the playground's, so a run (with the reader's own code) can be shared.
 */
export interface LabParams {
  seed?: string;
  faults?: FaultEntry[];
}

export function readLabParams(q: URLSearchParams): { params: LabParams; problem?: string } {
  const { params, problem } = readPlaygroundParams(q);
  const out: LabParams = {};
  if (params.seed !== undefined) out.seed = params.seed;
  if (params.faults) out.faults = params.faults;
  return { params: out, problem };
}

export function writeLabParams(p: LabParams): URLSearchParams {
  return writePlaygroundParams({ seed: p.seed, faults: p.faults });
}
