import { goDurationMs } from '../util/go-duration.js';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import type { LogLevel } from '../util/logger.js';
import { UsageError, type CliIo, type FlagSpec, type FlagValues } from './command.js';
import { formatCidr, parseCidr } from './net.js';
import { parseJoinToken } from '../apiserver/join/join-token.js';
import { logLevelFlag, resolveLogLevel } from './log-level-flag.js';
import { nodeFlags, resolveNodeOptions, type NodeOptions } from './node-options.js';
import { auditFlags, resolveAuditOptions, type AuditOptions } from './audit-options.js';
import type { FlannelBackend } from '../apiserver/join/node-join.js';

const FLANNEL_BACKENDS: readonly FlannelBackend[] = ['vxlan', 'host-gw', 'none'];
/** k3s's other backends: named in the refusal so a k3s user knows the value was understood. */
const K3S_ONLY_BACKENDS = ['wireguard-native', 'ipsec', 'wireguard', 'udp', 'extension'];

/** Everything `tugboat server` needs, defaults resolved and values validated. */
export interface ServerOptions extends NodeOptions {
  dataDir: string;
  bindAddress: string;
  /** 0 picks a free port. */
  httpsListenPort: number;
  advertiseAddress?: string;
  /** Extra names and addresses for the serving certificate. */
  tlsSan: string[];
  writeKubeconfig: string;
  datastoreEndpoint: string;
  serviceCidr: string;
  /** Pod IP range; the node IPAM controller gives each node a /24 (IPv4) or /64 (IPv6) of it. */
  clusterCidr: string;
  /** `--flannel-backend`: how pods reach other nodes' pods. */
  flannelBackend: FlannelBackend;
  /**
   * DNS servers written into ClusterFirst pods' resolv.conf (k3s's --cluster-dns); then tugboat runs none. Empty:
   * each agent serves the cluster DNS on its node's pod-network gateway.
   */
  clusterDns: string[];
  /** The cluster's DNS domain (`cluster.local`). */
  clusterDomain: string;
  tokenFile?: string;
  /** kube-apiserver's --encryption-provider-config: how resources are encrypted at rest. */
  encryptionProviderConfig?: string;
  /** `--admission-control-config-file`: the PodSecurity plugin's configuration. */
  admissionControlConfigFile?: string;
  /** The audit policy and log, when both `--audit-policy-file` and `--audit-log-path` are given. */
  audit?: AuditOptions;
  /** Use an edited encryption configuration without a restart (kube-apiserver's flag of that name). */
  encryptionConfigAutomaticReload: boolean;
  /** k3s's --secrets-encryption: Secrets encrypted with AES-CBC under a key generated in DATA_DIR/server/cred. */
  secretsEncryption: boolean;
  /** The join token's secret for agents (k3s's --token); default: kept in DATA_DIR/server/node-token. */
  token?: string;
  disableAgent: boolean;
  /** Run no service proxy in this host's agent (k3s's --disable-kube-proxy). */
  disableKubeProxy: boolean;
  /** Leave LoadBalancer Services to another implementation (k3s's --disable servicelb). */
  disableServiceLb: boolean;
  /** No default `local-path` StorageClass and no local-path provisioner (k3s's --disable local-storage). */
  disableLocalStorage: boolean;
  /** Enforce no NetworkPolicy in this host's agent (k3s's --disable-network-policy). */
  disableNetworkPolicy: boolean;
  /** Run no ingress controller (k3s's --disable traefik); the `tugboat` IngressClass is then not created. */
  disableIngress: boolean;
  /** The ingress controller's listening ports; 0 leaves that listener off. */
  ingressHttpPort: number;
  ingressHttpsPort: number;
  disableControllerManager: boolean;
  disableScheduler: boolean;
  /** Seconds without a node heartbeat before its Ready condition goes Unknown. */
  nodeMonitorGracePeriodSeconds?: number;
  /** tolerationSeconds of the default not-ready / unreachable NoExecute tolerations given to pods. */
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  /**
   * Zone disruption tunables of the node lifecycle controller, by controller option name (nodeEvictionRate,
   * secondaryNodeEvictionRate, largeClusterSizeThreshold, unhealthyZoneThreshold); unset ones keep upstream's.
   */
  nodeDisruption: Record<string, number>;
  /** How long events are kept after their last write (kube-apiserver --event-ttl; default 1 h). */
  eventTtlMs?: number;
  /**
   * Processes that serve the API beside the main one, on the same port and store (default none).
   */
  apiWorkers?: number;
  /** How often the HPA controller re-evaluates every HorizontalPodAutoscaler (default 15). */
  hpaSyncPeriodSeconds?: number;
  /** How often node resource metrics are scraped (metrics-server's --metric-resolution, default 15). */
  metricResolutionSeconds?: number;
  logLevel: LogLevel;
}

