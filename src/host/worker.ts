/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { HistoryEntry } from '../sim';
import { listScenarios, runScenario, scenarioInfo, type ScenarioRunRequest, type ScenarioRunResult } from './engine';
import { InputError } from './input-error';
import { labNodeNames, listLabs, runLabInWorker, type LabRunReply, type LabRunRequest } from './labs-engine';
import { loadQuickJS, runHostileSuite, type HostileResult } from '../labs/sandbox';
import { playgroundFamilies, runPlayground, type PlaygroundRunReply, type PlaygroundRunRequest } from './playground-engine';

/** What the page gets back: a result, or the message of bad input (plain data either way). */
export type WorkerRunReply = { ok: true; result: ScenarioRunResult } | { ok: false; error: string };

/**
 * The browser host: the engine in a Web Worker, exposed through comlink. History streams to the
 * page in batches through a proxied callback; only plain data crosses the boundary.
 */
const api = {
  listScenarios,
  scenarioInfo,
  async run(req: ScenarioRunRequest, onBatch?: (batch: HistoryEntry[]) => unknown): Promise<WorkerRunReply> {
    try {
      // Batches travel on the callback's own port; wait for them so the page has every entry
      // before it sees the result.
      const delivered: unknown[] = [];
      // 256 entries a batch: the page deserialises each batch in one task, and this keeps that
      // task to a few milliseconds even when every entry carries a twenty-node vector clock.
      const { result } = runScenario(req, { onBatch: onBatch && ((batch) => void delivered.push(onBatch(batch))), batchSize: 256 });
      await Promise.all(delivered);
      return { ok: true, result };
    } catch (e) {
      if (e instanceof InputError) return { ok: false, error: e.message };
      throw e;
    }
  },
};

/**
 * Like `run`, but each batch crosses as one JSON string instead of objects. A string crosses as a
 * copy of its bytes, where objects are rebuilt one by one on the page's main thread; and the page
 * can keep a long history as a few large strings instead of a hundred thousand small objects.
 */
async function runJson(req: ScenarioRunRequest, onBatch: (json: string) => unknown): Promise<WorkerRunReply> {
  return api.run(req, (batch) => onBatch(JSON.stringify(batch)));
}

/** Runs a lab with the learner's code; batches cross as JSON text, like `runJson`. */
async function runLabJson(req: LabRunRequest, onBatch?: (json: string) => unknown): Promise<LabRunReply> {
  const delivered: unknown[] = [];
  const reply = await runLabInWorker(req, onBatch && ((batch) => void delivered.push(onBatch(JSON.stringify(batch)))));
  await Promise.all(delivered);
  return reply;
}

/** The learner sandbox's hostile-code suite, run in this worker (the same cases as `brokerlab selftest`). */
async function selftest(only?: string[]): Promise<HostileResult[]> {
  await loadQuickJS();
  return runHostileSuite({ only });
}

/** Runs a playground topology with the learner's code; batches cross as JSON text, like `runJson`. */
async function runPlaygroundJson(req: PlaygroundRunRequest, onBatch?: (json: string) => unknown): Promise<PlaygroundRunReply> {
  const delivered: unknown[] = [];
  const reply = await runPlayground(req, onBatch && ((batch) => void delivered.push(onBatch(JSON.stringify(batch)))));
  await Promise.all(delivered);
  return reply;
}

const exposed = { ...api, runJson, listLabs, labNodeNames, runLab: runLabJson, selftest, playgroundFamilies, runPlayground: runPlaygroundJson };

export type EngineWorkerApi = typeof exposed;

Comlink.expose(exposed);
