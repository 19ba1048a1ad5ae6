import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.js';
import { deepEqual } from '../../api/meta.js';
import { isPodReady } from '../../api/pods.js';
import { objectKey } from '../../client/index.js';
import { serviceSelector } from './pod-inclusion.js';

/** Keys of the Services among `services` whose selector matches `labels` (upstream getServicesForPod). */
export function servicesSelecting(services: readonly Service[], labels: Record<string, string>): Set<string> {
  const keys = new Set<string>();
  for (const service of services) {
    const selector = serviceSelector(service);
    if (selector && selectorFromSet(selector).matches(labels)) keys.add(objectKey(service));
  }
  return keys;
}

/**
 * Upstream podEndpointsChanged: whether the change can alter the pod's endpoints (deletion, readiness, IPs),
 * and whether it can alter which Services select it (labels, hostname, subdomain).
 */
export function podEndpointsChanged(old: Pod, cur: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !deepEqual(old.metadata?.labels ?? {}, cur.metadata?.labels ?? {}) ||
    old.spec?.hostname !== cur.spec?.hostname ||
    old.spec?.subdomain !== cur.spec?.subdomain;
  const ips = (p: Pod): string =>
    (p.status?.podIPs ?? []).map((x) => x.ip).join(',') || (p.status?.podIP ?? '');
  const podChanged =
    old.metadata?.deletionTimestamp !== cur.metadata?.deletionTimestamp ||
    isPodReady(old) !== isPodReady(cur) ||
    ips(old) !== ips(cur);
  return { podChanged, labelsChanged };
}

/**
 * The Services to sync after a pod update (upstream GetServicesToUpdateOnPodChange): none for a resync or an
 * irrelevant change; those selecting the pod when only its endpoint changed; after a label change, those that
 * gained or lost it, or all old and new ones when its endpoint changed too.
 */
export function servicesToUpdateOnPodChange(services: readonly Service[], old: Pod, cur: Pod): Set<string> {
  if (services.length === 0 || old.metadata?.resourceVersion === cur.metadata?.resourceVersion)
    return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(old, cur);
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesSelecting(services, cur.metadata?.labels ?? {});
  if (!labelsChanged) return now;
  const before = servicesSelecting(services, old.metadata?.labels ?? {});
  const out = new Set<string>();
  for (const key of now) if (podChanged || !before.has(key)) out.add(key);
  for (const key of before) if (podChanged || !now.has(key)) out.add(key);
  return out;
}
