/** Pod spec → PodSandboxConfig (upstream kuberuntime_sandbox.go generatePodSandboxConfig). */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { join } from 'node:path';
import { parseQuantity, quantityMilliValue, quantityValue } from '../api/quantity.js';
import type {
  DnsConfig,
  LinuxContainerResources,
  NamespaceOptions,
  PodSandboxConfig,
  PortMapping,
} from './cri/types.js';
import { podLabels } from './labels.js';

export interface ClusterDns {
  /** Cluster DNS server addresses (`--cluster-dns`). */
  servers: string[];
  /** `cluster.local`. */
  domain: string;
}

export const CPU_PERIOD = 100_000;

export function namespaceOptions(pod: Pod): NamespaceOptions {
  const s = pod.spec;
  return {
    network: s?.hostNetwork ? 'node' : 'pod',
    pid: s?.hostPID ? 'node' : s?.shareProcessNamespace ? 'pod' : 'container',
    ipc: s?.hostIPC ? 'node' : 'pod',
  };
}

/** `/var/log/pods`-style directory of the pod's container logs: `<root>/logs/pods/<ns>_<name>_<uid>`. */
export function podLogDirectory(rootDir: string, pod: Pod): string {
  const m = pod.metadata;
  return join(rootDir, 'logs', 'pods', `${m?.namespace ?? ''}_${m?.name ?? ''}_${m?.uid ?? ''}`);
}

/** Upstream's dnsPolicy handling (ClusterFirst, ClusterFirstWithHostNet, Default, None) plus dnsConfig. */
export function dnsConfig(
  pod: Pod,
  cluster: ClusterDns | undefined,
  host: DnsConfig | undefined,
): DnsConfig | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  let base: DnsConfig | undefined;
  const clusterFirst =
    cluster &&
    cluster.servers.length > 0 &&
    (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec?.hostNetwork));
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (clusterFirst) {
    const ns = pod.metadata?.namespace ?? 'default';
    base = {
      servers: [...cluster.servers],
      searches: [
        `${ns}.svc.${cluster.domain}`,
        `svc.${cluster.domain}`,
        cluster.domain,
        ...(host?.searches ?? []),
      ],
      options: ['ndots:5'],
    };
  } else base = host ? structuredClone(host) : undefined;
  const extra = pod.spec?.dnsConfig;
  if (!extra) return base;
  const out = base ?? { servers: [], searches: [], options: [] };
  out.servers = [...new Set([...out.servers, ...(extra.nameservers ?? [])])];
  out.searches = [...new Set([...out.searches, ...(extra.searches ?? [])])];
  const opts = new Map(out.options.map((o) => [o.split(':')[0]!, o]));
  for (const o of extra.options ?? [])
    opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : (o.name ?? ''));
  out.options = [...opts.values()];
  return out;
}

function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const m: PortMapping = {
        protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'],
        containerPort: p.containerPort,
        hostPort: p.hostPort,
      };
      if (p.hostIP) m.hostIp = p.hostIP;
      out.push(m);
    }
  }
  return out;
}

/** Pod-level limits: the sum of container limits, when every container has one. */
function podResources(pod: Pod): LinuxContainerResources | undefined {
  const cs = pod.spec?.containers ?? [];
  if (cs.length === 0) return undefined;
  const r: LinuxContainerResources = {};
  if (cs.every((c) => c.resources?.limits?.cpu !== undefined)) {
    const milli = cs.reduce((s, c) => s + quantityMilliValue(parseQuantity(c.resources!.limits!.cpu!)), 0n);
    r.cpuPeriod = CPU_PERIOD;
    r.cpuQuota = Number((milli * BigInt(CPU_PERIOD)) / 1000n);
  }
  if (cs.every((c) => c.resources?.limits?.memory !== undefined)) {
    r.memoryLimitInBytes = Number(
      cs.reduce((s, c) => s + quantityValue(parseQuantity(c.resources!.limits!.memory!)), 0n),
    );
  }
  return Object.keys(r).length ? r : undefined;
}

export function sandboxConfig(
  pod: Pod,
  attempt: number,
  opts: { rootDir: string; clusterDns?: ClusterDns; hostDns?: DnsConfig },
): PodSandboxConfig {
  const m = pod.metadata ?? {};
  const hostname = (pod.spec?.hostname ?? m.name ?? '').slice(0, 63).replace(/[-.]+$/, '');
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  const dns = dnsConfig(pod, opts.clusterDns, opts.hostDns);
  const resources = podResources(pod);
  const config: PodSandboxConfig = {
    metadata: { name: m.name ?? '', uid: m.uid ?? '', namespace: m.namespace ?? '', attempt },
    hostname,
    logDirectory: podLogDirectory(opts.rootDir, pod),
    portMappings: portMappings(pod),
    labels: podLabels(pod),
    annotations: { ...m.annotations },
    linux: {
      cgroupParent: `tugboat/pod${m.uid ?? ''}`,
      namespaceOptions: namespaceOptions(pod),
      ...(resources ? { resources } : {}),
      ...(Object.keys(sysctls).length ? { sysctls } : {}),
    },
  };
  if (dns) config.dnsConfig = dns;
  if (pod.spec?.hostAliases?.length) {
    config.hostAliases = pod.spec.hostAliases.map((a) => ({ ip: a.ip ?? '', hostnames: a.hostnames ?? [] }));
  }
  return config;
}
