import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  stroke: string;
  /** Dashed series read as secondary (p99 beside p50). */
  dash?: number[];
}

interface Props {
  title: string;
  /** Columns: x (simulated seconds), then one array per series. */
  data: uPlot.AlignedData;
  series: ChartSeries[];
  /** Unit for the y axis, e.g. `msg/s`. */
  unit: string;
  /** The timeline's moment in simulated seconds: a cursor line is drawn there. */
  cursorS: number;
  onPickTime: (timeS: number) => void;
  height?: number;
  testId?: string;
}

const AXIS = { stroke: '#cfd8e3', grid: { stroke: '#26323e', width: 1 }, ticks: { stroke: '#3a4a5a', width: 1 }, font: '14px system-ui, sans-serif', labelFont: '14px system-ui, sans-serif' };

/**
 * One uPlot chart on the simulated time axis. uPlot is imperative, so this wraps it: data changes
 * call setData, a moving timeline only redraws (the cursor line is drawn by a hook, no re-layout),
 * and a click anywhere on the plot picks that time.
 */
export function UPlotChart({ title, data, series, unit, cursorS, onPickTime, height = 150, testId }: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot>(undefined);
  const cursorRef = useRef(cursorS);
  const pickRef = useRef(onPickTime);
  pickRef.current = onPickTime;

  useEffect(() => {
    const el = wrapRef.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth || 400),
      height,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      // Rates and latencies start at zero, so a dip is never drawn deeper than it was.
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { ...AXIS, values: (_u, ticks) => ticks.map((t) => `${+t.toFixed(3)} s`) },
        { ...AXIS, size: 64, values: (_u, ticks) => ticks.map((t) => `${+t.toFixed(2)}`) },
      ],
      series: [{ label: 'time', value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} s`) }, ...series.map((s) => ({ label: `${s.label} (${unit})`, stroke: s.stroke, width: 2, dash: s.dash, spanGaps: false, points: { show: false } }))],
      hooks: {
        draw: [
          (u) => {
            const x = u.valToPos(cursorRef.current, 'x', true);
            if (!Number.isFinite(x)) return;
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = '#ffd166';
            ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(opts, data, el);
    plotRef.current = plot;
    // Position from the click itself: uPlot's cursor uses a rectangle cached at the last scroll,
    // which can be stale right after the page scrolled the chart into view.
    const onClick = (e: MouseEvent): void => {
      const left = e.clientX - plot.over.getBoundingClientRect().left;
      if (left < 0) return;
      pickRef.current(plot.posToVal(left, 'x'));
    };
    plot.over.addEventListener('click', onClick);
    const ro = new ResizeObserver(() => {
      if (el.clientWidth > 0) plot.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
      plotRef.current = undefined;
    };
    // The chart is built once; data and cursor flow in through the effects below.
  }, []);

  // New data redraws everything (the cursor hook included); a moved cursor alone only redraws.
  // Both in one effect: a cached-path redraw right after setData would drop the new paths.
  const drawn = useRef<uPlot.AlignedData>(undefined);
  useEffect(() => {
    const plot = plotRef.current;
    cursorRef.current = cursorS;
    if (!plot) return;
    if (drawn.current !== data) {
      drawn.current = data;
      plot.setData(data);
    } else plot.redraw(false, false);
  }, [data, cursorS]);

  return (
    <figure className="chart" data-testid={testId} data-points={data[0].length}>
      <figcaption>{title}</figcaption>
      <div ref={wrapRef} className="chart-plot" />
    </figure>
  );
}
