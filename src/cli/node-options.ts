import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { quantityValue, tryParseQuantity } from '../api/quantity.js';
import {
  parseEvictionHard,
  parseEvictionSoft,
  type SoftThresholds,
  type Thresholds,
} from '../kubelet/eviction/thresholds.js';
import { DEFAULT_HEALTHZ_BIND_ADDRESS, parseBindAddress } from '../proxy/bind-address.js';
import type { AgentOptions } from './agent.js';
import type { CliIo, FlagSpec, UsageError } from './command.js';

/** The node agent's own settings, the same for `tugboat server` (its host's agent) and `tugboat agent`. */
export interface NodeOptions {
  /** The address the node reports as its InternalIP (default: the host's first non-loopback IPv4 address). */
  nodeIp?: string;
  nodeName: string;
  containerRuntime: 'auto' | 'oci' | 'process';
  /** Port of the agent's HTTPS endpoint (logs, exec, attach, metrics), as the kubelet's --port. */
  kubeletPort: number;
  /** Image filesystem usage (percent) at which unused images are removed (kubelet default 85), and the target (80). */
  imageGcHighThresholdPercent: number;
  imageGcLowThresholdPercent: number;
  /** Container log rotation (the kubelet's --container-log-max-size, 10Mi, and --container-log-max-files, 5). */
  containerLogMaxSizeBytes: number;
  containerLogMaxFiles: number;
  /** `--eviction-hard`: these thresholds replace the defaults (signals left out get none). */
  evictionHard?: Thresholds;
  /** `--eviction-soft` with `--eviction-soft-grace-period`: none by default. */
  evictionSoft?: SoftThresholds;
  /** `--eviction-max-pod-grace-period` (seconds; negative: the pod's own). */
  evictionMaxPodGracePeriodSeconds?: number;
  /** Where the service proxy serves `/healthz` and `/livez` (kube-proxy's --healthz-bind-address); none if unset. */
  proxyHealthzAddress?: { host: string; port: number };
}

export const nodeFlags: FlagSpec[] = [
  {
    name: 'node-ip',
    type: 'string',
    valueName: 'IP',
    description: "The node's InternalIP, where the server and the other nodes reach it",
    defaultText: "the host's first non-loopback IPv4 address",
  },
  {
    name: 'node-name',
    type: 'string',
    valueName: 'NAME',
    description: "This host's node name",
    defaultText: 'the host name, lower-cased',
  },
  {
    name: 'container-runtime',
    type: 'string',
    valueName: 'KIND',
    description: 'auto (oci where root with runc or crun and the CNI plugins, else process), oci or process',
    defaultText: 'auto',
  },
  {
    name: 'kubelet-port',
    type: 'string',
    valueName: 'PORT',
    description: "Port of the agent's HTTPS endpoint (logs, exec, attach, metrics); 0 picks a free one",
    defaultText: '10250',
  },
  {
    name: 'kube-proxy-healthz-bind-address',
    type: 'string',
    valueName: 'IP:PORT',
    description:
      "Where the service proxy serves /healthz and /livez for load balancers' node checks (kube-proxy's " +
      '--healthz-bind-address); port 0 picks a free one, an empty value serves none',
    defaultText: DEFAULT_HEALTHZ_BIND_ADDRESS,
  },
  {
    name: 'eviction-hard',
    type: 'string',
    valueName: 'THRESHOLDS',
    description:
      'Hard eviction thresholds, e.g. memory.available<500Mi,nodefs.available<5% (signals: memory.available, ' +
      'nodefs.available, nodefs.inodesFree, pid.available); they replace the defaults, signals left out get none',
    defaultText: 'memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,pid.available<10%',
  },
  {
    name: 'eviction-soft',
    type: 'string',
    valueName: 'THRESHOLDS',
    description:
      'Soft eviction thresholds, as --eviction-hard (e.g. memory.available<1.5Gi): met, they raise the ' +
      "node's pressure condition; pods are evicted once one has been met for its grace period",
  },
  {
    name: 'eviction-soft-grace-period',
    type: 'string',
    valueName: 'PERIODS',
    description:
      'How long each soft threshold must be met before pods are evicted, e.g. memory.available=1m30s',
  },
  {
    name: 'eviction-max-pod-grace-period',
    type: 'string',
    valueName: 'SECONDS',
    description:
      'Grace period a pod evicted for a soft threshold gets; negative: its own terminationGracePeriodSeconds',
    defaultText: '0',
  },
  {
    name: 'image-gc-high-threshold',
    type: 'string',
    valueName: 'PERCENT',
    description: 'Image disk usage at which the agent removes unused images, least recently used first',
    defaultText: '85',
  },
  {
    name: 'image-gc-low-threshold',
    type: 'string',
    valueName: 'PERCENT',
    description: 'Image disk usage the agent frees down to once collection starts',
    defaultText: '80',
  },
  {
    name: 'container-log-max-size',
    type: 'string',
    valueName: 'QUANTITY',
    description: "Size at which a container's log file is rotated",
    defaultText: '10Mi',
  },
  {
    name: 'container-log-max-files',
    type: 'string',
    valueName: 'N',
    description: 'Log files kept per container, the live one included (at least 2)',
    defaultText: '5',
  },
];

