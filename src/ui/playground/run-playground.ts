import * as Comlink from 'comlink';
import type { PlaygroundRunReply, PlaygroundRunRequest } from '../../host/playground-engine';
import { RunStopped, untilStopped, type Engine } from '../engine-client';
import { collectRunProblems, type RunProblem } from '../lab/learner-problems';
import type { RunSession } from '../workspace/run-session';

export interface PlaygroundRunOutcome {
  reply: PlaygroundRunReply;
  /** The learner's own problems seen in the history (exceptions, budgets), first of each. */
  problems: RunProblem[];
  /** False when a later run started before this one finished (its reply is then stale). */
  current: boolean;
}

const current = new WeakMap<RunSession, object>();

/**
 * Runs a broker-family playground in the worker and streams its history into the session, as a
 * lab run does: JSON batches straight into the store, the learner's problems picked out of them
 * on the way. A later run makes an earlier run's late batches harmless.
 */
export async function runPlaygroundIntoSession(engine: Engine, session: RunSession, req: PlaygroundRunRequest, nodeNames: readonly string[]): Promise<PlaygroundRunOutcome> {
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
    const reply = await untilStopped<PlaygroundRunReply>(engine.runPlayground(req, onBatch));
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
