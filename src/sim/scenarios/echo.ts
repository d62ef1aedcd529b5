import type { SimNode } from '../node';
import { ms } from '../time';
import type { World } from '../world';
import type { Scenario, ScenarioOptions } from './scenario';

type EchoMsg = { type: 'ping'; seq: number } | { type: 'pong'; seq: number };

const CLIENTS = 3;
const PING_EVERY_US = ms(10);
const TIMEOUT_US = ms(50);
const RETRIES_MAX = 5;

/** Counts kept by a client; volatile, as everything a behaviour holds. */
interface ClientStats {
  sent: number;
  retries: number;
  acked: number;
  gaveUp: number;
}

/**
 * Clients ping one server across a lossy network and retry on a timeout, the smallest story of
 * at-least-once delivery: retries recover lost pings, and a lost pong makes the server see a
 * duplicate.
 */
export const echo: Scenario = {
  name: 'echo',
  description: 'three clients ping a server across a network that loses 10% of packets; clients retry on timeout',
  chaosUs: ms(2_000),
  healUs: ms(500),
  nodeNames: () => ['server', ...Array.from({ length: CLIENTS }, (_, i) => `c${i + 1}`)],
  build(world: World, _opts: ScenarioOptions) {
    const seen = new Map<string, number>();
    let duplicates = 0;
    world.addNode('server', (node) => ({
      onMessage(payload, env) {
        const m = payload as EchoMsg;
        if (m.type !== 'ping') return;
        const key = `${env.from}/${m.seq}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n > 1) duplicates++;
        node.send(env.from, { type: 'pong', seq: m.seq }, { label: { type: 'pong', seq: m.seq } });
      },
    }));
    const stats: ClientStats[] = [];
    const chaosUs = echo.chaosUs;
    for (let i = 1; i <= CLIENTS; i++) {
      const s: ClientStats = { sent: 0, retries: 0, acked: 0, gaveUp: 0 };
      stats.push(s);
      world.addNode(`c${i}`, (node) => client(node, s, chaosUs));
    }
    world.network.addRule((id) => ({ id, kind: 'loss', decide: (rng) => (rng.chance(0.1) ? 'drop' : 'pass') }));
    return {
      summary: () => ({
        pings: stats.reduce((a, s) => a + s.sent, 0),
        retries: stats.reduce((a, s) => a + s.retries, 0),
        acked: stats.reduce((a, s) => a + s.acked, 0),
        gaveUp: stats.reduce((a, s) => a + s.gaveUp, 0),
        serverDuplicates: duplicates,
      }),
    };
  },
};

function client(node: SimNode, stats: ClientStats, stopUs: number) {
  const pending = new Map<number, { attempts: number; timer: ReturnType<SimNode['setTimer']> }>();
  let seq = 0;
  const transmit = (s: number, attempts: number): void => {
    node.send('server', { type: 'ping', seq: s }, { label: { type: 'ping', seq: s, attempt: attempts } });
    const timer = node.setTimer(TIMEOUT_US, () => {
      if (attempts >= RETRIES_MAX) {
        pending.delete(s);
        stats.gaveUp++;
        return;
      }
      stats.retries++;
      transmit(s, attempts + 1);
    });
    pending.set(s, { attempts, timer });
  };
  const tick = (): void => {
    if (node.nowUs >= stopUs) return;
    seq++;
    stats.sent++;
    transmit(seq, 1);
    node.setTimer(PING_EVERY_US, tick);
  };
  node.setTimer(node.rng.int(0, PING_EVERY_US), tick);
  return {
    onMessage(payload: unknown) {
      const m = payload as EchoMsg;
      const p = m.type === 'pong' ? pending.get(m.seq) : undefined;
      if (!p) return;
      node.cancelTimer(p.timer);
      pending.delete(m.seq);
      stats.acked++;
    },
  };
}
