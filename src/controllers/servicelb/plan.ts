/**
 * Where a LoadBalancer Service is reachable when no cloud provides load balancers: at the nodes' own addresses,
 * on the Service's ports (k3s's ServiceLB; the service proxy captures traffic to these addresses as to any
 * load-balancer IP). Pure.
 *
 * Every node's address serves every such Service, so two Services cannot share a port and protocol: the one
 * created first keeps it and the later one stays pending (no ingress), as a second ServiceLB pod asking for a
 * taken host port stays unscheduled, until the port is free.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { objectKey as key } from '../../client/index.js';

/** Upstream's label that keeps a node out of load balancers' backends. */
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface LoadBalancerPlan {
  /** Ingress IPs of the Service, sorted; empty while pending. */
  ips: string[];
  /** Why it is pending, when a port of it is taken. */
  conflict?: string;
}

/** Services this controller serves: type LoadBalancer without a loadBalancerClass (a class names another). */
export function servedHere(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

/** Ready nodes not excluded from load balancers, each by its ExternalIP, else its InternalIP. */
export function nodeAddresses(nodes: Node[]): string[] {
  const ips = new Set<string>();
  for (const node of nodes) {
    if (node.metadata?.labels?.[EXCLUDE_FROM_LB_LABEL] !== undefined) continue;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!ready) continue;
    const addresses = node.status?.addresses ?? [];
    const ip =
      addresses.find((a) => a.type === 'ExternalIP')?.address ??
      addresses.find((a) => a.type === 'InternalIP')?.address;
    if (ip) ips.add(ip);
  }
  return [...ips].sort();
}

/** Oldest first, then by namespace/name: who holds a port when two Services want it. */
function byAge(a: Service, b: Service): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** The plan of every served Service, by `namespace/name`. */
export function planLoadBalancers(services: Service[], nodes: Node[]): Map<string, LoadBalancerPlan> {
  const ips = nodeAddresses(nodes);
  const holders = new Map<string, string>();
  const plans = new Map<string, LoadBalancerPlan>();
  for (const svc of services.filter(servedHere).sort(byAge)) {
    const ports = (svc.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
    const taken = ports.find((p) => holders.has(p));
    if (taken) {
      plans.set(key(svc), {
        ips: [],
        conflict: `port ${taken} is taken by load balancer ${holders.get(taken)}`,
      });
      continue;
    }
    for (const p of ports) holders.set(p, key(svc));
    plans.set(key(svc), { ips });
  }
  return plans;
}
