import { useRef, useState } from 'react';
import { formatUs } from '../../format-time';
import { lagOf, leaderView, type GroupState, type KafkaState, type PartitionState } from '../../history/kafka-state';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { JumpButton } from './JumpButton';
import './inspectors.css';

/** A group's committed offset on one partition, and its lag (HW − committed). */
interface GroupColumn {
  group: GroupState;
  /** `topic\0partition` → committed offset. */
  committed: Map<number, number>;
}

function groupsOn(state: KafkaState, topic: string): GroupColumn[] {
  const out: GroupColumn[] = [];
  for (const g of state.groups.values()) {
    const committed = new Map<number, number>();
    for (const o of g.offsets.values()) if (o.topic === topic) committed.set(o.partition, o.offset);
    if (committed.size > 0) out.push({ group: g, committed });
  }
  return out;
}

const num = (n: number): string => (n < 0 ? '—' : n.toLocaleString('en-US'));

/**
 * Kafka partition logs at the timeline's moment, from the history alone: per topic and partition
 * the leader and its epoch, the ISR, the leader's log start offset, high watermark and log end
 * offset, and for each consumer group with commits on the topic its committed offset and lag.
 */
export function KafkaInspector() {
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const { jumpTo } = useSession();
  const [internal, setInternal] = useState(false);
  const state = history.kafka.at(moment.seq);
  const topics = [...state.topics.values()].filter((t) => internal || !t.internal);
  const byTopic = new Map<string, PartitionState[]>();
  for (const p of state.partitions.values()) {
    let list = byTopic.get(p.topic);
    if (list === undefined) byTopic.set(p.topic, (list = []));
    list.push(p);
  }
  const jump = (seq: number): void => {
    if (seq >= 0) jumpTo({ timeUs: history.timeOf(seq), seq });
  };

  return (
    <section ref={ref} className="panel view inspector" aria-labelledby="kafka-inspector-title" data-testid="kafka-inspector">
      <div className="view-head">
        <h2 id="kafka-inspector-title">Kafka partitions</h2>
        <div className="inspector-options">
          <label>
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />
            Internal topics
          </label>
        </div>
      </div>
      <p className="view-note">At {formatUs(moment.timeUs)}. The partition number jumps to the entry that last changed its row.</p>
      {topics.length === 0 && <p className="view-note">No topic yet at this moment.</p>}
      {topics.map((t) => {
        const parts = (byTopic.get(t.name) ?? []).slice().sort((a, b) => a.partition - b.partition);
        const groups = groupsOn(state, t.name);
        // The log start column appears once retention or a truncation has moved some log's start.
        const showStart = parts.some((p) => leaderView(p).logStartOffset > 0);
        const scale = Math.max(1, ...parts.map((p) => Math.max(leaderView(p).logEndOffset, 0)), ...groups.flatMap((g) => [...g.committed.values()]));
        return (
          <div key={t.name} data-topic={t.name}>
            <h3>
              {t.name}
              <span className="topic-facts">
                {t.partitions} partition{t.partitions === 1 ? '' : 's'} · replication factor {t.replicationFactor}
              </span>
            </h3>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1}>
                      Partition
                    </th>
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1}>
                      Leader
                    </th>
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1} className="num">
                      Epoch
                    </th>
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1}>
                      ISR
                    </th>
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1}>
                      Log
                    </th>
                    {showStart && (
                      <th scope="col" rowSpan={groups.length > 0 ? 2 : 1} className="num" title="Log start offset: the first offset still in the log">
                        Start
                      </th>
                    )}
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1} className="num" title="High watermark: records below it are on every in-sync replica and readable">
                      HW
                    </th>
                    <th scope="col" rowSpan={groups.length > 0 ? 2 : 1} className="num" title="Log end offset of the leader: the offset the next record gets">
                      LEO
                    </th>
                    {groups.map((g) => (
                      <th scope="colgroup" colSpan={2} key={g.group.groupId} className="group-head">
                        group {g.group.groupId}
                      </th>
                    ))}
                  </tr>
                  {groups.length > 0 && (
                    <tr>
                      {groups.map((g) => [
                        <th scope="col" key={`${g.group.groupId}-c`} className="num">
                          committed
                        </th>,
                        <th scope="col" key={`${g.group.groupId}-l`} className="num">
                          lag
                        </th>,
                      ])}
                    </tr>
                  )}
                </thead>
                <tbody>
                  {parts.map((p) => (
                    <PartitionRow key={p.partition} p={p} rf={t.replicationFactor} scale={scale} showStart={showStart} groups={groups} state={state} jump={jump} />
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
      {topics.length > 0 && (
        <ul className="log-legend" aria-label="Log bar legend">
          <li>
            <span className="swatch" style={{ background: '#3f8fc9' }} /> log start … high watermark (on every in-sync replica, readable)
          </li>
          <li>
            <span className="swatch" style={{ background: '#e0a93b' }} /> high watermark … log end (on the leader, not yet replicated)
          </li>
          <li>
            <span className="swatch" style={{ background: '#7ee787', width: 4 }} /> a group's committed offset
          </li>
        </ul>
      )}
    </section>
  );
}

function PartitionRow({ p, rf, scale, showStart, groups, state, jump }: { p: PartitionState; rf: number; scale: number; showStart: boolean; groups: GroupColumn[]; state: KafkaState; jump: (seq: number) => void }) {
  const v = leaderView(p);
  const pct = (n: number): string => `${(100 * Math.max(0, n)) / scale}%`;
  const hasLeader = v.logEndOffset >= 0;
  const describe = hasLeader
    ? `partition ${p.partition}: log start ${v.logStartOffset}, high watermark ${v.highWatermark}, log end ${v.logEndOffset}`
    : `partition ${p.partition}: no live leader`;
  return (
    <tr data-tp={`${p.topic}-${p.partition}`} data-leader={p.leader ?? ''} data-epoch={p.leaderEpoch} data-hw={v.highWatermark} data-leo={v.logEndOffset} data-isr={p.isr.join(',')}>
      <td>
        <JumpButton seq={p.lastSeq} jump={jump} label={`Partition ${p.partition}: go to the entry that last changed it`}>
          {p.partition}
        </JumpButton>
      </td>
      <td>{p.leader === null ? <span className="none">none</span> : hasLeader ? p.leader : <span className="short">{p.leader} (starting)</span>}</td>
      <td className="num">{p.leaderEpoch}</td>
      <td className={p.isr.length < rf ? 'short' : undefined}>
        {p.isr.join(', ')}
        {p.isr.length < rf && ` (${p.isr.length} of ${rf})`}
      </td>
      <td>
        <div className="log-bar" role="img" aria-label={describe}>
          {hasLeader && (
            <>
              <div className="log-committed" style={{ left: pct(v.logStartOffset), width: pct(v.highWatermark - v.logStartOffset) }} />
              <div className="log-uncommitted" style={{ left: pct(v.highWatermark), width: pct(v.logEndOffset - v.highWatermark) }} />
            </>
          )}
          {groups.map((g) => {
            const c = g.committed.get(p.partition);
            return c === undefined ? null : <div key={g.group.groupId} className="log-offset" style={{ left: `calc(${pct(c)} - 1px)` }} />;
          })}
        </div>
      </td>
      {showStart && <td className="num">{num(v.logStartOffset)}</td>}
      <td className="num" data-col="hw">
        {num(v.highWatermark)}
      </td>
      <td className="num" data-col="leo">
        {num(v.logEndOffset)}
      </td>
      {groups.map((g) => {
        const c = g.committed.get(p.partition);
        if (c === undefined) {
          return [
            <td key={`${g.group.groupId}-c`} className="num muted">
              —
            </td>,
            <td key={`${g.group.groupId}-l`} className="num muted">
              —
            </td>,
          ];
        }
        const { lag } = lagOf(state, { topic: p.topic, partition: p.partition, offset: c, seq: -1 });
        return [
          <td key={`${g.group.groupId}-c`} className="num" data-col={`committed-${g.group.groupId}`}>
            {num(c)}
          </td>,
          <td key={`${g.group.groupId}-l`} className={lag > 0 ? 'num lag-high' : 'num'} data-col={`lag-${g.group.groupId}`}>
            {num(lag)}
          </td>,
        ];
      })}
    </tr>
  );
}
