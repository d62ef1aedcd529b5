import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../../bin/brokerlab.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'brokerlab-')), name);
  writeFileSync(p, text);
  return p;
}

describe('brokerlab CLI', () => {
  it('run --json prints exactly one JSON object with the run’s identity', () => {
    const r = cli('run', 'echo', '--seed', '4', '--json');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j).toMatchObject({ scenario: 'echo', seed: 4, outcome: 'until-time', simTimeUs: 2_500_000 });
    expect(j.historyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(j.events).toBeGreaterThan(1000);
    expect(typeof j.wallMs).toBe('number');
    expect(cli('run', 'echo', '--seed', '4', '--json').out).toContain(j.historyHash);
  });

  it('the readable summary ends with the command that reproduces the run', () => {
    const r = cli('run', 'gossip', '--seed', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/historyHash\s+[0-9a-f]{16}/);
    expect(r.out.trim().split('\n').at(-1)).toBe('Reproduce: npx brokerlab run gossip --seed 2');
  });

  it('applies a fault schedule from a file', () => {
    const f = tmpFile('faults.json', JSON.stringify([{ at: 100, kind: 'partition', groups: [['server'], ['c1', 'c2', 'c3']] }, { at: 600, kind: 'heal' }]));
    const plain = JSON.parse(cli('run', 'echo', '--seed', '4', '--json').out);
    const faulted = JSON.parse(cli('run', 'echo', '--seed', '4', '--json', '--faults', f).out);
    expect(faulted.faults).toBe(2);
    expect(faulted.historyHash).not.toBe(plain.historyHash);
    expect(faulted.summary.retries).toBeGreaterThan(plain.summary.retries);
  });

  it('exits 2 with a message naming the file, entry and field of a bad schedule', () => {
    const f = tmpFile('faults.json', JSON.stringify([{ at: 100, kind: 'crash', node: 'b7' }]));
    const r = cli('run', 'echo', '--faults', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: entry 0, field "node": unknown node "b7" (known: server, c1, c2, c3)`);
    expect(r.out).toBe('');
  });

  it('exits 2 on JSON that does not parse, naming the line', () => {
    const f = tmpFile('faults.json', '[\n  { "at": 1, "kind": "heal" },\n  { oops }\n]');
    const r = cli('run', 'echo', '--faults', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/faults\.json: not valid JSON at line 3/);
  });

  it('exits 2 on an unknown scenario, command, flag, seed or missing file', () => {
    expect(cli('run', 'nope').err).toMatch(/unknown scenario or lab "nope"; the scenarios are: echo, gossip; the labs are: /);
    for (const args of [['run', 'nope'], ['frobnicate'], ['run', 'echo', '--wat'], ['run', 'echo', '--seed', 'x'], ['run', 'echo', '--faults', '/no/such.json'], ['bench', '--only', 'nope']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^brokerlab: /);
    }
  });

  it('bench --json prints one object with named figures', () => {
    const r = cli('bench', '--json', '--only', 'history-bytes-per-entry');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.benchmarks).toHaveLength(1);
    expect(j.benchmarks[0]).toMatchObject({ name: 'history-bytes-per-entry', unit: 'bytes' });
    expect(j.benchmarks[0].value).toBeGreaterThan(30);
  });
});
