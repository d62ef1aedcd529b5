import { createContext, useContext, useSyncExternalStore } from 'react';
import type { HistoryStore } from '../history/history-store';
import type { Moment, MomentTarget } from '../timeline/moment';
import type { TimelineStore } from '../timeline/timeline-store';
import type { RunSession } from './run-session';

/** The session the views around it read; a page provides it once for all its views. */
export const WorkspaceContext = createContext<RunSession | undefined>(undefined);

export function useSession(): RunSession {
  const s = useContext(WorkspaceContext);
  if (!s) throw new Error('a workspace view is rendered outside <WorkspaceContext.Provider>');
  return s;
}

/** Re-renders at most once per animation frame while history streams in; returns the store. */
export function useHistory(): HistoryStore {
  const { history } = useSession();
  useSyncExternalStore(history.subscribe, history.getVersion);
  return history;
}

/** The shared current moment. */
export function useMoment(): Moment {
  const { timeline } = useSession();
  return useSyncExternalStore(timeline.subscribe, timeline.getMoment);
}

export function useTimeline(): TimelineStore {
  return useSession().timeline;
}

/**
 * The function a lab page calls to show a checker's counterexample: every view scrubs to
 * `{ timeUs, seq }` (seq optional) and stops following the live stream.
 */
export function useJumpToMoment(): (target: MomentTarget) => void {
  return useSession().jumpTo;
}
