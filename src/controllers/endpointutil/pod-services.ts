import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.js';
import { deepEqual } from '../../api/meta.js';
import { isPodReady } from '../../api/pods.js';
import { objectKey, type Informer } from '../../client/index.js';
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

/**
 * The event handlers both endpoint controllers need: a Service is synced on its own changes, and on a pod event
 * every Service the pod is (or was) selected by, as far as the change can matter to its endpoints.
 */
export function queueServicesOnChanges(
  services: Informer<Service>,
  pods: Informer<Pod>,
  add: (key: string) => void,
): void {
  services.addEventHandler({
    add: (s) => add(objectKey(s)),
    update: (_, s) => add(objectKey(s)),
    delete: (s) => add(objectKey(s)),
  });
  const addedOrDeleted = (pod: Pod): void => {
    const candidates = services.list(pod.metadata?.namespace ?? '');
    for (const key of servicesSelecting(candidates, pod.metadata?.labels ?? {})) add(key);
  };
  pods.addEventHandler({
    add: addedOrDeleted,
    update: (old, cur) => {
      for (const key of servicesToUpdateOnPodChange(services.list(cur.metadata?.namespace ?? ''), old, cur))
        add(key);
    },
    delete: addedOrDeleted,
  });
}
