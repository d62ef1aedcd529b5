import { useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { useHistory, useMoment, useSession } from '../../workspace/workspace-context';
import { useOnScreen } from '../use-on-screen';
import { UPlotChart } from './UPlotChart';

/**
 * Throughput, delivery latency (p50 and p99) and drops on one simulated time axis, binned by the
 * history store as entries stream in. A click on any chart scrubs the timeline there.
 */
export function ChartsView() {
  const session = useSession();
  const ref = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(ref);
  const history = useHistory(onScreen);
  const moment = useMoment(onScreen);
  const version = history.version;
  const series = useMemo(() => history.metrics.series(history.endUs), [history, version]);
  const throughput = useMemo<uPlot.AlignedData>(() => [series.timeS, series.deliveredPerS], [series]);
  const latency = useMemo<uPlot.AlignedData>(() => [series.timeS, series.latencyP50Ms, series.latencyP99Ms], [series]);
  const drops = useMemo<uPlot.AlignedData>(() => [series.timeS, series.dropsPerS], [series]);
  const cursorS = moment.timeUs / 1_000_000;
  const pick = (timeS: number): void => session.jumpTo({ timeUs: Math.max(0, timeS * 1_000_000) });

  return (
    <section ref={ref} className="panel view charts" aria-labelledby="charts-title">
      <h2 id="charts-title">Metrics</h2>
      {history.length === 0 && <p className="view-note">Throughput, latency and losses appear here as the run streams in.</p>}
      <UPlotChart testId="chart-throughput" title="Messages delivered per simulated second" unit="msg/s" data={throughput} series={[{ label: 'delivered', stroke: '#6cb6ff' }]} cursorS={cursorS} onPickTime={pick} />
      <UPlotChart
        testId="chart-latency"
        title="Delivery latency, send → deliver"
        unit="ms"
        data={latency}
        series={[
          { label: 'p50', stroke: '#7ee787' },
          { label: 'p99', stroke: '#ffa94d', dash: [6, 4] },
        ]}
        cursorS={cursorS}
        onPickTime={pick}
      />
      <UPlotChart testId="chart-drops" title="Messages lost per simulated second" unit="drops/s" data={drops} series={[{ label: 'lost', stroke: '#ff7b72' }]} cursorS={cursorS} onPickTime={pick} />
    </section>
  );
}