/** Reads the node flags; a bad value is the UsageError `bad` makes, naming the flag. */
export function resolveNodeOptions(
  str: (flag: string) => string | undefined,
  bad: (flag: string, value: string, why: string) => UsageError,
  io: Pick<CliIo, 'hostname'>,
): NodeOptions {
  const nodeName = str('node-name') ?? (io.hostname ?? hostname()).toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(nodeName)) {
    throw bad('node-name', nodeName, 'must be a lower-case DNS subdomain');
  }
  const kubeletPortText = str('kubelet-port') ?? '10250';
  const kubeletPort = Number(kubeletPortText);
  if (!/^\d+$/.test(kubeletPortText) || kubeletPort > 65535) {
    throw bad('kubelet-port', kubeletPortText, 'must be a port number 0-65535');
  }
  const percent = (flag: string, fallback: number): number => {
    const text = str(flag);
    if (text === undefined) return fallback;
    if (!/^\d{1,3}$/.test(text) || Number(text) > 100)
      throw bad(flag, text, 'must be a whole percentage 0-100');
    return Number(text);
  };
  const imageGcHighThresholdPercent = percent('image-gc-high-threshold', 85);
  const imageGcLowThresholdPercent = percent('image-gc-low-threshold', 80);
  if (imageGcLowThresholdPercent >= imageGcHighThresholdPercent) {
    throw bad(
      'image-gc-low-threshold',
      String(imageGcLowThresholdPercent),
      `must be below --image-gc-high-threshold (${imageGcHighThresholdPercent})`,
    );
  }
  const logSizeText = str('container-log-max-size') ?? '10Mi';
  const logSize = tryParseQuantity(logSizeText);
  if ('error' in logSize || quantityValue(logSize.quantity) < 1n) {
    throw bad('container-log-max-size', logSizeText, 'must be a positive quantity such as 10Mi');
  }
  const containerLogMaxSizeBytes = Number(quantityValue(logSize.quantity));
  const logFilesText = str('container-log-max-files') ?? '5';
  if (!/^\d{1,4}$/.test(logFilesText) || Number(logFilesText) < 2) {
    throw bad('container-log-max-files', logFilesText, 'must be a whole number, at least 2');
  }
  const containerLogMaxFiles = Number(logFilesText);
  const runtimeText = str('container-runtime') ?? 'auto';
  const containerRuntime = (['auto', 'oci', 'process'] as const).find((k) => k === runtimeText);
  if (!containerRuntime) throw bad('container-runtime', runtimeText, 'must be auto, oci or process');

  const nodeIp = str('node-ip');
  if (nodeIp !== undefined && !isIP(nodeIp)) throw bad('node-ip', nodeIp, 'must be an IP address');
  const healthzText = str('kube-proxy-healthz-bind-address') ?? DEFAULT_HEALTHZ_BIND_ADDRESS;
  let proxyHealthzAddress: { host: string; port: number } | undefined;
  if (healthzText !== '') {
    try {
      proxyHealthzAddress = parseBindAddress(healthzText);
    } catch {
      throw bad('kube-proxy-healthz-bind-address', healthzText, 'must be IP:PORT, or empty');
    }
  }
  const softText = str('eviction-soft');
  const softGraceText = str('eviction-soft-grace-period');
  let evictionSoft: SoftThresholds | undefined;
  try {
    parseEvictionHard(softText ?? '');
  } catch (err) {
    throw bad('eviction-soft', softText ?? '', (err as Error).message);
  }
  try {
    const soft = parseEvictionSoft(softText ?? '', softGraceText ?? '');
    if (Object.keys(soft.thresholds).length > 0) evictionSoft = soft;
  } catch (err) {
    throw bad('eviction-soft-grace-period', softGraceText ?? '', (err as Error).message);
  }
  const maxGraceText = str('eviction-max-pod-grace-period');
  if (maxGraceText !== undefined && !/^-?\d{1,9}$/.test(maxGraceText))
    throw bad('eviction-max-pod-grace-period', maxGraceText, 'must be a whole number of seconds');
  const evictionText = str('eviction-hard');
  let evictionHard: Thresholds | undefined;
  if (evictionText !== undefined) {
    try {
      evictionHard = parseEvictionHard(evictionText);
    } catch (err) {
      throw bad('eviction-hard', evictionText, (err as Error).message);
    }
  }
  return {
    ...(evictionHard ? { evictionHard } : {}),
    ...(evictionSoft ? { evictionSoft } : {}),
    ...(maxGraceText !== undefined ? { evictionMaxPodGracePeriodSeconds: Number(maxGraceText) } : {}),
    ...(nodeIp !== undefined ? { nodeIp } : {}),
    ...(proxyHealthzAddress ? { proxyHealthzAddress } : {}),
    nodeName,
    containerRuntime,
    kubeletPort,
    imageGcHighThresholdPercent,
    imageGcLowThresholdPercent,
    containerLogMaxSizeBytes,
    containerLogMaxFiles,
  };
}

