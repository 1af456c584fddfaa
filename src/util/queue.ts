// A bounded FIFO joining two pipeline stages. `put` resolves only when there is room, so a slow
// consumer slows its producer (explicit backpressure) instead of letting memory grow.

export class QueueClosedError extends Error {
  constructor() {
    super('queue closed');
    this.name = 'QueueClosedError';
  }
}

export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private getters: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  private putters: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private closed = false;
  private failure: unknown = undefined;

  constructor(readonly capacity = Infinity) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be >= 1');
  }

  get size(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an item, waiting while the queue is full. Rejects once the queue is closed. */
  put(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new QueueClosedError());
    const getter = this.getters.shift();
    if (getter) {
      getter.resolve({ value: item, done: false });
      return Promise.resolve();
    }
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.putters.push({ item, resolve, reject }));
  }

  /** Adds an item only if there is room now; returns false when full (the caller decides to drop). */
  tryPut(item: T): boolean {
    if (this.closed) return false;
    const getter = this.getters.shift();
    if (getter) {
      getter.resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  /** Next item, or done once closed and drained. */
  get(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift() as T;
      const putter = this.putters.shift();
      if (putter) {
        this.items.push(putter.item);
        putter.resolve();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.getters.push({ resolve, reject }));
  }

  /** No more puts; consumers drain what is queued, then finish. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const g of this.getters.splice(0)) g.resolve({ value: undefined, done: true });
    for (const p of this.putters.splice(0)) p.reject(new QueueClosedError());
  }

  /** Closes and makes consumers throw `err` once the queued items are drained. */
  fail(err: unknown): void {
    this.failure = err;
    for (const g of this.getters.splice(0)) g.reject(err);
    this.close();
  }

  /** Drops everything queued (e.g. a cancelled reply's pending audio). */
  clear(): T[] {
    const dropped = this.items.splice(0);
    while (this.putters.length && this.items.length < this.capacity) {
      const p = this.putters.shift()!;
      this.items.push(p.item);
      p.resolve();
    }
    return dropped;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.get() };
  }
}
