import { useRef } from 'react';
import { formatUs } from '../../format-time';
import { lagOf, type GroupState, type KafkaState } from '../../history/kafka-state';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { JumpButton } from './JumpButton';
import './inspectors.css';

const STATE_WORDS: Record<string, string> = {
  Stable: 'Stable',
  PreparingRebalance: 'Preparing rebalance',
  CompletingRebalance: 'Completing rebalance',
  Empty: 'Empty',
  none: 'No coordinator',
};

function partitionsText(list: readonly [string, number][]): string {
  if (list.length === 0) return 'nothing assigned';
  // Group by topic: "orders 0, 1, 2".
  const byTopic = new Map<string, number[]>();
  for (const [t, p] of list) {
    let ps = byTopic.get(t);
    if (ps === undefined) byTopic.set(t, (ps = []));
    ps.push(p);
  }
  return [...byTopic].map(([t, ps]) => `${t} ${ps.sort((a, b) => a - b).join(', ')}`).join('; ');
}

/**
 * Consumer groups at the timeline's moment: state (with the coordinator that holds it), generation,
 * protocol and leader, each member's assigned partitions and the lag on them.
 */
export function GroupInspector() {
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const { jumpTo } = useSession();
  const state = history.kafka.at(moment.seq);
  const groups = [...state.groups.values()];
  const jump = (seq: number): void => {
    if (seq >= 0) jumpTo({ timeUs: history.timeOf(seq), seq });
  };
  return (
    <section ref={ref} className="panel view inspector" aria-labelledby="group-inspector-title" data-testid="group-inspector">
      <h2 id="group-inspector-title">Consumer groups</h2>
      {groups.length === 0 ? (
        <p className="view-note">No consumer group has formed at {formatUs(moment.timeUs)}.</p>
      ) : (
        groups.map((g) => <Group key={g.groupId} g={g} state={state} jump={jump} />)
      )}
    </section>
  );
}

function Group({ g, state, jump }: { g: GroupState; state: KafkaState; jump: (seq: number) => void }) {
  const stateKey = g.coordinator === null ? 'none' : g.state;
  let totalLag = 0;
  const lagByPartition = new Map<string, number>();
  for (const o of g.offsets.values()) {
    const { lag } = lagOf(state, o);
    totalLag += lag;
    lagByPartition.set(`${o.topic}\u0000${o.partition}`, lag);
  }
  return (
    <div className="group" data-group={g.groupId} data-state={stateKey} data-generation={g.generation} data-lag={totalLag}>
      <h3>
        <JumpButton seq={g.lastSeq} jump={jump} label={`Group ${g.groupId}: go to the entry that last changed it`}>
          {g.groupId}
        </JumpButton>{' '}
        <span className={`group-state state-${stateKey}`}>{STATE_WORDS[stateKey] ?? stateKey}</span>
      </h3>
      <ul className="group-facts">
        <li>
          generation <strong>{g.generation}</strong>
        </li>
        <li>
          protocol <strong>{g.protocol ?? '—'}</strong>
        </li>
        <li>
          coordinator <strong>{g.coordinator ?? 'none (its broker is down or moving)'}</strong>
        </li>
        <li>
          total lag <strong className={totalLag > 0 ? 'lag-high' : undefined}>{totalLag.toLocaleString('en-US')}</strong>
        </li>
      </ul>
      {g.members.length === 0 ? (
        <p className="view-note">No members.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Assigned partitions</th>
                <th scope="col" className="num">
                  Lag
                </th>
              </tr>
            </thead>
            <tbody>
              {g.members.map((m) => {
                const lag = m.assignment.reduce((n, [t, p]) => n + (lagByPartition.get(`${t}\u0000${p}`) ?? 0), 0);
                return (
                  <tr key={m.memberId} data-member={m.memberId}>
                    <td>
                      {m.memberId}
                      {m.memberId === g.leader && <span className="muted"> (leader)</span>}
                      {m.instanceId !== null && <span className="muted"> static {m.instanceId}</span>}
                    </td>
                    <td className="assignment">{partitionsText(m.assignment)}</td>
                    <td className={lag > 0 ? 'num lag-high' : 'num'}>{lag.toLocaleString('en-US')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
