import { describe, expect, it } from 'vitest';
import { Kinds } from '../../../src/sim/history';
import { lossRule, duplicateRule, reorderRule } from '../../../src/sim/network/rules';
import { World } from '../../../src/sim/world';

/**
 * Stream sends model a TCP connection: what the application wrote arrives once, in order, or not
 * at all because an end crashed. Partitions hold packets instead of dropping them.
 */
function pair(seed = 1) {
  const w = new World({ seed });
  const got: string[] = [];
  w.addNode('a', () => ({}));
  w.addNode('b', () => ({ onMessage: (p) => void got.push(p as string) }));
  const send = (s: string) => w.node('a').send('b', s, { stream: true });
  return { w, got, send };
}

describe('stream sends', () => {
  it('hold packets across a partition and deliver them in order after the heal', () => {
    const { w, got, send } = pair();
    send('1');
    w.partition(['a'], ['b']);
    send('2');
    send('3');
    w.runFor(1_000_000);
    expect(got).toEqual([]);
    w.heal().runFor(1_000_000);
    expect(got).toEqual(['1', '2', '3']);
    expect([...w.history.ofKind(Kinds.drop)]).toEqual([]);
  });

  it('retransmit a lost packet later and keep the ones behind it waiting', () => {
    const { w, got, send } = pair();
    const rule = w.network.addRule((id) => lossRule(id, 1));
    send('1');
    w.network.removeRule(rule);
    send('2');
    w.runFor(100_000);
    expect(got).toEqual([]);
    w.runFor(1_000_000);
    expect(got).toEqual(['1', '2']);
    expect([...w.history.ofKind(Kinds.retransmit)]).toHaveLength(1);
  });

  it('discard duplicates and never let a reordered packet be overtaken', () => {
    const { w, got, send } = pair();
    w.network.addRule((id) => duplicateRule(id, 0.5));
    w.network.addRule((id) => reorderRule(id, 0.5, 50_000));
    for (let i = 0; i < 50; i++) send(String(i));
    w.runFor(5_000_000);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('lose held packets when the sender crashed before the heal', () => {
    const { w, got, send } = pair();
    w.partition(['a'], ['b']);
    send('1');
    w.crash('a').restart('a').heal().runFor(1_000_000);
    expect(got).toEqual([]);
    expect([...w.history.ofKind(Kinds.drop)].map((e) => (e.data as { reason: string }).reason)).toEqual(['sender-crashed']);
  });
});

describe('node receivers', () => {
  it('see messages before the behaviour, and a crash detaches them', () => {
    const w = new World({ seed: 1 });
    const seen: string[] = [];
    w.addNode('a', () => ({}));
    w.addNode('b', () => ({ onMessage: (p) => void seen.push(`behaviour:${p as string}`) }));
    w.node('b').addReceiver((p) => p === 'mine' && seen.push('receiver:mine') > 0);
    w.node('a').send('b', 'mine');
    w.node('a').send('b', 'other');
    w.runFor(1_000_000);
    w.crash('b').restart('b');
    w.node('a').send('b', 'mine');
    w.runFor(1_000_000);
    expect(seen).toEqual(['receiver:mine', 'behaviour:other', 'behaviour:mine']);
  });
});
