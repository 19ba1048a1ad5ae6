/** Pod spec → PodSandboxConfig (upstream kuberuntime_sandbox.go generatePodSandboxConfig). */
import { podResourceTotals } from '../api/pods.js';
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

/**
 * Pod-level limits as upstream's ResourceConfigForPod: the pod's total limits (app containers and sidecars
 * added up, raised to what an init container needs beside the sidecars before it, plus the RuntimeClass's
 * overhead), for each of cpu and memory that every container, init containers included, limits.
 */
function podResources(pod: Pod): LinuxContainerResources | undefined {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  if (!pod.spec?.containers?.length) return undefined;
  const declared = (name: string): boolean =>
    all.every((c) => {
      const v = c.resources?.limits?.[name];
      return v !== undefined && parseQuantity(v).nanos > 0n;
    });
  const limits = podResourceTotals(pod, 'limits', true);
  const r: LinuxContainerResources = {};
  const cpu = limits.get('cpu');
  if (cpu && declared('cpu')) {
    r.cpuPeriod = CPU_PERIOD;
    r.cpuQuota = Number((quantityMilliValue(cpu) * BigInt(CPU_PERIOD)) / 1000n);
  }
  const memory = limits.get('memory');
  if (memory && declared('memory')) r.memoryLimitInBytes = Number(quantityValue(memory));
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
