/** Time bins per lane; when a run outgrows them, neighbouring bins merge and each covers twice as long. */
export const DENSITY_BINS = 4096;
const FIRST_BIN_US = 16;

/** What a bin counts: message ends that are ordinary, and sends of messages that were lost. */
export const BIN_NORMAL = 0;
export const BIN_LOST = 1;
export const BIN_KINDS = 2;

/**
 * Message ends per lane and time bin, kept up to date as arrows are sent and closed, so the
 * space-time overview of a whole run costs lanes × bins to draw however many messages it holds.
 *
 * An arrow counts at its sender when sent (as lost once it is dropped) and at its receiver when
 * delivered: the same ends the exact per-pixel count uses. Bins start 16 µs wide and double (by
 * merging pairs) whenever a time falls past the last one, so any run fits in `DENSITY_BINS` bins.
 */
export class DensityBins {
  binUs = FIRST_BIN_US;
  /** Bumped on every change, so a drawing of the bins knows when it is stale. */
  version = 0;
  /** Per lane: DENSITY_BINS × BIN_KINDS counts. */
  private readonly lanes: Uint32Array[] = [];

  /** One end of an arrow, counted (delta +1) or taken back (delta -1). */
  add(lane: number, timeUs: number, kind: number, delta: 1 | -1): void {
    while (timeUs >= this.binUs * DENSITY_BINS) this.coarsen();
    while (lane >= this.lanes.length) this.lanes.push(new Uint32Array(DENSITY_BINS * BIN_KINDS));
    const bin = Math.max(0, Math.floor(timeUs / this.binUs));
    this.lanes[lane]![bin * BIN_KINDS + kind]! += delta;
    this.version++;
  }

  /** Count of `kind` in lane `lane`, bin `bin` (0 for a lane that has no ends yet). */
  count(lane: number, bin: number, kind: number): number {
    return this.lanes[lane]?.[bin * BIN_KINDS + kind] ?? 0;
  }

  /** A lane's counts, `[normal, lost]` per bin in bin order; undefined while the lane has none. */
  laneCounts(lane: number): Uint32Array | undefined {
    return this.lanes[lane];
  }

  private coarsen(): void {
    for (const counts of this.lanes) {
      for (let b = 0; b < DENSITY_BINS / 2; b++) {
        for (let k = 0; k < BIN_KINDS; k++) counts[b * BIN_KINDS + k] = counts[2 * b * BIN_KINDS + k]! + counts[(2 * b + 1) * BIN_KINDS + k]!;
      }
      counts.fill(0, (DENSITY_BINS / 2) * BIN_KINDS);
    }
    this.binUs *= 2;
  }
}
