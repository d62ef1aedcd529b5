import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { labProgressMachine } from '../../../src/labs/progress';
import { LabAutosave, type SaveState } from '../../../src/ui/storage/autosave';
import { debounce } from '../../../src/ui/storage/debounce';
import { readSavedLab, standingOf } from '../../../src/ui/storage/lab-saves';
import type { SavedLabRecord } from '../../../src/ui/storage/lab-saves';

const lab = { labId: 'at-least-once', hints: [{ afterFailures: 1 }, { afterFailures: 2 }, { afterFailures: 3 }], totalPoints: 100 };

function progressAfter(events: Parameters<ReturnType<typeof createActor<typeof labProgressMachine>>['send']>[0][]): unknown {
  const a = createActor(labProgressMachine, { input: lab }).start();
  for (const e of events) a.send(e);
  // What IndexedDB gives back is a structured clone: plain data.
  return structuredClone(a.getPersistedSnapshot());
}

describe('reading a saved lab', () => {
  it('restores code and progress, and the machine carries on from the saved state', () => {
    const progress = progressAfter([{ type: 'EDIT' }, { type: 'RUN' }, { type: 'CHECKED', passed: false, points: 30 }]);
    const r = readSavedLab({ labId: lab.labId, format: 1, code: 'export const x = 1;', progress, nodes: ['shop', 'billing'] }, lab);
    expect(r.problems).toEqual([]);
    expect(r.code).toBe('export const x = 1;');
    expect(r.nodes).toEqual(['shop', 'billing']);
    const a = createActor(labProgressMachine, { input: lab, snapshot: r.progress }).start();
    expect(a.getSnapshot().value).toBe('checked');
    expect(a.getSnapshot().context).toMatchObject({ failures: 1, attempts: 1, hintsUnlocked: 1, lastPoints: 30 });
    a.send({ type: 'RUN' });
    a.send({ type: 'CHECKED', passed: false, points: 30 });
    expect(a.getSnapshot().context.hintsUnlocked).toBe(2);
  });

  it('nothing saved is no problem', () => {
    expect(readSavedLab(undefined, lab)).toEqual({ problems: [] });
  });

  it('keeps the code when the progress is damaged, and says what was wrong', () => {
    const r = readSavedLab({ labId: lab.labId, code: 'mine', progress: { status: 'active', value: 'flying', context: {} } }, lab);
    expect(r.code).toBe('mine');
    expect(r.progress).toBeUndefined();
    expect(r.problems).toEqual(['the progress is in an unknown state "flying"']);
  });

  it('keeps the progress when the code is damaged', () => {
    const progress = progressAfter([{ type: 'RUN' }, { type: 'CHECKED', passed: true, points: 100 }]);
    const r = readSavedLab({ labId: lab.labId, code: 42, progress }, lab);
    expect(r.code).toBeUndefined();
    expect(r.progress?.value).toBe('passed');
    expect(r.problems).toEqual(['the saved code is a number, not text']);
  });

  it('never restores empty code over the editor', () => {
    expect(readSavedLab({ labId: lab.labId, code: '  \n' }, lab).code).toBeUndefined();
  });

  it('rejects counts that are not whole numbers and progress of another lab', () => {
    const good = progressAfter([{ type: 'RUN' }]) as { context: Record<string, unknown> };
    const bad = structuredClone(good);
    bad.context.failures = -1;
    expect(readSavedLab({ progress: bad }, lab).problems).toEqual(["the progress's failures is -1, not a whole number"]);
    const other = structuredClone(good);
    other.context.labId = 'routing';
    expect(readSavedLab({ progress: other }, lab).problems).toEqual(['the progress belongs to lab "routing"']);
    expect(readSavedLab('garbage', lab).problems).toEqual(['the saved record is not an object']);
  });

  it('a run the page never finished is restored as editing, not running forever', () => {
    const r = readSavedLab({ progress: progressAfter([{ type: 'EDIT' }, { type: 'RUN' }]) }, lab);
    expect(r.progress?.value).toBe('editing');
    const p = readSavedLab({ progress: progressAfter([{ type: 'RUN' }, { type: 'CHECKED', passed: true, points: 100 }, { type: 'RUN' }]) }, lab);
    expect(p.progress?.value).toBe('passedEditing');
  });

  it('takes the hints from the lab as it is now', () => {
    const progress = progressAfter([{ type: 'RUN' }, { type: 'CHECKED', passed: false, points: 0 }]);
    const now = { ...lab, hints: [{ afterFailures: 1 }, { afterFailures: 1 }] };
    expect(readSavedLab({ progress }, now).progress?.context.hintsUnlocked).toBe(2);
  });

  it('gives the catalog a status and best score, or nothing for an unreadable record', () => {
    expect(standingOf({ progress: progressAfter([{ type: 'RUN' }, { type: 'CHECKED', passed: true, points: 100 }]) })).toEqual({ status: 'passed', bestPoints: 100, attempts: 1 });
    expect(standingOf({ progress: progressAfter([{ type: 'EDIT' }]) })).toEqual({ status: 'in progress', bestPoints: 0, attempts: 0 });
    expect(standingOf({ progress: { value: 7 } })).toBeUndefined();
  });
});

