import { vcCompare, vcIncrement, vcMerge, type VectorClock } from '../clocks/vector';
import { nemesis } from '../network/nemesis';
import type { SimNode } from '../node';
import { ms } from '../time';
import type { World } from '../world';
import type { Scenario, ScenarioOptions } from './scenario';

type GossipMsg = { type: 'event'; vc: VectorClock } | { type: 'digest'; vc: VectorClock };

const EVENT_EVERY_US = ms(25);
const ANTI_ENTROPY_EVERY_US = ms(100);

/** A gossip node's volatile state; its own event counter is also written to disk. */
interface GossipState {
  vc: VectorClock;
}

/**
 * N nodes each create events and broadcast them stamped with vector clocks; anti-entropy digests
 * repair what partitions and crashes lost. The nemesis crashes, pauses and partitions nodes during
 * chaos; in the heal phase the clocks converge. A node's own counter is made durable with fsync,
 * so a crash loses knowledge of others but never reuses one of its own event numbers.
 */
export const gossip: Scenario = {
  name: 'gossip',
  description: 'N nodes broadcast events with vector clocks under nemesis partitions, crashes and pauses, then converge',
  chaosUs: ms(3_000),
  healUs: ms(2_000),
  nodeNames: (opts: ScenarioOptions) => Array.from({ length: opts.nodes ?? 5 }, (_, i) => `n${i + 1}`),
  build(world: World, opts: ScenarioOptions) {
    const names = gossip.nodeNames(opts);
    const chaosUs = gossip.chaosUs;
    for (const name of names) world.addNode(name, (node) => gossipNode(node, names, chaosUs));
    const faults = nemesis({ rng: world.rng.fork('nemesis'), intensity: opts.intensity ?? 0.5, nodes: names, durationUs: chaosUs });
    const clocks = (): VectorClock[] => names.map((n) => world.node(n).peek<ReturnType<typeof gossipNode>>()?.state.vc ?? {});
    return {
      faults,
      converged: () => {
        const all = clocks();
        return all.every((vc) => vcCompare(vc, all[0]!) === 'equal');
      },
      summary: () => {
        const all = clocks();
        return {
          nodes: names.length,
          converged: all.every((vc) => vcCompare(vc, all[0]!) === 'equal'),
          eventsKnown: Object.values(all[0] ?? {}).reduce((a, b) => a + b, 0),
        };
      },
    };
  },
};

function gossipNode(node: SimNode, names: readonly string[], stopUs: number) {
  const own = (node.disk.get('own') as number | undefined) ?? 0;
  const state: GossipState = { vc: own > 0 ? { [node.name]: own } : {} };
  const peers = names.filter((n) => n !== node.name);
  const broadcast = (msg: GossipMsg): void => {
    for (const p of peers) node.send(p, msg, { label: msg });
  };
  const createEvent = (): void => {
    if (node.nowUs >= stopUs) return;
    state.vc = vcIncrement(state.vc, node.name);
    const n = state.vc[node.name]!;
    node.diskPut('own', n);
    // Only broadcast once the counter is durable: after a crash the node resumes past it.
    node.fsync(() => broadcast({ type: 'event', vc: state.vc }));
    node.setTimer(EVENT_EVERY_US, createEvent);
  };
  const antiEntropy = (): void => {
    const p = node.rng.pick(peers);
    node.send(p, { type: 'digest', vc: state.vc }, { label: { type: 'digest', vc: state.vc } });
    node.setTimer(ANTI_ENTROPY_EVERY_US, antiEntropy);
  };
  node.setTimer(node.rng.int(0, EVENT_EVERY_US), createEvent);
  node.setTimer(node.rng.int(0, ANTI_ENTROPY_EVERY_US), antiEntropy);
  return {
    state,
    onMessage(payload: unknown, env: { from: string }) {
      const m = payload as GossipMsg;
      const before = state.vc;
      state.vc = vcMerge(state.vc, m.vc);
      // Answer a digest that knows less than we do, so the sender catches up.
      if (m.type === 'digest' && vcCompare(m.vc, state.vc) !== 'equal') {
        node.send(env.from, { type: 'event', vc: state.vc }, { label: { type: 'event', vc: state.vc } });
      }
      if (vcCompare(before, state.vc) !== 'equal') node.record('gossip.merge', { vc: state.vc });
    },
  };
}
