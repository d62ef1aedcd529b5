import type { HistoryEntry } from '../../../src/sim/history';
import type { NodeFactory } from '../../../src/sim/node';
import { World } from '../../../src/sim/world';
import { learnerNode, type LearnerNodeOptions } from '../../../src/labs/sandbox/learner-node';
import { LearnerKinds } from '../../../src/labs/sandbox/kinds';
import { prepareLearnerProgram, type LearnerProgram } from '../../../src/labs/sandbox/program';
import { Sandbox, type SandboxHost } from '../../../src/labs/sandbox/sandbox';
import type { LearnerProblem } from '../../../src/labs/sandbox/errors';
import type { ConsoleLine } from '../../../src/labs/sandbox/sandbox';
import type { Wire } from '../../../src/labs/sandbox/wire';
import { SimPromise } from '../../../src/sim/sim-promise';

/** Source lines joined with newlines, so a test can say "line 4" and mean it. */
export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

/** A checked program; fails the test with the learner-facing message when the code does not compile. */
export function program(source: string): LearnerProgram {
  const p = prepareLearnerProgram(source);
  if (!p.ok) throw new Error(`test program does not compile: ${p.problem.text}`);
  return p.program;
}

export type Data = Record<string, unknown>;

/** Entries of the given kinds, with their data. */
export function entries(world: World, ...kinds: string[]): HistoryEntry[] {
  return [...world.history.ofKind(...kinds)];
}

export function problems(world: World): Data[] {
  return entries(world, LearnerKinds.error, LearnerKinds.budget).map((e) => e.data as Data);
}

export function logs(world: World): Data[] {
  return entries(world, LearnerKinds.log).map((e) => e.data as Data);
}

/** A node that sends each payload to `to` at the given simulated millisecond. */
export function driver(to: string, sends: readonly { atMs: number; body: unknown }[]): NodeFactory {
  return (node) => {
    for (const s of sends) node.setTimer(Math.round(s.atMs * 1000), () => node.send(to, { wire: 'message', body: s.body } as Wire));
    return {};
  };
}

/**
 * One learner node 'svc' fed by a driver: the smallest world a scenario needs.
 *   const { world } = learnerWorld(src, [{ atMs: 0, body: 'go' }]);
 */
export function learnerWorld(source: string, sends: readonly { atMs: number; body: unknown }[], opts: Partial<LearnerNodeOptions> = {}, seed: number | string = 1) {
  const world = new World({ seed });
  world.addNode('driver', driver('svc', sends));
  const svc = world.addNode('svc', learnerNode({ program: program(source), ...opts }));
  return { world, svc };
}

/** A sandbox with an in-memory host that records what reaches it; `sleep` ops settle when `advance` is called. */
export function bareSandbox(source: string, opts: { budgets?: ConstructorParameters<typeof Object>[0] } = {}) {
  const problemsSeen: LearnerProblem[] = [];
  const consoleSeen: ConsoleLine[] = [];
  const ops: { path: string; args: readonly unknown[]; handler: string }[] = [];
  const timers: { atMs: number; settle: () => void }[] = [];
  let now = 0;
  const host: SandboxHost = {
    nowMs: () => now,
    random: () => 0.5,
    op(path, args, call) {
      ops.push({ path, args, handler: call.handler });
      if (path === 'sleep') {
        const p = new SimPromise<void>();
        timers.push({ atMs: now + (args[0] as number), settle: () => p.resolve() });
        return p;
      }
      if (path === 'send') return undefined;
      return SimPromise.resolved(null);
    },
    console: (l) => (consoleSeen.push(l), true),
    consoleCapped: () => undefined,
    problem: (p) => void problemsSeen.push(p),
  };
  const p = program(source);
  const sandbox = Sandbox.create({ module: p.module, host, budgets: opts.budgets as never });
  const advance = (ms: number): void => {
    now += ms;
    timers.sort((a, b) => a.atMs - b.atMs);
    while (timers.length > 0 && timers[0]!.atMs <= now) timers.shift()!.settle();
  };
  return { sandbox, problems: problemsSeen, console: consoleSeen, ops, advance };
}
