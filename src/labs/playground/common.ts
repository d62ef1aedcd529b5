import type { SimNode } from '../../sim/node';
import type { Json } from '../sandbox/api';
import { LearnerKinds } from '../sandbox/kinds';
import type { LearnerBehavior } from '../sandbox/learner-node';

/**
 * What the Kafka and RabbitMQ playgrounds share: the run's phases, how producers are started, and
 * the progress the heal phase waits for.
 */

/** Every playground run: 8 s of workload and faults, then up to 10 s to heal and catch up. */
export const PLAYGROUND_CHAOS_MS = 8_000;
export const PLAYGROUND_HEAL_MS = 10_000;

/** What every family's `produce(start, ctx)` receives, besides its own fields. */
export interface ProducerStartBase {
  node: string;
  index: number;
  messages: number;
}

interface Scope {
  scope: string;
  /** Kafka: the topic the group reads; RabbitMQ: undefined (a scope counts every message). */
  topic?: string;
}

/**
 * Progress of a run, for the heal phase to end early: every producer's `produce` has returned and
 * every scope (a consumer group) has handled every acknowledged message of its topic. Kept as
 * counts updated when things happen, because the kernel asks after every event.
 */
export class Progress {
  private readonly producersDone = new Set<string>();
  private readonly ackedByTopic = new Map<string, Set<string>>();
  private readonly handledBy = new Map<string, Set<string>>();
  /** Per scope: acknowledged messages of its topic it has not handled yet. */
  private readonly missing = new Map<string, number>();
  private readonly seq = new Map<string, number>();
  /** RabbitMQ: confirmed messages no scope has handled yet (a queue's consumers, any queue). */
  private readonly ackedAll = new Set<string>();
  private readonly anyHandled = new Set<string>();
  private unhandledAcked = 0;

  constructor(
    private readonly producers: number,
    private readonly scopes: readonly Scope[],
    /** RabbitMQ: also wait until every confirmed message was handled somewhere (when there are consumers). */
    private readonly waitForAny = false,
  ) {
    for (const s of scopes) {
      this.handledBy.set(s.scope, new Set());
      this.missing.set(s.scope, 0);
    }
  }

  /** A message id unique over the run: the producer node and a count that survives its restarts. */
  nextId(node: string): string {
    const n = (this.seq.get(node) ?? 0) + 1;
    this.seq.set(node, n);
    return `${node}#${n}`;
  }

  producerDone(node: string): void {
    this.producersDone.add(node);
  }

  acked(topic: string | undefined, id: string): void {
    if (topic !== undefined) {
      let set = this.ackedByTopic.get(topic);
      if (!set) this.ackedByTopic.set(topic, (set = new Set()));
      if (!set.has(id)) {
        set.add(id);
        for (const s of this.scopes) if (s.topic === topic && !this.handledBy.get(s.scope)!.has(id)) this.missing.set(s.scope, this.missing.get(s.scope)! + 1);
      }
    }
    if (!this.ackedAll.has(id)) {
      this.ackedAll.add(id);
      if (!this.anyHandled.has(id)) this.unhandledAcked++;
    }
  }

  handled(scope: string, id: string): void {
    const set = this.handledBy.get(scope);
    if (set && !set.has(id)) {
      set.add(id);
      const topic = this.scopes.find((s) => s.scope === scope)?.topic;
      if (topic !== undefined && this.ackedByTopic.get(topic)?.has(id)) this.missing.set(scope, this.missing.get(scope)! - 1);
    }
    if (!this.anyHandled.has(id)) {
      this.anyHandled.add(id);
      if (this.ackedAll.has(id)) this.unhandledAcked--;
    }
  }

  converged(): boolean {
    if (this.producersDone.size < this.producers) return false;
    for (const m of this.missing.values()) if (m > 0) return false;
    return !this.waitForAny || this.unhandledAcked === 0;
  }
}

/**
 * Calls the learner's `produce(start, ctx)` on a producer node once `when` says the node is ready
 * (its topics exist, its client is connected), in this incarnation only. A node that restarts
 * calls it again, with `restarts` counting the crashes, as a real service starts over.
 */
export function startProducer(node: SimNode, start: Record<string, Json>, progress: Progress, when: (go: () => void) => void): void {
  const incarnation = node.incarnation;
  const go = (): void => {
    if (node.incarnation !== incarnation || node.state === 'crashed') return;
    const sb = node.peek<LearnerBehavior>()?.sandbox;
    if (!sb || sb.status !== 'ready') return progress.producerDone(node.name);
    sb.invoke('produce', { ...start, restarts: incarnation }, (r) => {
      // A refused call (no `produce` export) is not reported by the sandbox: say so where the learner looks.
      if (!r.ok && !r.reported) node.record(LearnerKinds.error, { handler: 'produce', kind: r.problem.kind, name: r.problem.name, message: r.problem.message, text: r.problem.text });
      progress.producerDone(node.name);
    });
  };
  // The sandbox of this incarnation exists once the boot that built the node's ops has finished.
  node.setTimer(0, () => when(go));
}
