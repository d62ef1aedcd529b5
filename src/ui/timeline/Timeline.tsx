import { useId, useSyncExternalStore, type KeyboardEvent } from 'react';
import { formatUs } from '../format-time';
import { useHistory, useMomentNow, useTimeline } from '../workspace/workspace-context';
import { parseSpeed, PLAYBACK_SPEEDS } from './playback';
import { StepIcon } from './step-icons';

const SMALL_STEP_US = 1_000;
const BIG_STEP_US = 100_000;

/**
 * The one scrubber for every view: a range slider over simulated time (a row of its own, as wide
 * as the views), buttons that step entry by entry, and playback (play/pause and its speed). The slider's arrow keys step one entry (time
 * alone would need thousands of presses to cross a busy millisecond); Shift+arrows move 1 ms and
 * Page Up/Down 100 ms. Space plays or pauses while the timeline has focus (a focused button or
 * the speed list keeps Space for itself, as browsers do).
 */
export function Timeline() {
  const history = useHistory();
  const moment = useMomentNow();
  const timeline = useTimeline();
  const playback = useSyncExternalStore(timeline.subscribe, timeline.getPlayback);
  const speedId = useId();
  const endUs = history.endUs;
  const empty = history.length === 0;
  const position = `entry ${moment.seq < 0 ? '—' : (moment.seq + 1).toLocaleString('en')} of ${history.length.toLocaleString('en')}`;

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>): void {
    const moves: Record<string, () => void> = {
      ArrowLeft: () => (e.shiftKey ? timeline.shift(-SMALL_STEP_US) : timeline.step(-1)),
      ArrowDown: () => (e.shiftKey ? timeline.shift(-SMALL_STEP_US) : timeline.step(-1)),
      ArrowRight: () => (e.shiftKey ? timeline.shift(SMALL_STEP_US) : timeline.step(1)),
      ArrowUp: () => (e.shiftKey ? timeline.shift(SMALL_STEP_US) : timeline.step(1)),
      PageDown: () => timeline.shift(-BIG_STEP_US),
      PageUp: () => timeline.shift(BIG_STEP_US),
      Home: () => timeline.toStart(),
      End: () => timeline.toEnd(),
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
  }

  function onSpace(e: KeyboardEvent<HTMLElement>): void {
    if (e.key !== ' ' || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target as HTMLElement;
    if (el.tagName === 'BUTTON' || el.tagName === 'SELECT') return;
    e.preventDefault();
    timeline.togglePlay();
  }

  return (
    <section className="timeline" aria-label="Timeline" onKeyDown={onSpace}>
      <div className="timeline-buttons">
        <button
          type="button"
          className="timeline-play"
          onClick={() => timeline.togglePlay()}
          disabled={empty}
          title={playback.playing ? 'Pause (Space)' : 'Play (Space)'}
          data-testid="timeline-play"
        >
          <StepIcon kind={playback.playing ? 'pause' : 'play'} />
          <span>{playback.playing ? 'Pause' : 'Play'}</span>
        </button>
        <button type="button" onClick={() => timeline.toStart()} disabled={empty} aria-label="Go to the start" title="Start (Home)">
          <StepIcon kind="start" />
        </button>
        <button type="button" onClick={() => timeline.step(-1)} disabled={empty} aria-label="Previous entry" title="Previous entry (,)">
          <StepIcon kind="prev" />
        </button>
        <button type="button" onClick={() => timeline.step(1)} disabled={empty} aria-label="Next entry" title="Next entry (.)">
          <StepIcon kind="next" />
        </button>
        <button type="button" onClick={() => timeline.toEnd()} disabled={empty} aria-label="Go to the end and follow" title="End (End)">
          <StepIcon kind="end" />
        </button>
      </div>
      <output className="timeline-readout" data-testid="timeline-time" aria-live="off">
        <span className="timeline-time">{formatUs(moment.timeUs)}</span>
        <span className="timeline-pos">{position}</span>
        {timeline.live && history.state === 'streaming' && <span className="live-badge">live</span>}
      </output>
      <div className="timeline-speed">
        <label htmlFor={speedId}>Speed</label>
        <select
          id={speedId}
          value={String(playback.speed)}
          onChange={(e) => {
            const speed = parseSpeed(e.target.value);
            if (speed !== undefined) timeline.setSpeed(speed);
          }}
          title="Simulated time per second of playback"
        >
          {PLAYBACK_SPEEDS.map((s) => (
            <option key={String(s.value)} value={String(s.value)}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <input
        className="timeline-slider"
        type="range"
        min={0}
        max={Math.max(endUs, 1)}
        step={1}
        value={Math.min(moment.timeUs, Math.max(endUs, 1))}
        disabled={empty}
        aria-label="Simulated time"
        aria-valuetext={`${formatUs(moment.timeUs)}, ${position}`}
        onChange={(e) => timeline.jumpTo({ timeUs: Number(e.target.value) })}
        onKeyDown={onKeyDown}
      />
    </section>
  );
}
