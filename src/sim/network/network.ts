import { Kinds } from '../history';
import { sampleLatencyUs, type LatencyModel, type Rng } from '../rng';
import type { World } from '../world';
import { ruleMatches, type LinkRule } from './rules';

/** The health of one directed link, named rather than a boolean (see STYLE 4). */
export type LinkState = 'healthy' | 'partitioned';

export interface NetworkConfig {
  /** Latency of every link without its own model. */
  latency: LatencyModel;
  /** Messages in flight on one directed link beyond this are dropped (`link-full`), like a full socket buffer. */
  inFlightPerLinkMax: number;
  /** Stream sends only: how much later a packet the loss rule hit arrives (TCP's retransmission timeout). */
  streamRetransmitUs: number;
}

export const DEFAULT_NETWORK: NetworkConfig = {
  latency: { kind: 'lognormal', medianUs: 500, sigma: 0.25 },
  inFlightPerLinkMax: 10_000,
  streamRetransmitUs: 200_000,
};

interface Link {
  from: string;
  to: string;
  state: LinkState;
  latency: LatencyModel | undefined;
  /** Extra latency added by a `latency` fault, on top of the model. */
  extraUs: number;
  inFlight: number;
  /** Latest scheduled arrival, so the link stays FIFO like a TCP connection. */
  lastArrivalUs: number;
  /** Stream packets waiting for a partition to heal, in send order. */
  held: HeldPacket[];
}

/** A stream packet a partition holds back, as TCP keeps unacknowledged data to retransmit. */
interface HeldPacket {
  id: number;
  payload: unknown;
  /** The sender's incarnation when it sent; a sender that crashed since takes its socket with it. */
  fromIncarnation: number;
}

export interface SendOptions {
  /** Size on the wire, for byte-based limits and charts. */
  sizeBytes?: number;
  /** What the history records for this message instead of the payload (keep it small). */
  label?: unknown;
  /**
   * Send over a TCP-like stream instead of as a datagram: a lost packet is retransmitted (it
   * arrives `streamRetransmitUs` later, recorded as `retransmit`), duplicates are discarded, a
   * reordered packet delays those behind it instead of being overtaken, and a partition holds
   * packets until the link heals rather than dropping them. A crashed receiver still loses them,
   * and so does a sender that crashes while they wait. Protocols over TCP (AMQP connections)
   * use this; deciding when a silent peer is dead (heartbeats) stays with them.
   */
  stream?: boolean;
}

/**
 * Every message between nodes crosses the network: clients and brokers alike. Links are FIFO
 * (TCP-like) unless a reorder rule holds a packet back; rules decide loss, duplication and
 * reordering (first non-pass verdict wins); partitions cut directed links until healed. A message
 * is checked against partitions when sent and again on arrival, as a cable cut drops what is on it.
 */
export class Network {
  readonly config: NetworkConfig;
  /** Every link, in the order they were first used (the order heals and resets go in). */
  private readonly links: Link[] = [];
  /** The same links by sender, then receiver (`link`). */
  private readonly linksFrom = new Map<string, Map<string, Link>>();
  private rules: LinkRule[] = [];
  private ruleIdNext = 1;
  private msgIdNext = 1;
  private readonly rng: Rng;

  constructor(
    private readonly world: World,
    config: Partial<NetworkConfig> = {},
  ) {
    this.config = { ...DEFAULT_NETWORK, ...config };
    this.rng = world.rng.fork('network');
  }

  private link(from: string, to: string): Link {
    // By sender, then receiver: a send looks its link up without building a key string (hashing
    // a fresh string per packet measured about 1.5 % of the RabbitMQ benchmark).
    let out = this.linksFrom.get(from);
    if (out === undefined) this.linksFrom.set(from, (out = new Map()));
    let l = out.get(to);
    if (!l) {
      l = { from, to, state: 'healthy', latency: undefined, extraUs: 0, inFlight: 0, lastArrivalUs: 0, held: [] };
      out.set(to, l);
      this.links.push(l);
    }
    return l;
  }

  /** The state of the directed link from → to. */
  linkState(from: string, to: string): LinkState {
    return this.linksFrom.get(from)?.get(to)?.state ?? 'healthy';
  }

