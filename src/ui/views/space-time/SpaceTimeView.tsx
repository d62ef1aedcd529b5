import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { causalCone, inFuture, inPast, type CausalCone } from '../../history/causal';
import type { HistoryStore } from '../../history/history-store';
import { formatUs } from '../../format-time';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useElementWidth } from '../use-element-width';
import { useOnScreen } from '../use-on-screen';
import { useFrameCallback } from '../use-frame-callback';
import { ARROWS_DETAIL_MAX, drawSpaceTime, type DrawStats } from './draw-space-time';
import { arrowSegment } from './arrow-geometry';
import { arrowAt } from './hit-test';
import { gutterFor, laneAt, makeLayout, plotWidth, timeAt } from './lane-layout';
import { FONT } from './palette';
import { describeMessage, messageDetails } from './message-details';
import { FIT, pan, resolveWindow, reveal, zoom, type ViewWindow } from './view-window';

/** What a click picked: one message copy, or a point on a node's lane. */
type Selection = { kind: 'arrow'; arrow: number } | { kind: 'point'; lane: number; seq: number; timeUs: number };

interface Hover {
  arrow: number;
  x: number;
  y: number;
}

const ZOOM_STEP = 0.5;
const DRAG_PX = 4;

/**
 * The space-time (Lamport) diagram on a canvas: one lane per node, an arrow per message copy,
 * crashes and pauses on the lanes, partitions shaded by side. Only the visible window is drawn,
 * once per frame. Hover shows a message's vector clock; a click selects it, highlights its causal
 * past (cyan) and future (orange), and scrubs the shared timeline to its send.
 */
