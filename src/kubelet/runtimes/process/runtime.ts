/**
 * The `process` runtime, for hosts without root or without runc: containers are plain host processes under a
 * detached monitor (see monitor.ts), sandboxes are records. There is no isolation and images are not unpacked:
 * the command runs from the host's filesystem.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ImageLayerSource, RuntimeService, RuntimeStatus } from '../../cri/services.js';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerState,
  ContainerStats,
  ContainerStatus,
  ExecSyncResult,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeVersion,
  StreamOptions,
} from '../../cri/types.js';
import { realClock, type Clock } from '../../../util/clock.js';
import { silentLogger, type Logger } from '../../../util/logger.js';
import { sleep } from '../../../util/wait.js';
import { attachToContainer } from '../common/attach.js';
import { RuntimeNotFoundError, RuntimeStateError } from '../common/errors.js';
import { containerMatches, sandboxMatches } from '../common/filters.js';
import { randomId, type IdGenerator } from '../common/ids.js';
import { identify, isAlive, type ProcessIdentity } from '../common/proc.js';
import { RecordDir } from '../common/records.js';
import { forwardToLocalPort } from '../common/port-forward.js';
import { pipeExec } from '../common/streams.js';
import { applyResizes, ttyArgv } from '../common/tty.js';
import { RunAsNonRootError } from '../oci/user.js';
import type { ExitRecord, MonitorSpec } from './monitor.js';

export const NO_ISOLATION_WARNING =
  'process runtime: containers run as plain host processes with NO isolation (no namespaces, no cgroup limits, ' +
  'no filesystem separation) and images are NOT unpacked: commands run from the host filesystem';

export interface ProcessRuntimeOptions {
  stateDir: string;
  /** Address reported as every pod's IP (they all share the host's network). */
  hostIp?: string;
  /** Optional: the image's entrypoint/cmd/env when a container gives no command. */
  images?: ImageLayerSource;
  clock?: Clock;
  newId?: IdGenerator;
  /** Receives the no-isolation warning once at start and for every container started. */
  logger?: Logger;
  /** Why the oci runtime was not chosen, added to the warning. */
  ociRejected?: string[];
}

interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: 'ready' | 'notready';
  createdAt: number;
}

interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  createdAt: number;
  startedAt?: number;
  logPath: string;
  spec: MonitorSpec;
  monitor?: ProcessIdentity;
  main?: ProcessIdentity;
  finished?: { exitCode: number; finishedAt: number; reason: string; message?: string };
}

const KILL_WAIT_MS = 10_000;
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

/** The monitor's own path and how to run it: compiled JavaScript directly, TypeScript sources through tsx. */
function monitorCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  const monitor = path.join(path.dirname(self), `monitor${path.extname(self)}`);
  return self.endsWith('.ts')
    ? [process.execPath, '--import', import.meta.resolve('tsx'), monitor]
    : [process.execPath, monitor];
}

export class ProcessRuntime implements RuntimeService {
  private readonly sandboxes: RecordDir<SandboxRecord>;
  private readonly containers: RecordDir<ContainerRecord>;
  private readonly clock: Clock;
  private readonly newId: IdGenerator;
  private readonly logger: Logger;

