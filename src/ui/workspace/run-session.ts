import { HistoryStore } from '../history/history-store';
import type { MomentTarget } from '../timeline/moment';
import { TimelineStore } from '../timeline/timeline-store';

/**
 * One workspace's state outside React: the streamed history and the shared timeline. The
 * playground owns one; the lab page will own another and feed it from its own runs. Views get it
 * from WorkspaceContext and never hold engine objects.
 */
export class RunSession {
  readonly history = new HistoryStore();
  readonly timeline = new TimelineStore(this.history);

  /** Scrubs every view to a moment, e.g. a checker counterexample's `{ timeUs, seq }`. */
  jumpTo = (target: MomentTarget): void => this.timeline.jumpTo(target);
}
