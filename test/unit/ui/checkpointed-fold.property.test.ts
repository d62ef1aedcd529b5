import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointedFold } from '../../../src/ui/history/checkpointed-fold';

/** A state that shows every step applied, in order. */
type S = { applied: number[] };
const rules = { initial: (): S => ({ applied: [] }), clone: (s: S): S => ({ applied: s.applied.slice() }), apply: (s: S, step: { seq: number }) => void s.applied.push(step.seq) };

describe('CheckpointedFold (properties; fast-check prints the seed of any failure)', () => {
  it('answers at(seq) with exactly the steps up to seq, whatever the checkpoint spacing and however reads interleave with appends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        // Steps as gaps between seqs (0: several steps may share a seq), each followed by reads.
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 }), reads: fc.array(fc.integer({ min: -2, max: 60 }), { maxLength: 3 }) }), { maxLength: 40 }),
        (every, plan) => {
          const fold = new CheckpointedFold(rules, every);
          const seqs: number[] = [];
          let seq = 0;
          const expectAt = (q: number): void => expect(fold.at(q).applied, `at(${q}) after ${seqs.length} steps, every ${every}`).toEqual(seqs.filter((x) => x <= q));
          for (const { gap, reads } of plan) {
            seq += gap;
            fold.add({ seq });
            seqs.push(seq);
            for (const q of reads) expectAt(q);
            // The moment a view following the run asks for: at or after the last step.
            expectAt(seq);
            expectAt(seq + 1000);
          }
          for (let q = -1; q <= seq + 1; q++) expectAt(q);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('after a multiple of the spacing, the state at the end holds every step (it was empty before the fix)', () => {
    const fold = new CheckpointedFold(rules, 4);
    for (let i = 0; i < 8; i++) fold.add({ seq: i });
    expect(fold.at(7).applied).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
