import type { HistoryEntry } from '../../sim';
import { BIN_LOST, BIN_NORMAL, DensityBins } from './density-bins';
import type { NodeIndex } from './node-index';
import { lowerBound, upperBound } from './sorted-search';

/** Where a message's arrow ends, named rather than encoded in a time (STYLE 4). */
export type ArrowState = 'in-flight' | 'delivered' | 'dropped';
const STATE_CODES: readonly ArrowState[] = ['in-flight', 'delivered', 'dropped'];
const IN_FLIGHT = 0;
const DELIVERED = 1;
const DROPPED = 2;

const CAPACITY_START = 4096;

/**
 * One arrow per copy of a message, from its `send` to its `deliver` or `drop`, stored column-wise
 * in typed arrays so 100k arrows cost a few megabytes and drawing touches no objects. Arrows are
 * created in send order (a duplicate's copy right after its original), so they are sorted by send
 * time and a time window is two binary searches.
 */
export class MessageIndex {
  count = 0;
  sendTimeUs = new Float64Array(CAPACITY_START);
  /** NaN while the message is in flight. */
  endTimeUs = new Float64Array(CAPACITY_START);
  sendSeq = new Int32Array(CAPACITY_START);
  /** -1 while in flight. */
  endSeq = new Int32Array(CAPACITY_START);
  from = new Int32Array(CAPACITY_START);
  to = new Int32Array(CAPACITY_START);
  state = new Uint8Array(CAPACITY_START);
  msgId = new Int32Array(CAPACITY_START);
  /** Arrows in the order their deliveries happened: the causal walk goes backwards along it. */
  deliveries = new Int32Array(CAPACITY_START);
  deliveryCount = 0;
  /** Arrows that have ended (delivered or dropped): with `count`, it says whether anything changed. */
  closedCount = 0;
  /** The longest send→end span seen, so a window search can start early enough to catch long arrows. */
  spanUsMax = 0;
  /** Node pairs that exchanged messages, as `low * 65536 + high` lane numbers, in first-seen order. */
  readonly links = new Set<number>();
  /** Arrow ends per lane and time bin: the overview of a whole run without touching each arrow. */
  readonly density = new DensityBins();

  /** First arrow of each message id (ids are small consecutive integers from the network). */
  private firstArrow = new Int32Array(CAPACITY_START).fill(-1);
  /** Arrows still in flight, oldest first (a Set keeps insertion order). */
  private readonly open = new Set<number>();

  constructor(private readonly nodes: NodeIndex) {}

  stateOf(i: number): ArrowState {
    return STATE_CODES[this.state[i]!]!;
  }

  /** Takes one history entry; entries that are not about messages are ignored. */
  add(e: HistoryEntry): void {
    if (e.msg === undefined) return;
    switch (e.kind) {
      case 'send':
        if (e.peer !== undefined) this.addArrow(e, this.nodes.id(e.node), this.nodes.id(e.peer));
        return;
      case 'duplicate': {
        // The network records a duplicate right after the send, at the same time: a second copy.
        const first = this.arrowOf(e.msg);
        if (first >= 0) this.addArrow({ ...e, seq: this.sendSeq[first]! }, this.from[first]!, this.to[first]!);
        return;
      }
      case 'deliver':
        this.close(e, DELIVERED);
        return;
      case 'drop':
        this.close(e, DROPPED);
        return;
    }
  }

  /** Arrows whose send time is in [fromUs - spanUsMax, toUs]: every arrow that can cross the window. */
  windowRange(fromUs: number, toUs: number, nowUs: number): [number, number] {
    const span = Math.max(this.spanUsMax, this.openSpanUs(nowUs));
    const t = this.sendTimeUs;
    return [lowerBound(this.count, (i) => t[i]!, fromUs - span), upperBound(this.count, (i) => t[i]!, toUs)];
  }

  /** The time an arrow ends, or `nowUs` while it is in flight. */
  endOrNow(i: number, nowUs: number): number {
    const end = this.endTimeUs[i]!;
    return Number.isNaN(end) ? nowUs : end;
  }

