import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assessmentToText,
  buildSubmission,
  checkAssessmentLabs,
  checkKeyAgainst,
  keyToText,
  locateJsonProblem,
  parseAssessment,
  parseKey,
  parseSubmission,
  submissionHash,
  submissionToText,
  type FileResult,
  type Submission,
} from '../../../src/labs/assess';
import { readSubmissions } from '../../../src/host/grade-node';
import { ASSESSMENT, KEY, LAB, tmp } from './fixtures';

/**
 * Every kind of bad file gets the error docs/instructors.md documents: which file, what is wrong
 * and what to do, as `file: path: message`.
 */
async function good(): Promise<Submission> {
  return buildSubmission({ learner: 'Ada Lovelace', appVersion: '0.1.0', labs: [{ lab: LAB, code: 'export async function handleRequest() { return 1; }\n' }] });
}

function failure<T>(r: FileResult<T>) {
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.error;
}

describe('bad submission files', () => {
  it('empty', async () => {
    const e = failure(await parseSubmission('  \n', 'ada.json'));
    expect(e.kind).toBe('empty');
    expect(e.message).toMatch(/^ada\.json: the file is empty; it should hold a Brokerlab submission\. Pass the file the learner exported/);
  });

  it('truncated: says so, with the line and column where the text stops', async () => {
    const text = submissionToText(await good());
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    const e = failure(await parseSubmission(cut, 'ada.json'));
    expect(e.kind).toBe('not-json');
    const lines = cut.split('\n');
    expect(e.message).toContain(`ada.json: truncated or not JSON (line ${lines.length}, column ${lines.at(-1)!.length + 1}): the text ends before`);
    expect(e.message).toContain('probably cut off');
  });

  it('not JSON: names the line and column and what was found there', async () => {
    const e = failure(await parseSubmission('{\n  "format": "brokerlab-submission",\n  version: 1\n}', 'ada.json'));
    expect(e.kind).toBe('not-json');
    expect(e.message).toBe('ada.json: truncated or not JSON (line 3, column 3): expected a field name in double quotes, found "v". Fix the file there, or get it again');
  });

  it('not JSON at all: says what it looks like (a zip, source code)', async () => {
    expect(failure(await parseSubmission('PK\u0003\u0004\u0014\u0000binary', 'ada.zip')).message).toContain('it looks like a zip archive: unzip it');
    expect(failure(await parseSubmission('export async function handleRequest() {}', 'ada.ts')).message).toContain('it looks like TypeScript or JavaScript source code');
  });

  it('foreign: a key, an assessment, a fault schedule or Gradescope results are named as such', async () => {
    const cases: [string, string][] = [
      [keyToText(KEY), 'not a Brokerlab submission (it looks like a Brokerlab assessment key)'],
      [assessmentToText(ASSESSMENT), 'not a Brokerlab submission (it looks like a Brokerlab assessment)'],
      ['[{ "at": 500, "kind": "crash", "node": "eu" }]', 'not a Brokerlab submission (it looks like a fault schedule)'],
      ['{ "score": 3, "tests": [] }', 'not a Brokerlab submission (it looks like Gradescope autograder results (results.json))'],
      ['{ "learner": "Ada" }', 'not a Brokerlab submission (it looks like JSON without a "format" field)'],
    ];
    for (const [text, msg] of cases) {
      const e = failure(await parseSubmission(text, 'x.json'));
      expect(e.kind).toBe('foreign');
      expect(e.message).toContain(`x.json: ${msg}. Pass the file the learner exported`);
    }
  });

  it('a newer format version asks for a newer Brokerlab', async () => {
    const s = { ...(await good()), version: 2 };
    const e = failure(await parseSubmission(JSON.stringify(s), 'ada.json'));
    expect(e.kind).toBe('newer-version');
    expect(e.message).toMatch(/^ada\.json: version: a Brokerlab submission in format version 2, made by a newer Brokerlab; this one reads version 1\. Update Brokerlab/);
  });

  it('tampered: edited code without the hash, or no hash at all', async () => {
    const s = await good();
    const edited = { ...s, labs: [{ lab: LAB, code: s.labs[0]!.code.replace('1', '2') }] };
    const e = failure(await parseSubmission(JSON.stringify(edited), 'ada.json'));
    expect(e.kind).toBe('tampered');
    expect(e.message).toBe('ada.json: tampered or corrupted: its content hash does not match its contents, so it was changed after Brokerlab wrote it. Export it again from Brokerlab, or rebuild it with brokerlab submit');
    const { hash: _, ...noHash } = s;
    expect(failure(await parseSubmission(JSON.stringify(noHash), 'ada.json')).kind).toBe('tampered');
  });

  it('invalid fields (with a hash that matches) are all listed by JSON path', async () => {
    const body = { format: 'brokerlab-submission', version: 1, learner: '', appVersion: 7, labs: [{ lab: 'Vector Clocks', code: 1 }, { lab: 'x', code: '' }, { lab: 'x', code: '' }] };
    const e = failure(await parseSubmission(JSON.stringify({ ...body, hash: await submissionHash(body) }), 'ada.json'));
    expect(e.kind).toBe('invalid');
    expect(e.message.split('\n')).toEqual([
      'ada.json: learner: must be the learner’s name, a non-empty string',
      'ada.json: appVersion: must be the Brokerlab version that made the file, like "0.1.0"',
      'ada.json: labs[0].lab: must be a lab id like "vector-clocks", got "Vector Clocks"',
      'ada.json: labs[0].code: must be the learner’s code, a string',
      'ada.json: labs[2].lab: "x" appears twice; a submission holds one version of each lab',
    ]);
  });

  it('a second file from the same learner is rejected as a duplicate, naming the first', async () => {
    const dir = tmp();
    const text = submissionToText(await good());
    writeFileSync(join(dir, 'a.json'), text);
    writeFileSync(join(dir, 'b.json'), text);
    const r = await readSubmissions([join(dir, 'a.json'), join(dir, 'b.json'), join(dir, 'missing.json')]);
    expect(r.accepted.map((a) => a.file)).toEqual([join(dir, 'a.json')]);
    expect(r.rejected.map((x) => x.kind)).toEqual(['unreadable', 'duplicate']);
    expect(r.rejected[1]!.message).toBe(`${join(dir, 'b.json')}: learner: another submission from "Ada Lovelace" is already being graded (${join(dir, 'a.json')}); keep one file per learner and grade again`);
  });

  it('the JSON locator agrees with JSON.parse on what is valid', () => {
    for (const bad of ['{"a":1,}', '[1 2]', '{"a" 1}', '"\\x"', '01', '1.', '-', 'nul', '{"a":"\u0001"}', '[1]]']) {
      expect(() => JSON.parse(bad)).toThrow();
      expect(locateJsonProblem(bad).detail).not.toBe('the text is not valid JSON');
    }
  });
});

