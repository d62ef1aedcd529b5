/** An axis-aligned box in viewBox units. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface CaptionPlace {
  /** Where the text is anchored, and how (SVG text-anchor); `y` is the first line's baseline. */
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  /** A further line (the node's state) goes this far from the first: +size below, −size above. */
  lineStep: number;
  box: Box;
}

export interface CaptionInput {
  x: number;
  y: number;
  /** Node name (drawn centred on the node) and caption, '' for none; `lines` counts the caption and a state line. */
  name: string;
  caption: string;
  lines: number;
}

/** Average advance of a bold sans-serif glyph, as a fraction of the font size (a little generous). */
const GLYPH_EM = 0.68;

/** How far a line of text reaches above and below its nominal box, as a fraction of the font size. */
const INK = 0.15;

const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

export interface CaptionOptions {
  nodeR: number;
  nameSize: number;
  size: number;
  centre: { x: number; y: number };
  bounds: Box;
  /** Boxes already taken (names placed beside their nodes in a crowded diagram). */
  taken?: readonly Box[];
  /**
   * When no place is free: `overlap` takes the outward place anyway (a node's name must show),
   * `drop` leaves the caption out (it is still in the list under the diagram).
   */
  crowded?: 'overlap' | 'drop';
  /** Captions are placed in this order (indices into `nodes`), so the first ones get the free places. */
  order?: readonly number[];
}

/**
 * Places each node's caption where it overlaps no node, no node's name and no caption placed
 * before it, trying in turn: outward (above a node of the upper half, below one of the lower
 * half), beside it on the outer side, outward but shifted half its width to the outer side, then
 * to the inner side, the other vertical side, the inner side, and and the other vertical side shifted
 * each way. When none is free,
 * the outward place is taken, or with `crowded: 'drop'` the caption is left out (null).
 * Everything stays inside `bounds`.
 */
export function placeCaptions(nodes: readonly CaptionInput[], opts: CaptionOptions): (CaptionPlace | null)[] {
  const { nodeR, nameSize, size, centre, bounds } = opts;
  const obstacles: Box[] = [...(opts.taken ?? [])];
  for (const n of nodes) {
    obstacles.push({ x0: n.x - nodeR, y0: n.y - nodeR, x1: n.x + nodeR, y1: n.y + nodeR });
    const half = (n.name.length * nameSize * GLYPH_EM) / 2;
    if (half > 0) obstacles.push({ x0: n.x - half, y0: n.y - nameSize / 2, x1: n.x + half, y1: n.y + nameSize / 2 });
  }
  const gap = 4;
  const placed: (CaptionPlace | null)[] = nodes.map(() => null);
  for (const i of opts.order ?? nodes.map((_, k) => k)) placed[i] = place(nodes[i]!);
  return placed;

  function place(n: CaptionInput): CaptionPlace | null {
    if (n.caption === '') return null;
    const w = n.caption.length * size * GLYPH_EM;
    const h = size * n.lines;
    const clampX = (x0: number): number => Math.min(bounds.x1 - w, Math.max(bounds.x0, x0));
    // `shift` moves a caption above or below sideways by that share of its width (crowded tops and bottoms).
    const above = (shift = 0): CaptionPlace => {
      const x0 = clampX(n.x - w / 2 + shift * w);
      const y1 = n.y - nodeR - gap;
      return { x: x0 + w / 2, y: y1 - size * 0.25, anchor: 'middle', lineStep: -size, box: { x0, y0: y1 - h, x1: x0 + w, y1 } };
    };
    const below = (shift = 0): CaptionPlace => {
      const x0 = clampX(n.x - w / 2 + shift * w);
      const y0 = n.y + nodeR + gap;
      return { x: x0 + w / 2, y: y0 + size * 0.8, anchor: 'middle', lineStep: size, box: { x0, y0, x1: x0 + w, y1: y0 + h } };
    };
    const side = (right: boolean): CaptionPlace => {
      const nameHalf = Math.max(nodeR, (n.name.length * nameSize * GLYPH_EM) / 2);
      const x0 = right ? n.x + nameHalf + gap : n.x - nameHalf - gap - w;
      const y0 = n.y - size / 2;
      return { x: right ? x0 : x0 + w, y: y0 + size * 0.8, anchor: right ? 'start' : 'end', lineStep: size, box: { x0, y0, x1: x0 + w, y1: y0 + h } };
    };
    const upper = n.y < centre.y - 1;
    const outerRight = n.x >= centre.x;
    const out = outerRight ? 0.5 : -0.5;
    const candidates = [
      upper ? above() : below(),
      side(outerRight),
      upper ? above(out) : below(out),
      upper ? above(-out) : below(-out),
      upper ? below() : above(),
      side(!outerRight),
      upper ? below(out) : above(out),
      upper ? below(-out) : above(-out),
    ];
    const inside = (b: Box): boolean => b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1;
    // A text's real box is taller than its font size (the font's ascent and descent): test with that.
    const inked = (b: Box): Box => ({ x0: b.x0, y0: b.y0 - INK * size, x1: b.x1, y1: b.y1 + INK * size });
    const free = candidates.find((c) => inside(c.box) && !obstacles.some((o) => overlaps(o, inked(c.box))));
    if (free === undefined && opts.crowded === 'drop') return null;
    const chosen = free ?? candidates[0]!;
    obstacles.push(inked(chosen.box));
    return chosen;
  }
}
