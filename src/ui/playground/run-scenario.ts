import type { ScenarioRunRequest } from '../../host/engine';
import type { WorkerRunReply } from '../../host/worker';
import type { Engine } from '../engine-client';
import type { RunSession } from '../workspace/run-session';
import { streamIntoSession } from '../workspace/stream-into-session';

/** Runs a built-in scenario (or a demo) in the worker and streams its history into a session. */
export async function runIntoSession(engine: Engine, session: RunSession, req: ScenarioRunRequest, nodeNames: readonly string[]): Promise<WorkerRunReply> {
  const { reply } = await streamIntoSession(session, nodeNames, (onBatch) => engine.runJson(req, onBatch) as Promise<WorkerRunReply>);
  return reply;
}