export const serverFlags: FlagSpec[] = [
  {
    name: 'data-dir',
    short: 'd',
    type: 'string',
    valueName: 'DIR',
    description: 'Folder for the state, certificates and kubeconfig',
    defaultText: '/var/lib/tugboat as root, ~/.tugboat otherwise',
  },
  {
    name: 'bind-address',
    type: 'string',
    valueName: 'IP',
    description: 'Address the API server listens on',
    defaultText: '0.0.0.0',
  },
  {
    name: 'https-listen-port',
    type: 'string',
    valueName: 'PORT',
    description: 'HTTPS port of the API server (0 picks a free one)',
    defaultText: '6443',
  },
  {
    name: 'advertise-address',
    type: 'string',
    valueName: 'IP',
    description: 'Address published as the kubernetes service endpoint',
    defaultText: "the host's first non-loopback address",
  },
  {
    name: 'tls-san',
    type: 'string',
    multiple: true,
    valueName: 'NAME',
    description: 'Extra host name or IP for the serving certificate',
  },
  {
    name: 'write-kubeconfig',
    short: 'o',
    type: 'string',
    valueName: 'FILE',
    description: 'Where to write the admin kubeconfig',
    defaultText: 'DATA_DIR/kubeconfig.yaml',
  },
  {
    name: 'datastore-endpoint',
    type: 'string',
    valueName: 'URL',
    description: 'Store: sqlite://PATH, etcd://HOST:PORT[,HOST:PORT] or memory://',
    defaultText: 'sqlite://DATA_DIR/db/state.db',
  },
  {
    name: 'cluster-cidr',
    type: 'string',
    valueName: 'CIDR',
    description: 'Range of pod IPs; every node gets a /24 of it (/64 for IPv6), so a /16 holds 256 nodes',
    defaultText: '10.42.0.0/16',
  },
  {
    name: 'flannel-backend',
    type: 'string',
    valueName: 'BACKEND',
    description:
      "How pods reach other nodes' pods: vxlan (an overlay over UDP 8472, nodes on any network), host-gw " +
      '(routes through node addresses, nodes on one link-layer network) or none (left to you)',
    defaultText: 'vxlan (host-gw for an IPv6 --cluster-cidr)',
  },
  {
    name: 'service-cidr',
    type: 'string',
    valueName: 'CIDR',
    description: 'Range of service cluster IPs; its first address is the kubernetes service',
    defaultText: '10.43.0.0/16',
  },
  {
    name: 'cluster-dns',
    type: 'string',
    valueName: 'IP[,IP]',
    description: "DNS server for pods' resolv.conf, run by you: tugboat then serves no cluster DNS",
    defaultText: "a DNS server on each node's pod-network gateway",
  },
  {
    name: 'cluster-domain',
    type: 'string',
    valueName: 'DOMAIN',
    description: 'Cluster domain, the zone of service and pod names',
    defaultText: 'cluster.local',
  },
  {
    name: 'token-file',
    type: 'string',
    valueName: 'FILE',
    description: 'Static bearer tokens, CSV lines: token,user,uid,"group1,group2"',
    defaultText: 'DATA_DIR/server/token, created with one admin token',
  },
  {
    name: 'secrets-encryption',
    type: 'boolean',
    description:
      'Encrypt Secrets at rest (AES-CBC, key generated in DATA_DIR/server/cred/encryption-config.json)',
  },
  {
    name: 'admission-control-config-file',
    type: 'string',
    valueName: 'FILE',
    description:
      "An AdmissionConfiguration (kube-apiserver's format); its PodSecurity entry sets the Pod Security defaults " +
      'and exemptions',
  },
  {
    name: 'encryption-provider-config',
    type: 'string',
    valueName: 'FILE',
    description:
      "An EncryptionConfiguration (kube-apiserver's format): which resources are encrypted at rest, how",
  },
  {
    name: 'encryption-provider-config-automatic-reload',
    type: 'boolean',
    description: 'Use the encryption configuration file again whenever its content changes',
  },
  {
    name: 'token',
    short: 't',
    type: 'string',
    valueName: 'TOKEN',
    description: 'Shared secret agents join with (tugboat agent --token); also $TUGBOAT_TOKEN',
    defaultText: 'generated; the full token is written to DATA_DIR/server/node-token',
  },
  {
    name: 'disable-agent',
    type: 'boolean',
    description: 'Do not run workloads on this host',
  },
  {
    name: 'disable-kube-proxy',
    type: 'boolean',
    description: "Do not run the service proxy (iptables rules for Services) in this host's agent",
  },
  {
    name: 'disable-network-policy',
    type: 'boolean',
    description:
      "Do not enforce NetworkPolicies in this host's agent (leave them to a policy agent of your own)",
  },
  {
    name: 'disable-local-storage',
    type: 'boolean',
    description:
      'No default local-path StorageClass or provisioner (leave volumes to a provisioner of your own)',
  },
  {
    name: 'disable-servicelb',
    type: 'boolean',
    description: "Do not give LoadBalancer Services the nodes' addresses (leave them to MetalLB or a cloud)",
  },
  {
    name: 'disable-ingress',
    type: 'boolean',
    description: 'Run no ingress controller (leave Ingresses to one of your own)',
  },
  {
    name: 'ingress-http-port',
    type: 'string',
    valueName: 'PORT',
    description: "The ingress controller's HTTP port on this host (0: no HTTP listener)",
    defaultText: '80',
  },
  {
    name: 'ingress-https-port',
    type: 'string',
    valueName: 'PORT',
    description: "The ingress controller's HTTPS port on this host (0: no HTTPS listener)",
    defaultText: '443',
  },
  ...nodeFlags,
  ...auditFlags,
  {
    name: 'disable-controller-manager',
    type: 'boolean',
    description: 'Do not run the controllers here (run `tugboat controller-manager` elsewhere)',
  },
  {
    name: 'node-monitor-grace-period',
    type: 'string',
    valueName: 'SECONDS',
    description: 'How long a node may miss heartbeats before it is marked Unknown and tainted unreachable',
    defaultText: '40',
  },
  {
    name: 'default-not-ready-toleration-seconds',
    type: 'string',
    valueName: 'SECONDS',
    description: 'How long pods stay on a NotReady node before they are evicted (unless they say otherwise)',
    defaultText: '60',
  },
  {
    name: 'default-unreachable-toleration-seconds',
    type: 'string',
    valueName: 'SECONDS',
    description:
      'How long pods stay on an unreachable node before they are evicted (unless they say otherwise)',
    defaultText: '60',
  },
  {
    name: 'api-workers',
    type: 'string',
    valueName: 'N',
    description:
      'Processes that serve the API on the same port beside the main one, over its store (see docs/architecture.md)',
    defaultText: '0',
  },
  {
    name: 'event-ttl',
    type: 'string',
    valueName: 'DURATION',
    description: 'How long events are kept after their last update (a Go duration: 1h, 30m, 90s)',
    defaultText: '1h0m0s',
  },
  {
    name: 'node-eviction-rate',
    type: 'string',
    valueName: 'PER_SECOND',
    description: 'Nodes per second whose pods may be evicted (NoExecute-tainted) in a healthy zone',
    defaultText: '0.1',
  },
  {
    name: 'secondary-node-eviction-rate',
    type: 'string',
    valueName: 'PER_SECOND',
    description:
      'The same in a zone where too many nodes are down (0 in zones of at most --large-cluster-size-threshold nodes)',
    defaultText: '0.01',
  },
  {
    name: 'large-cluster-size-threshold',
    type: 'string',
    valueName: 'NODES',
    description:
      'Zones larger than this evict at the secondary rate when unhealthy; smaller ones stop evicting',
    defaultText: '50',
  },
  {
    name: 'unhealthy-zone-threshold',
    type: 'string',
    valueName: 'FRACTION',
    description:
      'Share of not-Ready nodes (at least 3) that makes a zone unhealthy; with every node down nothing is evicted',
    defaultText: '0.55',
  },
  {
    name: 'horizontal-pod-autoscaler-sync-period',
    type: 'string',
    valueName: 'SECONDS',
    description: 'How often every HorizontalPodAutoscaler is re-evaluated',
    defaultText: '15',
  },
  {
    name: 'metric-resolution',
    type: 'string',
    valueName: 'SECONDS',
    description: 'How often node and pod resource metrics (kubectl top, HPA) are collected',
    defaultText: '15',
  },
  {
    name: 'disable-scheduler',
    type: 'boolean',
    description: 'Do not run the scheduler here (run `tugboat scheduler` elsewhere)',
  },
  logLevelFlag,
];

