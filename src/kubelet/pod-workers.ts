/**
 * One serialized worker per pod (upstream pod_workers.go): updates that arrive while a sync runs coalesce
 * into one more sync with the latest pod; a pod that is deleted, removed or finished goes through
 * terminating (containers stopped) and then terminated (cleanup) exactly once, never back.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../util/logger.js';

export interface SyncOutcome {
  /** The pod reached a terminal phase and should be terminated. */
  terminal: boolean;
  /** Something failed: sync again after a back-off. */
  retry: boolean;
  /** Sync again no later than this (a container's CrashLoopBackOff ends). */
  retryInMs?: number;
}

export interface PodSyncHandler {
  syncPod(pod: Pod): Promise<SyncOutcome>;
  /** Stops every container with the given grace (seconds). */
  syncTerminatingPod(pod: Pod, graceSeconds: number): Promise<void>;
  /**
   * A shorter grace arrived while the pod is terminating (a second delete, a force delete): stop what still
   * runs with it now, alongside the stop in progress.
   */
  shortenTermination?(pod: Pod, graceSeconds: number): Promise<void>;
  /** Cleans up what the stopped pod still holds (volumes, runtime records) and reports its final status. */
  syncTerminatedPod(pod: Pod, removed: boolean): Promise<void>;
}

type Phase = 'syncing' | 'terminating' | 'terminated';

interface WorkerState {
  pod: Pod;
  phase: Phase;
  /** Grace of the termination in progress. */
  grace?: number;
  /** The pod object is gone from the API. */
  removed: boolean;
  running: boolean;
  pending: boolean;
  retry?: NodeJS.Timeout;
  failures: number;
  cleanedUp: boolean;
}

export interface PodWorkersOptions {
  handler: PodSyncHandler;
  logger: Logger;
  /** First retry delay after a failed sync; doubles per failure up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

function graceOf(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export class PodWorkers {
  private readonly states = new Map<string, WorkerState>();
  private stopped = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly opts: PodWorkersOptions) {}

  /** A new or changed pod (from the API, a resync or a runtime event). */
  update(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (!uid || this.stopped) return;
    let s = this.states.get(uid);
    if (!s) {
      s = {
        pod,
        phase: 'syncing',
        removed: false,
        running: false,
        pending: false,
        failures: 0,
        cleanedUp: false,
      };
      this.states.set(uid, s);
    } else s.pod = pod;
    this.kick(uid, s);
  }

  /** Keeps the newest pod object without syncing (a status-only change). */
  refreshPod(pod: Pod): void {
    const s = this.states.get(pod.metadata?.uid ?? '');
    if (s) s.pod = pod;
  }

  /** The pod object disappeared from the API: terminate it if it is still running. */
  remove(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const s = this.states.get(uid);
    if (!s) return;
    s.removed = true;
    this.kick(uid, s);
  }

  /** Re-runs the sync of a known pod (a runtime event or a probe result). */
  resync(uid: string): void {
    const s = this.states.get(uid);
    if (s) this.kick(uid, s);
  }

  phase(uid: string): Phase | undefined {
    return this.states.get(uid)?.phase;
  }

  known(uid: string): boolean {
    return this.states.has(uid);
  }

  uids(): string[] {
    return [...this.states.keys()];
  }

  /** Stops scheduling work; waits for syncs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.states.values()) clearTimeout(s.retry);
    await this.idle();
  }

  /** Resolves when no worker is running. */
  idle(): Promise<void> {
    if (![...this.states.values()].some((s) => s.running)) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.add(r));
  }

  private kick(uid: string, s: WorkerState): void {
    if (this.stopped) return;
    if (s.phase === 'terminating' && s.running && s.grace !== undefined) {
      const grace = s.removed ? 0 : graceOf(s.pod);
      if (grace < s.grace) {
        s.grace = grace;
        void this.opts.handler
          .shortenTermination?.(s.pod, grace)
          .catch((err: unknown) =>
            this.opts.logger.warn('shortening termination failed', { error: String(err) }),
          );
      }
    }
    s.pending = true;
    clearTimeout(s.retry);
    s.retry = undefined;
    if (!s.running) void this.run(uid, s);
  }

  private async run(uid: string, s: WorkerState): Promise<void> {
    s.running = true;
    try {
      while (s.pending && !this.stopped) {
        s.pending = false;
        await this.step(uid, s);
      }
    } finally {
      s.running = false;
      if (s.phase === 'terminated' && s.removed && s.cleanedUp) this.states.delete(uid);
      if (![...this.states.values()].some((x) => x.running)) {
        for (const r of [...this.idleWaiters]) {
          this.idleWaiters.delete(r);
          r();
        }
      }
    }
  }

  private async step(uid: string, s: WorkerState): Promise<void> {
    const h = this.opts.handler;
    try {
      if (s.phase === 'syncing') {
        if (s.removed || s.pod.metadata?.deletionTimestamp) s.phase = 'terminating';
        else {
          const r = await h.syncPod(s.pod);
          if (r.terminal) s.phase = 'terminating';
          else if (r.retry) this.retryLater(uid, s, r.retryInMs);
          else s.failures = 0;
          if (s.phase === 'syncing') return;
        }
      }
      if (s.phase === 'terminating') {
        s.grace = s.removed ? 0 : graceOf(s.pod);
        await h.syncTerminatingPod(s.pod, s.grace);
        s.phase = 'terminated';
      }
      if (s.phase === 'terminated' && !s.cleanedUp) {
        await h.syncTerminatedPod(s.pod, s.removed);
        s.cleanedUp = true;
      } else if (s.phase === 'terminated' && (s.removed || s.pod.metadata?.deletionTimestamp)) {
        // A terminal pod deleted afterwards: run the final cleanup (delete confirmation) again.
        await h.syncTerminatedPod(s.pod, s.removed);
      }
      s.failures = 0;
    } catch (err) {
      this.opts.logger.warn('pod sync failed', {
        pod: `${s.pod.metadata?.namespace ?? ''}/${s.pod.metadata?.name ?? ''}`,
        phase: s.phase,
        error: err instanceof Error ? err.message : String(err),
      });
      this.retryLater(uid, s);
    }
  }

  private retryLater(uid: string, s: WorkerState, hintMs?: number): void {
    s.failures++;
    const base = this.opts.retryMs ?? 1000;
    let delay = Math.min(this.opts.maxRetryMs ?? 10_000, base * 2 ** Math.min(s.failures - 1, 10));
    if (hintMs !== undefined) delay = Math.min(delay, hintMs + 10);
    clearTimeout(s.retry);
    s.retry = setTimeout(() => {
      s.retry = undefined;
      this.kick(uid, s);
    }, delay);
    s.retry.unref();
  }
}
