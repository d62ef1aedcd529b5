/**
 * Drivers for end-to-end tests of the RabbitMQ model: a world with a cluster, clients that connect
 * over the simulated network, and `settle` to run the world until a SimPromise settles and return
 * its value (or throw its reason), so scenarios read top to bottom without `await`.
 */

import { SimPromise } from '../../../src/sim/sim-promise.ts';
import { ms, sec } from '../../../src/sim/time.ts';
import { World } from '../../../src/sim/world.ts';
import {
  AmqpKinds,
  connect,
  RabbitCluster,
  type Channel,
  type ConfirmChannel,
  type Connection,
  type Message,
  type RabbitConfig,
} from '../../../src/sim/broker/amqp/index.ts';

export interface SetupOptions {
  seed?: number;
  nodes?: number;
  config?: Partial<RabbitConfig>;
}

export function setup(opts: SetupOptions = {}) {
  const world = new World({ seed: opts.seed ?? 1 });
  const cluster = RabbitCluster.create(world, { nodes: opts.nodes ?? 1, config: opts.config });

  /** Runs until `p` settles (at most `maxUs` of simulated time) and returns its value. */
  function settle<T>(p: SimPromise<T>, maxUs = sec(120)): T {
    world.runUntilSettled(p, maxUs);
    if (p.state === 'fulfilled') return p.value as T;
    if (p.state === 'rejected') throw p.reason;
    throw new Error(`did not settle within ${maxUs}µs of simulated time`);
  }

  /** Runs until `p` settles and returns the error it was rejected with (fails if it fulfilled). */
  function fails<T>(p: SimPromise<T>, maxUs = sec(120)): Error & { code?: number } {
    world.runUntilSettled(p, maxUs);
    if (p.state !== 'rejected') throw new Error(`expected a rejection, got ${p.state} ${JSON.stringify(p.value)}`);
    return p.reason as Error & { code?: number };
  }

  function client(name: string, host = 'rabbit1', heartbeat?: number): Connection {
    return settle(connect(world, name, { hostname: host, ...(heartbeat === undefined ? {} : { heartbeat }) }));
  }

  function channel(conn: Connection): Channel {
    return settle(conn.createChannel());
  }

  function confirmChannel(conn: Connection): ConfirmChannel {
    return settle(conn.createConfirmChannel());
  }

  /** Lets the network carry everything in flight. */
  function idle(us = ms(50)): void {
    world.runFor(us);
  }

  /** History entries of a kind, with their data. */
  function entries(kind: string): Array<{ node: string; timeUs: number; data: Record<string, unknown> }> {
    return [...world.history.ofKind(kind)].map((e) => ({ node: e.node, timeUs: e.timeUs, data: e.data as Record<string, unknown> }));
  }

  return { world, cluster, settle, fails, client, channel, confirmChannel, idle, entries };
}

/** A consumer that records what it gets and optionally acks. */
export function recorder(ch: Channel, opts: { ack?: boolean } = {}) {
  const got: Message[] = [];
  const cb = (m: Message | null): void => {
    if (m === null) return;
    got.push(m);
    if (opts.ack === true) ch.ack(m);
  };
  return { got, cb, contents: () => got.map((m) => m.content) };
}

export { AmqpKinds, ms, sec };
