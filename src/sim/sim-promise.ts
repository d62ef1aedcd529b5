/**
 * A promise that settles inside the simulation. Native promises run their callbacks as V8
 * microtasks, which happen only after the kernel's synchronous loop returns, so they cannot mark a
 * moment in simulated time. A SimPromise runs its callbacks synchronously, inside the kernel event
 * that settles it: a broker client resolves one when a response message is delivered, and
 * whatever was waiting (a learner's `await` bridged into the sandbox, a client's retry loop) runs
 * at exactly that simulated time.
 *
 * It is also a thenable, so a test can `await` it after running the world:
 *   const sent = producer.send(...); world.runUntilSettled(sent); expect(await sent) ...
 */
export type SimPromiseState = 'pending' | 'fulfilled' | 'rejected';

export class SimPromise<T> implements PromiseLike<T> {
  private stateValue: SimPromiseState = 'pending';
  private result: unknown;
  private callbacks: ((p: SimPromise<T>) => void)[] = [];

  get state(): SimPromiseState {
    return this.stateValue;
  }

  get settled(): boolean {
    return this.stateValue !== 'pending';
  }

  /** The value once fulfilled (undefined before). */
  get value(): T | undefined {
    return this.stateValue === 'fulfilled' ? (this.result as T) : undefined;
  }

  /** The reason once rejected (undefined before). */
  get reason(): unknown {
    return this.stateValue === 'rejected' ? this.result : undefined;
  }

  static resolved<T>(value: T): SimPromise<T> {
    const p = new SimPromise<T>();
    p.resolve(value);
    return p;
  }

  static rejected<T = never>(reason: unknown): SimPromise<T> {
    const p = new SimPromise<T>();
    p.reject(reason);
    return p;
  }

  /** Fulfils the promise now; later calls to resolve or reject are ignored, as with native promises. */
  resolve(value: T): void {
    this.settle('fulfilled', value);
  }

  reject(reason: unknown): void {
    this.settle('rejected', reason);
  }

  /** Runs `cb` synchronously when settled (at once when already settled). */
  onSettled(cb: (p: SimPromise<T>) => void): void {
    if (this.stateValue === 'pending') this.callbacks.push(cb);
    else cb(this);
  }

  /** Chains like Promise.then, but synchronously: the callback runs in the settling event. */
  then<R1 = T, R2 = never>(onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): SimPromise<R1 | R2> {
    const next = new SimPromise<R1 | R2>();
    this.onSettled((p) => {
      try {
        const handler = p.stateValue === 'fulfilled' ? onFulfilled : onRejected;
        if (!handler) {
          if (p.stateValue === 'fulfilled') next.resolve(p.result as R1);
          else next.reject(p.result);
          return;
        }
        const out = handler(p.result as T);
        if (out instanceof SimPromise) out.onSettled((q) => (q.stateValue === 'fulfilled' ? next.resolve(q.result as R1 | R2) : next.reject(q.result)));
        else if (isThenable(out)) out.then((v) => next.resolve(v), (e) => next.reject(e));
        else next.resolve(out as R1 | R2);
      } catch (e) {
        next.reject(e);
      }
    });
    return next;
  }

  catch<R = never>(onRejected: (reason: unknown) => R | PromiseLike<R>): SimPromise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** Settles when every input has fulfilled, or rejects with the first rejection. */
  static all<T>(items: readonly SimPromise<T>[]): SimPromise<T[]> {
    const out = new SimPromise<T[]>();
    const values: T[] = new Array(items.length);
    let left = items.length;
    if (left === 0) out.resolve(values);
    items.forEach((p, i) =>
      p.onSettled((q) => {
        if (q.stateValue === 'rejected') return out.reject(q.result);
        values[i] = q.result as T;
        if (--left === 0) out.resolve(values);
      }),
    );
    return out;
  }

  private settle(state: SimPromiseState, result: unknown): void {
    if (this.stateValue !== 'pending') return;
    this.stateValue = state;
    this.result = result;
    const cbs = this.callbacks;
    this.callbacks = [];
    for (const cb of cbs) cb(this);
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