  /** True when messages from → to are currently blocked. */
  isPartitioned(from: string, to: string): boolean {
    return this.linkState(from, to) === 'partitioned';
  }

  /** Sets the latency model of a directed link (or both directions with `symmetric`). */
  setLatency(from: string, to: string, model: LatencyModel, symmetric = true): void {
    this.link(from, to).latency = model;
    if (symmetric) this.link(to, from).latency = model;
  }

  /** Adds fixed extra latency on matching links (every link when from/to are omitted). */
  addLatency(extraUs: number, from?: string, to?: string): void {
    for (const a of from === undefined ? this.world.nodeNames() : [from]) {
      for (const b of to === undefined ? this.world.nodeNames() : [to]) if (a !== b) this.link(a, b).extraUs = extraUs;
    }
  }

  /**
   * Cuts every link between group `a` and group `b` (both directions, or only a → b with
   * `oneWay`). Links inside a group are untouched.
   */
  partition(a: readonly string[], b: readonly string[], oneWay = false): void {
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        this.link(x, y).state = 'partitioned';
        if (!oneWay) this.link(y, x).state = 'partitioned';
      }
    }
  }

  /** Restores links: all of them, or only those between `a` and `b` (both directions). */
  heal(a?: readonly string[], b?: readonly string[]): void {
    if (a === undefined || b === undefined) {
      for (const l of this.links) l.state = 'healthy';
    } else {
      for (const x of a) {
        for (const y of b) {
          this.link(x, y).state = 'healthy';
          this.link(y, x).state = 'healthy';
        }
      }
    }
    for (const l of this.links) if (l.held.length > 0 && l.state === 'healthy') this.releaseHeld(l);
  }

  /** Adds a per-packet rule; returns its id for `removeRule`. */
  addRule(make: (id: number) => LinkRule): number {
    const rule = make(this.ruleIdNext++);
    this.rules.push(rule);
    return rule.id;
  }

  removeRule(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  /** Removes the rules for which `pred` is true. */
  removeRulesWhere(pred: (rule: LinkRule) => boolean): void {
    this.rules = this.rules.filter((r) => !pred(r));
  }

  /** Removes rules of a kind (all of them when kind is omitted): what `heal` does to lossy links. */
  clearRules(kind?: LinkRule['kind']): void {
    this.rules = kind === undefined ? [] : this.rules.filter((r) => r.kind !== kind);
  }

  /** Removes partitions, rules and extra latency: the network of the heal phase. */
  healAll(): void {
    this.heal();
    this.clearRules();
    for (const l of this.links) l.extraUs = 0;
  }

  /** Sends `payload` from one node to another. Returns the message id (recorded in the history). */
  send(from: string, to: string, payload: unknown, opts: SendOptions = {}): number {
    const id = this.msgIdNext++;
    const w = this.world;
    const link = this.link(from, to);
    w.record(Kinds.send, from, to, id, opts.label);
    if (opts.stream === true) {
      this.sendStream(link, id, payload);
      return id;
    }
    if (link.state === 'partitioned') {
      w.record(Kinds.drop, from, to, id, { reason: 'partition' });
      return id;
    }
    let copies = 1;
    let holdUs = 0;
    for (const rule of this.rules) {
      if (!ruleMatches(rule, from, to)) continue;
      const v = rule.decide(this.rng);
      if (v === 'pass') continue;
      if (v === 'drop') {
        w.record(Kinds.drop, from, to, id, { reason: 'loss' });
        return id;
      }
      if (v === 'duplicate') {
        copies = 2;
        w.record(Kinds.duplicate, from, to, id);
      } else holdUs = v.delayUs;
      break;
    }
    for (let i = 0; i < copies; i++) this.transmit(link, id, payload, holdUs);
    return id;
  }

  private transmit(link: Link, id: number, payload: unknown, holdUs: number): void {
    const w = this.world;
    if (link.inFlight >= this.config.inFlightPerLinkMax) {
      w.record(Kinds.drop, link.from, link.to, id, { reason: 'link-full' });
      return;
    }
    const k = w.kernel;
    const sentUs = k.nowUs;
    const latencyUs = sampleLatencyUs(this.rng, link.latency ?? this.config.latency) + link.extraUs;
    let arrivalUs = sentUs + latencyUs + holdUs;
    if (holdUs === 0) {
      arrivalUs = Math.max(arrivalUs, link.lastArrivalUs);
      link.lastArrivalUs = arrivalUs;
    }
    link.inFlight++;
    k.at(arrivalUs, () => {
      link.inFlight--;
      if (link.state === 'partitioned') {
        w.record(Kinds.drop, link.from, link.to, id, { reason: 'partition' });
        return;
      }
      const dest = w.nodeOrUndefined(link.to);
      if (dest === undefined || dest.state === 'crashed') {
        w.record(Kinds.drop, link.from, link.to, id, { reason: dest === undefined ? 'no-such-node' : 'node-down' });
        return;
      }
      w.record(Kinds.deliver, link.to, link.from, id);
      dest.receive(payload, { msgId: id, from: link.from, sentUs });
    });
  }

  /** A stream send (see SendOptions.stream): retransmitted, deduplicated, in order, held across partitions. */
  private sendStream(link: Link, id: number, payload: unknown): void {
    if (link.state === 'partitioned' || link.held.length > 0) {
      this.hold(link, id, payload, this.world.nodeOrUndefined(link.from)?.incarnation ?? 0);
      return;
    }
    let extraUs = 0;
    for (const rule of this.rules) {
      if (!ruleMatches(rule, link.from, link.to)) continue;
      const v = rule.decide(this.rng);
      if (v === 'pass') continue;
      if (v === 'drop') {
        extraUs = this.config.streamRetransmitUs;
        this.world.record(Kinds.retransmit, link.from, link.to, id, { afterUs: extraUs });
      } else if (v !== 'duplicate') extraUs = v.delayUs;
      break;
    }
    this.transmitStream(link, id, payload, extraUs);
  }

  private transmitStream(link: Link, id: number, payload: unknown, extraUs: number): void {
    const w = this.world;
    if (link.inFlight >= this.config.inFlightPerLinkMax) {
      w.record(Kinds.drop, link.from, link.to, id, { reason: 'link-full' });
      return;
    }
    const k = w.kernel;
    const sentUs = k.nowUs;
    const latencyUs = sampleLatencyUs(this.rng, link.latency ?? this.config.latency) + link.extraUs;
    // In order, always: a late packet holds back the ones behind it, as TCP delivers a byte stream.
    const arrivalUs = Math.max(sentUs + latencyUs + extraUs, link.lastArrivalUs);
    link.lastArrivalUs = arrivalUs;
    link.inFlight++;
    const fromIncarnation = w.nodeOrUndefined(link.from)?.incarnation ?? 0;
    k.at(arrivalUs, () => {
      link.inFlight--;
      if (link.state === 'partitioned' || link.held.length > 0) {
        this.hold(link, id, payload, fromIncarnation);
        return;
      }
      const dest = w.nodeOrUndefined(link.to);
      if (dest === undefined || dest.state === 'crashed') {
        w.record(Kinds.drop, link.from, link.to, id, { reason: dest === undefined ? 'no-such-node' : 'node-down' });
        return;
      }
      w.record(Kinds.deliver, link.to, link.from, id);
      dest.receive(payload, { msgId: id, from: link.from, sentUs });
    });
  }

  /** Keeps a stream packet until its link heals, in send order (message ids grow with send time). */
  private hold(link: Link, id: number, payload: unknown, fromIncarnation: number): void {
    if (link.held.length >= this.config.inFlightPerLinkMax) {
      this.world.record(Kinds.drop, link.from, link.to, id, { reason: 'link-full' });
      return;
    }
    let at = link.held.length;
    while (at > 0 && link.held[at - 1]!.id > id) at--;
    link.held.splice(at, 0, { id, payload, fromIncarnation });
  }

  /** The link healed: held stream packets go out in order, unless their sender crashed meanwhile. */
  private releaseHeld(link: Link): void {
    const held = link.held.splice(0);
    const sender = this.world.nodeOrUndefined(link.from);
    for (const p of held) {
      if (sender === undefined || sender.state === 'crashed' || sender.incarnation !== p.fromIncarnation) {
        this.world.record(Kinds.drop, link.from, link.to, p.id, { reason: 'sender-crashed' });
        continue;
      }
      this.transmitStream(link, p.id, p.payload, 0);
    }
  }
}
