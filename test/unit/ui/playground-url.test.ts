import { describe, expect, it } from 'vitest';
import { defaultKafkaConfig } from '../../../src/labs/playground/config';
import { readPlaygroundParams, writePlaygroundParams } from '../../../src/ui/playground/playground-url';

/** The playground's address: links made before broker families still open the same run; broker runs round-trip. */
describe('playground links', () => {
  it('a built-in scenario link reads and writes as it always did', () => {
    const faults = [{ at: 400, kind: 'crash', node: 'n2' }];
    const q = writePlaygroundParams({ scenario: 'echo', seed: '4', faults });
    expect(q.toString()).toBe(`scenario=echo&seed=4&faults=${Buffer.from(JSON.stringify(faults)).toString('base64url')}`);
    const { params, problem } = readPlaygroundParams(new URLSearchParams('scenario=gossip&seed=3&nodes=20'));
    expect(problem).toBeUndefined();
    expect(params).toEqual({ scenario: 'gossip', seed: '3', nodes: '20' });
    expect(params.family).toBeUndefined();
  });

  it('a broker run carries family, seed, faults, topology and code, and reads back the same', () => {
    const code = "export async function handleMessage() { console.log('é ✓'); }\n";
    const topology = defaultKafkaConfig();
    const faults = [{ at: 500, kind: 'crash', node: 'b1' }];
    const q = writePlaygroundParams({ family: 'kafka', seed: '7', faults, topology, code });
    expect([...q.keys()]).toEqual(['family', 'seed', 'faults', 'topology', 'code']);
    expect(readPlaygroundParams(new URLSearchParams(q.toString()))).toEqual({ params: { family: 'kafka', seed: '7', faults, topology, code }, problem: undefined });
  });

  it('what cannot be read is named, and the rest is kept', () => {
    const { params, problem } = readPlaygroundParams(new URLSearchParams('family=nats&seed=2&topology=%%%&code=bm90IHZhbGlk'));
    expect(params.family).toBeUndefined();
    expect(params.seed).toBe('2');
    expect(params.topology).toBeUndefined();
    expect(params.code).toBe('not valid');
    expect(problem).toMatch(/broker family \("family=nats"\) is not one the playground has/);
    expect(problem).toMatch(/topology \("topology=…"\) could not be read/);
  });
});
