/**
 * Probe workers, one per (pod, container, probe type), with upstream prober/worker.go semantics: initial
 * results (readiness failure, liveness success, startup none), initialDelaySeconds from the container's start,
 * success/failure thresholds, liveness and readiness waiting for startup, liveness/startup holding after a
 * failure until the container is replaced. Results are kept by container id.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { RuntimeService } from '../cri/services.js';
import type { ContainerState } from '../cri/types.js';
import { runProbe, type ProbeResult } from './prober.js';
import { isSidecar } from '../sidecars.js';

export type ProbeType = 'readiness' | 'liveness' | 'startup';

export interface ContainerView {
  id: string;
  state: ContainerState;
  startedAt?: number;
  podIP: string;
  terminating: boolean;
}

export interface ProbeEvent {
  pod: Pod;
  container: string;
  type: ProbeType;
  output: string;
}

export interface ProbeManagerOptions {
  runtime: RuntimeService;
  clock: Clock;
  logger: Logger;
  /** The current state of a container, from the latest runtime observation. */
  view: (uid: string, container: string) => ContainerView | undefined;
  /** A result changed: the pod should be synced. */
  onChange: (uid: string) => void;
  /** A probe failed (before thresholds): the kubelet records an `Unhealthy` event. */
  onFailure?: (e: ProbeEvent) => void;
}

class Worker {
  private timer: NodeJS.Timeout | undefined;
  private containerId = '';
  private lastResult: ProbeResult | undefined;
  private run = 0;
  private onHold = false;
  private stopped = false;

  constructor(
    private readonly m: ProbeManager,
    readonly pod: Pod,
    readonly container: Container,
    readonly type: ProbeType,
    readonly probe: Probe,
  ) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.containerId) this.m.results[this.type].delete(this.containerId);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.doProbe();
    } catch (err) {
      this.m.opts.logger.debug('probe error', { error: err instanceof Error ? err.message : String(err) });
    }
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }

  private set(result: ProbeResult | undefined): void {
    const uid = this.pod.metadata?.uid ?? '';
    const map = this.m.results[this.type];
    const prior = map.get(this.containerId);
    if (result === undefined) map.delete(this.containerId);
    else map.set(this.containerId, result);
    if (prior !== result) this.m.opts.onChange(uid);
  }

  private async doProbe(): Promise<void> {
    const uid = this.pod.metadata?.uid ?? '';
    const view = this.m.opts.view(uid, this.container.name);
    if (!view) return;
    if (view.id !== this.containerId) {
      if (this.containerId) this.m.results[this.type].delete(this.containerId);
      this.containerId = view.id;
      this.onHold = false;
      this.lastResult = undefined;
      this.run = 0;
      this.set(this.type === 'readiness' ? 'failure' : this.type === 'liveness' ? 'success' : undefined);
    }
    if (this.onHold) return;
    // Created but not yet started (or not yet observed started): wait. A failure recorded here would
    // outlive the start, since a probe result below its threshold leaves the result unchanged, and the
    // kubelet would kill the container for a startup or liveness failure it never had.
    if (view.state === 'created') return;
    if (view.state !== 'running') {
      this.set('failure');
      return;
    }
    if (view.terminating) {
      this.set(this.type === 'readiness' ? 'failure' : 'success');
      return;
    }
    if (view.startedAt !== undefined) {
      const sinceStart = Math.floor((this.m.opts.clock.now() - view.startedAt) / 1000);
      if (sinceStart < (this.probe.initialDelaySeconds ?? 0)) return;
    }
    const started = !this.container.startupProbe || this.m.results.startup.get(view.id) === 'success';
    if (started && this.type === 'startup') return;
    if (!started && this.type !== 'startup') return;

    const outcome = await runProbe(this.probe, this.container, view.id, view.podIP, this.m.opts.runtime);
    if (this.stopped) return;
    if (outcome.result === 'failure') {
      this.m.opts.onFailure?.({
        pod: this.pod,
        container: this.container.name,
        type: this.type,
        output: outcome.output,
      });
    }
    if (this.lastResult === outcome.result) this.run++;
    else {
      this.lastResult = outcome.result;
      this.run = 1;
    }
    const failureThreshold = this.probe.failureThreshold ?? 3;
    const successThreshold = this.probe.successThreshold ?? 1;
    if (outcome.result === 'failure' && this.run < failureThreshold) return;
    if (outcome.result === 'success' && this.run < successThreshold) return;
    this.set(outcome.result);
    if (this.type !== 'readiness' && outcome.result === 'failure') {
      this.onHold = true;
      this.run = 0;
    }
  }
}

export class ProbeManager {
  readonly results: Record<ProbeType, Map<string, ProbeResult>> = {
    readiness: new Map(),
    liveness: new Map(),
    startup: new Map(),
  };
  private readonly workers = new Map<string, Worker>();

  constructor(readonly opts: ProbeManagerOptions) {}

  /** Starts workers for the pod's probes (idempotent). */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    for (const c of [
      ...(pod.spec?.initContainers ?? []).filter(isSidecar),
      ...(pod.spec?.containers ?? []),
    ]) {
      const probes: [ProbeType, Probe | undefined][] = [
        ['readiness', c.readinessProbe],
        ['liveness', c.livenessProbe],
        ['startup', c.startupProbe],
      ];
      for (const [type, probe] of probes) {
        if (!probe) continue;
        const key = `${uid}/${c.name}/${type}`;
        if (this.workers.has(key)) continue;
        const w = new Worker(this, pod, c, type, probe);
        this.workers.set(key, w);
        w.start();
      }
    }
  }

  removePod(uid: string): void {
    for (const [key, w] of this.workers) {
      if (key.startsWith(`${uid}/`)) {
        w.stop();
        this.workers.delete(key);
      }
    }
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }

  result(type: ProbeType, containerId: string): ProbeResult | undefined {
    return this.results[type].get(containerId);
  }
}