describe('debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls once after the last schedule, at once on flush, never after cancel', () => {
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d.schedule();
    vi.advanceTimersByTime(60);
    d.schedule();
    vi.advanceTimersByTime(60);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(40);
    expect(fn).toHaveBeenCalledTimes(1);
    d.schedule();
    d.flush();
    expect(fn).toHaveBeenCalledTimes(2);
    d.flush();
    expect(fn).toHaveBeenCalledTimes(2);
    d.schedule();
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(put: (r: SavedLabRecord) => Promise<void>) {
    const states: SaveState['kind'][] = [];
    const saver = new LabAutosave('lab-a', { code: 'start' }, { put }, (s) => states.push(s.kind), 100);
    return { saver, states };
  }

  it('writes once per pause in typing, with the latest code and progress merged', async () => {
    const written: SavedLabRecord[] = [];
    const { saver, states } = setup(async (r) => void written.push(r));
    saver.update({ code: 'a' });
    saver.update({ code: 'ab' });
    saver.update({ progress: { value: 'editing' } });
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(150);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ labId: 'lab-a', format: 1, code: 'ab', progress: { value: 'editing' } });
    expect(states.at(-1)).toBe('saved');
  });

  it('flush writes at once; nothing pending means nothing written', async () => {
    const put = vi.fn(async () => {});
    const { saver } = setup(put);
    await saver.flush();
    expect(put).not.toHaveBeenCalled();
    saver.update({ code: 'x' });
    await saver.flush();
    expect(put).toHaveBeenCalledTimes(1);
  });

  it('a failed write is reported and retried with the next change', async () => {
    let fail = true;
    const written: SavedLabRecord[] = [];
    const states: SaveState[] = [];
    const saver = new LabAutosave('lab-a', {}, { put: async (r) => (fail ? Promise.reject(new Error('saving your work failed (QuotaExceededError: full)')) : void written.push(r)) }, (s) => states.push(s), 100);
    saver.update({ code: 'one' });
    await saver.flush();
    expect(states.at(-1)).toEqual({ kind: 'failed', message: 'saving your work failed (QuotaExceededError: full)' });
    fail = false;
    await saver.flush();
    expect(written.map((r) => r.code)).toEqual(['one']);
  });

  it('a change during a write is written after it, so the last change lands last', async () => {
    const written: string[] = [];
    let release!: () => void;
    const { saver } = setup((r) => {
      written.push(r.code!);
      return r.code === 'first' ? new Promise<void>((res) => (release = res)) : Promise.resolve();
    });
    saver.update({ code: 'first' });
    const w1 = saver.flush();
    saver.update({ code: 'second' });
    const w2 = saver.flush();
    release();
    await Promise.all([w1, w2]);
    expect(written).toEqual(['first', 'second']);
  });
});
