/**
 * Outstanding deliveries by tag: a channel's delivery tags, a queue's ack tags. Both are handed
 * out in increasing order and mostly settled in about that order, so the records live in an array
 * indexed by `tag - first` instead of a Map. A Map whose oldest keys are deleted while new ones are
 * added keeps rehashing into fresh tables (in amqp-e2e the two tables of each message allocated
 * about a tenth of everything a message allocated), and an array index is cheaper than a hash.
 *
 * It behaves as the `Map<number, V>` it replaces, for keys that only grow: iteration is in tag
 * order (the Map's insertion order), deleting while iterating is safe, and unknown or malformed
 * tags (fractions, NaN, tags never handed out) are absent. Nothing adds while iterating.
 *
 * Limits (STYLE §5): the window spans at most `WINDOW_MAX` tags. A record older than that (a
 * delivery a consumer keeps while acking later ones) moves to a Map of stragglers, so memory stays
 * proportional to what is outstanding, not to how many tags were handed out since.
 */

import { assert } from '../../assert.ts';

const WINDOW_MAX = 4096;

export class TagTable<V> {
  /** `slots[head + i]` holds the record of tag `first + i`, or undefined once it was settled. */
  private slots: (V | undefined)[] = [];
  private head = 0;
  private first = 0;
  /** Records in the window. */
  private inWindow = 0;
  /** Records older than the window, in tag order. */
  private readonly stragglers = new Map<number, V>();

  /** Records held. */
  get size(): number {
    return this.inWindow + this.stragglers.size;
  }

  get(tag: number): V | undefined {
    const i = tag - this.first;
    if (i >= 0 && i < this.slots.length - this.head) return this.slots[this.head + i];
    return this.stragglers.size > 0 ? this.stragglers.get(tag) : undefined;
  }

  has(tag: number): boolean {
    return this.get(tag) !== undefined;
  }

  /** Adds the record of a tag greater than every tag added before. */
  set(tag: number, record: V): void {
    assert(Number.isInteger(tag) && tag >= this.first + this.slots.length - this.head, 'tags are added in increasing order');
    // Records too old for a window reaching this tag become stragglers.
    while (this.inWindow > 0 && tag - this.first >= WINDOW_MAX) this.evictOldest();
    if (this.inWindow === 0) {
      // Nothing outstanding in the window: it starts again at this tag.
      this.slots.length = 0;
      this.head = 0;
      this.first = tag;
    } else {
      // Tags in between were deliveries that need no ack.
      for (let t = this.first + this.slots.length - this.head; t < tag; t++) this.slots.push(undefined);
    }
    this.slots.push(record);
    this.inWindow++;
  }

  delete(tag: number): boolean {
    const i = tag - this.first;
    if (!(i >= 0 && i < this.slots.length - this.head)) return this.stragglers.size > 0 && this.stragglers.delete(tag);
    const at = this.head + i;
    if (this.slots[at] === undefined) return false;
    this.slots[at] = undefined;
    this.inWindow--;
    if (this.inWindow === 0) {
      this.slots.length = 0;
      this.head = 0;
      this.first = tag + 1;
    } else if (i === 0) this.dropSettledPrefix();
    return true;
  }

  clear(): void {
    this.slots.length = 0;
    this.head = 0;
    this.inWindow = 0;
    this.stragglers.clear();
  }

  /** Records in tag order. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /** `[tag, record]` in tag order. The window is walked by tag, so deleting while iterating is safe. */
  *entries(): IterableIterator<[number, V]> {
    if (this.stragglers.size > 0) yield* this.stragglers;
    for (let tag = this.first; tag < this.first + this.slots.length - this.head; tag++) {
      const v = this.get(tag);
      if (v !== undefined) yield [tag, v];
    }
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }

  /** The oldest record leaves the window for the stragglers, and the window moves up. */
  private evictOldest(): void {
    const v = this.slots[this.head];
    if (v !== undefined) {
      this.stragglers.set(this.first, v);
      this.slots[this.head] = undefined;
      this.inWindow--;
    }
    this.dropSettledPrefix();
  }

  /** Moves the window's start past settled tags; the array is cut once half of it is behind the start. */
  private dropSettledPrefix(): void {
    let h = this.head;
    while (h < this.slots.length && this.slots[h] === undefined) h++;
    this.first += h - this.head;
    this.head = h;
    if (h > 1024 && h * 2 > this.slots.length) {
      this.slots = this.slots.slice(h);
      this.head = 0;
    }
  }
}