export function SpaceTimeView() {
  const session = useSession();
  const wrapRef = useRef<HTMLDivElement>(null);
  const onScreen = useOnScreen(wrapRef);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const width = useElementWidth(wrapRef);
  const [win, setWin] = useState<ViewWindow>(FIT);
  const [chosen, setSelection] = useState<Selection>();
  const [hover, setHover] = useState<Hover>();
  const [stats, setStats] = useState<Omit<DrawStats, 'complete'>>({ inWindow: 0, mode: 'arrows' });
  const drag = useRef<{ x: number; win: ViewWindow; moved: boolean }>(undefined);

  const lanes = history.nodes.size;
  // A selection from an earlier run can outlive it by one render (it is cleared in an effect).
  const selection = chosen && (chosen.kind === 'arrow' ? chosen.arrow < history.messages.count : chosen.lane < lanes && chosen.seq < history.length) ? chosen : undefined;
  const { startUs, endUs } = resolveWindow(win, history.endUs);
  const gutterPx = useMemo(() => gutterFor(width, history.nodes.names.map(nameWidthPx)), [width, lanes, history.runId]);
  const layout = makeLayout(width, lanes, startUs, endUs, gutterPx);

  // A new run starts with the whole history in view and nothing selected.
  const runKey = history.runId;
  useEffect(() => {
    setWin(FIT);
    setSelection(undefined);
    setHover(undefined);
  }, [runKey]);

  // Jumps from other views (a console line, the slider) bring the moment into a pinned window.
  useEffect(() => setWin((w) => reveal(w, history.endUs, moment.timeUs)), [moment.timeUs, history]);

  const cone = useMemo(() => coneOf(history, selection), [history, selection, history.version]);
  const counts = useMemo(() => (cone ? coneCounts(history, cone) : undefined), [cone, history]);
  const selectedArrow = selection?.kind === 'arrow' ? selection.arrow : -1;

  const draw = useFrameCallback(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(layout.widthPx * dpr);
    const h = Math.round(layout.heightPx * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const s = drawSpaceTime({ ctx, layout, history, moment, cone, selected: selectedArrow, hovered: hover?.arrow ?? -1 });
    setStats((old) => (old.inWindow === s.inWindow && old.mode === s.mode ? old : { inWindow: s.inWindow, mode: s.mode }));
    // A density image counted in slices needs more frames; each one draws what is ready.
    if (!s.complete) draw();
  });
  useLayoutEffect(draw);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  const wheelState = useRef({ win, endUs: history.endUs, layout });
  wheelState.current = { win, endUs: history.endUs, layout };
  useEffect(() => {
    const canvas = canvasRef.current!;
    const onWheel = (e: WheelEvent): void => {
      const { win: w, endUs: end, layout: l } = wheelState.current;
      const rect = canvas.getBoundingClientRect();
      const anchor = timeAt(l, e.clientX - rect.left);
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        setWin(zoom(w, end, e.deltaY > 0 ? 1 / ZOOM_STEP : ZOOM_STEP, anchor));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const px = e.deltaX || e.deltaY;
        setWin(pan(w, end, (px / plotWidth(l)) * (l.endUs - l.startUs)));
      }
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, []);

  function selectArrow(a: number): void {
    if (a < 0 || a >= history.messages.count) return;
    setSelection({ kind: 'arrow', arrow: a });
    session.jumpTo({ timeUs: history.messages.sendTimeUs[a]!, seq: history.messages.sendSeq[a]! });
  }

  function localPoint(e: PointerEvent<HTMLCanvasElement>): [number, number] {
    const rect = e.currentTarget.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  function onPointerDown(e: PointerEvent<HTMLCanvasElement>): void {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, win, moved: false };
  }

  function onPointerMove(e: PointerEvent<HTMLCanvasElement>): void {
    const d = drag.current;
    if (d && (d.moved || Math.abs(e.clientX - d.x) > DRAG_PX)) {
      d.moved = true;
      setHover(undefined);
      // The fitted window already shows everything: dragging it has nowhere to go.
      const dxUs = ((d.x - e.clientX) / plotWidth(layout)) * (layout.endUs - layout.startUs);
      setWin(pan(d.win, history.endUs, dxUs));
      return;
    }
    const [x, y] = localPoint(e);
    // In the density overview single arrows are not drawn, so there is nothing to hover.
    const a = stats.mode === 'arrows' ? arrowAt(history, layout, x, y) : -1;
    setHover(a >= 0 ? { arrow: a, x, y } : undefined);
  }

  function onPointerUp(e: PointerEvent<HTMLCanvasElement>): void {
    const d = drag.current;
    drag.current = undefined;
    if (!d || d.moved) return;
    const [x, y] = localPoint(e);
    const a = stats.mode === 'arrows' ? arrowAt(history, layout, x, y) : -1;
    if (a >= 0) return selectArrow(a);
    const lane = laneAt(layout, y);
    if (lane < 0 || x < layout.gutterPx) return setSelection(undefined);
    const timeUs = Math.max(0, Math.round(timeAt(layout, x)));
    const seq = history.seqAt(timeUs);
    setSelection({ kind: 'point', lane, seq, timeUs });
    session.jumpTo({ timeUs, seq });
  }

  function onKeyDown(e: KeyboardEvent<HTMLCanvasElement>): void {
    const m = history.messages;
    const spanUs = layout.endUs - layout.startUs;
    const keys: Record<string, () => void> = {
      ArrowRight: () => (e.shiftKey ? setWin(pan(win, history.endUs, spanUs / 10)) : selectArrow(selectedArrow >= 0 ? selectedArrow + 1 : firstArrowAfter(history, moment.seq))),
      ArrowLeft: () => (e.shiftKey ? setWin(pan(win, history.endUs, -spanUs / 10)) : selectArrow(selectedArrow >= 0 ? selectedArrow - 1 : firstArrowAfter(history, moment.seq) - 1)),
      '+': () => setWin(zoom(win, history.endUs, ZOOM_STEP, moment.timeUs)),
      '=': () => setWin(zoom(win, history.endUs, ZOOM_STEP, moment.timeUs)),
      '-': () => setWin(zoom(win, history.endUs, 1 / ZOOM_STEP, moment.timeUs)),
      '0': () => setWin(FIT),
      Escape: () => setSelection(undefined),
    };
    const act = keys[e.key];
    if (!act || m.count === 0) return;
    e.preventDefault();
    act();
  }

  // The selected arrow's midpoint, published for pointer tests and tools that point at it.
  let selectedPoint: string | undefined;
  if (selectedArrow >= 0 && selectedArrow < history.messages.count) {
    const seg = new Float64Array(4);
    arrowSegment(history.messages, layout, selectedArrow, history.endUs, seg);
    selectedPoint = `${Math.round((seg[0]! + seg[2]!) / 2)},${Math.round((seg[1]! + seg[3]!) / 2)}`;
  }
  const details = selection?.kind === 'arrow' ? describeMessage(messageDetails(history, selection.arrow)) : selection ? `${history.nodes.names[selection.lane]} at ${formatUs(selection.timeUs)}.` : '';
  const hovered = hover ? messageDetails(history, hover.arrow) : undefined;

  return (
    <section className="panel view spacetime" aria-labelledby="spacetime-title">
      <div className="view-head">
        <h2 id="spacetime-title">Space-time diagram</h2>
        <div className="toolbar" role="toolbar" aria-label="Space-time diagram controls">
          <button type="button" onClick={() => setWin(zoom(win, history.endUs, ZOOM_STEP, moment.timeUs))} disabled={lanes === 0}>
            Zoom in
          </button>
          <button type="button" onClick={() => setWin(zoom(win, history.endUs, 1 / ZOOM_STEP, moment.timeUs))} disabled={win.mode === 'fit'}>
            Zoom out
          </button>
          <button type="button" onClick={() => setWin(FIT)} disabled={win.mode === 'fit'}>
            Fit
          </button>
          <button type="button" onClick={() => setSelection(undefined)} disabled={!selection}>
            Clear selection
          </button>
        </div>
      </div>
      <div className="spacetime-wrap" ref={wrapRef}>
        <canvas
          ref={canvasRef}
          style={{ width: layout.widthPx, height: layout.heightPx }}
          tabIndex={0}
          role="application"
          aria-roledescription="space-time diagram"
          aria-label={`Space-time diagram of ${lanes} nodes from ${formatUs(startUs)} to ${formatUs(endUs)}. Left and right arrows select messages; plus and minus zoom; shift with arrows pans; Escape clears.`}
          aria-describedby="spacetime-details"
          data-testid="spacetime-canvas"
          data-in-window={stats.inWindow}
          data-window-start={Math.round(startUs)}
          data-window-end={Math.round(endUs)}
          data-gutter-px={layout.gutterPx}
          data-axis-px={layout.axisPx}
          data-lane-height-px={layout.laneHeightPx}
          data-selected-point={selectedPoint}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => setHover(undefined)}
          onKeyDown={onKeyDown}
        />
        {hovered && hover && (
          <div className="spacetime-tooltip" role="tooltip" data-testid="spacetime-tooltip" style={{ left: Math.max(0, Math.min(hover.x + 14, layout.widthPx - 340)), ...(hover.y > layout.heightPx / 2 ? { bottom: layout.heightPx - hover.y + 14 } : { top: hover.y + 14 }) }}>
            <strong>
              {hovered.from} → {hovered.to}
            </strong>{' '}
            <span>{hovered.label}</span>
            <div>sent {formatUs(hovered.sentUs)}</div>
            {hovered.state === 'delivered' && <div>delivered {formatUs(hovered.endUs!)}</div>}
            {hovered.state === 'dropped' && <div className="lost">lost {formatUs(hovered.endUs!)} ({hovered.reason ?? 'dropped'})</div>}
            {hovered.state === 'in-flight' && <div>in flight</div>}
            {hovered.vc && <div className="mono">vc {hovered.vc}</div>}
          </div>
        )}
      </div>
      <p id="spacetime-details" className="view-note" aria-live="polite" data-testid="spacetime-details">
        {details || 'Hover a message for its vector clock; click one to see its causal past and future.'}
        {counts && (
          <span data-testid="spacetime-cone">
            {' '}
            Causal past: {counts.past.toLocaleString('en')} messages; causal future: {counts.future.toLocaleString('en')} messages.
          </span>
        )}
      </p>
      <ul className="legend" aria-label="Legend">
        <li><span className="swatch" style={{ background: '#6cb6ff' }} /> delivered</li>
        <li><span className="swatch swatch-x">×</span> lost</li>
        <li><span className="swatch" style={{ background: '#56d4ff' }} /> causal past</li>
        <li><span className="swatch" style={{ background: '#ffa94d' }} /> causal future</li>
        <li><span className="swatch" style={{ background: '#b388ff' }} /> partition (lanes tinted by side)</li>
        <li><span className="swatch swatch-x">✕</span> crash · <span className="restart-mark">▲</span> restart · ❚❚ pause</li>
      </ul>
      {stats.mode === 'density' && (
        <p className="view-note" data-testid="spacetime-sampled">
          {stats.inWindow.toLocaleString('en')} messages in view, too many to draw one by one: each lane shows how busy its node was. Zoom in (Ctrl + wheel, or +) to below {ARROWS_DETAIL_MAX.toLocaleString('en')} to see each message.
        </p>
      )}
    </section>
  );
}

