/**
 * An in-memory RuntimeService for tests (after cri-api's fake_runtime_service.go): records every call, lets a
 * test drive container exits and OOM kills, scripts execSync results and injects errors per method.
 */
import type { Duplex } from 'node:stream';
import type { RuntimeService, RuntimeStatus } from '../services.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatus,
  ExecSyncResult,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeCondition,
  RuntimeVersion,
  StreamOptions,
} from '../types.js';
import { realClock, type Clock } from '../../../util/clock.js';

export interface FakeCall {
  method: string;
  args: unknown[];
}

export interface FakeSandbox {
  status: PodSandboxStatus;
  config: PodSandboxConfig;
}

export interface FakeContainer {
  status: ContainerStatus;
  sandboxId: string;
  config: ContainerConfig;
}

export type ExecHandler = (containerId: string, cmd: string[], timeoutSeconds: number) => ExecSyncResult;

function matchLabels(labels: Record<string, string>, selector?: Record<string, string>): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export class FakeRuntimeService implements RuntimeService {
  readonly calls: FakeCall[] = [];
  /** Memory working set reported in stats, by container id (default 0). */
  readonly memoryWorkingSet = new Map<string, number>();
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  conditions: RuntimeCondition[] = [
    { type: 'RuntimeReady', status: true },
    { type: 'NetworkReady', status: true },
  ];
  warnings: string[] = [];
  versionInfo: RuntimeVersion = { runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  /** Exit code of a container stopped by stopContainer (143 = SIGTERM's 128+15, 137 = SIGKILL's). */
  stopExitCode = (_id: string, timeoutSeconds: number): number => (timeoutSeconds > 0 ? 143 : 137);
  /** Answers execSync; by default every command succeeds with empty output. */
  execHandler: ExecHandler = () => ({
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    exitCode: 0,
    timedOut: false,
  });
  /** Called right after a container starts: a test can end it there (a process that exits at once). */
  afterStart: (containerId: string) => void = () => {};
  private readonly errors = new Map<string, { err: Error; times: number }>();
  private seq = 0;
  private ipSeq = 1;
  private readonly clock: Clock;

  constructor(opts: { clock?: Clock } = {}) {
    this.clock = opts.clock ?? realClock;
  }

  /** The next `times` calls of `method` fail with `err` (Infinity: until clearError). */
  injectError(method: keyof RuntimeService, err: Error, times = 1): void {
    this.errors.set(method, { err, times });
  }

  clearError(method: keyof RuntimeService): void {
    this.errors.delete(method);
  }

  callsOf(method: keyof RuntimeService): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Ends a running container as if its process exited (or the OOM killer struck, with exit code 137). */
  exitContainer(id: string, exitCode: number, opts: { oomKilled?: boolean; message?: string } = {}): void {
    const c = this.mustContainer(id);
    if (c.status.state !== 'running') throw new Error(`container ${id} is ${c.status.state}, not running`);
    this.finish(c, exitCode, opts.oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error');
    if (opts.message !== undefined) c.status.message = opts.message;
  }

  /** Containers of a pod's container name (any attempt), newest first. */
  containersNamed(podUid: string, name: string): FakeContainer[] {
    return [...this.containers.values()]
      .filter((c) => {
        const sb = this.sandboxes.get(c.sandboxId);
        return sb?.config.metadata.uid === podUid && c.config.metadata.name === name;
      })
      .sort(
        (a, b) =>
          b.status.createdAt - a.status.createdAt || b.status.metadata.attempt - a.status.metadata.attempt,
      );
  }

  async version(): Promise<RuntimeVersion> {
    await this.enter('version', []);
    return { ...this.versionInfo };
  }

  async status(): Promise<RuntimeStatus> {
    await this.enter('status', []);
    return {
      conditions: this.conditions.map((c) => ({ ...c })),
      warnings: [...this.warnings],
      handlers: [...this.handlers],
    };
  }

  /** Runtime handlers this fake has besides the default. */
  readonly handlers = new Set<string>();

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    await this.enter('runPodSandbox', [config]);
    if (runtimeHandler && !this.handlers.has(runtimeHandler)) {
      throw new Error(`no runtime for "${runtimeHandler}" is configured`);
    }
    const id = this.nextId('sandbox');
    const ip = `10.42.0.${this.ipSeq++}`;
    this.sandboxes.set(id, {
      config,
      status: {
        id,
        metadata: { ...config.metadata },
        state: 'ready',
        createdAt: this.clock.now(),
        network: { ip, additionalIps: [] },
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        ...(runtimeHandler ? { runtimeHandler } : {}),
      },
    });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.enter('stopPodSandbox', [podSandboxId]);
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) return;
    for (const c of this.containers.values()) {
      if (c.sandboxId === podSandboxId && c.status.state === 'running') this.finish(c, 137, 'Error');
    }
    sb.status.state = 'notready';
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.enter('removePodSandbox', [podSandboxId]);
    for (const [id, c] of this.containers) if (c.sandboxId === podSandboxId) this.containers.delete(id);
    this.sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    await this.enter('podSandboxStatus', [podSandboxId]);
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) throw notFound('sandbox', podSandboxId);
    return structuredClone(sb.status);
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    await this.enter('listPodSandbox', [filter]);
    return [...this.sandboxes.values()]
      .map((s) => s.status)
      .filter(
        (s) =>
          (!filter?.id || s.id === filter.id) &&
          (!filter?.state || s.state === filter.state) &&
          matchLabels(s.labels, filter?.labelSelector),
      )
      .map((s) => ({
        id: s.id,
        metadata: { ...s.metadata },
        state: s.state,
        createdAt: s.createdAt,
        labels: { ...s.labels },
        annotations: { ...s.annotations },
      }));
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    await this.enter('createContainer', [podSandboxId, config, sandboxConfig]);
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) throw notFound('sandbox', podSandboxId);
    if (sb.status.state !== 'ready') throw new Error(`sandbox ${podSandboxId} is not ready`);
    const id = this.nextId('container');
    this.containers.set(id, {
      sandboxId: podSandboxId,
      config,
      status: {
        id,
        metadata: { ...config.metadata },
        state: 'created',
        createdAt: this.clock.now(),
        image: { ...config.image },
        imageRef: `sha256:${Buffer.from(config.image.image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
        labels: { ...config.labels },
        annotations: { ...config.annotations },
        logPath: `${sandboxConfig.logDirectory}/${config.logPath}`,
      },
    });
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.enter('startContainer', [containerId]);
    const c = this.mustContainer(containerId);
    if (c.status.state !== 'created') throw new Error(`container ${containerId} is ${c.status.state}`);
    c.status.state = 'running';
    c.status.startedAt = this.clock.now();
    this.afterStart(containerId);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.enter('stopContainer', [containerId, timeoutSeconds]);
    const c = this.containers.get(containerId);
    if (!c) return;
    if (c.status.state === 'running') this.finish(c, this.stopExitCode(containerId, timeoutSeconds), 'Error');
    else if (c.status.state === 'created') this.finish(c, 0, 'Completed');
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.enter('removeContainer', [containerId]);
    this.containers.delete(containerId);
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.enter('reopenContainerLog', [containerId]);
    this.mustContainer(containerId);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    await this.enter('listContainers', [filter]);
    return [...this.containers.values()]
      .filter(
        (c) =>
          (!filter?.id || c.status.id === filter.id) &&
          (!filter?.podSandboxId || c.sandboxId === filter.podSandboxId) &&
          (!filter?.state || c.status.state === filter.state) &&
          matchLabels(c.status.labels, filter?.labelSelector),
      )
      .map((c) => ({
        id: c.status.id,
        podSandboxId: c.sandboxId,
        metadata: { ...c.status.metadata },
        image: { ...c.status.image },
        imageRef: c.status.imageRef,
        state: c.status.state,
        createdAt: c.status.createdAt,
        labels: { ...c.status.labels },
        annotations: { ...c.status.annotations },
      }));
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    await this.enter('containerStatus', [containerId]);
    return structuredClone(this.mustContainer(containerId).status);
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    await this.enter('execSync', [containerId, cmd, timeoutSeconds]);
    const c = this.mustContainer(containerId);
    if (c.status.state !== 'running') throw new Error(`container ${containerId} is not running`);
    return this.execHandler(containerId, cmd, timeoutSeconds);
  }

  async exec(containerId: string, cmd: string[], streams: StreamOptions): Promise<number> {
    await this.enter('exec', [containerId, cmd]);
    const r = this.execHandler(containerId, cmd, 0);
    streams.stdout?.write(r.stdout);
    streams.stderr?.write(r.stderr);
    return r.exitCode;
  }

  async attach(containerId: string, _streams: StreamOptions): Promise<void> {
    await this.enter('attach', [containerId]);
  }

  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    await this.enter('portForward', [podSandboxId, port]);
    stream.end();
  }

  async containerStats(containerId: string): Promise<ContainerStats> {
    await this.enter('containerStats', [containerId]);
    this.mustContainer(containerId);
    return {
      containerId,
      timestamp: this.clock.now(),
      cpuUsageCoreNanoSeconds: 0,
      memoryWorkingSetBytes: this.memoryWorkingSet.get(containerId) ?? 0,
    };
  }

  async listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]> {
    await this.enter('listContainerStats', [filter]);
    const now = this.clock.now();
    return [...this.containers.values()]
      .filter((c) => !filter?.id || c.status.id === filter.id)
      .map((c) => ({
        containerId: c.status.id,
        timestamp: now,
        cpuUsageCoreNanoSeconds: 0,
        memoryWorkingSetBytes: this.memoryWorkingSet.get(c.status.id) ?? 0,
      }));
  }

  private finish(c: FakeContainer, exitCode: number, reason: string): void {
    c.status.state = 'exited';
    c.status.exitCode = exitCode;
    c.status.reason = reason;
    c.status.finishedAt = this.clock.now();
  }

  private mustContainer(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw notFound('container', id);
    return c;
  }

  private nextId(kind: string): string {
    return `${kind}-${(++this.seq).toString().padStart(6, '0')}`;
  }

  private async enter(method: string, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    await Promise.resolve();
    const e = this.errors.get(method);
    if (!e) return;
    if (--e.times <= 0) this.errors.delete(method);
    throw e.err;
  }
}

export function notFound(kind: string, id: string): Error {
  return Object.assign(new Error(`${kind} ${id} not found`), { code: 'NotFound' });
}
