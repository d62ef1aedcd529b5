import { memo } from 'react';
import { Timeline } from '../timeline/Timeline';
import { useTimelineShortcuts } from '../timeline/use-timeline-shortcuts';
import { ChartsView } from '../views/charts/ChartsView';
import { ConsoleView } from '../views/console/ConsoleView';
import { HistoryTable } from '../views/history-table/HistoryTable';
import { InspectorsRow } from '../views/inspectors/InspectorsRow';
import { SpaceTimeView } from '../views/space-time/SpaceTimeView';
import { TopologyView } from '../views/topology/TopologyView';
import type { RunSession } from './run-session';
import { ViewBoundary } from './ViewBoundary';
import { WorkspaceContext } from './workspace-context';

/**
 * Every view of a run under one timeline. A page owns the RunSession and feeds it history; the
 * playground does it from built-in scenarios, the lab page will from lab runs. Memoised: the
 * page's own state changes (a typed seed, a running flag) never re-render the views.
 */
export const Workspace = memo(function Workspace({ session }: { session: RunSession }) {
  useTimelineShortcuts(session.timeline);
  return (
    <WorkspaceContext.Provider value={session}>
      <div className="workspace">
        <Timeline />
        <ViewBoundary name="The space-time diagram">
          <SpaceTimeView />
        </ViewBoundary>
        <div className="workspace-row topo-charts">
          <ViewBoundary name="The topology">
            <TopologyView />
          </ViewBoundary>
          <ViewBoundary name="The metrics">
            <ChartsView />
          </ViewBoundary>
        </div>
        <InspectorsRow />
        <div className="workspace-row console-table">
          <ViewBoundary name="The console">
            <ConsoleView />
          </ViewBoundary>
          <ViewBoundary name="The history table">
            <HistoryTable />
          </ViewBoundary>
        </div>
      </div>
    </WorkspaceContext.Provider>
  );
});
