import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { Samples, summarize, type LatencySummary } from './stats.js';

interface PodTimes {
  seen: number;
  bound?: number;
  running?: number;
}

export interface PodProgress {
  created: number;
  bound: number;
  running: number;
  /** First pod seen → last pod seen, pods per second: how fast the controllers created them. */
  createdPerSecond: number;
  /** First pod seen → last pod bound, pods per second. */
  boundPerSecond: number;
  runningPerSecond: number;
  /** Seen (created) → bound, per pod. */
  scheduling: LatencySummary;
  /** Seen (created) → Running, per pod. */
  startup: LatencySummary;
}

/**
 * Watches the pods of one namespace and records, per pod, when it was first seen (its creation, as observed),
 * when it was first seen bound, and when first seen Running. All times are this process's clock.
 */
export class PodTracker {
  private readonly pods = new Map<string, PodTimes>();
  private firstSeen = Infinity;
  private lastSeen = 0;
  private lastBound = 0;
  private lastRunning = 0;
  private boundCount = 0;
  private runningCount = 0;
  private stream: { close(): void } | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const pods = this.client.resource<Pod>(R.pods);
    const list = await pods.list(this.namespace, { limit: 1 });
    this.stream = await pods.watch(
      this.namespace,
      { resourceVersion: list.resourceVersion },
      (ev) => this.observe(ev.object),
      () => {},
    );
  }

  stop(): void {
    this.stream?.close();
  }

  get bound(): number {
    return this.boundCount;
  }

  get running(): number {
    return this.runningCount;
  }

  private observe(pod: Pod): void {
    const now = performance.now();
    const name = pod.metadata?.name ?? '';
    let t = this.pods.get(name);
    if (!t) {
      t = { seen: now };
      this.pods.set(name, t);
      if (now < this.firstSeen) this.firstSeen = now;
      this.lastSeen = now;
    }
    if (t.bound === undefined && pod.spec?.nodeName) {
      t.bound = now;
      this.boundCount++;
      this.lastBound = now;
    }
    if (t.running === undefined && pod.status?.phase === 'Running') {
      t.running = now;
      this.runningCount++;
      this.lastRunning = now;
    }
  }

  summary(): PodProgress {
    const scheduling = new Samples();
    const startup = new Samples();
    for (const t of this.pods.values()) {
      if (t.bound !== undefined) scheduling.push(t.bound - t.seen);
      if (t.running !== undefined) startup.push(t.running - t.seen);
    }
    const rate = (count: number, last: number): number =>
      count === 0 ? NaN : count / ((last - this.firstSeen) / 1000);
    return {
      created: this.pods.size,
      bound: this.boundCount,
      running: this.runningCount,
      createdPerSecond: rate(this.pods.size, this.lastSeen),
      boundPerSecond: rate(this.boundCount, this.lastBound),
      runningPerSecond: rate(this.runningCount, this.lastRunning),
      scheduling: summarize(scheduling.values()),
      startup: summarize(startup.values()),
    };
  }
}
