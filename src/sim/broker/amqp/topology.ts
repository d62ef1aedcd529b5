/**
 * A vhost's routing topology: exchanges, queue names and bindings, with the checks RabbitMQ makes
 * on `exchange.declare`, `exchange.delete`, `queue.bind`, `exchange.bind` and their unbinds.
 *
 * Only names and bindings live here; each queue's messages live in its {@link QueueStore}. All
 * collections are insertion-ordered, so iteration order is owned by this class (DESIGN §2).
 * Mistakes a learner can make come back as {@link AmqpError} values with RabbitMQ's texts.
 */

import { amqpError, fail, ok, resourceName, type AmqpResult } from './amqp-error.ts';
import { validateHeadersBinding } from './headers-match.ts';
import { compareBinaries, tableLookup, type FieldTable, type FieldValue } from './field-value.ts';
import {
  DEFAULT_EXCHANGE,
  PREDECLARED_EXCHANGES,
  type Binding,
  type ExchangeDef,
} from './exchange.ts';

/** Upper bounds so a runaway lab is a reported failure, not an out-of-memory tab (STYLE §5). */
export interface TopologyLimits {
  readonly exchangesMax: number;
  readonly bindingsMax: number;
}

/** Generous defaults: far beyond any lab, small enough to stop a loop that declares forever. */
export const DEFAULT_TOPOLOGY_LIMITS: TopologyLimits = { exchangesMax: 10_000, bindingsMax: 100_000 };

/** Exchanges, queue names and bindings of one vhost. */
export class Topology {
  private readonly exchangesByName = new Map<string, ExchangeDef>();
  private readonly queueNames = new Set<string>();
  private readonly bindingList: Binding[] = [];
  /** Bindings by source exchange, in creation order: routing reads only its exchange's bindings. */
  private readonly bySource = new Map<string, Binding[]>();
  private versionValue = 0;

  constructor(private readonly limits: TopologyLimits = DEFAULT_TOPOLOGY_LIMITS) {
    for (const x of PREDECLARED_EXCHANGES) this.exchangesByName.set(x.name, x);
  }

  /** The exchange with this name, if declared. */
  exchange(name: string): ExchangeDef | undefined {
    return this.exchangesByName.get(name);
  }

  /** All exchanges in declaration order. */
  exchanges(): readonly ExchangeDef[] {
    return [...this.exchangesByName.values()];
  }

  /** Does a queue with this name exist? Routing only ever delivers to existing queues. */
  hasQueue(name: string): boolean {
    return this.queueNames.has(name);
  }

  /** All queue names in declaration order. */
  queues(): readonly string[] {
    return [...this.queueNames];
  }

  /**
   * Bumped by every change to exchanges, queues or bindings, so a cache of routing results knows
   * when it is stale.
   */
  get version(): number {
    return this.versionValue;
  }

  /** Bindings whose source is this exchange, in the order they were created. */
  bindingsFrom(source: string): readonly Binding[] {
    return this.bySource.get(source) ?? NO_BINDINGS;
  }

  /** Every binding, in creation order. */
  bindings(): readonly Binding[] {
    return [...this.bindingList];
  }

  /**
   * `exchange.declare`: creates the exchange, or checks an existing one is equivalent (type,
   * durable, auto_delete, internal and the `alternate-exchange` argument, as RabbitMQ does).
   * Creating a name starting with `amq.` is refused; the default exchange cannot be declared.
   */
  declareExchange(def: ExchangeDef): AmqpResult<ExchangeDef> {
    if (def.name === DEFAULT_EXCHANGE) return fail(defaultExchangeRefused());
    const existing = this.exchangesByName.get(def.name);
    if (existing !== undefined) return checkEquivalent(existing, def);
    if (def.name.startsWith('amq.')) {
      return fail(amqpError('ACCESS_REFUSED', `exchange name '${def.name}' contains reserved prefix 'amq.*'`));
    }
    if (this.exchangesByName.size >= this.limits.exchangesMax) {
      return fail(amqpError('RESOURCE_LOCKED', `exchange limit of ${this.limits.exchangesMax} reached`));
    }
    this.exchangesByName.set(def.name, def);
    this.versionValue++;
    return ok(def);
  }

  /** `exchange.delete`: removes the exchange and every binding from or to it. */
  deleteExchange(name: string): AmqpResult<void> {
    if (name === DEFAULT_EXCHANGE) return fail(defaultExchangeRefused());
    if (name.startsWith('amq.')) {
      return fail(amqpError('ACCESS_REFUSED', `deletion of system ${resourceName('exchange', name)} not allowed`));
    }
    if (!this.exchangesByName.delete(name)) return ok(undefined);
    this.versionValue++;
    this.removeBindingsWhere(
      (b) => b.source === name || (b.destinationKind === 'exchange' && b.destination === name),
    );
    return ok(undefined);
  }

  /** Registers a queue name so routing can reach it (the queue's store is kept elsewhere). */
  declareQueue(name: string): void {
    if (this.queueNames.has(name)) return;
    this.queueNames.add(name);
    this.versionValue++;
  }

  /** Forgets a queue and its bindings; auto-delete exchanges left without bindings go too. */
  deleteQueue(name: string): void {
    if (!this.queueNames.delete(name)) return;
    this.versionValue++;
    this.removeBindingsWhere((b) => b.destinationKind === 'queue' && b.destination === name);
  }