  private openSpanUs(nowUs: number): number {
    for (const i of this.open) return nowUs - this.sendTimeUs[i]!;
    return 0;
  }

  private arrowOf(msg: number): number {
    return msg < this.firstArrow.length ? this.firstArrow[msg]! : -1;
  }

  private addArrow(e: HistoryEntry, from: number, to: number): void {
    if (this.count === this.sendTimeUs.length) this.grow();
    const i = this.count++;
    this.sendTimeUs[i] = e.timeUs;
    this.endTimeUs[i] = NaN;
    this.sendSeq[i] = e.seq;
    this.endSeq[i] = -1;
    this.from[i] = from;
    this.to[i] = to;
    this.state[i] = IN_FLIGHT;
    this.msgId[i] = e.msg!;
    this.open.add(i);
    const msg = e.msg!;
    while (msg >= this.firstArrow.length) this.firstArrow = growInt32(this.firstArrow, -1);
    if (this.firstArrow[msg] === -1) this.firstArrow[msg] = i;
    this.links.add(from < to ? from * 65536 + to : to * 65536 + from);
    this.density.add(from, e.timeUs, BIN_NORMAL, 1);
  }

  private close(e: HistoryEntry, state: number): void {
    const first = this.arrowOf(e.msg!);
    if (first < 0) return;
    // The first copy still in flight takes this end; a drop after delivery (a full mailbox) marks the delivered copy.
    let i = first;
    while (i < this.count && this.msgId[i] === e.msg && this.state[i] !== IN_FLIGHT) i++;
    if (i >= this.count || this.msgId[i] !== e.msg) {
      if (state === DROPPED && this.state[first] !== DROPPED) {
        // A delivered message dropped afterwards: its receiving end goes, its sender shows it lost.
        if (this.state[first] === DELIVERED) this.density.add(this.to[first]!, this.endTimeUs[first]!, BIN_NORMAL, -1);
        this.density.add(this.from[first]!, this.sendTimeUs[first]!, BIN_NORMAL, -1);
        this.density.add(this.from[first]!, this.sendTimeUs[first]!, BIN_LOST, 1);
        this.state[first] = DROPPED;
      }
      this.closedCount++;
      return;
    }
    this.endTimeUs[i] = e.timeUs;
    this.endSeq[i] = e.seq;
    this.state[i] = state;
    this.closedCount++;
    this.open.delete(i);
    this.spanUsMax = Math.max(this.spanUsMax, e.timeUs - this.sendTimeUs[i]!);
    if (state === DROPPED) {
      this.density.add(this.from[i]!, this.sendTimeUs[i]!, BIN_NORMAL, -1);
      this.density.add(this.from[i]!, this.sendTimeUs[i]!, BIN_LOST, 1);
    } else this.density.add(this.to[i]!, e.timeUs, BIN_NORMAL, 1);
    if (state === DELIVERED) {
      if (this.deliveryCount === this.deliveries.length) this.deliveries = growInt32(this.deliveries, 0);
      this.deliveries[this.deliveryCount++] = i;
    }
  }

  private grow(): void {
    const n = this.sendTimeUs.length * 2;
    this.sendTimeUs = copyInto(new Float64Array(n), this.sendTimeUs);
    this.endTimeUs = copyInto(new Float64Array(n), this.endTimeUs);
    this.sendSeq = copyInto(new Int32Array(n), this.sendSeq);
    this.endSeq = copyInto(new Int32Array(n), this.endSeq);
    this.from = copyInto(new Int32Array(n), this.from);
    this.to = copyInto(new Int32Array(n), this.to);
    this.state = copyInto(new Uint8Array(n), this.state);
    this.msgId = copyInto(new Int32Array(n), this.msgId);
  }
}

function copyInto<T extends Float64Array | Int32Array | Uint8Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}

function growInt32(a: Int32Array, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2).fill(fill);
  b.set(a);
  return b;
}
