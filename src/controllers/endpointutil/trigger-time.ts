import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { podCondition } from '../../api/pods.js';

/** The annotation naming the time of the last change that triggered a write of Endpoints or an EndpointSlice. */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

const parse = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/**
 * Upstream TriggerTimeTracker: the time of the change that makes a sync write. A pod's change is the last
 * transition of its Ready condition, the Service's its creation; the result is the earliest of those that moved
 * since the previous sync of the Service, or its creation when this is its first sync here. The times come from
 * the objects, never from a clock. Undefined: no new trigger (the annotation is then dropped at the next write).
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  compute(key: string, service: Service, pods: readonly Pod[]): number | undefined {
    const prev = this.states.get(key);
    let earliest: number | undefined;
    const consider = (t: number): void => {
      if (earliest === undefined || t < earliest) earliest = t;
    };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parse(podCondition(pod, 'Ready')?.lastTransitionTime);
      if (!Number.isFinite(t)) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, t);
      if (t > (prev?.podTimes.get(name) ?? -Infinity)) consider(t);
    }
    const serviceTime = parse(service.metadata?.creationTimestamp);
    if (Number.isFinite(serviceTime) && serviceTime > (prev?.serviceTime ?? -Infinity)) consider(serviceTime);
    this.states.set(key, { serviceTime: Number.isFinite(serviceTime) ? serviceTime : -Infinity, podTimes });
    if (!prev) return Number.isFinite(serviceTime) ? serviceTime : undefined;
    return earliest;
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}