describe('bad assessments and keys', () => {
  it('an assessment with bad fields lists each by path; an unknown lab names the labs there are', () => {
    const e = failure(parseAssessment(JSON.stringify({ format: 'brokerlab-assessment', version: 1, id: 'T', title: '', labs: [{ lab: LAB, points: -1, seeds: [1, 1, 'x'], weight: 2 }] }), 'a.json'));
    expect(e.message.split('\n')).toEqual([
      'a.json: id: must be a kebab-case id like "first-track", got "T"',
      'a.json: title: must be a non-empty string of at most 200 characters',
      'a.json: labs[0].points: must be a positive number of points (at most 10000, to two decimals), got -1',
      'a.json: labs[0].seeds[1]: seed 1 is listed twice',
      'a.json: labs[0].seeds[2]: a seed is a whole number from 0 to 4294967295, got "x"',
      'a.json: labs[0].weight: unknown field; a lab has "lab", "points" and "seeds"',
    ]);
    const a = parseAssessment(assessmentToText({ ...ASSESSMENT, labs: [{ lab: 'no-such-lab', points: 1, seeds: [1] }] }), 'a.json');
    expect(checkAssessmentLabs(a.ok ? a.value : ASSESSMENT, 'a.json', ['vector-clocks'])!.message).toBe('a.json: labs[0].lab: unknown lab "no-such-lab"; the labs are: vector-clocks');
  });

  it('a key for another assessment is a mismatch', () => {
    const k = parseKey(keyToText({ ...KEY, assessment: 'other-course' }), 'k.json');
    const e = checkKeyAgainst(k.ok ? k.value : KEY, 'k.json', ASSESSMENT, new Map([[LAB, ['eu', 'us', 'ap']]]))!;
    expect(e.kind).toBe('mismatch');
    expect(e.message).toContain('k.json: assessment: this key is for assessment "other-course", not "test-track"');
  });

  it('a key’s fault schedule is checked against the lab’s nodes, naming lab, schedule, entry and field', () => {
    const key = { ...KEY, labs: [{ lab: LAB, hiddenSeeds: [3, 9], faultSchedules: [[{ at: 100, kind: 'crash', node: 'b7' }]] }] };
    const k = parseKey(keyToText(key), 'k.json');
    const e = checkKeyAgainst(k.ok ? k.value : KEY, 'k.json', ASSESSMENT, new Map([[LAB, ['eu', 'us', 'ap']]]))!;
    expect(e.message.split('\n')).toEqual([
      'k.json: labs[0].hiddenSeeds[0]: seed 3 is also a public seed of this lab; hidden seeds are ones learners have not seen',
      'k.json: labs[0].faultSchedules[0]: entry 0, field "node": unknown node "b7" (known: eu, us, ap)',
    ]);
  });

  it('a key missing a lab of the assessment says how to add it', () => {
    const k = parseKey(keyToText({ ...KEY, labs: [] }), 'k.json');
    expect(checkKeyAgainst(k.ok ? k.value : KEY, 'k.json', ASSESSMENT, new Map())!.message).toBe(
      'k.json: labs: has no entry for lab "vector-clocks"; add { "lab": "vector-clocks", "hiddenSeeds": [], "faultSchedules": [] } or make a new key with brokerlab key new',
    );
  });

  it('a submission passed as the key is named for what it is', async () => {
    const e = failure(parseKey(submissionToText(await good()), 'k.json'));
    expect(e.message).toBe('k.json: not a Brokerlab assessment key (it looks like a Brokerlab submission). Pass the key made by brokerlab key new (format "brokerlab-assessment-key").');
  });
});
