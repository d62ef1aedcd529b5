import * as Comlink from 'comlink';
import type { ScenarioRunRequest } from '../../host/engine';
import type { WorkerRunReply } from '../../host/worker';
import { RunStopped, untilStopped, type Engine } from '../engine-client';
import type { RunSession } from '../workspace/run-session';

/**
 * Runs a scenario in the worker and streams its history into a session. Batches arrive as JSON
 * text and go straight into the store (no React state per batch); the store tells the views at
 * most once per frame. A later run
 * makes an earlier run's late batches harmless: they are dropped by the token check.
 */
export async function runIntoSession(engine: Engine, session: RunSession, req: ScenarioRunRequest, nodeNames: readonly string[]): Promise<WorkerRunReply> {
  const token = {};
  current.set(session, token);
  session.history.begin(nodeNames);
  session.timeline.toEnd();
  const onBatch = Comlink.proxy((json: string) => {
    if (current.get(session) === token) session.history.appendJson(json);
  });
  try {
    const reply = await untilStopped<WorkerRunReply>(engine.runJson(req, onBatch));
    if (current.get(session) === token) {
      if (reply.ok) session.history.complete();
      else session.history.clear();
    }
    return reply;
  } catch (e) {
    // A stopped run keeps what it streamed: the views show the run up to where it was stopped.
    if (current.get(session) === token) {
      if (e instanceof RunStopped) {
        // Batches still queued on this page from the stopped worker are dropped: the views keep what they showed at Stop.
        current.delete(session);
        session.history.complete();
      }
      else session.history.clear();
    }
    throw e;
  }
}

const current = new WeakMap<RunSession, object>();
