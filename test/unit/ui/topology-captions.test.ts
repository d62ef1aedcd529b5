import { describe, expect, it } from 'vitest';
import { placeCaptions, type Box } from '../../../src/ui/views/topology/caption-layout';
import { circleLayout } from '../../../src/ui/views/topology/circle-layout';

/**
 * The topology's captions ("leads 2", "consumer") must not cover a node, a node's name or another
 * caption, and must stay inside the diagram, for the 3–10 nodes labs have. The geometry is the
 * view's own: a 420-unit circle layout, node radius by count, captions at 20 units (16 px at the
 * diagram's 360 px) — and a crashed node's state line under its caption.
 */

const SIZE = 420;
const CAPTION = 20;

function layout(names: string[], captions: string[], crashed: Set<number> = new Set()) {
  const n = names.length;
  const nodeR = Math.max(12, Math.min(26, 160 / n));
  const points = circleLayout(n, SIZE / 2, SIZE / 2, SIZE / 2 - nodeR - 34);
  const places = placeCaptions(
    names.map((name, i) => ({ x: points[i]!.x, y: points[i]!.y, name, caption: captions[i]!, lines: crashed.has(i) ? 2 : 1 })),
    { nodeR, nameSize: 15, size: CAPTION, centre: { x: SIZE / 2, y: SIZE / 2 }, bounds: { x0: 0, y0: -CAPTION, x1: SIZE, y1: SIZE + CAPTION } },
  );
  return { nodeR, points, places };
}

const overlap = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

function problems(names: string[], captions: string[], crashed?: Set<number>): string[] {
  const { nodeR, points, places } = layout(names, captions, crashed);
  const out: string[] = [];
  places.forEach((p, i) => {
    if (captions[i] === '') return expect(p).toBeNull();
    const b = p!.box;
    if (b.x0 < 0 || b.x1 > SIZE || b.y0 < -CAPTION || b.y1 > SIZE + CAPTION) out.push(`${names[i]}'s caption leaves the diagram`);
    points.forEach((q, j) => {
      const half = (names[j]!.length * 15 * 0.68) / 2;
      if (overlap(b, { x0: q.x - nodeR, y0: q.y - nodeR, x1: q.x + nodeR, y1: q.y + nodeR }) || overlap(b, { x0: q.x - half, y0: q.y - 7.5, x1: q.x + half, y1: q.y + 7.5 })) out.push(`${names[i]}'s caption covers ${names[j]}`);
      const other = places[j];
      if (j > i && other && overlap(b, other.box)) out.push(`${names[i]}'s caption covers ${names[j]}'s`);
    });
  });
  return out;
}

describe('topology captions', () => {
  it('a Kafka lab: controller, three brokers and up to six clients (4–10 nodes), one crashed', () => {
    const all = ['controller', 'b1', 'b2', 'b3', 'admin', 'accounts', 'monitor', 'ledger-1', 'ledger-2', 'ledger-3'];
    const caps = ['', 'leads 2', 'leads 2', 'leads 2', '', 'producer', '', 'consumer', 'consumer', 'consumer'];
    for (let n = 4; n <= all.length; n++) {
      expect(problems(all.slice(0, n), caps.slice(0, n)), `${n} nodes`).toEqual([]);
      expect(problems(all.slice(0, n), caps.slice(0, n), new Set([1])), `${n} nodes, b1 crashed`).toEqual([]);
    }
  });

  it('a RabbitMQ lab and 3–9 nodes that all have captions', () => {
    expect(problems(['rabbit1', 'worker', 'renderer', 'producer', 'dlq-monitor'], ['6 queues', 'consumer +1', '', 'publisher', 'consumer'])).toEqual([]);
    for (let n = 3; n <= 9; n++) {
      const names = Array.from({ length: n }, (_, i) => (i < 3 ? `rabbit${i + 1}` : `client-${i}`));
      const caps = names.map((_, i) => (i < 3 ? '3 queues' : i % 2 ? 'publisher' : 'consumer'));
      expect(problems(names, caps), `${n} nodes`).toEqual([]);
    }
  });
});

/**
 * A crowded diagram (more than 12 nodes, as a playground with many clients draws): names go beside
 * their nodes, placed like captions, and only brokers keep a caption, left out where there is no
 * room. The view's geometry: node radius 12, names at 14 units, captions at 17 and a line of room
 * above and below the circle. Past 21 nodes a name may find no free place (the greedy placement
 * then overlaps it with a neighbour's); captions never do.
 */
function crowded(names: string[], captions: string[]) {
  const n = names.length;
  const nodeR = 12;
  const pad = 17;
  const bounds = { x0: 0, y0: -pad, x1: SIZE, y1: SIZE + pad };
  const centre = { x: SIZE / 2, y: SIZE / 2 };
  const points = circleLayout(n, SIZE / 2, SIZE / 2, SIZE / 2 - nodeR - 34);
  const namePlaces = placeCaptions(
    names.map((name, i) => ({ x: points[i]!.x, y: points[i]!.y, name: '', caption: name, lines: 1 })),
    { nodeR, nameSize: 0, size: 14, centre, bounds },
  );
  const capPlaces = placeCaptions(
    names.map((_, i) => ({ x: points[i]!.x, y: points[i]!.y, name: '', caption: captions[i]!, lines: 1 })),
    { nodeR, nameSize: 14, size: 17, centre, bounds, taken: namePlaces.map((p) => p!.box), crowded: 'drop' },
  );
  const out: string[] = [];
  const boxes = [...namePlaces.map((p, i) => ({ what: `${names[i]}'s name`, b: p!.box })), ...capPlaces.flatMap((p, i) => (p ? [{ what: `${names[i]}'s caption`, b: p.box }] : []))];
  boxes.forEach(({ what, b }, k) => {
    if (b.x0 < 0 || b.x1 > SIZE || b.y0 < -pad || b.y1 > SIZE + pad) out.push(`${what} leaves the diagram`);
    points.forEach((q, j) => {
      if (overlap(b, { x0: q.x - nodeR, y0: q.y - nodeR, x1: q.x + nodeR, y1: q.y + nodeR })) out.push(`${what} covers node ${names[j]}`);
    });
    boxes.slice(k + 1).forEach((o) => {
      if (overlap(b, o.b)) out.push(`${what} covers ${o.what}`);
    });
  });
  return { out, shown: capPlaces.filter((p) => p !== null).length };
}

describe('topology names and captions in a crowded diagram', () => {
  it('13–21 nodes: no name or caption covers a node, a name or another caption; brokers keep most captions', () => {
    for (let n = 13; n <= 21; n++) {
      const names = ['controller', 'b1', 'b2', 'b3', 'b4', 'b5', 'admin'];
      for (let i = 1; names.length < n; i++) names.push(i % 2 ? `producer-${i}` : `billing-${i}`);
      const caps = names.map((x) => (/^b\d$/.test(x) ? 'leads 1' : ''));
      const { out, shown } = crowded(names, caps);
      expect(out, `${n} nodes`).toEqual([]);
      expect(shown, `${n} nodes: broker captions shown`).toBeGreaterThanOrEqual(3);
    }
  });

  it('leaves a caption out rather than cover anything when there is no room for it', () => {
    // Every node captioned with a long text: most cannot fit, and none that is shown overlaps.
    const names = Array.from({ length: 18 }, (_, i) => `node-${i + 1}`);
    const { out, shown } = crowded(names, names.map(() => 'a rather long caption'));
    expect(out).toEqual([]);
    expect(shown).toBeLessThan(names.length);
  });
});
