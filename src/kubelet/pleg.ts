/**
 * The pod lifecycle event generator's relist (upstream pleg/generic.go): every period the runtime is listed
 * and compared with the last look; pods whose sandboxes or containers changed are handed to `changed`,
 * containers of pods nobody knows are handed to `orphan`. It also keeps the latest observation per pod.
 */
import type { RuntimeService } from './cri/services.js';
import {
  emptyObservedPod,
  observeAll,
  observedDigest,
  StatusCache,
  type ObservedPod,
} from './runtime-state.js';
import type { Logger } from '../util/logger.js';

export interface RelistHooks {
  /** A pod worker exists for the uid. */
  known(uid: string): boolean;
  changed(uid: string): void;
  /** Called for runtime pods no worker knows about. */
  orphan(observed: ObservedPod): Promise<void>;
  /** After each relist, with the uids the runtime has. */
  afterRelist?(uids: Set<string>): Promise<void>;
}

export class Relister {
  private readonly observed = new Map<string, ObservedPod>();
  private readonly digests = new Map<string, string>();
  private readonly cache = new StatusCache();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly runtime: RuntimeService,
    private readonly hooks: RelistHooks,
    private readonly logger: Logger,
    private readonly periodMs: number,
  ) {}

  /** The latest observation of a pod. */
  get(uid: string): ObservedPod | undefined {
    return this.observed.get(uid);
  }

  /**
   * Records the observation a sync acted on, so the next relist does not report it as a change. Only that one:
   * what a sync sees after its actions (a container that already exited) must still reach the next relist.
   */
  record(observed: ObservedPod): void {
    this.show(observed);
    this.digests.set(observed.uid, observedDigest(observed));
  }

  /** Keeps a newer observation for `get` without taking it as seen by a sync. */
  show(observed: ObservedPod): void {
    this.observed.set(observed.uid, observed);
  }

  forget(uid: string): void {
    this.observed.delete(uid);
    this.digests.delete(uid);
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.relist().finally(() => this.schedule()), this.periodMs);
    this.timer.unref();
  }

  async relist(): Promise<void> {
    let all: Map<string, ObservedPod>;
    try {
      all = await observeAll(this.runtime, undefined, this.cache);
    } catch (err) {
      this.logger.warn('runtime relist failed', { error: err instanceof Error ? err.message : String(err) });
      return;
    }
    for (const [uid, o] of all) {
      if (!this.hooks.known(uid)) {
        await this.hooks.orphan(o);
        continue;
      }
      if (this.digests.get(uid) !== observedDigest(o)) {
        this.record(o);
        this.hooks.changed(uid);
      }
    }
    for (const uid of [...this.digests.keys()]) {
      if (all.has(uid) || !this.hooks.known(uid) || this.digests.get(uid) === '') continue;
      this.record(emptyObservedPod(uid));
      this.hooks.changed(uid);
    }
    await this.hooks.afterRelist?.(new Set(all.keys()));
  }
}
