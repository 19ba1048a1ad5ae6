/**
 * The runtime boundary of the node agent, shaped after CRI's RuntimeService and ImageService.
 * Stop and remove calls are idempotent: stopping a stopped container or removing a missing one succeeds.
 * Streaming calls (exec, attach, port-forward) take Node streams directly instead of CRI's URL indirection.
 */
import type { Duplex } from 'node:stream';
import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecSyncResult,
  FilesystemUsage,
  Image,
  ImageRuntimeConfig,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeCondition,
  RuntimeVersion,
  StreamOptions,
} from './types.js';

/** What a runtime says of itself (CRI's StatusResponse). */
export interface RuntimeStatus {
  conditions: RuntimeCondition[];
  warnings: string[];
  /** The runtime handlers pods may name through a RuntimeClass (CRI's runtime_handlers). */
  handlers?: string[];
}

export interface RuntimeService {
  version(): Promise<RuntimeVersion>;
  /** RuntimeReady and NetworkReady, plus warnings such as "no isolation" for the process runtime. */
  status(): Promise<RuntimeStatus>;

  /**
   * `runtimeHandler` is the pod's RuntimeClass handler ('' for the default); a runtime without one by that name
   * refuses the sandbox, in containerd's words: `no runtime for "x" is configured`.
   */
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds (0 = kill at once). */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  /** CRI's ReopenContainerLog: the monitor starts writing a new file at the log path (after a rotation). */
  reopenContainerLog?(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;

  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /** Runs cmd in the container with the given streams; resolves with its exit code. */
  exec(containerId: string, cmd: string[], streams: StreamOptions): Promise<number>;
  /** Attaches to the container's main process; resolves when the caller detaches or the process exits. */
  attach(containerId: string, streams: StreamOptions): Promise<void>;
  /** Connects stream to port inside the sandbox's network namespace. */
  portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void>;

  /** CRI's UpdateRuntimeConfig: the node's pod CIDR, once the server has assigned one. */
  updateRuntimeConfig?(config: { podCidr: string }): Promise<void>;

  containerStats(containerId: string): Promise<ContainerStats>;
  listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]>;
}

export interface ImageService {
  listImages(): Promise<Image[]>;
  /** Null when the image is not present. `image` may be a reference or an id. */
  imageStatus(image: ImageSpec): Promise<Image | null>;
  /** Pulls the image and returns its id (`sha256:…` of the config). */
  pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string>;
  /** Idempotent. */
  removeImage(image: ImageSpec): Promise<void>;
  imageFsInfo(): Promise<FilesystemUsage[]>;
}

/**
 * What a runtime that unpacks images needs from the image store: the image's unpacked layer directories
 * (lowest first, for overlayfs lowerdir in reverse) and its runtime config.
 */
export interface ImageLayerSource {
  layers(imageId: string): Promise<{ layerDirs: string[]; config: ImageRuntimeConfig }>;
}
