import * as Comlink from 'comlink';
import type { LabRunReply, LabRunRequest } from '../../host/labs-engine';
import { RunStopped, untilStopped, type Engine } from '../engine-client';
import type { RunSession } from '../workspace/run-session';
import { collectRunProblems, type RunProblem } from './learner-problems';

export interface LabRunOutcome {
  reply: LabRunReply;
  /** The learner's code's own problems seen in the history (exceptions, budgets), first of each. */
  problems: RunProblem[];
  /** False when a later run started before this one finished (its reply is then stale). */
  current: boolean;
}

const current = new WeakMap<RunSession, object>();

/**
 * Runs a lab in the worker with the learner's code and streams its history into the session,
 * exactly as the playground streams a scenario: JSON batches straight into the store, which
 * notifies the views at most once a frame. A later run makes an earlier run's late batches harmless.
 */
export async function runLabIntoSession(engine: Engine, session: RunSession, req: LabRunRequest, nodeNames: readonly string[]): Promise<LabRunOutcome> {
  const token = {};
  current.set(session, token);
  session.history.begin(nodeNames);
  session.timeline.toEnd();
  const problems: RunProblem[] = [];
  const onBatch = Comlink.proxy((json: string) => {
    if (current.get(session) !== token) return;
    session.history.appendJson(json);
    collectRunProblems(json, problems);
  });
  try {
    const reply = await untilStopped<LabRunReply>(engine.runLab(req, onBatch));
    const isCurrent = current.get(session) === token;
    if (isCurrent) {
      if (reply.ok) session.history.complete();
      else session.history.clear(nodeNames);
    }
    return { reply, problems, current: isCurrent };
  } catch (e) {
    // A stopped run keeps what it streamed: the views show the run up to where it was stopped.
    if (current.get(session) === token) {
      if (e instanceof RunStopped) {
        // Batches still queued on this page from the stopped worker are dropped: the views keep what they showed at Stop.
        current.delete(session);
        session.history.complete();
      }
      else session.history.clear(nodeNames);
    }
    throw e;
  }
}
