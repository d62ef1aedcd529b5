import type { HistoryEntry } from '../sim/history';
import { LabInputError, releaseRun, runLab, type LabRunResult } from '../labs/lab';
import { checkPlaygroundConfig, formatConfigProblems, PLAYGROUND_FAMILIES, PLAYGROUND_STARTERS, playgroundDts, playgroundLab, type ConfigProblem, type PlaygroundConfig, type PlaygroundFamily } from '../labs/playground';
import { loadQuickJS, prepareLearnerProgram, type LearnerProblem } from '../labs/sandbox';

/**
 * The playground's broker families as a host sees them: the editor's `.d.ts` and starter per
 * family, and runs of a topology with the learner's code. The same functions serve the browser
 * worker and the CLI; only plain data goes in and out.
 */

export interface PlaygroundFamilyInfo {
  family: PlaygroundFamily;
  /** The `.d.ts` the editor loads for this family's API. */
  dts: string;
  starter: string;
}

export function playgroundFamilies(): PlaygroundFamilyInfo[] {
  return PLAYGROUND_FAMILIES.map((family) => ({ family, dts: playgroundDts(family), starter: PLAYGROUND_STARTERS[family] }));
}

export interface PlaygroundRunRequest {
  /** The topology as the form or a file has it (checked here). */
  config: unknown;
  code: string;
  seed: number;
  /** The fault panel's schedule, in the `--faults` JSON format. */
  faults?: unknown;
  /** Where the faults came from, for error messages. */
  faultsSource?: string;
}

/**
 * A playground run's outcome: a result, or why it could not start — a topology problem (each
 * naming its field), a problem in the learner's code (with its line), or a bad fault schedule.
 */
export type PlaygroundRunReply =
  | { ok: true; result: LabRunResult; config: PlaygroundConfig }
  | { ok: false; error: string; problem?: LearnerProblem; configProblems?: ConfigProblem[] };

/** Runs a playground topology with the learner's code, streaming the history; nothing runs unless topology and code are sound. */
export async function runPlayground(req: PlaygroundRunRequest, onBatch?: (batch: HistoryEntry[]) => void, batchSize = 4096): Promise<PlaygroundRunReply> {
  if (!Number.isSafeInteger(req.seed) || req.seed < 0) return { ok: false, error: `The seed is a whole number (0 or more); got ${String(req.seed)}.` };
  const checked = checkPlaygroundConfig(req.config);
  if (!checked.ok) return { ok: false, error: `The topology has ${checked.problems.length === 1 ? 'a problem' : `${checked.problems.length} problems`}:\n${formatConfigProblems(checked.problems)}`, configProblems: checked.problems };
  await loadQuickJS();
  const prepared = prepareLearnerProgram(req.code, { filename: 'handler.ts' });
  if (!prepared.ok) return { ok: false, error: prepared.problem.text, problem: prepared.problem };
  try {
    const { result, world } = runLab(playgroundLab(checked.config), prepared.program, { seed: req.seed, faults: req.faults, faultsSource: req.faultsSource ?? 'the fault schedule', onBatch, batchSize });
    releaseRun(world);
    return { ok: true, result, config: checked.config };
  } catch (e) {
    if (e instanceof LabInputError) return { ok: false, error: e.message };
    throw e;
  }
}
