/**
 * Messages of the CRI-shaped runtime interface (after kubernetes/cri-api's runtime/v1 api.proto),
 * in TypeScript form: camelCase fields, string enums, times in epoch milliseconds.
 */

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface DnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMapping {
  protocol: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp?: string;
}

/** `pod` = a namespace of the sandbox, `node` = the host's, `container` = the container's own. */
/** `target`: the namespace of another container of the pod (`targetId`), as an ephemeral container's PID namespace. */
export type NamespaceMode = 'pod' | 'node' | 'container' | 'target';

export interface NamespaceOptions {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  /** With a `target` mode: the container whose namespace is joined. */
  targetId?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** Directory where the runtime writes container logs (`<logDirectory>/<container>/<attempt>.log`). */
  logDirectory: string;
  dnsConfig?: DnsConfig;
  portMappings: PortMapping[];
  /** Extra `/etc/hosts` lines (hostAliases), after the runtime's own localhost and pod entries. */
  hostAliases?: { ip: string; hostnames: string[] }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    /** Cgroup parent of the pod, e.g. `tugboat/pod<uid>`; containers nest under it. */
    cgroupParent: string;
    /** Pod-level limits for the cgroup parent (sum of container limits), when every container has one. */
    resources?: LinuxContainerResources;
    namespaceOptions: NamespaceOptions;
    sysctls?: Record<string, string>;
  };
}

export type SandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  network?: { ip: string; additionalIps: string[] };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The runtime handler it runs with, when not the default. */
  runtimeHandler?: string;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxFilter {
  id?: string;
  state?: SandboxState;
  labelSelector?: Record<string, string>;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export type MountPropagation = 'private' | 'host-to-container' | 'bidirectional';

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  propagation?: MountPropagation;
  /** For `emptyDir.medium: Memory`: mount a tmpfs of this many bytes instead of binding hostPath. */
  tmpfsSizeBytes?: number;
}

export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  pidsLimit?: number;
  oomScoreAdj?: number;
}

export interface Capabilities {
  addCapabilities: string[];
  dropCapabilities: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capabilities;
  privileged: boolean;
  namespaceOptions: NamespaceOptions;
  runAsUser?: number;
  runAsGroup?: number;
  /** Refuse to start when the effective user (image or runAsUser) is 0. */
  runAsNonRoot?: boolean;
  readonlyRootfs: boolean;
  supplementalGroups: number[];
  /** `!allowPrivilegeEscalation`. */
  noNewPrivs: boolean;
  /** Unset: unconfined, as the kubelet's default (no --seccomp-default). */
  seccomp?: SecurityProfile;
}

export interface SecurityProfile {
  profileType: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  /** Localhost: absolute path of the profile file on the node. */
  localhostRef?: string;
}

export interface ImageSpec {
  /** Normalized reference (`docker.io/library/nginx:latest`) or image id (`sha256:…`). */
  image: string;
  /** The image as the pod spec names it, when `image` is the resolved id (reported back in container status). */
  userSpecifiedImage?: string;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  /** Final argv overrides: when empty the image's Entrypoint/Cmd apply (Kubernetes rules already applied by the caller). */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: {
    resources: LinuxContainerResources;
    securityContext: LinuxContainerSecurityContext;
  };
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  image: ImageSpec;
  /** Image id (`sha256:…` of the config) the container runs. */
  imageRef: string;
  /** `OOMKilled`, `Error`, `Completed`, or a start failure reason. */
  reason?: string;
  message?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Absolute path of the container's CRI-format log file. */
  logPath: string;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  /** True when the command was killed at the timeout. */
  timedOut: boolean;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** Streams of an interactive exec or attach. Null where the caller did not ask for that stream. */
export interface StreamOptions {
  stdin: NodeJS.ReadableStream | null;
  stdout: NodeJS.WritableStream | null;
  /** Null when tty is set: a terminal merges stderr into stdout. */
  stderr: NodeJS.WritableStream | null;
  tty: boolean;
  resize?: AsyncIterable<TerminalSize>;
  signal?: AbortSignal;
}

export interface ContainerStats {
  containerId: string;
  timestamp: number;
  /** Cumulative CPU time used, nanoseconds. */
  cpuUsageCoreNanoSeconds: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes?: number;
  /** Bytes of the container's writable layer. */
  writableLayerBytes?: number;
}

export interface RuntimeCondition {
  type: 'RuntimeReady' | 'NetworkReady';
  status: boolean;
  reason?: string;
  message?: string;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:password"), as in a dockerconfigjson `auth` entry. */
  auth?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface Image {
  /** `sha256:…` digest of the image config. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  sizeBytes: number;
  /** Numeric uid of the image's USER, when numeric. */
  uid?: number;
  username?: string;
  pinned: boolean;
}

/** The parts of an image config (OCI image-spec `config`) a runtime needs to start a container. */
export interface ImageRuntimeConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
}

export interface FilesystemUsage {
  mountpoint: string;
  usedBytes: number;
  inodesUsed: number;
  capacityBytes?: number;
  availableBytes?: number;
}
