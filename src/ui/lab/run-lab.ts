import type { LabRunReply, LabRunRequest } from '../../host/labs-engine';
import type { Engine } from '../engine-client';
import type { RunSession } from '../workspace/run-session';
import { streamIntoSession } from '../workspace/stream-into-session';
import { collectRunProblems, type RunProblem } from './learner-problems';

export interface LabRunOutcome {
  reply: LabRunReply;
  /** The learner's code's own problems seen in the history (exceptions, budgets), first of each. */
  problems: RunProblem[];
  /** False when a later run started before this one finished (its reply is then stale). */
  current: boolean;
}

/** Runs a lab in the worker with the learner's code, streaming its history and picking out the learner's problems on the way. */
export async function runLabIntoSession(engine: Engine, session: RunSession, req: LabRunRequest, nodeNames: readonly string[]): Promise<LabRunOutcome> {
  const problems: RunProblem[] = [];
  const out = await streamIntoSession(session, nodeNames, (onBatch) => engine.runLab(req, onBatch) as Promise<LabRunReply>, (json) => collectRunProblems(json, problems));
  return { ...out, problems };
}
