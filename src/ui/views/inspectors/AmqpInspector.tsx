import { useRef } from 'react';
import { formatUs } from '../../format-time';
import type { DeadLetter } from '../../history/amqp-state';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { JumpButton } from './JumpButton';
import './inspectors.css';

/** Dead letters listed at once, newest first; older ones are counted. */
const DEAD_LETTERS_SHOWN = 40;

const num = (n: number): string => n.toLocaleString('en-US');

/**
 * RabbitMQ queues at the timeline's moment: messages ready and unacknowledged, the channels
 * consuming, what was delivered, acknowledged, dead-lettered and lost; then the dead-lettered
 * messages, each opening to the `x-death` header its dead-lettered copy carries.
 */
export function AmqpInspector() {
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const { jumpTo } = useSession();
  const index = history.amqp;
  const state = index.at(moment.seq);
  const queues = [...state.queues.values()];
  const dead = index.deadLettersOf(state);
  // Columns that say nothing in most runs appear when they do: where queues live once there are
  // several nodes or one is down, losses once a crash lost something.
  const nodes = new Set(queues.map((q) => q.node));
  const showNode = nodes.size > 1 || queues.some((q) => !q.available);
  const showLost = queues.some((q) => q.lost > 0);
  const shown = dead.slice(-DEAD_LETTERS_SHOWN).reverse();
  const jump = (seq: number): void => {
    if (seq >= 0) jumpTo({ timeUs: history.timeOf(seq), seq });
  };
  return (
    <section ref={ref} className="panel view inspector" aria-labelledby="amqp-inspector-title" data-testid="amqp-inspector">
      <h2 id="amqp-inspector-title">RabbitMQ queues</h2>
      <p className="view-note">
        At {formatUs(moment.timeUs)}
        {!showNode && nodes.size === 1 && `, on ${[...nodes][0] ?? '—'}`}
        {!showLost && queues.length > 0 && ', nothing lost in crashes'}. The queue name jumps to the entry that last changed its row.
      </p>
      {queues.length === 0 ? (
        <p className="view-note">No queue declared yet at this moment.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                {showNode && <th scope="col">Node</th>}
                <th scope="col" className="num">
                  Ready
                </th>
                <th scope="col" className="num">
                  Unacked
                </th>
                <th scope="col" className="num" title="Channels that have received deliveries from the queue and are still open">
                  Consumers
                </th>
                <th scope="col" className="num">
                  Delivered
                </th>
                <th scope="col" className="num">
                  Acked
                </th>
                <th scope="col" className="num">
                  Dead-lettered
                </th>
                {showLost && (
                  <th scope="col" className="num">
                    Lost
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <tr key={q.name} className={q.available ? undefined : 'queue-down'} data-queue={q.name} data-ready={q.ready} data-unacked={q.unacked} data-available={q.available ? 'true' : 'false'}>
                  <td>
                    <JumpButton seq={q.lastSeq} jump={jump} label={`Queue ${q.name}: go to the entry that last changed it`}>
                      {q.name}
                    </JumpButton>
                    {q.type !== 'classic' && <span className="muted"> {q.type}</span>}
                  </td>
                  {showNode && <td>{q.available ? q.node ?? '—' : `${q.node ?? '—'} (down)`}</td>}
                  <td className="num" data-col="ready" title={q.available ? undefined : 'Its node is down'}>
                    {q.approximate && <span className="approx" title="A crash lost unsynced disk writes the history does not name: this may be too high">≈</span>}
                    {q.available ? num(q.ready) : '—'}
                  </td>
                  <td className="num" data-col="unacked">
                    {q.available ? num(q.unacked) : '—'}
                  </td>
                  <td className="num">{q.available ? num(q.consumers) : '—'}</td>
                  <td className="num">{num(q.delivered)}</td>
                  <td className="num">{num(q.acked)}</td>
                  <td className={q.deadLettered > 0 ? 'num short' : 'num'}>{num(q.deadLettered)}</td>
                  {showLost && <td className={q.lost > 0 ? 'num none' : 'num'}>{num(q.lost)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 data-testid="dead-letter-count">
        Dead-lettered messages: {num(dead.length)}
        {dead.length > DEAD_LETTERS_SHOWN && <span className="topic-facts">· the newest {DEAD_LETTERS_SHOWN} shown, newest first</span>}
      </h3>
      {dead.length === 0 ? (
        <p className="view-note">None yet. A message is dead-lettered when it is rejected without requeue, expires, or overflows a queue with an x-dead-letter-exchange.</p>
      ) : (
        <ul className="dead-letters">
          {shown.map((d) => (
            <DeadLetterItem key={d.seq} d={d} jump={jump} />
          ))}
        </ul>
      )}
    </section>
  );
}

function DeadLetterItem({ d, jump }: { d: DeadLetter; jump: (seq: number) => void }) {
  return (
    <li data-dead-letter={d.id}>
      <details>
        <summary>
          <span className="dl-time">{formatUs(d.timeUs)}</span>
          <span>{d.messageId ?? d.id}</span>
          <span className="dl-reason">{d.reason}</span>
          <span>
            from {d.fromQueue} via {d.exchange === '' ? 'the default exchange' : `exchange ${d.exchange}`} to {d.toQueues.length === 0 ? 'no queue (lost)' : d.toQueues.join(', ')}
          </span>
        </summary>
        <table className="x-death" aria-label={`x-death of ${d.messageId ?? d.id}, newest first`}>
          <thead>
            <tr>
              <th scope="col">x-death: queue</th>
              <th scope="col">reason</th>
              <th scope="col" className="num">
                count
              </th>
              <th scope="col">exchange</th>
              <th scope="col">routing-keys</th>
              <th scope="col" className="num">
                time (s)
              </th>
            </tr>
          </thead>
          <tbody>
            {d.xDeath.map((x) => (
              <tr key={`${x.queue}\u0000${x.reason}`}>
                <td>{x.queue}</td>
                <td>{x.reason}</td>
                <td className="num">{x.count}</td>
                <td>{x.exchange === '' ? '"" (default)' : x.exchange}</td>
                <td>
                  {x.routingKeys.join(', ')}
                  {!x.routingKeysExact && <span className="muted" title="A dead-letter routing key of the queue would have replaced these; the history does not say"> (as published)</span>}
                </td>
                <td className="num">{x.timeS}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="view-note">
          <button type="button" className="jump" onClick={() => jump(d.seq)}>
            Go to this dead-lettering (entry {d.seq})
          </button>
        </p>
      </details>
    </li>
  );
}
