import type { Pod } from 'kubernetes-types/core/v1.js';
import { addQuantities, compareQuantities, tryParseQuantity, type Quantity } from './quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];

function positive(v: string | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  const r = tryParseQuantity(v);
  return 'quantity' in r && r.quantity.nanos > 0n ? r.quantity : undefined;
}

/**
 * Upstream's QoS class (ComputePodQOS) from the cpu and memory of app and init containers: none above zero
 * anywhere → BestEffort; every container limiting both, and the pod's summed requests equal to its summed
 * limits → Guaranteed; Burstable otherwise.
 */
export function qosClass(pod: Pod): QosClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  const sum = (into: Map<string, Quantity>, name: string, q: Quantity): void => {
    const prior = into.get(name);
    into.set(name, prior ? addQuantities(prior, q) : q);
  };
  let guaranteed = true;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    let limited = 0;
    for (const name of QOS_RESOURCES) {
      const req = positive(c.resources?.requests?.[name]);
      const lim = positive(c.resources?.limits?.[name]);
      if (req) sum(requests, name, req);
      if (lim) {
        sum(limits, name, lim);
        limited++;
      }
    }
    if (limited < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (!lim || compareQuantities(lim, req) !== 0) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
