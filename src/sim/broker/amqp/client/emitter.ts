/**
 * A small synchronous event emitter with Node's `on` / `once` / `off` / `emit`, so client objects
 * look like amqplib's (which extend Node's EventEmitter) without importing Node. Listeners run in
 * registration order, inside the simulation event that emits.
 */

type Listener = (...args: never[]) => unknown;

export class Emitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Array<{ fn: Listener; once: boolean }>>();

  on<K extends keyof Events>(event: K, fn: (...args: Events[K]) => unknown): this {
    this.add(event, fn as Listener, false);
    return this;
  }

  once<K extends keyof Events>(event: K, fn: (...args: Events[K]) => unknown): this {
    this.add(event, fn as Listener, true);
    return this;
  }

  off<K extends keyof Events>(event: K, fn: (...args: Events[K]) => unknown): this {
    const list = this.listeners.get(event);
    if (list !== undefined) {
      const i = list.findIndex((l) => l.fn === (fn as Listener));
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Calls the listeners; returns whether there were any. */
  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const list = this.listeners.get(event);
    if (list === undefined || list.length === 0) return false;
    for (const l of list.slice()) {
      if (l.once) this.off(event, l.fn as (...a: Events[K]) => unknown);
      (l.fn as (...a: Events[K]) => unknown)(...args);
    }
    return true;
  }

  private add(event: keyof Events, fn: Listener, once: boolean): void {
    let list = this.listeners.get(event);
    if (list === undefined) this.listeners.set(event, (list = []));
    list.push({ fn, once });
  }
}