function coneOf(h: HistoryStore, s: Selection | undefined): CausalCone | undefined {
  if (!s) return undefined;
  const m = h.messages;
  if (s.kind === 'point') return causalCone(m, h.nodes.size, s.lane, s.seq, s.lane, s.seq + 1);
  const a = s.arrow;
  if (a >= m.count) return undefined;
  const delivered = m.state[a] === 1;
  return causalCone(m, h.nodes.size, m.from[a]!, m.sendSeq[a]!, delivered ? m.to[a]! : m.from[a]!, delivered ? m.endSeq[a]! : m.sendSeq[a]! + 1);
}

function coneCounts(h: HistoryStore, cone: CausalCone): { past: number; future: number } {
  const m = h.messages;
  let past = 0;
  let future = 0;
  for (let a = 0; a < m.count; a++) {
    if (inPast(m, cone, a)) past++;
    else if (inFuture(m, cone, a)) future++;
  }
  return { past, future };
}

/** The first message copy sent after entry `seq`. */
function firstArrowAfter(h: HistoryStore, seq: number): number {
  const m = h.messages;
  let lo = 0;
  let hi = m.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (m.sendSeq[mid]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, m.count - 1);
}

let measure: CanvasRenderingContext2D | null | undefined;

/** A lane name's width in the diagram's font (a fixed estimate where canvas text cannot be measured). */
function nameWidthPx(name: string): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure) return name.length * 9;
  measure.font = FONT;
  return measure.measureText(name).width;
}
