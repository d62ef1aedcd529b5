/**
 * Maps positions in the transpiled code back to the learner's TypeScript. Sucrase keeps every
 * line where it was, so only columns move (type annotations vanish); its source map records where
 * each token came from, and this class reads that map.
 */
export class PositionMap {
  /** Per generated line (0-based): triples of [generated column, source line, source column], 0-based, sorted. */
  private readonly lines: Int32Array[];

  private constructor(lines: Int32Array[]) {
    this.lines = lines;
  }

  /** Builds the map from a source map's `mappings` string (single source, lines preserved). */
  static fromMappings(mappings: string): PositionMap {
    return new PositionMap(decodeMappings(mappings));
  }

  /** The identity map, for code that was not transpiled. */
  static identity(): PositionMap {
    return new PositionMap([]);
  }

  /**
   * The source position of a generated position; both 1-based like editors and QuickJS's stacks.
   * A column before the first token of a line maps to itself.
   */
  toSource(line: number, column: number): { line: number; column: number } {
    const segs = this.lines[line - 1];
    if (!segs || segs.length === 0) return { line, column };
    const col0 = column - 1;
    let lo = 0;
    let hi = segs.length / 3 - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid * 3]! <= col0) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return { line, column };
    const gen = segs[best * 3]!;
    return { line: segs[best * 3 + 1]! + 1, column: segs[best * 3 + 2]! + (col0 - gen) + 1 };
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Decodes VLQ mappings into per-line [genCol, srcLine, srcCol] triples (one source file, so the source index is ignored). */
function decodeMappings(mappings: string): Int32Array[] {
  const out: Int32Array[] = [];
  let srcLine = 0;
  let srcCol = 0;
  let i = 0;
  const n = mappings.length;
  while (i <= n) {
    const pairs: number[] = [];
    let genCol = 0;
    // One line: segments separated by ',' until ';' or the end.
    while (i < n && mappings[i] !== ';') {
      const fields: number[] = [];
      while (i < n && mappings[i] !== ',' && mappings[i] !== ';') {
        let value = 0;
        let shift = 0;
        for (;;) {
          const d = B64_VALUE[mappings.charCodeAt(i++)] ?? -1;
          if (d < 0) throw new Error('malformed source map');
          value += (d & 31) << shift;
          shift += 5;
          if ((d & 32) === 0) break;
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      }
      if (mappings[i] === ',') i++;
      if (fields.length === 0) continue;
      genCol += fields[0]!;
      if (fields.length >= 4) {
        srcLine += fields[2]!;
        srcCol += fields[3]!;
        pairs.push(genCol, srcLine, srcCol);
      }
    }
    out.push(Int32Array.from(pairs));
    i++;
  }
  return out;
}
