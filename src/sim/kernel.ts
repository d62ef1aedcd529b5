import { assert } from './assert';

/** A scheduled event. Cancelling marks it; the queue drops it when it reaches the top. */
export interface Timer {
  readonly timeUs: number;
  readonly seq: number;
  cancelled: boolean;
}

interface QueuedEvent extends Timer {
  fn: () => void;
}

/** What stops a run. With none of these set, the run goes on until nothing is left to do. */
export interface StopWhen {
  /** Run every event at or before this time, then stop with the clock at exactly this time. */
  untilUs?: number;
  /** Stop after this many more events. */
  events?: number;
  /** Checked after every event; the run stops when it returns true. */
  predicate?: () => boolean;
}

/** Why a run stopped. `limit-*` means a configured maximum was hit: a modelled outcome, not a hang. */
export type RunOutcome =
  | 'quiescent'
  | 'until-time'
  | 'until-events'
  | 'predicate'
  | 'stopped'
  | 'limit-events'
  | 'limit-time';

export interface RunResult {
  outcome: RunOutcome;
  /** Events executed by this call. */
  events: number;
  nowUs: number;
}

export interface KernelLimits {
  /** The most events a kernel runs over its whole life. */
  eventsMax: number;
  /** The latest virtual time any event may be scheduled for. */
  timeUsMax: number;
}

export const DEFAULT_LIMITS: KernelLimits = { eventsMax: 100_000_000, timeUsMax: 24 * 3600 * 1_000_000 };

/**
 * The discrete-event kernel: virtual time in integer microseconds and one queue of events ordered
 * by (time, seq), where seq is a global insertion counter so no two events ever tie.
 */
export class Kernel {
  private heap: QueuedEvent[] = [];
  private seqNext = 0;
  private now = 0;
  private live = 0;
  private ran = 0;
  private stopRequested = false;
  readonly limits: KernelLimits;
  /** Set when a run ended on a limit, with a sentence saying which. */
  limitReached: string | undefined;

  constructor(limits: Partial<KernelLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** The current virtual time in microseconds. */
  get nowUs(): number {
    return this.now;
  }

  /** Events executed since the kernel was made. */
  get eventsRun(): number {
    return this.ran;
  }

  /** Events scheduled and not cancelled. */
  get pending(): number {
    return this.live;
  }

  /** Schedules `fn` at absolute time `timeUs` (not in the past). */
  at(timeUs: number, fn: () => void): Timer {
    assert(Number.isInteger(timeUs), 'event times are whole microseconds');
    assert(timeUs >= this.now, 'events are not scheduled in the past');
    const ev: QueuedEvent = { timeUs, seq: this.seqNext++, cancelled: false, fn };
    this.push(ev);
    this.live++;
    return ev;
  }

  /** Schedules `fn` after `delayUs` microseconds (rounded to a whole microsecond). */
  after(delayUs: number, fn: () => void): Timer {
    assert(delayUs >= 0, 'delays are not negative');
    return this.at(this.now + Math.round(delayUs), fn);
  }

  /** Cancels a timer; cancelling twice or after it ran is harmless. */
  cancel(timer: Timer): void {
    if (timer.cancelled) return;
    timer.cancelled = true;
    // A timer that already ran was removed from the heap; it was counted out then.
    if ((timer as QueuedEvent).fn !== noop) {
      this.live--;
      (timer as QueuedEvent).fn = noop;
    }
  }

  /** Asks the current run to stop after the event that is executing now. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Runs events in order until one of the stop conditions, a limit, or quiescence. */
  run(when: StopWhen = {}): RunResult {
    const { untilUs, predicate } = when;
    const timeUsMax = this.limits.timeUsMax;
    const eventsMax = this.limits.eventsMax;
    // One horizon and one event allowance, so the loop makes two comparisons per event; which
    // condition ended the run is worked out afterwards.
    const horizonUs = untilUs === undefined ? timeUsMax : Math.min(untilUs, timeUsMax);
    const allowance = Math.min(when.events ?? Infinity, eventsMax - this.ran);
    const heap = this.heap;
    let events = 0;
    this.stopRequested = false;
    let ended: RunOutcome | undefined;
    while (events < allowance) {
      let top = heap[0];
      // Drop cancelled events at the top so time does not advance to them.
      while (top !== undefined && top.cancelled) {
        this.pop();
        top = heap[0];
      }
      if (top === undefined || top.timeUs > horizonUs) break;
      this.pop();
      this.now = top.timeUs;
      const fn = top.fn;
      top.fn = noop;
      events++;
      fn();
      if (this.stopRequested) {
        ended = 'stopped';
        break;
      }
      if (predicate !== undefined && predicate()) {
        ended = 'predicate';
        break;
      }
    }
    this.live -= events;
    this.ran += events;
    return { outcome: ended ?? this.whyStopped(events, when), events, nowUs: this.now };
  }

  /** Names the condition that ended a run that left the loop without a stop or a predicate. */
  private whyStopped(events: number, when: StopWhen): RunOutcome {
    this.stopRequested = false;
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    const top = this.heap[0];
    if (when.events !== undefined && events >= when.events) return 'until-events';
    if (top !== undefined && this.ran >= this.limits.eventsMax) {
      this.limitReached = `event limit reached: ${this.limits.eventsMax} events ran and more were pending`;
      return 'limit-events';
    }
    if (when.untilUs !== undefined && (top === undefined || top.timeUs > when.untilUs)) {
      if (when.untilUs > this.now) this.now = Math.min(when.untilUs, this.limits.timeUsMax);
      return 'until-time';
    }
    if (top === undefined) return 'quiescent';
    this.limitReached = `simulated time limit reached: the next event is at ${top.timeUs}µs, past the limit of ${this.limits.timeUsMax}µs`;
    return 'limit-time';
  }

  /** Runs exactly one event if there is one; returns false when the queue is empty. */
  step(): boolean {
    return this.run({ events: 1 }).events === 1;
  }

  private push(ev: QueuedEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (parent.timeUs < ev.timeUs || (parent.timeUs === ev.timeUs && parent.seq < ev.seq)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = ev;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l]!;
      if (r < n) {
        const rc = heap[r]!;
        if (rc.timeUs < child.timeUs || (rc.timeUs === child.timeUs && rc.seq < child.seq)) {
          c = r;
          child = rc;
        }
      }
      if (last.timeUs < child.timeUs || (last.timeUs === child.timeUs && last.seq < child.seq)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
  }
}

function noop(): void {}
