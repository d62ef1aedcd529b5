import { useSyncExternalStore } from 'react';
import type { DemoMoment } from '../../host/engine';
import { formatUsShort } from '../format-time';
import type { RunSession } from '../workspace/run-session';

/**
 * The moments worth showing, as buttons that scrub every view there. The last moment the
 * timeline has passed is marked as the current step, so the list follows playback.
 */
export function DemoMoments({ moments, session }: { moments: DemoMoment[]; session: RunSession }) {
  const now = useSyncExternalStore(session.timeline.subscribe, session.timeline.getMoment);
  let current = -1;
  moments.forEach((m, i) => {
    if (now.seq >= m.seq) current = i;
  });
  return (
    <section className="demo-moments" aria-labelledby="demo-moments-title">
      <h2 id="demo-moments-title">Moments</h2>
      <ol>
        {moments.map((m, i) => (
          <li key={`${m.seq}-${m.label}`}>
            <button type="button" onClick={() => session.jumpTo({ timeUs: m.timeUs, seq: m.seq })} aria-current={i === current ? 'step' : undefined} data-testid="demo-moment">
              <span className="demo-moment-time">{formatUsShort(m.timeUs)}</span>
              <span className="demo-moment-label">{m.label}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
