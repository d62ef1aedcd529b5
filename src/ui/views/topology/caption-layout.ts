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

const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Places each node's caption where it overlaps no node, no node's name and no caption placed
 * before it, trying in turn: outward (above a node of the upper half, below one of the lower
 * half), beside it on the outer side, the other vertical side, the inner side. When none is free,
 * the outward place is taken. Everything stays inside `bounds`.
 */
export function placeCaptions(nodes: readonly CaptionInput[], opts: { nodeR: number; nameSize: number; size: number; centre: { x: number; y: number }; bounds: Box }): (CaptionPlace | null)[] {
  const { nodeR, nameSize, size, centre, bounds } = opts;
  const obstacles: Box[] = [];
  for (const n of nodes) {
    obstacles.push({ x0: n.x - nodeR, y0: n.y - nodeR, x1: n.x + nodeR, y1: n.y + nodeR });
    const half = (n.name.length * nameSize * GLYPH_EM) / 2;
    obstacles.push({ x0: n.x - half, y0: n.y - nameSize / 2, x1: n.x + half, y1: n.y + nameSize / 2 });
  }
  const gap = 4;
  return nodes.map((n) => {
    if (n.caption === '') return null;
    const w = n.caption.length * size * GLYPH_EM;
    const h = size * n.lines;
    const clampX = (x0: number): number => Math.min(bounds.x1 - w, Math.max(bounds.x0, x0));
    const above = (): CaptionPlace => {
      const x0 = clampX(n.x - w / 2);
      const y1 = n.y - nodeR - gap;
      return { x: x0 + w / 2, y: y1 - size * 0.25, anchor: 'middle', lineStep: -size, box: { x0, y0: y1 - h, x1: x0 + w, y1 } };
    };
    const below = (): CaptionPlace => {
      const x0 = clampX(n.x - w / 2);
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
    const candidates = [upper ? above() : below(), side(outerRight), upper ? below() : above(), side(!outerRight)];
    const inside = (b: Box): boolean => b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1;
    const free = candidates.find((c) => inside(c.box) && !obstacles.some((o) => overlaps(o, c.box)));
    const chosen = free ?? candidates[0]!;
    obstacles.push(chosen.box);
    return chosen;
  });
}
