import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../host/worker';

export type Engine = Comlink.Remote<EngineWorkerApi>;

/** A fresh engine worker. The UI never holds engine objects: only plain data crosses. */
export function connectEngine(): Engine {
  const worker = new Worker(new URL('../host/worker.ts', import.meta.url), { type: 'module', name: 'brokerlab-engine' });
  return Comlink.wrap<EngineWorkerApi>(worker);
}

let shared: Engine | undefined;

/** The page's one engine worker, started on first use and shared by every page. */
export function engine(): Engine {
  shared ??= connectEngine();
  return shared;
}
