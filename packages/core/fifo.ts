/**
 * The session's output queues (frames to send, events to poll): a first-in first-out queue with
 * O(1) push and shift that keeps its array between bursts.
 *
 * @module
 */

/**
 * A FIFO that does not shift arrays (O(1) amortised push/shift). Its array keeps its size
 * between bursts: the hot path pushes one event and polls it, and must not reallocate each time.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #tail = 0;

  /** Items queued. */
  get size(): number {
    return this.#tail - this.#head;
  }

  /** Queues `item` last. */
  push(item: T): void {
    const items = this.#items;
    if (this.#tail < items.length) items[this.#tail] = item;
    else items.push(item);
    this.#tail++;
  }

  /** Takes the first item, or `undefined` when empty. */
  shift(): T | undefined {
    const head = this.#head;
    if (head >= this.#tail) return undefined;
    const items = this.#items;
    const item = items[head];
    items[head] = undefined;
    if (head + 1 === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
      if (items.length > 4096) this.#items = []; // do not keep a big burst's array
    } else if (head >= 1024 && head * 2 > this.#tail) {
      this.#items = items.slice(head + 1, this.#tail);
      this.#head = 0;
      this.#tail = this.#items.length;
    } else {
      this.#head = head + 1;
    }
    return item;
  }

  /** Drops every item. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#tail = 0;
  }
}