  /**
   * `queue.bind` / `exchange.bind`. Checks in RabbitMQ's order: neither end may be the default
   * exchange (403), both ends must exist (404), a headers binding's `x-match` must be valid (406).
   * Binding twice is a no-op: a binding is identified by its ends, key and (sorted) arguments.
   */
  bind(binding: Binding): AmqpResult<Binding> {
    const checked = this.checkEnds(binding);
    if (!checked.ok) return checked;
    const source = this.exchangesByName.get(binding.source) as ExchangeDef;
    if (source.type === 'headers') {
      const valid = validateHeadersBinding(binding.arguments);
      if (!valid.ok) return fail(valid.error);
    }
    if (this.bindingList.some((b) => sameBinding(b, binding))) return ok(binding);
    if (this.bindingList.length >= this.limits.bindingsMax) {
      return fail(amqpError('RESOURCE_LOCKED', `binding limit of ${this.limits.bindingsMax} reached`));
    }
    this.bindingList.push(binding);
    let list = this.bySource.get(binding.source);
    if (list === undefined) this.bySource.set(binding.source, (list = []));
    list.push(binding);
    this.versionValue++;
    return ok(binding);
  }

  /**
   * `queue.unbind` / `exchange.unbind`: same end checks as binding; removing a binding that does
   * not exist succeeds (idempotent). Returns whether a binding was removed.
   */
  unbind(binding: Binding): AmqpResult<boolean> {
    const checked = this.checkEnds(binding);
    if (!checked.ok) return fail(checked.error);
    const at = this.bindingList.findIndex((b) => sameBinding(b, binding));
    if (at < 0) return ok(false);
    this.removeBindingsWhere((_b, i) => i === at);
    return ok(true);
  }

  private checkEnds(binding: Binding): AmqpResult<Binding> {
    if (binding.destination === DEFAULT_EXCHANGE && binding.destinationKind === 'exchange') {
      return fail(defaultExchangeRefused());
    }
    if (binding.source === DEFAULT_EXCHANGE) return fail(defaultExchangeRefused());
    if (!this.exchangesByName.has(binding.source)) {
      return fail(amqpError('NOT_FOUND', `no ${resourceName('exchange', binding.source)}`));
    }
    const destinationExists =
      binding.destinationKind === 'queue'
        ? this.queueNames.has(binding.destination)
        : this.exchangesByName.has(binding.destination);
    if (!destinationExists) {
      return fail(amqpError('NOT_FOUND', `no ${resourceName(binding.destinationKind, binding.destination)}`));
    }
    return ok(binding);
  }

  /** Removes matching bindings, then auto-deletes sources that lost their last binding. */
  private removeBindingsWhere(pred: (b: Binding, index: number) => boolean): void {
    const removed: Binding[] = [];
    const kept: Binding[] = [];
    this.bindingList.forEach((b, i) => (pred(b, i) ? removed : kept).push(b));
    if (removed.length === 0) return;
    this.bindingList.splice(0, this.bindingList.length, ...kept);
    this.versionValue++;
    this.bySource.clear();
    for (const b of kept) {
      let list = this.bySource.get(b.source);
      if (list === undefined) this.bySource.set(b.source, (list = []));
      list.push(b);
    }
    for (const b of removed) {
      const source = this.exchangesByName.get(b.source);
      if (source?.autoDelete === true && !this.bindingList.some((k) => k.source === b.source)) {
        this.exchangesByName.delete(b.source);
        this.versionValue++;
        this.removeBindingsWhere((k) => k.destinationKind === 'exchange' && k.destination === b.source);
      }
    }
  }
}

const NO_BINDINGS: readonly Binding[] = [];

/** `check_not_default_exchange/1`. */
function defaultExchangeRefused() {
  return amqpError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
}

/** `rabbit_exchange:assert_equivalence/6` with RabbitMQ's "inequivalent arg" text. */
function checkEquivalent(existing: ExchangeDef, requested: ExchangeDef): AmqpResult<ExchangeDef> {
  const fields: ReadonlyArray<readonly [string, string, string]> = [
    ['type', existing.type, requested.type],
    ['durable', String(existing.durable), String(requested.durable)],
    ['auto_delete', String(existing.autoDelete), String(requested.autoDelete)],
    ['internal', String(existing.internal), String(requested.internal)],
  ];
  for (const [key, current, received] of fields) {
    if (current !== received) return fail(inequivalent(existing.name, key, `'${received}'`, `'${current}'`));
  }
  const a = tableLookup(existing.arguments, 'alternate-exchange');
  const b = tableLookup(requested.arguments, 'alternate-exchange');
  if (valueText(a) !== valueText(b)) {
    return fail(inequivalent(existing.name, 'alternate-exchange', valueText(b), valueText(a)));
  }
  return ok(existing);
}

function inequivalent(name: string, key: string, received: string, current: string) {
  return amqpError(
    'PRECONDITION_FAILED',
    `inequivalent arg '${key}' for ${resourceName('exchange', name)}: received ${received} but current is ${current}`,
  );
}

/** `rabbit_misc:val/1`, used in the inequivalence text. */
function valueText(v: FieldValue | undefined): string {
  if (v === undefined) return 'none';
  const value = v.type === 'void' ? 'undefined' : JSON.stringify(v.value);
  return `the value '${v.type === 'longstr' ? v.value : value}' of type '${v.type}'`;
}

/** Binding identity: ends, key, and arguments compared after RabbitMQ's key sort. */
function sameBinding(a: Binding, b: Binding): boolean {
  return (
    a.source === b.source &&
    a.destinationKind === b.destinationKind &&
    a.destination === b.destination &&
    a.routingKey === b.routingKey &&
    argsKey(a.arguments) === argsKey(b.arguments)
  );
}

function argsKey(args: FieldTable): string {
  // rabbit_misc:sort_field_table/1 is a stable keysort on the name.
  const sorted = [...args].sort((x, y) => compareBinaries(x.name, y.name));
  return JSON.stringify(sorted);
}

