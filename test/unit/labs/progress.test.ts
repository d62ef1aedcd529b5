import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { labProgressMachine, progressStatus } from '../../../src/labs/progress';

const input = { labId: 'at-least-once', hints: [{ afterFailures: 1 }, { afterFailures: 3 }], totalPoints: 100 };

describe('lab progress', () => {
  it('walks not started → editing → running → checked, unlocking hints after failures', () => {
    const a = createActor(labProgressMachine, { input }).start();
    expect(a.getSnapshot().value).toBe('notStarted');
    expect(progressStatus(a.getSnapshot().value as string)).toBe('not started');
    a.send({ type: 'EDIT' });
    a.send({ type: 'RUN' });
    expect(a.getSnapshot().value).toBe('running');
    a.send({ type: 'CHECKED', passed: false, points: 40 });
    expect(a.getSnapshot().value).toBe('checked');
    expect(a.getSnapshot().context).toMatchObject({ failures: 1, attempts: 1, hintsUnlocked: 1, bestPoints: 40 });
    expect(progressStatus(a.getSnapshot().value as string)).toBe('in progress');
    for (let i = 0; i < 2; i++) {
      a.send({ type: 'RUN' });
      a.send({ type: 'CHECKED', passed: false, points: 10 });
    }
    expect(a.getSnapshot().context).toMatchObject({ failures: 3, hintsUnlocked: 2, bestPoints: 40, lastPoints: 10 });
  });

  it('a run that cannot start is not a failed attempt', () => {
    const a = createActor(labProgressMachine, { input }).start();
    a.send({ type: 'RUN' });
    a.send({ type: 'RUN_FAILED' });
    expect(a.getSnapshot().value).toBe('editing');
    expect(a.getSnapshot().context.failures).toBe(0);
  });

  it('passing is sticky and keeps the best score', () => {
    const a = createActor(labProgressMachine, { input }).start();
    a.send({ type: 'RUN' });
    a.send({ type: 'CHECKED', passed: true, points: 100 });
    expect(a.getSnapshot().value).toBe('passed');
    a.send({ type: 'EDIT' });
    a.send({ type: 'RUN' });
    a.send({ type: 'CHECKED', passed: false, points: 60 });
    expect(progressStatus(a.getSnapshot().value as string)).toBe('passed');
    expect(a.getSnapshot().context).toMatchObject({ bestPoints: 100, lastPoints: 60 });
  });

  it('survives a round trip through a persisted snapshot (what the UI stores)', () => {
    const a = createActor(labProgressMachine, { input }).start();
    a.send({ type: 'RUN' });
    a.send({ type: 'CHECKED', passed: false, points: 20 });
    const saved = JSON.parse(JSON.stringify(a.getPersistedSnapshot()));
    const b = createActor(labProgressMachine, { input, snapshot: saved }).start();
    expect(b.getSnapshot().value).toBe('checked');
    expect(b.getSnapshot().context.failures).toBe(1);
    b.send({ type: 'RUN' });
    expect(b.getSnapshot().value).toBe('running');
  });
});
