import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../host/worker';

/** The page's handle on the engine worker. One worker per page; the UI never holds engine objects. */
export function connectEngine(): Comlink.Remote<EngineWorkerApi> {
  const worker = new Worker(new URL('../host/worker.ts', import.meta.url), { type: 'module', name: 'brokerlab-engine' });
  return Comlink.wrap<EngineWorkerApi>(worker);
}
