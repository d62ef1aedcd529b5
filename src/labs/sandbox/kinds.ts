/**
 * History kinds the learner-code runtime records. Checkers and views read these names, so they are
 * constants rather than strings scattered through the code.
 */
export const LearnerKinds = {
  /** The module ran its top level: at start and after every restart. Data: `{ exports }`. */
  loaded: 'learner.loaded',
  /** A console line. Data: `{ level, text, line?, column?, handler? }`. */
  log: 'learner.log',
  /** The node's console output reached its cap; later lines are dropped. Data: `{ linesMax }`. */
  logCapped: 'learner.log.capped',
  /** An uncaught error, a rejected handler, an unhandled rejection or a load failure. */
  error: 'learner.error',
  /** A handler ran past a budget (steps, memory or stack). */
  budget: 'learner.budget',
  /** A `ctx.db.put` became durable. Data: `{ key }`. */
  dbPut: 'learner.db.put',
  /** A `ctx.db.delete` became durable. Data: `{ key }`. */
  dbDelete: 'learner.db.delete',
  /** A `ctx.commit(msg)` was acknowledged by the message's source. Data: `{ id }`. */
  commit: 'learner.commit',
} as const;

export type LearnerKind = (typeof LearnerKinds)[keyof typeof LearnerKinds];
