import { useMemo, useRef, useState, type CSSProperties } from 'react';
import { CONSOLE_LEVELS, type ConsoleLevel } from '../../history/console-lines';
import { formatUs } from '../../format-time';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { VirtualRows } from '../VirtualRows';
import { filterConsole } from './filter-console';

const ROW_PX = 30;
const HEIGHT_PX = 290;

/**
 * Log lines and the world's own events with their node and simulated time, filterable by node,
 * level and text. Lines after the current moment are dimmed, not hidden, so a later error can be
 * clicked; clicking a line scrubs every view to it.
 */
export function ConsoleView() {
  const session = useSession();
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const [node, setNode] = useState('');
  const [levels, setLevels] = useState<ReadonlySet<ConsoleLevel>>(() => new Set(CONSOLE_LEVELS));
  const [text, setText] = useState('');
  const version = history.version;
  const lines = useMemo(() => filterConsole(history.consoleLines, { node, levels, text }), [history, version, node, levels, text]);
  // The last line at or before the moment is "now"; the list keeps it in view.
  let nowIndex = -1;
  for (let lo = 0, hi = lines.length; lo < hi; ) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.seq <= moment.seq) {
      nowIndex = mid;
      lo = mid + 1;
    } else hi = mid;
  }

  const toggle = (level: ConsoleLevel): void =>
    setLevels((old) => {
      const next = new Set(old);
      if (next.has(level)) next.delete(level);
      else next.add(level);
      return next;
    });

  const row = (i: number, style: CSSProperties) => {
    const l = lines[i]!;
    const future = l.seq > moment.seq;
    return (
      <div role="listitem" key={l.seq} style={style} className={`console-line level-${l.level}${future ? ' future' : ''}${i === nowIndex ? ' current' : ''}`}>
        <button type="button" onClick={() => session.jumpTo({ timeUs: l.timeUs, seq: l.seq })} aria-current={i === nowIndex ? 'true' : undefined}>
          <span className="console-time">{formatUs(l.timeUs)}</span>
          <span className="console-node">{l.node || 'world'}</span>
          <span className="console-level">{l.level}</span>
          <span className="console-text">{l.text}</span>
        </button>
      </div>
    );
  };

  return (
    <section ref={ref} className="panel view console" aria-labelledby="console-title">
      <h2 id="console-title">Console</h2>
      <div className="console-filters" role="group" aria-label="Console filters">
        <label>
          Node
          <select value={node} onChange={(e) => setNode(e.target.value)}>
            <option value="">All nodes</option>
            {history.nodes.names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="levels">
          <legend>Levels</legend>
          {CONSOLE_LEVELS.map((level) => (
            <label key={level} className="check">
              <input type="checkbox" checked={levels.has(level)} onChange={() => toggle(level)} />
              {level}
            </label>
          ))}
        </fieldset>
        <label>
          Text
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="filter…" />
        </label>
      </div>
      <VirtualRows
        count={lines.length}
        rowHeightPx={ROW_PX}
        heightPx={HEIGHT_PX}
        revealIndex={nowIndex}
        renderRow={row}
        containerProps={{ role: 'list', 'aria-label': 'Console lines', 'data-testid': 'console-lines' } as never}
      />
      <p className="view-note" data-testid="console-count">
        {lines.length.toLocaleString('en')} of {history.consoleLines.length.toLocaleString('en')} lines shown.
      </p>
    </section>
  );
}