const DATASTORE_SCHEMES = ['sqlite', 'etcd', 'memory'];

export function defaultDataDir(io: Pick<CliIo, 'uid' | 'home'>): string {
  return io.uid === 0 ? '/var/lib/tugboat' : join(io.home, '.tugboat');
}

/** Turn parsed flags into ServerOptions; a bad value is a UsageError naming the flag. */
export function resolveServerOptions(values: FlagValues, io: CliIo): ServerOptions {
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const bad = (flag: string, value: string, why: string): UsageError =>
    new UsageError(`invalid value "${value}" for --${flag}: ${why}`, 'server');

  const dataDirFlag = str('data-dir');
  if (dataDirFlag === '') throw bad('data-dir', '', 'must not be empty');
  const dataDir = resolve(io.cwd, dataDirFlag ?? defaultDataDir(io));

  const bindAddress = str('bind-address') ?? '0.0.0.0';
  if (!isIP(bindAddress)) throw bad('bind-address', bindAddress, 'must be an IP address');

  const portFlag = (flag: string, fallback: string): number => {
    const text = str(flag) ?? fallback;
    const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(value >= 0 && value <= 65535)) throw bad(flag, text, 'must be a port number 0-65535');
    return value;
  };
  const port = portFlag('https-listen-port', '6443');
  const ingressHttpPort = portFlag('ingress-http-port', '80');
  const ingressHttpsPort = portFlag('ingress-https-port', '443');

  const seconds = (flag: string, min = 0): number | undefined => {
    const text = str(flag);
    if (text === undefined) return undefined;
    if (!/^\d{1,7}$/.test(text)) throw bad(flag, text, 'must be a whole number of seconds');
    if (Number(text) < min) throw bad(flag, text, `must be at least ${min}`);
    return Number(text);
  };
  const nodeMonitorGracePeriodSeconds = seconds('node-monitor-grace-period');
  const defaultNotReadyTolerationSeconds = seconds('default-not-ready-toleration-seconds');
  const defaultUnreachableTolerationSeconds = seconds('default-unreachable-toleration-seconds');
  const hpaSyncPeriodSeconds = seconds('horizontal-pod-autoscaler-sync-period', 1);
  const apiWorkersText = str('api-workers');
  if (apiWorkersText !== undefined && !/^\d{1,2}$/.test(apiWorkersText))
    throw bad('api-workers', apiWorkersText, 'must be a number of processes, 0-99');
  const apiWorkers = apiWorkersText === undefined ? undefined : Number(apiWorkersText);
  const eventTtlText = str('event-ttl');
  const eventTtlMs = eventTtlText === undefined ? undefined : goDurationMs(eventTtlText);
  if (eventTtlText !== undefined && (eventTtlMs === undefined || eventTtlMs < 1000)) {
    throw bad('event-ttl', eventTtlText, 'must be a duration of at least 1s, such as 1h or 30m');
  }
  const nodeDisruption: Record<string, number> = {};
  const disruptionFlags: [flag: string, option: string, check: (n: number) => string | undefined][] = [
    ['node-eviction-rate', 'nodeEvictionRate', (n) => (n < 0 ? 'must not be negative' : undefined)],
    [
      'secondary-node-eviction-rate',
      'secondaryNodeEvictionRate',
      (n) => (n < 0 ? 'must not be negative' : undefined),
    ],
    [
      'large-cluster-size-threshold',
      'largeClusterSizeThreshold',
      (n) => (Number.isInteger(n) && n >= 0 ? undefined : 'must be a whole number of nodes'),
    ],
    [
      'unhealthy-zone-threshold',
      'unhealthyZoneThreshold',
      (n) => (n > 0 && n <= 1 ? undefined : 'must be in (0, 1]'),
    ],
  ];
  for (const [flag, option, check] of disruptionFlags) {
    const text = str(flag);
    if (text === undefined) continue;
    const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
    const why = Number.isFinite(n) ? check(n) : 'must be a number';
    if (why) throw bad(flag, text, why);
    nodeDisruption[option] = n;
  }
  const metricResolutionSeconds = seconds('metric-resolution', 1);

  const advertiseAddress = str('advertise-address');
  if (advertiseAddress !== undefined && !isIP(advertiseAddress)) {
    throw bad('advertise-address', advertiseAddress, 'must be an IP address');
  }

  const tlsSan = ((values['tls-san'] as string[] | undefined) ?? []).flatMap((s) => s.split(','));
  for (const san of tlsSan) {
    if (!isIP(san) && !/^[a-z0-9*]([-a-z0-9.]*[a-z0-9])?$/i.test(san)) {
      throw bad('tls-san', san, 'must be a DNS name or an IP address');
    }
  }

  const serviceCidrText = str('service-cidr') ?? '10.43.0.0/16';
  if (serviceCidrText.includes(',')) {
    throw bad('service-cidr', serviceCidrText, 'dual-stack service ranges are not supported');
  }
  let serviceCidr: string;
  try {
    const cidr = parseCidr(serviceCidrText);
    // kube-apiserver's limits: at most 2^20 service IPs, and room for at least one.
    const bits = cidr.family === 4 ? 32 : 128;
    if (bits - cidr.prefix > 20) {
      throw new Error(`range too large; for ${bits}-bit addresses, the mask must be >= ${bits - 20}`);
    }
    if (bits - cidr.prefix < 2) throw new Error('range too small; it must hold at least 2 addresses');
    serviceCidr = formatCidr(cidr);
  } catch (err) {
    throw bad('service-cidr', serviceCidrText, (err as Error).message);
  }

  const clusterCidrText = str('cluster-cidr') ?? '10.42.0.0/16';
  let clusterCidr: string;
  try {
    const cidr = parseCidr(clusterCidrText);
    const nodeMask = cidr.family === 4 ? 24 : 64;
    if (cidr.prefix > nodeMask)
      throw new Error(`must be /${nodeMask} or larger: each node gets a /${nodeMask}`);
    clusterCidr = formatCidr(cidr);
  } catch (err) {
    throw bad('cluster-cidr', clusterCidrText, (err as Error).message);
  }

  // The VXLAN overlay is IPv4 only: an IPv6 pod range routes with host-gw unless told otherwise.
  const ipv6Pods = isIP(clusterCidr.split('/')[0] ?? '') === 6;
  const flannelBackendText = str('flannel-backend') ?? (ipv6Pods ? 'host-gw' : 'vxlan');
  if (!FLANNEL_BACKENDS.includes(flannelBackendText as FlannelBackend)) {
    const known = K3S_ONLY_BACKENDS.includes(flannelBackendText) ? 'not supported by Tugboat; ' : '';
    throw bad('flannel-backend', flannelBackendText, `${known}must be one of ${FLANNEL_BACKENDS.join(', ')}`);
  }
  if (flannelBackendText === 'vxlan' && ipv6Pods)
    throw bad('flannel-backend', flannelBackendText, 'needs an IPv4 --cluster-cidr (use host-gw)');
  const flannelBackend = flannelBackendText as FlannelBackend;

  const clusterDnsText = str('cluster-dns');
  const clusterDns = clusterDnsText === undefined ? [] : clusterDnsText.split(',').map((a) => a.trim());
  for (const address of clusterDns) {
    if (!isIP(address))
      throw bad('cluster-dns', clusterDnsText ?? '', 'must be IP addresses, comma-separated');
  }
  const clusterDomainText = str('cluster-domain') ?? 'cluster.local';
  const clusterDomain = clusterDomainText.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/.test(clusterDomain)) {
    throw bad('cluster-domain', clusterDomainText, 'must be a DNS domain such as cluster.local');
  }

  const node = resolveNodeOptions(str, bad, io);

  const datastoreEndpoint = str('datastore-endpoint') ?? `sqlite://${join(dataDir, 'db', 'state.db')}`;
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(datastoreEndpoint)?.[1]?.toLowerCase();
  if (!scheme || !DATASTORE_SCHEMES.includes(scheme)) {
    throw bad('datastore-endpoint', datastoreEndpoint, 'must start with sqlite://, etcd:// or memory://');
  }

  const kubeconfigFlag = str('write-kubeconfig');
  if (kubeconfigFlag === '') throw bad('write-kubeconfig', '', 'must not be empty');
  const writeKubeconfig = resolve(io.cwd, kubeconfigFlag ?? join(dataDir, 'kubeconfig.yaml'));

  const tokenFileFlag = str('token-file');
  if (tokenFileFlag === '') throw bad('token-file', '', 'must not be empty');
  const encryptionFlag = str('encryption-provider-config');
  if (encryptionFlag === '') throw bad('encryption-provider-config', '', 'must not be empty');

  const logLevel = resolveLogLevel(str, bad, io);

  const opts: ServerOptions = {
    dataDir,
    bindAddress,
    httpsListenPort: port,
    tlsSan,
    writeKubeconfig,
    datastoreEndpoint,
    serviceCidr,
    clusterCidr,
    flannelBackend,
    clusterDns,
    clusterDomain,
    secretsEncryption: values['secrets-encryption'] === true,
    encryptionConfigAutomaticReload: values['encryption-provider-config-automatic-reload'] === true,
    disableAgent: values['disable-agent'] === true,
    disableKubeProxy: values['disable-kube-proxy'] === true,
    disableServiceLb: values['disable-servicelb'] === true,
    disableLocalStorage: values['disable-local-storage'] === true,
    disableNetworkPolicy: values['disable-network-policy'] === true,
    disableIngress: values['disable-ingress'] === true,
    ingressHttpPort,
    ingressHttpsPort,
    ...node,
    disableControllerManager: values['disable-controller-manager'] === true,
    disableScheduler: values['disable-scheduler'] === true,
    nodeDisruption,
    logLevel,
  };
  if (advertiseAddress !== undefined) opts.advertiseAddress = advertiseAddress;
  if (eventTtlMs !== undefined) opts.eventTtlMs = eventTtlMs;
  if (apiWorkers !== undefined) opts.apiWorkers = apiWorkers;
  if (nodeMonitorGracePeriodSeconds !== undefined)
    opts.nodeMonitorGracePeriodSeconds = nodeMonitorGracePeriodSeconds;
  if (defaultNotReadyTolerationSeconds !== undefined) {
    opts.defaultNotReadyTolerationSeconds = defaultNotReadyTolerationSeconds;
  }
  if (defaultUnreachableTolerationSeconds !== undefined) {
    opts.defaultUnreachableTolerationSeconds = defaultUnreachableTolerationSeconds;
  }
  if (hpaSyncPeriodSeconds !== undefined) opts.hpaSyncPeriodSeconds = hpaSyncPeriodSeconds;
  if (metricResolutionSeconds !== undefined) opts.metricResolutionSeconds = metricResolutionSeconds;
  if (tokenFileFlag !== undefined) opts.tokenFile = resolve(io.cwd, tokenFileFlag);
  if (encryptionFlag !== undefined) opts.encryptionProviderConfig = resolve(io.cwd, encryptionFlag);
  const admissionFlag = str('admission-control-config-file');
  if (admissionFlag === '') throw bad('admission-control-config-file', '', 'must not be empty');
  if (admissionFlag !== undefined) opts.admissionControlConfigFile = resolve(io.cwd, admissionFlag);
  const audit = resolveAuditOptions(str, values, bad, io);
  if (audit) opts.audit = audit;
  const token = str('token') ?? io.env.TUGBOAT_TOKEN;
  if (token !== undefined && token !== '') {
    try {
      parseJoinToken(token);
    } catch (err) {
      throw bad('token', '…', (err as Error).message);
    }
    opts.token = token;
  }
  return opts;
}
