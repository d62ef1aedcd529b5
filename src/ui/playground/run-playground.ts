import type { PlaygroundRunReply, PlaygroundRunRequest } from '../../host/playground-engine';
import type { Engine } from '../engine-client';
import { collectRunProblems, type RunProblem } from '../lab/learner-problems';
import type { RunSession } from '../workspace/run-session';
import { streamIntoSession } from '../workspace/stream-into-session';

export interface PlaygroundRunOutcome {
  reply: PlaygroundRunReply;
  /** The learner's own problems seen in the history (exceptions, budgets), first of each. */
  problems: RunProblem[];
  /** False when a later run started before this one finished (its reply is then stale). */
  current: boolean;
}

/** Runs a broker-family playground in the worker, streaming its history and picking out the learner's problems on the way. */
export async function runPlaygroundIntoSession(engine: Engine, session: RunSession, req: PlaygroundRunRequest, nodeNames: readonly string[]): Promise<PlaygroundRunOutcome> {
  const problems: RunProblem[] = [];
  const out = await streamIntoSession(session, nodeNames, (onBatch) => engine.runPlayground(req, onBatch) as Promise<PlaygroundRunReply>, (json) => collectRunProblems(json, problems));
  return { ...out, problems };
}
