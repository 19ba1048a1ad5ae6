/**
 * Node-pressure eviction (upstream pkg/kubelet/eviction, hard thresholds only): every 10 s the host readings
 * are checked against the thresholds the node's conditions use; under disk pressure unused images go first;
 * if the node is still short, one pod is evicted per round, chosen by rankForEviction, and the next round
 * waits until it has stopped.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../util/logger.js';
import { PeriodicTask } from '../../util/periodic-task.js';
import type { RuntimeService } from '../cri/services.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from '../labels.js';
import type { HostReadings } from '../node/host-readings.js';
import type { Thresholds } from './thresholds.js';
import {
  evictionMessage,
  pressureConditionsOf,
  pressureSignals,
  rankForEviction,
  type PodUsage,
  type PressureCondition,
} from './ranking.js';

export interface EvictionManagerOptions {
  readings: () => Promise<HostReadings>;
  thresholds: Thresholds;
  runtime: Pick<RuntimeService, 'listContainers' | 'listContainerStats'>;
  /** Pods the kubelet runs and may evict (not terminal, not being deleted). */
  activePods: () => Pod[];
  /** Stops the pod and reports it Failed with reason Evicted and this message. */
  evict: (pod: Pod, message: string) => void;
  /** True while an evicted pod has not stopped yet: the next eviction waits for it, as upstream's does. */
  evictedPodsStopping: () => boolean;
  /** Frees node-level disk (unused images) before pods are evicted for disk. */
  reclaimDisk?: () => Promise<void>;
  logger: Logger;
  periodMs?: number;
}

export class EvictionManager extends PeriodicTask {
  constructor(private readonly opts: EvictionManagerOptions) {
    super(opts.periodMs ?? 10_000);
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
      .then((r) => pressureConditionsOf(pressureSignals(r, this.opts.thresholds)))
      .catch(() => [])
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async synchronize(): Promise<void> {
    if (this.opts.evictedPodsStopping()) return;
    let signals = pressureSignals(await this.opts.readings(), this.opts.thresholds);
    if (signals.length === 0) return;
    if (signals.some((s) => s.resource === 'ephemeral-storage') && this.opts.reclaimDisk) {
      await this.opts.reclaimDisk();
      signals = pressureSignals(await this.opts.readings(), this.opts.thresholds);
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
    });
    this.opts.evict(victim.pod, message);
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
