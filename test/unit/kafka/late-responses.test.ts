/**
 * A Kafka response that arrives after its request was given up — the request timed out, or the
 * client process crashed and restarted since it sent it — belongs to a connection that no longer
 * exists. A real client never hands it to the application: the Java client closes the connection
 * when a request times out (NetworkClient's `request.timeout.ms` handling: "the client will
 * disconnect and retry", https://kafka.apache.org/documentation/#producerconfigs_request.timeout.ms),
 * and a restarted process has fresh sockets. In the simulator every message to a node goes through
 * its receivers and then its behaviour, so the client runtime has to take such responses itself;
 * before it did, labs' learner handlers were called with raw Kafka responses after a restart.
 */
import { describe, expect, it } from 'vitest';
import { applyFault } from '../../../src/sim/network/faults';
import type { World } from '../../../src/sim/world';
import { createTopic, ms, settle, startCluster } from './kafka-test-helpers.ts';

/** An application node whose own code records every message that reaches it. */
function appNode(world: World, name: string): unknown[] {
  const reached: unknown[] = [];
  world.addNode(name, () => ({ onMessage: (payload) => void reached.push(payload) }));
  return reached;
}

function slowLinkFromBrokers(world: World, to: string, addMs: number): void {
  applyFault(world, { atUs: world.nowUs, kind: 'latency', to, addUs: addMs * 1000 });
}

describe('late Kafka responses never reach the application', () => {
  it('a response to a request sent before a crash arrives after the restart and is dropped', () => {
    const s = startCluster(71);
    createTopic(s, 't', 1, 3);
    // The application process makes its producer and connects whenever it starts, as a real one would.
    const reached: unknown[] = [];
    let producer: ReturnType<ReturnType<typeof s.cluster.client>['producer']> | undefined;
    s.world.addNode('app', () => {
      producer = s.cluster.client('app').producer({ acks: -1, 'request.timeout.ms': 30_000 });
      void producer.connect();
      return { onMessage: (payload) => void reached.push(payload) };
    });
    s.world.runFor(ms(500));
    // The brokers' answers to app now take 300 ms; app crashes and is back before they land.
    slowLinkFromBrokers(s.world, 'app', 300);
    void producer!.send({ topic: 't', messages: [{ value: 'v' }] });
    const node = s.world.node('app');
    s.world.runFor(ms(20));
    node.crash();
    s.world.runFor(ms(30));
    node.restart();
    const restartedUs = s.world.nowUs;
    s.world.runFor(ms(1000));
    const delivered = s.world.history.slice().filter((e) => e.kind === 'deliver' && e.node === 'app' && e.timeUs > restartedUs);
    expect(delivered.length, 'the brokers did answer the old incarnation after the restart').toBeGreaterThan(0);
    expect(reached).toEqual([]);
  });

  it('a response that outlives its request timeout is dropped, and the application hears nothing', () => {
    const s = startCluster(72);
    createTopic(s, 't', 1, 3);
    const reached = appNode(s.world, 'app');
    const producer = s.cluster.client('app').producer({ acks: -1, retries: 0, 'request.timeout.ms': 200, 'delivery.timeout.ms': 400 });
    settle(s.world, producer.connect());
    slowLinkFromBrokers(s.world, 'app', 600);
    const sent = producer.send({ topic: 't', messages: [{ value: 'v' }] });
    s.world.runFor(ms(2000));
    expect(sent.state, 'the send gave up before the answer came').toBe('rejected');
    const late = s.world.history.slice().filter((e) => e.kind === 'deliver' && e.node === 'app' && e.timeUs > 200_000);
    expect(late.length).toBeGreaterThan(0);
    expect(reached).toEqual([]);
  });

  it('messages that are not Kafka responses still reach the application', () => {
    const s = startCluster(73);
    const reached = appNode(s.world, 'app');
    s.cluster.client('app').producer();
    s.world.addNode('peer', () => ({}));
    s.world.node('peer').send('app', { re: 'not a number', hello: true });
    s.world.node('peer').send('app', { order: 1 });
    s.world.runFor(ms(100));
    expect(reached).toEqual([{ re: 'not a number', hello: true }, { order: 1 }]);
  });
});
