import { createContext, startTransition, useContext, useEffect, useState, useSyncExternalStore } from 'react';
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

/**
 * Follows a store with transition updates: React renders them in slices and yields to the main
 * thread between components, so a refresh of every view never becomes one long task while the
 * worker's batches are arriving. The price is that a view may lag its store by a frame.
 */
function useTransitionStore<T>(subscribe: (l: () => void) => () => void, read: () => T, active: boolean): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    if (!active) return;
    const update = (): void => startTransition(() => setValue(read));
    update();
    return subscribe(update);
  }, [subscribe, read, active]);
  return value;
}

/**
 * Re-renders (as a transition) when the history changes; returns the store. An inactive view
 * (off screen) does not follow until it is active again, then catches up at once.
 */
export function useHistory(active = true): HistoryStore {
  const { history } = useSession();
  useTransitionStore(history.subscribe, history.getVersion, active);
  return history;
}

/** The shared current moment, for views (updates as transitions; frozen while inactive). */
export function useMoment(active = true): Moment {
  const { timeline } = useSession();
  return useTransitionStore(timeline.subscribe, timeline.getMoment, active);
}

/** The current moment without delay, for the controls that set it (a slider must not lag its thumb). */
export function useMomentNow(): Moment {
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