/** The node options the agent itself takes (startAgent), as `tugboat server` and `tugboat agent` pass them. */
export function agentNodeSettings(
  o: NodeOptions,
): Pick<
  AgentOptions,
  | 'nodeIp'
  | 'containerRuntime'
  | 'imageGcHighThresholdPercent'
  | 'imageGcLowThresholdPercent'
  | 'containerLogMaxSizeBytes'
  | 'containerLogMaxFiles'
  | 'evictionThresholds'
  | 'evictionSoft'
  | 'evictionMaxPodGracePeriodSeconds'
  | 'proxyHealthzAddress'
> {
  return {
    ...(o.evictionSoft ? { evictionSoft: o.evictionSoft } : {}),
    ...(o.evictionMaxPodGracePeriodSeconds !== undefined
      ? { evictionMaxPodGracePeriodSeconds: o.evictionMaxPodGracePeriodSeconds }
      : {}),
    ...(o.proxyHealthzAddress ? { proxyHealthzAddress: o.proxyHealthzAddress } : {}),
    ...(o.evictionHard ? { evictionThresholds: o.evictionHard } : {}),
    ...(o.nodeIp !== undefined ? { nodeIp: o.nodeIp } : {}),
    containerRuntime: o.containerRuntime,
    imageGcHighThresholdPercent: o.imageGcHighThresholdPercent,
    imageGcLowThresholdPercent: o.imageGcLowThresholdPercent,
    containerLogMaxSizeBytes: o.containerLogMaxSizeBytes,
    containerLogMaxFiles: o.containerLogMaxFiles,
  };
}
