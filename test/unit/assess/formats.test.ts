import { describe, expect, it } from 'vitest';
import {
  addPoints,
  assessmentToText,
  buildSubmission,
  canonicalJson,
  compareNames,
  csvCell,
  formatPoints,
  keyToText,
  learnerSlugs,
  parseAssessment,
  parseKey,
  parseSubmission,
  scalePoints,
  sha256Hex,
  submissionHash,
  submissionToText,
} from '../../../src/labs/assess';
import { ASSESSMENT, KEY } from './fixtures';

describe('formats round-trip', () => {
  it('an assessment written by Brokerlab reads back as the same data', () => {
    const r = parseAssessment(assessmentToText({ ...ASSESSMENT, description: 'two labs' }), 'a.json');
    expect(r.ok && r.value).toEqual({ ...ASSESSMENT, description: 'two labs' });
  });

  it('a key written by Brokerlab reads back as the same data, schedules and all', () => {
    const key = { ...KEY, note: 'keep private', labs: [{ ...KEY.labs[0]!, faultSchedules: [...KEY.labs[0]!.faultSchedules, [], [{ at: 1, kind: 'partition', groups: [['eu'], ['us', 'ap']] }]] }] };
    const r = parseKey(keyToText(key), 'k.json');
    expect(r.ok && r.value).toEqual(key);
  });

  it('a submission survives export and import, and its hash ignores key order and indentation', async () => {
    const s = await buildSubmission({ learner: '  Ada Lovelace ', appVersion: '0.1.0', assessment: 'test-track', exportedAt: '2025-01-02T03:04:05.000Z', labs: [{ lab: 'vector-clocks', code: 'export const x = 1;\n' }] });
    expect(s.learner).toBe('Ada Lovelace');
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    const back = await parseSubmission(submissionToText(s), 's.json');
    expect(back.ok && back.value).toEqual(s);
    // The same data, keys reversed and without whitespace, has the same hash.
    const reordered = Object.fromEntries(Object.entries(s).reverse());
    const again = await parseSubmission(JSON.stringify(reordered), 's.json');
    expect(again.ok).toBe(true);
    expect(await submissionHash(reordered)).toBe(s.hash);
  });

  it('the content hash is SHA-256 over canonical JSON (sorted keys, no whitespace)', async () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: 'é' })).toBe('{"a":"é","b":[1,{"c":null,"d":"x"}]}');
    // The well-known digest of "abc".
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const s = await buildSubmission({ learner: 'A', appVersion: '0.1.0', labs: [{ lab: 'vector-clocks', code: '' }] });
    const { hash, ...rest } = s;
    expect(hash).toBe(await sha256Hex(canonicalJson(rest)));
  });
});

describe('points', () => {
  it('scales check points to the lab’s points and adds up exactly', () => {
    expect(scalePoints([40, 40, 20], 10)).toEqual([4, 4, 2]);
    expect(scalePoints([1, 1, 1], 10)).toEqual([3.34, 3.33, 3.33]);
    expect(scalePoints([70, 30], 33.33)).toEqual([23.33, 10]);
    for (const total of [1, 7, 12.5, 99.99]) expect(addPoints(...scalePoints([3, 5, 7, 11], total))).toBe(total);
  });

  it('writes numbers the same way on every machine', () => {
    expect([0, 5, 13.2, 3.34, 100, 0.1 + 0.2].map(formatPoints)).toEqual(['0', '5', '13.2', '3.34', '100', '0.3']);
  });
});

describe('gradebook cells and folders', () => {
  it('quotes CSV cells as RFC 4180 asks and defuses spreadsheet formulas', () => {
    expect(csvCell('Ada Lovelace')).toBe('Ada Lovelace');
    expect(csvCell('Lovelace, Ada')).toBe('"Lovelace, Ada"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('-1')).toBe("'-1");
  });

  it('orders learners by name with accents and case set aside, never by the machine’s locale', () => {
    expect(['farah', 'Émile', 'Dana', 'emile', 'Bob'].sort(compareNames)).toEqual(['Bob', 'Dana', 'emile', 'Émile', 'farah']);
  });

  it('gives each learner a safe, unique folder name, the same whatever order they come in', () => {
    const names = ['Zoë Ådams', 'zoe adams', '../etc', '', '   ', 'faults'];
    const a = learnerSlugs(names);
    const b = learnerSlugs([...names].reverse());
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
    const slugs = [...a.values()];
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const s of slugs) expect(s).toMatch(/^[a-z0-9_][a-z0-9._-]*$/);
    expect(a.get('../etc')).toBe('etc');
    expect(slugs).not.toContain('faults');
  });
});

describe('the sample assessment', () => {
  it('lists labs that exist, with seeds and points, and ships without a key', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const { loadLabsFor } = await import('../../../src/host/grade-node');
    const root = resolve(__dirname, '../../..');
    const file = join(root, 'labs-content/assessments/first-track.json');
    const a = parseAssessment(readFileSync(file, 'utf8'), file);
    if (!a.ok) throw a.error;
    const labs = await loadLabsFor(a.value.labs.map((l) => l.lab));
    for (const l of a.value.labs) for (const s of l.seeds) expect(labs.get(l.lab)!.spec.seeds, `${l.lab} seed ${s}`).toContain(s);
    // A key is the instructor's secret: none may sit where the app bundles or serves files from.
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
    for (const f of [...walk(join(root, 'labs-content')), ...walk(join(root, 'public'))].filter((f) => f.endsWith('.json'))) {
      expect(readFileSync(f, 'utf8'), f).not.toContain('"brokerlab-assessment-key"');
    }
  });
});
