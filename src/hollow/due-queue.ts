interface Entry {
  key: string;
  at: number;
  run: () => void;
}

/**
 * Many deadlines, one timer: work is keyed (re-scheduling a key replaces its deadline) and the single timer
 * always points at the earliest deadline. Keeps per-node and per-pod timers out of a process that simulates
 * thousands of nodes. Deadlines sit in a binary min-heap: scanning every key at each deadline cost a tenth of
 * the process at 5,000 nodes (a Lease renewal falls due every 2 ms there). A replaced or cancelled entry stays
 * in the heap until it surfaces and is then dropped.
 */
export class DueQueue {
  /** The live entry of each key. */
  private readonly due = new Map<string, Entry>();
  private readonly heap: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly now: () => number) {}

  schedule(key: string, at: number, run: () => void): void {
    if (this.stopped) return;
    const entry = { key, at, run };
    this.due.set(key, entry);
    this.push(entry);
    if (at < this.timerAt) this.arm(at);
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  has(key: string): boolean {
    return this.due.has(key);
  }

  /** Entries in the heap, replaced and cancelled ones included (tests). */
  get heapSize(): number {
    return this.heap.length;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.due.clear();
    this.heap.length = 0;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.now()));
    this.timer.unref?.();
  }

  private fire(): void {
    this.timerAt = Infinity;
    this.timer = undefined;
    const now = this.now();
    const ready: (() => void)[] = [];
    for (let top = this.heap[0]; top && (top.at <= now || !this.isLive(top)); top = this.heap[0]) {
      this.pop();
      if (!this.isLive(top)) continue;
      this.due.delete(top.key);
      ready.push(top.run);
    }
    const next = this.heap[0];
    if (next && !this.stopped) this.arm(next.at);
    for (const run of ready) run();
  }

  private isLive(e: Entry): boolean {
    return this.due.get(e.key) === e;
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.push(e) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= e.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= h.length) break;
      const right = left + 1;
      const child = right < h.length && h[right]!.at < h[left]!.at ? right : left;
      if (h[child]!.at >= last.at) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
  }
}
