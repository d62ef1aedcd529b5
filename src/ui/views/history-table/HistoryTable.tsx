import { useRef, type CSSProperties } from 'react';
import type { HistoryEntry } from '../../../sim';
import { formatUs } from '../../format-time';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { VirtualRows } from '../VirtualRows';

const ROW_PX = 30;
const HEIGHT_PX = 330;
const COLUMNS = ['#', 'Time', 'Kind', 'Node', 'Peer', 'Msg', 'Data'];

/**
 * Every history entry up to the current moment, newest at the bottom, virtualised so a 100k-entry
 * run scrolls as lightly as a short one. Activating a row scrubs the timeline to that entry.
 */
export function HistoryTable() {
  const session = useSession();
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const count = Math.min(history.length, moment.seq + 1);

  const row = (i: number, style: CSSProperties) => {
    const e: HistoryEntry = history.entry(i);
    const current = i === moment.seq;
    return (
      <div key={i} role="row" aria-rowindex={i + 2} aria-current={current ? 'true' : undefined} className={`htable-row${current ? ' current' : ''}`} style={style}>
        <span role="cell">
          <button type="button" className="linkish" onClick={() => session.jumpTo({ timeUs: e.timeUs, seq: e.seq })} aria-label={`Go to entry ${e.seq}`}>
            {e.seq}
          </button>
        </span>
        <span role="cell">{formatUs(e.timeUs)}</span>
        <span role="cell">
          <span className={`kind kind-${e.kind.replace('.', '-')}`}>{e.kind}</span>
        </span>
        <span role="cell">{e.node}</span>
        <span role="cell">{e.peer ?? ''}</span>
        <span role="cell">{e.msg ?? ''}</span>
        <span role="cell" className="data">
          {e.data === undefined ? '' : JSON.stringify(e.data)}
        </span>
      </div>
    );
  };

  return (
    <section ref={ref} className="panel view history-table" aria-labelledby="htable-title">
      <h2 id="htable-title">History up to the current moment</h2>
      <div role="table" aria-labelledby="htable-title" aria-rowcount={count + 1} data-testid="history-table" data-rows={count}>
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} className="htable-row htable-head">
            {COLUMNS.map((c) => (
              <span role="columnheader" key={c}>
                {c}
              </span>
            ))}
          </div>
        </div>
        <VirtualRows
          count={count}
          rowHeightPx={ROW_PX}
          heightPx={HEIGHT_PX}
          revealIndex={count - 1}
          renderRow={row}
          containerProps={{ role: 'rowgroup', tabIndex: 0, 'aria-label': 'History entries' }}
        />
      </div>
      {count === 0 && <p className="view-note">Run a scenario to see its history.</p>}
    </section>
  );
}
