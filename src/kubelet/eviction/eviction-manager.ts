/**
 * Node-pressure eviction (upstream pkg/kubelet/eviction): every 10 s the host readings are checked against the
 * thresholds the node's conditions use; a hard threshold counts at once, a soft one once it has been met
 * for its grace period (met at all, it already raises the node's condition); under disk pressure unused
 * images go first; if the node is still short, one pod is evicted per round, chosen by rankForEviction, and
 * the next round waits until it has stopped. A pod evicted for a hard threshold stops at once, one evicted for
 * a soft threshold gets `--eviction-max-pod-grace-period` (a negative value: its own grace period).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { realClock, type Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { PeriodicTask } from '../../util/periodic-task.js';
import type { RuntimeService } from '../cri/services.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from '../labels.js';
import type { HostReadings } from '../node/host-readings.js';
import { EVICTION_SIGNALS, type EvictionSignal, type SoftThresholds, type Thresholds } from './thresholds.js';
import {
  evictionMessage,
  pressureConditionsOf,
  pressureSignals,
  rankForEviction,
  type PodUsage,
  type PressureCondition,
  type PressureSignal,
} from './ranking.js';

export interface EvictionManagerOptions {
  readings: () => Promise<HostReadings>;
  thresholds: Thresholds;
  /** `--eviction-soft` with its grace periods; none by default. */
  soft?: SoftThresholds;
  /** `--eviction-max-pod-grace-period`: the grace a pod evicted for a soft threshold gets (default 0). */
  maxPodGracePeriodSeconds?: number;
  clock?: Clock;
  runtime: Pick<RuntimeService, 'listContainers' | 'listContainerStats'>;
  /** Pods the kubelet runs and may evict (not terminal, not being deleted). */
  activePods: () => Pod[];
  /**
   * Stops the pod and reports it Failed with reason Evicted and this message; with a grace period (seconds,
   * soft thresholds) the pod gets that long, else (hard thresholds) it stops at once.
   */
  evict: (pod: Pod, message: string, gracePeriodSeconds?: number) => void;
  /** True while an evicted pod has not stopped yet: the next eviction waits for it, as upstream's does. */
  evictedPodsStopping: () => boolean;
  /** Frees node-level disk (unused images) before pods are evicted for disk. */
  reclaimDisk?: () => Promise<void>;
  logger: Logger;
  periodMs?: number;
}

export class EvictionManager extends PeriodicTask {
  /** When each soft threshold met now was first seen met (upstream's thresholdsFirstObservedAt). */
  private readonly softFirstObserved = new Map<EvictionSignal, number>();

  constructor(private readonly opts: EvictionManagerOptions) {
    super(opts.periodMs ?? 10_000);
  }

  /** The thresholds the readings cross, hard and soft alike: what the node's pressure conditions show. */
  private metSignals(r: HostReadings): PressureSignal[] {
    return [...pressureSignals(r, this.opts.thresholds), ...this.softSignals(r)];
  }

  private softSignals(r: HostReadings): PressureSignal[] {
    return this.opts.soft ? pressureSignals(r, this.opts.soft.thresholds) : [];
  }

  protected async runTask(): Promise<void> {
    try {
      await this.synchronize();
    } catch (err) {
      this.opts.logger.warn('eviction round failed', { err: (err as Error).message });
    }
  }

  private reading: Promise<readonly PressureCondition[]> | undefined;

  /**
   * The node's pressure now, from a fresh reading (pods admitted at the same moment share one): what upstream's
   * eviction admission asks. Unreadable readings count as no pressure.
   */
  currentPressure(): Promise<readonly PressureCondition[]> {
    this.reading ??= this.opts
      .readings()
      .then((r) => pressureConditionsOf(this.metSignals(r)))
      .catch(() => [])
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /**
   * The thresholds to act on: the hard ones met, and the soft ones met for their grace period (the first in
   * upstream's order of signals: memory, then disk, then process IDs), with whether each is soft.
   */
  private actionable(r: HostReadings): (PressureSignal & { soft: boolean })[] {
    const now = (this.opts.clock ?? realClock).now();
    const soft = this.softSignals(r);
    const met = new Set(soft.map((s) => s.signal as EvictionSignal));
    for (const signal of [...this.softFirstObserved.keys()])
      if (!met.has(signal)) this.softFirstObserved.delete(signal);
    for (const signal of met)
      if (!this.softFirstObserved.has(signal)) this.softFirstObserved.set(signal, now);
    const ripe = soft.filter((s) => {
      const signal = s.signal as EvictionSignal;
      const grace = this.opts.soft?.gracePeriodsMs[signal] ?? 0;
      return now - (this.softFirstObserved.get(signal) ?? now) >= grace;
    });
    const hard = pressureSignals(r, this.opts.thresholds);
    const rank = (s: PressureSignal): number => EVICTION_SIGNALS.indexOf(s.signal as EvictionSignal);
    return [...hard.map((s) => ({ ...s, soft: false })), ...ripe.map((s) => ({ ...s, soft: true }))].sort(
      (a, b) => rank(a) - rank(b) || Number(a.soft) - Number(b.soft),
    );
  }

  private async synchronize(): Promise<void> {
    if (this.opts.evictedPodsStopping()) return;
    let signals = this.actionable(await this.opts.readings());
    if (signals.length === 0) return;
    if (signals.some((s) => s.resource === 'ephemeral-storage') && this.opts.reclaimDisk) {
      await this.opts.reclaimDisk();
      signals = this.actionable(await this.opts.readings());
      if (signals.length === 0) return;
    }
    const signal = signals[0]!;
    const usage = await this.usage(signal.resource === 'memory');
    const ranked = rankForEviction(signal.resource, usage);
    const victim = ranked[0];
    if (!victim) {
      this.opts.logger.warn('node is under pressure but no pod can be evicted', { signal: signal.signal });
      return;
    }
    const message = evictionMessage(signal, victim);
    this.opts.logger.warn('evicting pod', {
      pod: `${victim.pod.metadata?.namespace}/${victim.pod.metadata?.name}`,
      signal: signal.signal,
      ...(signal.soft ? { threshold: 'soft' } : {}),
    });
    if (!signal.soft) return this.opts.evict(victim.pod, message);
    const max = this.opts.maxPodGracePeriodSeconds ?? 0;
    // A negative maximum defers to the pod's own grace period.
    const grace = max < 0 ? (victim.pod.spec?.terminationGracePeriodSeconds ?? 30) : max;
    this.opts.evict(victim.pod, message, grace);
  }

  /** Per pod, per container: memory working set or writable-layer bytes, from the runtime's stats. */
  private async usage(memory: boolean): Promise<PodUsage[]> {
    const [containers, stats] = await Promise.all([
      this.opts.runtime.listContainers({ state: 'running' }),
      this.opts.runtime.listContainerStats({ state: 'running' }),
    ]);
    const byId = new Map(stats.map((s) => [s.containerId, s]));
    const byPod = new Map<string, Map<string, number>>();
    for (const c of containers) {
      const uid = c.labels[POD_UID_LABEL];
      const name = c.labels[CONTAINER_NAME_LABEL];
      const s = byId.get(c.id);
      if (!uid || !name || !s) continue;
      const m = byPod.get(uid) ?? new Map<string, number>();
      m.set(name, memory ? s.memoryWorkingSetBytes : (s.writableLayerBytes ?? 0));
      byPod.set(uid, m);
    }
    return this.opts
      .activePods()
      .map((pod) => ({ pod, containers: byPod.get(pod.metadata?.uid ?? '') ?? new Map<string, number>() }));
  }
}
