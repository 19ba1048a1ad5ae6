import type { Pod } from 'kubernetes-types/core/v1.js';
import { tryParseQuantity } from '../api/quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

function nonZero(v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const r = tryParseQuantity(v);
  return 'quantity' in r && r.quantity.nanos !== 0n ? r.quantity.nanos : undefined;
}

/** Upstream's QoS class: no cpu/memory anywhere → BestEffort; every container limit = request → Guaranteed. */
export function qosClass(pod: Pod): QosClass {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    for (const r of ['cpu', 'memory']) {
      const req = nonZero(c.resources?.requests?.[r]);
      const lim = nonZero(c.resources?.limits?.[r]);
      if (req !== undefined || lim !== undefined) any = true;
      if (lim === undefined || (req !== undefined && req !== lim)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
