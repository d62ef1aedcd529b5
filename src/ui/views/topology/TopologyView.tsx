import { useMemo, useRef } from 'react';
import { formatUs } from '../../format-time';
import type { NodeLife } from '../../history/node-states';
import { useHistory, useMoment } from '../../workspace/workspace-context';
import { useElementWidth } from '../use-element-width';
import { useOnScreen } from '../use-on-screen';
import { placeCaptions } from './caption-layout';
import { circleLayout } from './circle-layout';
import { messagesInFlight } from './in-flight';
import { describeNode, exchangeName, nodeCaption, topologyRoles, truncated, type NodeRoles } from './topology-roles';

const SIZE = 420;
const CENTRE = SIZE / 2;
const NODE_R_MAX = 26;
/** The widest the diagram is drawn (styles.css), and the smallest a caption may read on the page. */
const SVG_PX_MAX = 400;
const CAPTION_PX_MIN = 16.5;
/** Beyond this many nodes names no longer fit on their nodes: they go beside them. */
const CROWDED = 12;

/**
 * The cluster at the current moment, in SVG: nodes on a circle, a link wherever two nodes have
 * exchanged messages, links cut by a partition dashed red, crashed nodes greyed, paused ones
 * outlined amber, and every message on the wire as a dot moving along its link. When the run has
 * brokers, each node with a role gets a caption ("leads 2", "3 queues", "producer") and a list
 * below the diagram says what it hosts or does at the moment, with the exchanges seen routing.
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
  const panelPx = useElementWidth(ref, 440);
  const structure = topologyRoles({
    names,
    seq: moment.seq,
    kafka: history.kafka.present ? history.kafka.at(moment.seq) : null,
    amqp: history.amqp.present ? history.amqp.at(moment.seq) : null,
    roles: history.roles,
    clientOfChannel: (ch) => history.amqp.clientOfChannel(ch),
  });
  const roleOf = new Map<string, NodeRoles>(structure.nodes.map((r) => [r.node, r]));
  // Captions are drawn in viewBox units: sized so they read at least CAPTION_PX_MIN on the page,
  // and the viewBox grows by a line above and below so the outermost captions and states stay inside it.
  const svgPx = Math.max(200, Math.min(SVG_PX_MAX, panelPx - 40));
  const captionSize = Math.min(26, Math.max(17, Math.ceil((CAPTION_PX_MIN * SIZE) / svgPx)));
  const crowded = n > CROWDED;
  const pad = roleOf.size > 0 || crowded ? captionSize : 0;
  const nameSize = crowded ? Math.round(captionSize * 0.8) : 15;
  const captions = names.map((name) => {
    const role = roleOf.get(name);
    // A crowded diagram captions only its brokers ("leads 2"); the list below says what every node does.
    const said = role === undefined || (crowded && !role.roles.includes('broker')) ? '' : nodeCaption(role);
    // A node named for its role ("controller") needs no caption saying it again.
    return said === name ? '' : said;
  });
  const bounds = { x0: 0, y0: -pad, x1: SIZE, y1: SIZE + pad };
  const centre = { x: CENTRE, y: CENTRE };
  // A crowded diagram's names go beside their nodes, placed as captions are, so no two overlap;
  // then the captions take what room is left, brokers' first, and one with no room is left out.
  // Each placement is greedy: a name that finds no free place (past 21 nodes) takes its outward
  // place anyway.
  const namePlaces = crowded
    ? placeCaptions(
        names.map((name, i) => ({ x: points[i]!.x, y: points[i]!.y, name: '', caption: name, lines: 1 })),
        { nodeR, nameSize: 0, size: nameSize, centre, bounds },
      )
    : [];
  const brokersFirst = names.map((_, i) => i).sort((a, b) => Number(!roleOf.get(names[a]!)?.roles.includes('broker')) - Number(!roleOf.get(names[b]!)?.roles.includes('broker')) || a - b);
  const places = placeCaptions(
    names.map((name, i) => ({ x: points[i]!.x, y: points[i]!.y, name: crowded ? '' : name, caption: captions[i]!, lines: lives[i] === 'up' ? 1 : 2 })),
    { nodeR, nameSize, size: captionSize, centre, bounds, taken: namePlaces.flatMap((p) => (p ? [p.box] : [])), crowded: 'drop', order: brokersFirst },
  );

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
      <svg viewBox={`0 ${-pad} ${SIZE} ${SIZE + 2 * pad}`} role="img" aria-label={summary} data-testid="topology">
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
            const role = roleOf.get(name);
            const caption = captions[i]!;
            const place = places[i];
            return (
              <g key={name} className={`node node-${lives[i]}`} data-node={name} data-life={lives[i]} data-caption={caption || undefined} data-caption-shown={caption ? String(place !== null) : undefined}>
                <title>{role === undefined ? `${name}: ${lives[i]}` : [`${name}: ${lives[i]}`, ...describeNode(role).full].join('\n')}</title>
                <circle cx={p.x} cy={p.y} r={nodeR} />
                {namePlaces[i] ? (
                  <text x={namePlaces[i].x} y={namePlaces[i].y} textAnchor={namePlaces[i].anchor} className="node-name-beside" fontSize={nameSize}>
                    {name}
                  </text>
                ) : (
                  <text x={p.x} y={p.y} dominantBaseline="central" textAnchor="middle" fontSize={nameSize}>
                    {name}
                  </text>
                )}
                {place && (
                  <text x={place.x} y={place.y} textAnchor={place.anchor} className="node-caption" fontSize={captionSize}>
                    {caption}
                  </text>
                )}
                {lives[i] !== 'up' &&
                  (place ? (
                    <text x={place.x} y={place.y + place.lineStep} textAnchor={place.anchor} className="node-state" fontSize={captionSize}>
                      {lives[i]}
                    </text>
                  ) : (
                    <text x={p.x} y={p.y + nodeR + 13} textAnchor="middle" className="node-state" fontSize={13}>
                      {lives[i]}
                    </text>
                  ))}
              </g>
            );
          })}
        </g>
      </svg>
      <p className="view-note" data-testid="topology-summary">
        {history.length === 0 ? 'Run the scenario to see messages travel between its nodes.' : summary}
      </p>
      {structure.nodes.length > 0 && <TopologyRolesList nodes={structure.nodes} exchanges={structure.exchanges} />}
    </section>
  );
}

/** What each node hosts or does at the moment, in words (★ leader); the diagram's captions in full. */
function TopologyRolesList({ nodes, exchanges }: { nodes: NodeRoles[]; exchanges: ReturnType<typeof topologyRoles>['exchanges'] }) {
  return (
    <div className="topology-roles" data-testid="topology-roles">
      <ul aria-label="What each node hosts or does">
        {nodes.map((r) => {
          const { lines, full } = describeNode(r);
          const leads = r.partitions.filter((p) => p.leads).map((p) => `${p.topic}-${p.partition}`);
          return (
            <li key={r.node} data-role-node={r.node} data-roles={r.roles.join(' ')} data-leads={leads.join(' ') || undefined} data-queues={r.queues.map((q) => q.name).join(' ') || undefined} title={full.join('\n')}>
              <strong>{r.node}</strong>
              {lines.map((l) => (
                <span key={l} className={/out of ISR|\(down\)|\(starting\)/.test(l) ? 'role-line role-warn' : 'role-line'}>
                  {l}
                </span>
              ))}
            </li>
          );
        })}
      </ul>
      {exchanges.length > 0 && (
        <>
          <h3>Exchanges → queues</h3>
          <ul aria-label="Exchanges seen routing, and the queues they routed to">
            {exchanges.map((x) => (
              <li key={`${x.deadLetter}-${x.exchange}`} data-exchange={x.exchange} title={`${exchangeName(x.exchange)} → ${x.queues.join(', ')}`}>
                <strong>
                  {exchangeName(x.exchange)}
                  {x.deadLetter && ', as dead-letter exchange'}
                </strong>
                → {truncated(x.queues)}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
