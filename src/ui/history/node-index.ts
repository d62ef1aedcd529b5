/**
 * Lane numbers for node names. The scenario's own order comes first (so `server` stays above its
 * clients); nodes the history mentions that the scenario did not announce are added as they appear.
 */
export class NodeIndex {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(initial: readonly string[] = []) {
    for (const n of initial) this.id(n);
  }

  get size(): number {
    return this.names.length;
  }

  /** The lane of a node, adding it when it is new. The empty name (the world itself) has no lane. */
  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.ids.set(name, i);
    }
    return i;
  }

  get(name: string): number | undefined {
    return this.ids.get(name);
  }
}