  /** The no-isolation warning, with why the oci runtime was not used when that is known. */
  private readonly warning: string;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.logger = opts.logger ?? silentLogger;
    const why = opts.ociRejected ?? [];
    this.warning = why.length
      ? `${NO_ISOLATION_WARNING} (the oci runtime was not used: ${why.join('; ')})`
      : NO_ISOLATION_WARNING;
    this.logger.warn(this.warning);
    this.sandboxes = new RecordDir(path.join(opts.stateDir, 'sandboxes'));
    this.containers = new RecordDir(path.join(opts.stateDir, 'containers'));
    this.clock = opts.clock ?? realClock;
    this.newId = opts.newId ?? randomId;
  }

  private containerDir(id: string): string {
    return path.join(this.opts.stateDir, 'c', id);
  }

  version(): Promise<RuntimeVersion> {
    return Promise.resolve({
      runtimeName: 'process',
      runtimeVersion: process.version,
      runtimeApiVersion: 'v1',
    });
  }

  status(): Promise<RuntimeStatus> {
    return Promise.resolve({
      conditions: [
        { type: 'RuntimeReady', status: true, reason: 'NoIsolation', message: this.warning },
        {
          type: 'NetworkReady',
          status: true,
          reason: 'HostNetwork',
          message: 'every pod shares the host network',
        },
      ],
      warnings: [this.warning],
    });
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    // Host processes have no runtime handlers to choose from.
    if (runtimeHandler) throw new Error(`no runtime for "${runtimeHandler}" is configured`);
    const id = this.newId();
    await this.sandboxes.put(id, { id, config, state: 'ready', createdAt: this.clock.now() });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const rec = await this.sandboxes.get(podSandboxId);
    if (!rec) return;
    for (const c of await this.containers.list()) {
      if (c.podSandboxId === podSandboxId) await this.stopContainer(c.id, 0);
    }
    rec.state = 'notready';
    await this.sandboxes.put(podSandboxId, rec);
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    if (!(await this.sandboxes.get(podSandboxId))) return;
    await this.stopPodSandbox(podSandboxId);
    for (const c of await this.containers.list()) {
      if (c.podSandboxId === podSandboxId) await this.removeContainer(c.id);
    }
    await this.sandboxes.delete(podSandboxId);
  }

  private async sandbox(id: string): Promise<SandboxRecord> {
    const rec = await this.sandboxes.get(id);
    if (!rec) throw new RuntimeNotFoundError('sandbox', id);
    return rec;
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const rec = await this.sandbox(podSandboxId);
    return {
      id: rec.id,
      metadata: rec.config.metadata,
      state: rec.state,
      createdAt: rec.createdAt,
      network: { ip: this.opts.hostIp ?? '127.0.0.1', additionalIps: [] },
      labels: rec.config.labels,
      annotations: rec.config.annotations,
    };
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    return (await this.sandboxes.list())
      .map((rec) => ({
        id: rec.id,
        metadata: rec.config.metadata,
        state: rec.state,
        createdAt: rec.createdAt,
        labels: rec.config.labels,
        annotations: rec.config.annotations,
      }))
      .filter((s) => sandboxMatches(s, filter));
  }

  // ---- containers ----

  private async argvAndEnv(
    config: ContainerConfig,
  ): Promise<{ argv: string[]; env: Record<string, string> }> {
    const image = config.command.length
      ? undefined
      : (await this.opts.images?.layers(config.image.image))?.config;
    const argv = config.command.length
      ? [...config.command, ...config.args]
      : [...(image?.entrypoint ?? []), ...(config.args.length ? config.args : (image?.cmd ?? []))];
    if (argv.length === 0) {
      throw new Error(
        'the process runtime needs a command: images are not unpacked, so the image has no entrypoint here',
      );
    }
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
    for (const kv of image?.env ?? []) {
      const eq = kv.indexOf('=');
      if (eq > 0 && kv.slice(0, eq) !== 'PATH') env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    for (const { key, value } of config.envs) env[key] = value;
    return { argv, env };
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const sb = await this.sandbox(podSandboxId);
    if (sb.state !== 'ready') throw new RuntimeStateError(`sandbox ${podSandboxId} is not ready`);
    const sc = config.linux.securityContext;
    const uid = sc.runAsUser ?? process.getuid?.() ?? 0;
    if (sc.runAsNonRoot && uid === 0)
      throw new RunAsNonRootError('the process runtime runs containers as the agent user, root');
    const { argv, env } = await this.argvAndEnv(config);
    env.HOSTNAME = sandboxConfig.hostname;
    const id = this.newId();
    const dir = this.containerDir(id);
    await mkdir(dir, { recursive: true });
    const logPath = path.join(sandboxConfig.logDirectory, config.logPath);
    await mkdir(path.dirname(logPath), { recursive: true });
    const spec: MonitorSpec = {
      argv,
      env,
      cwd: config.workingDir || '/',
      ...(sc.runAsUser !== undefined ? { uid: sc.runAsUser } : {}),
      ...(sc.runAsGroup !== undefined ? { gid: sc.runAsGroup } : {}),
      logPath,
      stdin: config.stdin,
      pidFile: path.join(dir, 'pid'),
      exitFile: path.join(dir, 'exit.json'),
    };
    await writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec));
    await this.containers.put(id, { id, podSandboxId, config, createdAt: this.clock.now(), logPath, spec });
    return id;
  }

  private async container(id: string): Promise<ContainerRecord> {
    const rec = await this.containers.get(id);
    if (!rec) throw new RuntimeNotFoundError('container', id);
    return rec;
  }

  private async observe(rec: ContainerRecord): Promise<{ state: ContainerState }> {
    if (rec.finished) return { state: 'exited' };
    if (rec.startedAt === undefined) return { state: 'created' };
    const exit = await readFile(rec.spec.exitFile, 'utf8').catch(() => undefined);
    if (exit) {
      const e = JSON.parse(exit) as ExitRecord;
      rec.finished = {
        exitCode: e.exitCode,
        finishedAt: e.finishedAt,
        reason: e.exitCode === 0 ? 'Completed' : 'Error',
        ...(e.message ? { message: e.message } : {}),
      };
      await this.containers.put(rec.id, rec);
      return { state: 'exited' };
    }
    if (await isAlive(rec.monitor)) return { state: 'running' };
    return { state: 'unknown' };
  }

  async startContainer(containerId: string): Promise<void> {
    const rec = await this.container(containerId);
    if (rec.startedAt !== undefined)
      throw new RuntimeStateError(`container ${containerId} was already started`);
    this.logger.warn('starting a container without isolation', {
      container: rec.config.metadata.name,
      argv: rec.spec.argv,
    });
    const [node, ...args] = monitorCommand();
    const monitor = spawn(node!, [...args, path.join(this.containerDir(containerId), 'spec.json')], {
      detached: true,
      stdio: 'ignore',
    });
    monitor.unref();
    const monitorPid = monitor.pid;
    if (monitorPid === undefined) throw new Error('could not start the container monitor');
    rec.monitor = (await identify(monitorPid)) ?? { pid: monitorPid, startTicks: -1 };
    rec.startedAt = this.clock.now();
    await this.containers.put(containerId, rec);
    // Started means the command is running (or already finished): wait for the monitor to report either.
    const deadline = performance.now() + KILL_WAIT_MS;
    for (;;) {
      const pid = Number((await readFile(rec.spec.pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        const main = await identify(pid);
        if (main) rec.main = main;
        await this.containers.put(containerId, rec);
        return;
      }
      if (await readFile(rec.spec.exitFile, 'utf8').catch(() => undefined)) return;
      if (performance.now() > deadline) throw new Error(`container ${containerId} did not start`);
      await sleep(10);
    }
  }

  private signalGroup(rec: ContainerRecord, signal: NodeJS.Signals): void {
    if (!rec.main) return;
    try {
      process.kill(-rec.main.pid, signal);
    } catch {
      // the group is gone
    }
  }

  private async waitExited(rec: ContainerRecord, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      const { state } = await this.observe(rec);
      if (state === 'exited' || state === 'unknown') return true;
      if (performance.now() >= deadline) return false;
      await sleep(Math.min(25, ms));
    }
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    const rec = await this.container(containerId);
    if (!rec.monitor || !(await isAlive(rec.monitor))) {
      throw new RuntimeStateError(`container ${containerId} is not running`);
    }
    process.kill(rec.monitor.pid, 'SIGHUP');
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const rec = await this.containers.get(containerId);
    if (!rec) return;
    const { state } = await this.observe(rec);
    if (state !== 'running') return;
    if (!(await isAlive(rec.main))) return void (await this.waitExited(rec, KILL_WAIT_MS));
    if (timeoutSeconds > 0) {
      this.signalGroup(rec, 'SIGTERM');
      if (await this.waitExited(rec, timeoutSeconds * 1000)) return;
    }
    this.signalGroup(rec, 'SIGKILL');
    if (!(await this.waitExited(rec, KILL_WAIT_MS)))
      throw new Error(`container ${containerId} did not exit after SIGKILL`);
  }

  async removeContainer(containerId: string): Promise<void> {
    const rec = await this.containers.get(containerId);
    if (!rec) return;
    await this.stopContainer(containerId, 0);
    if (await isAlive(rec.monitor)) {
      try {
        process.kill(rec.monitor!.pid, 'SIGKILL');
      } catch (err) {
        // It exited after its container (which stopContainer just ended) between the check and the signal.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
      // SIGKILL lands asynchronously: nothing of the container may outlive its removal.
      const deadline = performance.now() + KILL_WAIT_MS;
      while ((await isAlive(rec.monitor)) && performance.now() < deadline) await sleep(10);
    }
    await rm(this.containerDir(containerId), { recursive: true, force: true });
    await this.containers.delete(containerId);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const out: Container[] = [];
    for (const rec of await this.containers.list()) {
      const { state } = await this.observe(rec);
      const c: Container = {
        id: rec.id,
        podSandboxId: rec.podSandboxId,
        metadata: rec.config.metadata,
        image: rec.config.image,
        imageRef: rec.config.image.image,
        state,
        createdAt: rec.createdAt,
        labels: rec.config.labels,
        annotations: rec.config.annotations,
      };
      if (containerMatches(c, filter)) out.push(c);
    }
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const rec = await this.container(containerId);
    const { state } = await this.observe(rec);
    const f = rec.finished;
    return {
      id: rec.id,
      metadata: rec.config.metadata,
      state,
      createdAt: rec.createdAt,
      ...(rec.startedAt !== undefined ? { startedAt: rec.startedAt } : {}),
      ...(f ? { finishedAt: f.finishedAt, exitCode: f.exitCode, reason: f.reason } : {}),
      ...(f?.message ? { message: f.message } : {}),
      ...(state === 'unknown'
        ? { reason: 'Unknown', message: 'the container monitor is gone without an exit status' }
        : {}),
      image: rec.config.image,
      imageRef: rec.config.image.image,
      labels: rec.config.labels,
      annotations: rec.config.annotations,
      logPath: rec.logPath,
    };
  }

  // ---- streaming ----

  private async runningContainer(id: string): Promise<ContainerRecord> {
    const rec = await this.container(id);
    const { state } = await this.observe(rec);
    if (state !== 'running') throw new RuntimeStateError(`container ${id} is ${state}, not running`);
    return rec;
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    const rec = await this.runningContainer(containerId);
    const [file, ...args] = cmd;
    if (!file) throw new Error('empty command');
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(file, args, {
        ...asUser(rec.spec),
        env: rec.spec.env,
        cwd: rec.spec.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout.on('data', (b: Buffer) => stdout.push(b));
      child.stderr.on('data', (b: Buffer) => stderr.push(b));
      const timer =
        timeoutSeconds > 0
          ? setTimeout(() => {
              timedOut = true;
              if (child.pid) process.kill(-child.pid, 'SIGKILL');
            }, timeoutSeconds * 1000)
          : undefined;
      child.on('error', (err) => {
        clearTimeout(timer);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve(127);
        else reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? (signal ? 137 : 1));
      });
    });
    return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode, timedOut };
  }

  async exec(containerId: string, cmd: string[], streams: StreamOptions): Promise<number> {
    const rec = await this.runningContainer(containerId);
    const opts = { env: rec.spec.env, cwd: rec.spec.cwd, ...asUser(rec.spec) };
    if (!streams.tty) return pipeExec(cmd, streams, () => Promise.resolve(), opts);
    return pipeExec(ttyArgv(cmd, false), { ...streams, stderr: null }, () => Promise.resolve(), {
      holdStdinOpen: true,
      ...opts,
      onSpawn: (pid) => {
        if (streams.resize) void applyResizes(pid, streams.resize).catch(() => {});
      },
    });
  }

  async attach(containerId: string, streams: StreamOptions): Promise<void> {
    const rec = await this.container(containerId);
    await attachToContainer(
      {
        logPath: rec.logPath,
        ...(rec.config.stdin && rec.main ? { stdinPid: rec.main.pid } : {}),
        isRunning: async () => (await this.observe(rec)).state === 'running',
      },
      streams,
    );
  }

  /** No network namespace: the pod's ports are the host's loopback ports. */
  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    await this.sandbox(podSandboxId);
    return forwardToLocalPort(port, stream);
  }

  // ---- stats ----

  async containerStats(containerId: string): Promise<ContainerStats> {
    const rec = await this.container(containerId);
    let cpu = 0;
    let rss = 0;
    if (rec.main && (await isAlive(rec.main))) {
      const stat = await readFile(`/proc/${rec.main.pid}/stat`, 'utf8').catch(() => '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
      cpu = (ticks * 1e9) / CLOCK_TICKS_PER_SECOND;
      const statm = await readFile(`/proc/${rec.main.pid}/statm`, 'utf8').catch(() => '0 0');
      rss = Number(statm.split(' ')[1] ?? 0) * PAGE_SIZE;
    }
    return {
      containerId,
      timestamp: this.clock.now(),
      cpuUsageCoreNanoSeconds: cpu,
      memoryWorkingSetBytes: rss,
      memoryUsageBytes: rss,
    };
  }

  async listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]> {
    const out: ContainerStats[] = [];
    for (const c of await this.listContainers(filter)) out.push(await this.containerStats(c.id));
    return out;
  }
}

/** Execs run as the container's user, like its main process. */
function asUser(spec: MonitorSpec): { uid?: number; gid?: number } {
  return {
    ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
    ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
  };
}
