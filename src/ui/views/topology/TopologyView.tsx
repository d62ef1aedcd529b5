import { useMemo, useRef } from 'react';
import { formatUs } from '../../format-time';
import type { NodeLife } from '../../history/node-states';
import { useHistory, useMoment } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { circleLayout } from './circle-layout';
import { messagesInFlight } from './in-flight';

const SIZE = 420;
const CENTRE = SIZE / 2;
const NODE_R_MAX = 26;

/**
 * The cluster at the current moment, in SVG: nodes on a circle, a link wherever two nodes have
 * exchanged messages, links cut by a partition dashed red, crashed nodes greyed, paused ones
 * outlined amber, and every message on the wire as a dot moving along its link.
 */
export function TopologyView() {
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const names = history.nodes.names;
  const n = names.length;
  const nodeR = Math.max(12, Math.min(NODE_R_MAX, 160 / Math.max(1, n)));
  const points = useMemo(() => circleLayout(n, CENTRE, CENTRE, CENTRE - nodeR - 34), [n, nodeR]);
  const epoch = history.partitions.at(moment.timeUs, moment.seq);
  const lives: NodeLife[] = names.map((_, i) => history.lives.lifeAt(i, moment.timeUs, moment.seq));
  const flight = messagesInFlight(history, moment);

  const links = [...history.messages.links].map((key) => {
    const a = Math.floor(key / 65536);
    const b = key % 65536;
    const cut = epoch.cut.has(a * 65536 + b) || epoch.cut.has(b * 65536 + a);
    return { a, b, cut };
  });

  let dots = '';
  let lostDots = '';
  for (const f of flight.shown) {
    const p = points[f.from];
    const q = points[f.to];
    if (!p || !q) continue;
    const x = p.x + (q.x - p.x) * f.progress;
    const y = p.y + (q.y - p.y) * f.progress;
    const circle = `M${(x - 4).toFixed(1)} ${y.toFixed(1)}a4 4 0 1 0 8 0a4 4 0 1 0 -8 0`;
    if (f.lost) lostDots += circle;
    else dots += circle;
  }

  const down = names.filter((_, i) => lives[i] === 'crashed');
  const paused = names.filter((_, i) => lives[i] === 'paused');
  const cutCount = links.filter((l) => l.cut).length;
  const summary = `At ${formatUs(moment.timeUs)}: ${n} nodes; ${down.length ? `crashed: ${down.join(', ')}` : 'none crashed'}; ${paused.length ? `paused: ${paused.join(', ')}; ` : ''}${cutCount} of ${links.length} links cut by a partition; ${flight.total} messages in flight.`;

  return (
    <section ref={ref} className="panel view topology" aria-labelledby="topology-title">
      <h2 id="topology-title">Topology</h2>
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={summary} data-testid="topology">
        <g className="links">
          {links.map((l) => {
            const p = points[l.a];
            const q = points[l.b];
            if (!p || !q) return null;
            return (
              <line
                key={`${l.a}-${l.b}`}
                x1={p.x}
                y1={p.y}
                x2={q.x}
                y2={q.y}
                className={l.cut ? 'link link-cut' : 'link'}
                data-link={`${names[l.a]}-${names[l.b]}`}
                data-cut={l.cut ? 'true' : 'false'}
              />
            );
          })}
        </g>
        <path d={dots} className="flight" />
        <path d={lostDots} className="flight flight-lost" />
        <g className="nodes">
          {names.map((name, i) => {
            const p = points[i]!;
            return (
              <g key={name} className={`node node-${lives[i]}`} data-node={name} data-life={lives[i]}>
                <title>{`${name}: ${lives[i]}`}</title>
                <circle cx={p.x} cy={p.y} r={nodeR} />
                <text x={p.x} y={p.y} dominantBaseline="central" textAnchor="middle" fontSize={n > 12 ? 12 : 15}>
                  {name}
                </text>
                {lives[i] !== 'up' && (
                  <text x={p.x} y={p.y + nodeR + 13} textAnchor="middle" className="node-state" fontSize={13}>
                    {lives[i]}
                  </text>
                )}
              </g>
            );
          })}
        </g>
      </svg>
      <p className="view-note" data-testid="topology-summary">
        {history.length === 0 ? 'Run the scenario to see messages travel between its nodes.' : summary}
      </p>
    </section>
  );
}
