import { assign, setup } from 'xstate';

/** A hint that unlocks after a number of failed check runs. */
export interface ProgressHint {
  afterFailures: number;
}

export interface ProgressContext {
  labId: string;
  /** Check runs that did not pass. */
  failures: number;
  /** Check runs in all. */
  attempts: number;
  /** How many of the lab's hints are unlocked (hints are ordered by `afterFailures`). */
  hintsUnlocked: number;
  hints: readonly ProgressHint[];
  /** Score of the best run so far, and of the last run. */
  bestPoints: number;
  lastPoints: number;
  totalPoints: number;
}

export type ProgressEvent =
  | { type: 'EDIT' }
  | { type: 'RUN' }
  | { type: 'CHECKED'; passed: boolean; points: number }
  | { type: 'RUN_FAILED' }
  | { type: 'RESET' };

export interface ProgressInput {
  labId: string;
  hints: readonly ProgressHint[];
  totalPoints: number;
}

function unlocked(hints: readonly ProgressHint[], failures: number): number {
  return hints.filter((h) => h.afterFailures <= failures).length;
}

/**
 * A learner's progress through one lab: not started → editing → running → checked → passed.
 * Hints unlock after failed attempts. Passing is sticky: editing again after a pass keeps the
 * lab passed (the UI shows it), and the best score is kept. The snapshot is plain data, so the UI
 * persists it (IndexedDB) with `actor.getPersistedSnapshot()` and restores it with `snapshot`.
 */
export const labProgressMachine = setup({
  types: {
    context: {} as ProgressContext,
    events: {} as ProgressEvent,
    input: {} as ProgressInput,
  },
  guards: {
    didPass: ({ event }) => event.type === 'CHECKED' && event.passed,
  },
  actions: {
    recordResult: assign(({ context, event }) => {
      if (event.type !== 'CHECKED') return {};
      const failures = context.failures + (event.passed ? 0 : 1);
      return {
        attempts: context.attempts + 1,
        failures,
        hintsUnlocked: unlocked(context.hints, failures),
        lastPoints: event.points,
        bestPoints: Math.max(context.bestPoints, event.points),
      };
    }),
  },
}).createMachine({
  id: 'labProgress',
  context: ({ input }) => ({
    labId: input.labId,
    failures: 0,
    attempts: 0,
    hintsUnlocked: unlocked(input.hints, 0),
    hints: input.hints,
    bestPoints: 0,
    lastPoints: 0,
    totalPoints: input.totalPoints,
  }),
  initial: 'notStarted',
  states: {
    notStarted: { on: { EDIT: 'editing', RUN: 'running' } },
    editing: { on: { RUN: 'running', RESET: 'notStarted' } },
    running: {
      on: {
        CHECKED: [
          { guard: 'didPass', target: 'passed', actions: 'recordResult' },
          { target: 'checked', actions: 'recordResult' },
        ],
        // The run could not start (a syntax error): back to editing, not a failed attempt.
        RUN_FAILED: 'editing',
      },
    },
    checked: { on: { EDIT: 'editing', RUN: 'running', RESET: 'notStarted' } },
    passed: {
      // Once passed, a lab stays passed; the learner may keep improving it.
      on: { EDIT: 'passedEditing', RUN: 'passedRunning' },
    },
    passedEditing: { on: { RUN: 'passedRunning' } },
    passedRunning: {
      on: {
        CHECKED: { target: 'passed', actions: 'recordResult' },
        RUN_FAILED: 'passedEditing',
      },
    },
  },
});

/** The three states a catalog shows. */
export type ProgressStatus = 'not started' | 'in progress' | 'passed';

/** Maps a progress state to what the catalog shows. */
export function progressStatus(state: string): ProgressStatus {
  if (state === 'notStarted') return 'not started';
  if (state.startsWith('passed')) return 'passed';
  return 'in progress';
}
