import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../host/worker';

export type Engine = Comlink.Remote<EngineWorkerApi>;

/** A fresh engine worker. The UI never holds engine objects: only plain data crosses. */
export function connectEngine(): { engine: Engine; worker: Worker } {
  const worker = new Worker(new URL('../host/worker.ts', import.meta.url), { type: 'module', name: 'brokerlab-engine' });
  return { engine: Comlink.wrap<EngineWorkerApi>(worker), worker };
}

let shared: { engine: Engine; worker: Worker } | undefined;

/**
 * The page's one engine worker, started on first use and shared by every page. Every call made
 * through it rejects with RunStopped if `stopEngine` ends the worker first, so nothing awaits a
 * worker that is gone (a run, or the scenario lookup just before it).
 */
export function engine(): Engine {
  if (!shared) {
    const connected = connectEngine();
    shared = { worker: connected.worker, engine: stoppable(connected.engine) };
  }
  return shared.engine;
}

function stoppable(remote: Engine): Engine {
  return new Proxy(remote, {
    get(target, prop, receiver) {
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || prop === 'then' || typeof member !== 'function') return member;
      return (...args: unknown[]) => untilStopped(Promise.resolve((member as (...a: unknown[]) => unknown)(...args)));
    },
  });
}

/** What a stopped run's promise rejects with. */
export class RunStopped extends Error {
  constructor() {
    super('the run was stopped');
    this.name = 'RunStopped';
  }
}

const stopWaiters = new Set<(e: RunStopped) => void>();

/**
 * Stops whatever the engine is running, at once. A run is one synchronous loop inside the worker
 * (it cannot be interrupted from outside), so the worker is terminated and the next call starts a
 * fresh one (module and QuickJS load again, about a second). Calls wrapped in `untilStopped`
 * reject with RunStopped; what the run streamed before stays with the page.
 */
export function stopEngine(): void {
  if (!shared) return;
  shared.worker.terminate();
  shared = undefined;
  const waiters = [...stopWaiters];
  stopWaiters.clear();
  for (const reject of waiters) reject(new RunStopped());
}

/** `call`, or a RunStopped rejection as soon as `stopEngine` is called while it is pending. */
function untilStopped<T>(call: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    stopWaiters.add(reject);
    call.then(
      (v) => {
        stopWaiters.delete(reject);
        resolve(v);
      },
      (e: unknown) => {
        stopWaiters.delete(reject);
        reject(e);
      },
    );
  });
}
