/**
 * The `kube-dns` Service and its EndpointSlice, from the Nodes whose agents serve the cluster DNS. Pure.
 *
 * The Service has no selector: its endpoints are the nodes' DNS servers (each at its pod network's gateway),
 * not pods. `internalTrafficPolicy: Local` sends each client to its own node's server, as NodeLocal DNSCache's
 * address does; the cluster IP is the service range's tenth address (10.43.0.10 by default), as in k3s and
 * kubeadm clusters, where manifests and tools expect it.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  ANN_CLUSTER_DNS_ADDRESS,
  CLUSTER_DNS_MANAGER,
  KUBE_DNS_NAMESPACE,
  KUBE_DNS_SERVICE,
} from '../../api/cluster-dns.js';
import { bigIntToIp, ipToBigInt } from '../../util/cidr.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const SLICE_NAME = `${KUBE_DNS_SERVICE}-nodes`;

/** The kube-dns cluster IP: the `kubernetes` Service's (the range's first address) plus nine. */
export function kubeDnsClusterIp(kubernetesIp: string): string {
  const family = kubernetesIp.includes(':') ? 6 : 4;
  return bigIntToIp(ipToBigInt(kubernetesIp) + 9n, family);
}

export function desiredService(clusterIP: string | undefined): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE,
      namespace: KUBE_DNS_NAMESPACE,
      // As kubeadm's and k3s's: `kubectl cluster-info` lists services labelled as cluster services.
      labels: {
        'k8s-app': 'kube-dns',
        'kubernetes.io/cluster-service': 'true',
        'kubernetes.io/name': 'KubeDNS',
        [MANAGED_BY_LABEL]: 'tugboat',
      },
    },
    spec: {
      ...(clusterIP ? { clusterIP } : {}),
      internalTrafficPolicy: 'Local',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

/** Whether a kube-dns Service is ours to keep (a user's own, e.g. CoreDNS's, is left alone). */
export function isOurs(svc: Service | undefined): boolean {
  return svc?.metadata?.labels?.[MANAGED_BY_LABEL] === 'tugboat';
}

/** The nodes' DNS servers as one EndpointSlice, ready where the node is Ready; sorted by node name. */
export function desiredSlice(nodes: readonly Node[], family: 'IPv4' | 'IPv6'): EndpointSlice {
  const endpoints = nodes
    .map((node) => ({ node, address: node.metadata?.annotations?.[ANN_CLUSTER_DNS_ADDRESS] }))
    .filter(
      (n): n is { node: Node; address: string } =>
        !!n.address && n.address.includes(':') === (family === 'IPv6'),
    )
    .sort((a, b) => ((a.node.metadata?.name ?? '') < (b.node.metadata?.name ?? '') ? -1 : 1))
    .map(({ node, address }) => {
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return {
        addresses: [address],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: node.metadata?.name ?? '',
      };
    });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: SLICE_NAME,
      namespace: KUBE_DNS_NAMESPACE,
      labels: {
        'kubernetes.io/service-name': KUBE_DNS_SERVICE,
        'endpointslice.kubernetes.io/managed-by': CLUSTER_DNS_MANAGER,
      },
    },
    addressType: family,
    endpoints,
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  };
}

/** Whether any node serves the cluster DNS (otherwise no Service is made). */
export function anyServer(nodes: readonly Node[]): boolean {
  return nodes.some((n) => !!n.metadata?.annotations?.[ANN_CLUSTER_DNS_ADDRESS]);
}
