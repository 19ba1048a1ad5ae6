/**
 * The `oci` runtime: pod sandboxes are network namespaces wired by CNI plus held IPC/UTS namespaces; containers
 * are OCI bundles on overlayfs run by runc or crun under a conmon monitor. Everything lives as JSON and files
 * under stateDir, so a new instance over the same dir adopts what an earlier one started.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
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
  RuntimeCondition,
  RuntimeVersion,
  StreamOptions,
} from '../../cri/types.js';
import { realClock, type Clock } from '../../../util/clock.js';
import { sleep } from '../../../util/wait.js';
import { attachToContainer } from '../common/attach.js';
import { RuntimeNotFoundError, RuntimeStateError } from '../common/errors.js';
import { writeEtcFiles, etcFilesIn } from '../common/etc-files.js';
import { containerMatches, sandboxMatches } from '../common/filters.js';
import { randomId, type IdGenerator } from '../common/ids.js';
import { identify, isAlive } from '../common/proc.js';
import { RecordDir } from '../common/records.js';
import { run } from '../common/run.js';
import { forwardInNetns, forwardToLocalPort } from '../common/port-forward.js';
import { pipeExec } from '../common/streams.js';
import { applyResizes, ttyArgv } from '../common/tty.js';
import { applyTerminalResizes, relayTerminalInput } from './terminal-attach.js';
import { CniNetwork, podIp } from './cni.js';
import { conmonFiles, launchConmon } from './conmon.js';
import { pidNamespacePath, startPidHolder, stopPidHolder } from './pid-holder.js';
import type { OciRuntimeBinary } from './detect.js';
import { CGROUP_ROOT, openCgroups, type CgroupLayout } from './cgroups.js';
import {
  createNetns,
  NETNS_DIR,
  deleteNetns,
  holdIpcUts,
  holdIpcUtsPaths,
  hostDevices,
  boundingCapabilities,
  lowestOomScoreAdj,
  mountOverlay,
  unmount,
} from './host.js';
import type { ContainerRecord, FinishedState, SandboxRecord } from './records.js';
import { buildSpec, containerCapabilities } from './spec.js';
import { seccompFor } from './seccomp.js';
import { resolveUser } from './user.js';

export interface OciRuntimeOptions {
  stateDir: string;
  /** The OCI binary of pods without a runtime handler. */
  runtime: OciRuntimeBinary;
  /**
   * The OCI binaries that work here, by name, for the runtime handlers pods ask for through their RuntimeClass
   * (`runc`, `crun`); the default one serves its own name too.
   */
  handlers?: OciRuntimeBinary[];
  conmonPath: string;
  images: ImageLayerSource;
  /** This node's pod CIDR (host-local allocates from it). */
  /** The node's pod CIDR; may be empty at first and come later through updateRuntimeConfig. */
  podCidr: string;
  bridgeName?: string;
  networkName?: string;
  cniBinDir?: string;
  ipMasq?: boolean;
  /** MTU of pod interfaces (lower under an overlay). */
  podMtu?: number;
  /** Address reported for hostNetwork sandboxes. */
  hostIp?: string;
  /** Prefix of the `ip netns` names of sandboxes. */
  netnsPrefix?: string;
  clock?: Clock;
  newId?: IdGenerator;
  /** Where the host's cgroups are mounted (v1 or v2 is read from it). */
  cgroupRoot?: string;
}

const KILL_WAIT_MS = 10_000;

export class OciRuntime implements RuntimeService {
  readonly cni: CniNetwork;
  private readonly sandboxes: RecordDir<SandboxRecord>;
  private readonly containers: RecordDir<ContainerRecord>;
  private readonly clock: Clock;
  private readonly newId: IdGenerator;
  private readonly exitDir: string;
  private readonly socketDir: string;
  private capabilities: string[] | undefined;
  private minOomScoreAdj: number | undefined;
  private cgroupLayout: Promise<CgroupLayout> | undefined;
  /** Containers this instance is creating right now: 'created', not 'unknown', while conmon is not up yet. */
  private readonly creating = new Set<string>();

  constructor(private readonly opts: OciRuntimeOptions) {
    const s = opts.stateDir;
    this.sandboxes = new RecordDir(path.join(s, 'sandboxes'));
    this.containers = new RecordDir(path.join(s, 'containers'));
    this.exitDir = path.join(s, 'exits');
    this.socketDir = path.join(s, 'sock');
    this.clock = opts.clock ?? realClock;
    this.newId = opts.newId ?? randomId;
    this.cni = new CniNetwork({
      binDir: opts.cniBinDir ?? '/usr/lib/cni',
      confDir: path.join(s, 'cni'),
      networkName: opts.networkName ?? 'tugboat',
      bridgeName: opts.bridgeName ?? 'tugboat0',
      podCidr: opts.podCidr,
      ipMasq: opts.ipMasq ?? true,
      ...(opts.podMtu ? { mtu: opts.podMtu } : {}),
    });
  }

  private sandboxDir(id: string): string {
    return path.join(this.opts.stateDir, 'p', id);
  }

  private containerDir(id: string): string {
    return path.join(this.opts.stateDir, 'c', id);
  }

  private cgroups(): Promise<CgroupLayout> {
    return (this.cgroupLayout ??= openCgroups(this.opts.cgroupRoot ?? CGROUP_ROOT));
  }

  /** The binary a runtime handler names ('' or absent: the default), or undefined when none works here. */
  private handlerBinary(handler: string | undefined): OciRuntimeBinary | undefined {
    if (!handler) return this.opts.runtime;
    return [this.opts.runtime, ...(this.opts.handlers ?? [])].find((b) => b.name === handler);
  }

  /** The binary a container was created with (records from before handlers name none: the default). */
  private binaryOf(rec: ContainerRecord): OciRuntimeBinary {
    const binary = this.handlerBinary(rec.runtime);
    if (!binary)
      throw new Error(`container ${rec.id} was created with ${rec.runtime ?? ''}, which no longer works`);
    return binary;
  }

  /** Each binary keeps its containers' state under its own root. */
  private runtimeRoot(binary: OciRuntimeBinary): string {
    return path.join(this.opts.stateDir, binary.name);
  }

  private runtimeArgv(rec: ContainerRecord, ...args: string[]): string[] {
    const binary = this.binaryOf(rec);
    return [binary.path, '--root', this.runtimeRoot(binary), ...args];
  }

  version(): Promise<RuntimeVersion> {
    return Promise.resolve({
      runtimeName: this.opts.runtime.name,
      runtimeVersion: this.opts.runtime.version,
      runtimeApiVersion: 'v1',
    });
  }

  updateRuntimeConfig(config: { podCidr: string }): Promise<void> {
    this.cni.opts.podCidr = config.podCidr;
    return Promise.resolve();
  }

  async status(): Promise<RuntimeStatus> {
    const missing = await this.cni.missingPlugins();
    const network: RuntimeCondition = !this.cni.opts.podCidr
      ? {
          type: 'NetworkReady',
          status: false,
          reason: 'NetworkPluginNotReady',
          message: 'the node has no pod CIDR yet',
        }
      : missing.length
        ? {
            type: 'NetworkReady',
            status: false,
            reason: 'NetworkPluginNotReady',
            message: `missing CNI plugins: ${missing.join(', ')}`,
          }
        : { type: 'NetworkReady', status: true };
    const handlers = [...new Set([this.opts.runtime, ...(this.opts.handlers ?? [])].map((b) => b.name))];
    return { conditions: [{ type: 'RuntimeReady', status: true }, network], warnings: [], handlers };
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    // containerd's words for a handler it has no runtime for.
    if (!this.handlerBinary(runtimeHandler))
      throw new Error(`no runtime for "${runtimeHandler}" is configured`);
    const id = this.newId();
    const dir = this.sandboxDir(id);
    const ns = config.linux.namespaceOptions;
    if (ns.network !== 'node' && !this.cni.opts.podCidr) {
      throw new Error('cannot start a pod network: the node has no pod CIDR yet');
    }
    await mkdir(dir, { recursive: true });
    await this.cni.writeConflist();
    const rec: SandboxRecord = {
      id,
      config,
      state: 'notready',
      createdAt: this.clock.now(),
      networkAttached: false,
      cgroupParent: config.linux.cgroupParent.replace(/^\/+|\/+$/g, ''),
      ...(runtimeHandler ? { runtimeHandler } : {}),
    };
    // Name every host resource in the record before creating it, so a crash part-way leaves nothing unnamed.
    if (ns.network !== 'node') {
      rec.netnsName = `${this.opts.netnsPrefix ?? 'tugboat-'}${id.slice(0, 12)}`;
      rec.netnsPath = path.join(NETNS_DIR, rec.netnsName);
      rec.networkAttached = true; // DEL is safe even when ADD never ran or failed half-way
    }
    await this.sandboxes.put(id, rec);
    try {
      if (rec.netnsName && rec.netnsPath) {
        await createNetns(rec.netnsName);
        rec.cniResult = await this.cni.add(id, rec.netnsPath, config.portMappings);
        rec.ip = podIp(rec.cniResult);
      } else {
        rec.ip = this.opts.hostIp ?? '127.0.0.1';
      }
      // The namespace bind mounts are named in the record before they exist, like the netns.
      const hold = holdIpcUtsPaths(dir, ns.ipc !== 'node', ns.network !== 'node');
      Object.assign(rec, hold);
      await this.sandboxes.put(id, rec);
      await holdIpcUts(hold);
      if (ns.pid === 'pod') {
        rec.pidHolder = await startPidHolder(id);
        await this.sandboxes.put(id, rec);
      }
      await writeEtcFiles(dir, config, ns.network !== 'node' ? rec.ip : undefined);
      if (config.linux.resources) {
        await (await this.cgroups()).applyPodResources(rec.cgroupParent, config.linux.resources);
      }
      rec.state = 'ready';
      await this.sandboxes.put(id, rec);
      return id;
    } catch (err) {
      await this.sandboxes.put(id, rec);
      await this.removePodSandbox(id).catch(() => {});
      throw err;
    }
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const rec = await this.sandboxes.get(podSandboxId);
    if (!rec) return;
    for (const c of await this.containers.find((r) => r.podSandboxId === podSandboxId)) {
      await this.stopContainer(c.id, 0);
    }
    if (rec.networkAttached) {
      await this.cni.del(podSandboxId, rec.netnsPath ?? '', rec.config.portMappings, rec.cniResult);
      rec.networkAttached = false;
      delete rec.cniResult;
    }
    rec.state = 'notready';
    await this.sandboxes.update(podSandboxId, rec);
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    const rec = await this.sandboxes.get(podSandboxId);
    if (!rec) return;
    await this.stopPodSandbox(podSandboxId);
    for (const c of await this.containers.find((r) => r.podSandboxId === podSandboxId)) {
      await this.removeContainer(c.id);
    }
    if (rec.config.linux.namespaceOptions.pid === 'pod') await stopPidHolder(rec.id, rec.pidHolder);
    if (rec.ipcPath) await unmount(rec.ipcPath);
    if (rec.utsPath) await unmount(rec.utsPath);
    if (rec.netnsName) await deleteNetns(rec.netnsName);
    // A pod's sandboxes share its cgroup parent: only the last one to go removes it.
    const others = await this.sandboxes.find(
      (o) => o.id !== podSandboxId && o.cgroupParent === rec.cgroupParent,
    );
    if (rec.cgroupParent && others.length === 0) await (await this.cgroups()).remove(rec.cgroupParent);
    await rm(this.sandboxDir(podSandboxId), { recursive: true, force: true });
    await this.sandboxes.delete(podSandboxId);
  }

  private async sandbox(id: string): Promise<SandboxRecord> {
    const rec = await this.sandboxes.get(id);
    if (!rec) throw new RuntimeNotFoundError('sandbox', id);
    return rec;
  }

  /** A sandbox whose PID namespace holder died is not ready: the kubelet then replaces it, as for a dead pause. */
  private async sandboxState(rec: SandboxRecord): Promise<SandboxRecord['state']> {
    if (rec.state === 'ready' && rec.pidHolder && !(await isAlive(rec.pidHolder))) return 'notready';
    return rec.state;
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const rec = await this.sandbox(podSandboxId);
    return {
      id: rec.id,
      metadata: rec.config.metadata,
      state: await this.sandboxState(rec),
      createdAt: rec.createdAt,
      ...(rec.ip ? { network: { ip: rec.ip, additionalIps: [] } } : {}),
      labels: rec.config.labels,
      annotations: rec.config.annotations,
      ...(rec.runtimeHandler ? { runtimeHandler: rec.runtimeHandler } : {}),
    };
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const observed = await Promise.all(
      (await this.sandboxes.find(() => true)).map(async (rec) => ({
        rec,
        state: await this.sandboxState(rec),
      })),
    );
    const matching = observed.filter(({ rec, state }) =>
      sandboxMatches({ id: rec.id, state, labels: rec.config.labels }, filter),
    );
    return matching.map(({ rec, state }) => ({
      id: rec.id,
      metadata: rec.config.metadata,
      state,
      createdAt: rec.createdAt,
      labels: rec.config.labels,
      annotations: rec.config.annotations,
    }));
  }

  /** Runs CNI CHECK for the sandbox's network (not part of CRI; for diagnostics and tests). */
  async checkNetwork(podSandboxId: string): Promise<void> {
    const rec = await this.sandbox(podSandboxId);
    if (!rec.networkAttached || !rec.cniResult || !rec.netnsPath)
      throw new RuntimeStateError(`sandbox ${podSandboxId} has no pod network`);
    await this.cni.check(podSandboxId, rec.netnsPath, rec.config.portMappings, rec.cniResult);
  }

  // ---- containers ----

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const sb = await this.sandbox(podSandboxId);
    if (sb.state !== 'ready') throw new RuntimeStateError(`sandbox ${podSandboxId} is not ready`);
    const id = this.newId();
    const dir = this.containerDir(id);
    const rootfs = path.join(dir, 'rootfs');
    const logPath = path.join(sandboxConfig.logDirectory, config.logPath);
    const cgroupsPath = `/${sb.cgroupParent}/${id}`;
    const rec: ContainerRecord = {
      id,
      podSandboxId,
      config,
      imageRef: config.image.image,
      createdAt: this.clock.now(),
      logPath,
      cgroupsPath,
      pid: 0,
      ...(sb.runtimeHandler ? { runtime: sb.runtimeHandler } : {}),
    };
    const binary = this.binaryOf(rec);
    // Recorded before anything exists on the host: a crash part-way leaves a record that remove cleans up.
    this.creating.add(id);
    await this.containers.put(id, rec);
    try {
      for (const d of ['rootfs', 'upper', 'work', 'persist', 'empty']) {
        await mkdir(path.join(dir, d), { recursive: true });
      }
      const { layerDirs, config: image } = await this.opts.images.layers(config.image.image);
      await mountOverlay(
        layerDirs.length ? layerDirs : [path.join(dir, 'empty')],
        path.join(dir, 'upper'),
        path.join(dir, 'work'),
        rootfs,
      );
      const user = await resolveUser(image.user, config.linux.securityContext, rootfs);
      this.capabilities ??= await boundingCapabilities();
      const seccomp = await seccompFor(
        config.linux.securityContext.seccomp,
        config.linux.securityContext.privileged,
        containerCapabilities(config, this.capabilities),
      );
      this.minOomScoreAdj ??= await lowestOomScoreAdj();
      const spec = buildSpec({
        config,
        sandboxConfig: sb.config,
        namespaces: {
          ...(sb.netnsPath ? { network: sb.netnsPath } : {}),
          ...(sb.ipcPath && config.linux.securityContext.namespaceOptions.ipc !== 'node'
            ? { ipc: sb.ipcPath }
            : {}),
          ...(sb.utsPath ? { uts: sb.utsPath } : {}),
          ...(await this.sharedPidNamespace(sb, config)),
        },
        files: etcFilesIn(this.sandboxDir(podSandboxId)),
        image,
        user,
        rootfs,
        cgroupsPath,
        availableCapabilities: this.capabilities,
        minOomScoreAdj: this.minOomScoreAdj,
        hostDevices: config.linux.securityContext.privileged ? await hostDevices() : [],
        ...(seccomp ? { seccomp } : {}),
      });
      await writeFile(path.join(dir, 'config.json'), JSON.stringify(spec));
      await mkdir(path.dirname(logPath), { recursive: true });
      await mkdir(this.exitDir, { recursive: true });
      await mkdir(this.socketDir, { recursive: true });
      const { pid, conmonPid } = await launchConmon({
        conmonPath: this.opts.conmonPath,
        runtimePath: binary.path,
        runtimeRoot: this.runtimeRoot(binary),
        containerId: id,
        bundle: dir,
        logPath,
        exitDir: this.exitDir,
        socketDir: this.socketDir,
        terminal: config.tty,
        stdin: config.stdin,
        stdinOnce: config.stdinOnce,
      });
      rec.pid = pid;
      const conmon = await identify(conmonPid);
      if (conmon) rec.conmon = conmon;
      await this.containers.put(id, rec);
      return id;
    } catch (err) {
      await run(this.runtimeArgv(rec, 'delete', '--force', id), { allowFailure: true });
      await unmount(rootfs);
      await rm(dir, { recursive: true, force: true });
      await this.containers.delete(id);
      throw err;
    } finally {
      this.creating.delete(id);
    }
  }

  /** The PID namespace of the container an ephemeral container targets (CRI's TARGET namespace mode). */
  /** The PID namespace a container joins: the pod's (shareProcessNamespace) or a target container's. */
  private async sharedPidNamespace(sb: SandboxRecord, config: ContainerConfig): Promise<{ pid?: string }> {
    const ns = config.linux.securityContext.namespaceOptions;
    if (ns.pid === 'pod') {
      if (!(await isAlive(sb.pidHolder))) {
        throw new Error(`the PID namespace of pod sandbox ${sb.id} is gone`);
      }
      return { pid: pidNamespacePath(sb.pidHolder!) };
    }
    if (ns.pid !== 'target') return {};
    const target = await this.containers.get(ns.targetId ?? '');
    if (!target || (await this.observe(target)).state !== 'running' || target.pid <= 0) {
      throw new Error(`target container ${ns.targetId ?? ''} is not running`);
    }
    return { pid: `/proc/${target.pid}/ns/pid` };
  }

  private async container(id: string): Promise<ContainerRecord> {
    const rec = await this.containers.get(id);
    if (!rec) throw new RuntimeNotFoundError('container', id);
    return rec;
  }

  private exitFile(id: string): string {
    return path.join(this.exitDir, id);
  }

  /** Current state; records the exit (code, time, OOM) the first time it is seen, while the cgroup still exists. */
  private async observe(rec: ContainerRecord): Promise<{ state: ContainerState; finished?: FinishedState }> {
    if (rec.finished) return { state: 'exited', finished: rec.finished };
    const exit = await readFile(this.exitFile(rec.id), 'utf8').catch(() => undefined);
    if (exit !== undefined && exit.trim() !== '') {
      const exitCode = Number(exit.trim());
      const finishedAt = (await stat(this.exitFile(rec.id))).mtimeMs;
      const oom = await this.oomKilled(rec);
      rec.finished = {
        exitCode,
        finishedAt: Math.floor(finishedAt),
        reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
      };
      await this.containers.update(rec.id, rec);
      return { state: 'exited', finished: rec.finished };
    }
    if (this.creating.has(rec.id)) return { state: 'created' };
    if (await isAlive(rec.conmon)) {
      if (rec.startedAt === undefined && (await this.runtimeState(rec)) === 'running') {
        // Started by an instance that died before recording it.
        rec.startedAt = this.clock.now();
        await this.containers.update(rec.id, rec);
      }
      return { state: rec.startedAt === undefined ? 'created' : 'running' };
    }
    return { state: 'unknown' };
  }

  private async runtimeState(rec: ContainerRecord): Promise<string | undefined> {
    const res = await run(this.runtimeArgv(rec, 'state', rec.id), { allowFailure: true });
    if (res.code !== 0) return undefined;
    return (JSON.parse(res.stdout) as { status?: string }).status;
  }

  private async oomKilled(rec: ContainerRecord): Promise<boolean> {
    const marked = await stat(conmonFiles(this.containerDir(rec.id)).oomFile).then(
      () => true,
      () => false,
    );
    if (marked) return true;
    return (await (await this.cgroups()).oomKills(rec.cgroupsPath)) > 0;
  }

  async startContainer(containerId: string): Promise<void> {
    const rec = await this.container(containerId);
    const { state } = await this.observe(rec);
    if (state !== 'created') throw new RuntimeStateError(`container ${containerId} is ${state}, not created`);
    await run(this.runtimeArgv(rec, 'start', containerId));
    rec.startedAt = this.clock.now();
    await this.containers.update(containerId, rec);
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
    if (!rec.conmon || !(await isAlive(rec.conmon))) {
      throw new RuntimeStateError(`container ${containerId} is not running`);
    }
    // conmon's control FIFO in the bundle: a message of type 2 makes it reopen the log file.
    const fifo = await open(
      path.join(this.containerDir(containerId), 'ctl'),
      fsConstants.O_WRONLY | fsConstants.O_NONBLOCK,
    );
    try {
      await fifo.write('2 0 0\n');
    } finally {
      await fifo.close();
    }
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const rec = await this.containers.get(containerId);
    if (!rec) return;
    const { state } = await this.observe(rec);
    if (state === 'exited') return;
    if (state === 'unknown') {
      // The monitor is gone; the container may not be: make sure, without waiting for an exit file.
      await run(this.runtimeArgv(rec, 'kill', '--all', containerId, 'KILL'), { allowFailure: true });
      return;
    }
    if (state === 'running' && timeoutSeconds > 0) {
      await run(this.runtimeArgv(rec, 'kill', containerId, 'TERM'), { allowFailure: true });
      if (await this.waitExited(rec, timeoutSeconds * 1000)) return;
    }
    await run(this.runtimeArgv(rec, 'kill', '--all', containerId, 'KILL'), { allowFailure: true });
    if (!(await this.waitExited(rec, KILL_WAIT_MS))) {
      throw new Error(`container ${containerId} did not exit after SIGKILL`);
    }
  }

  async removeContainer(containerId: string): Promise<void> {
    const rec = await this.containers.get(containerId);
    if (!rec) return;
    await this.stopContainer(containerId, 0);
    await this.observe(rec);
    const del = await run(this.runtimeArgv(rec, 'delete', '--force', containerId), { allowFailure: true });
    if (del.code !== 0 && !/does not exist|not exist/i.test(del.stderr))
      throw new Error(`delete ${containerId}: ${del.stderr.trim()}`);
    if (rec.conmon && (await isAlive(rec.conmon))) process.kill(rec.conmon.pid, 'SIGKILL');
    const dir = this.containerDir(containerId);
    await unmount(path.join(dir, 'rootfs'));
    await rm(dir, { recursive: true, force: true });
    await rm(this.exitFile(containerId), { force: true });
    await rm(path.join(this.socketDir, containerId), { recursive: true, force: true });
    await this.containers.delete(containerId);
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const out: Container[] = [];
    // Everything but the state filters without looking at the host.
    const candidates = await this.containers.find((rec) =>
      containerMatches({ ...rec, state: '', labels: rec.config.labels }, { ...filter, state: undefined }),
    );
    for (const rec of candidates) {
      const { state } = await this.observe(rec);
      const c: Container = {
        id: rec.id,
        podSandboxId: rec.podSandboxId,
        metadata: rec.config.metadata,
        image: rec.config.image,
        imageRef: rec.imageRef,
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
    const { state, finished } = await this.observe(rec);
    return {
      id: rec.id,
      metadata: rec.config.metadata,
      state,
      createdAt: rec.createdAt,
      ...(rec.startedAt !== undefined ? { startedAt: rec.startedAt } : {}),
      ...(finished
        ? { finishedAt: finished.finishedAt, exitCode: finished.exitCode, reason: finished.reason }
        : {}),
      ...(state === 'unknown'
        ? { reason: 'Unknown', message: 'the container monitor is gone without an exit status' }
        : {}),
      image: rec.config.image,
      imageRef: rec.imageRef,
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

  private execArgv(rec: ContainerRecord, cmd: string[], tty: boolean, pidFile: string): string[] {
    return this.runtimeArgv(rec, 'exec', ...(tty ? ['--tty'] : []), '--pid-file', pidFile, rec.id, ...cmd);
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    const rec = await this.runningContainer(containerId);
    const pidFile = path.join(this.containerDir(rec.id), `exec-${this.newId().slice(0, 12)}.pid`);
    const argv = this.execArgv(rec, cmd, false, pidFile);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    try {
      const exitCode = await new Promise<number>((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (b: Buffer) => stdout.push(b));
        child.stderr.on('data', (b: Buffer) => stderr.push(b));
        const timer =
          timeoutSeconds > 0
            ? setTimeout(() => {
                timedOut = true;
                void killExecProcess(pidFile);
              }, timeoutSeconds * 1000)
            : undefined;
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve(code ?? (signal ? 128 + 9 : 1));
        });
      });
      return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode, timedOut };
    } finally {
      await rm(pidFile, { force: true });
    }
  }

  async exec(containerId: string, cmd: string[], streams: StreamOptions): Promise<number> {
    const rec = await this.runningContainer(containerId);
    const pidFile = path.join(this.containerDir(rec.id), `exec-${this.newId().slice(0, 12)}.pid`);
    const argv = this.execArgv(rec, cmd, streams.tty, pidFile);
    try {
      if (!streams.tty) return await pipeExec(argv, streams, () => killExecProcess(pidFile));
      return await pipeExec(
        ttyArgv(argv, true),
        { ...streams, stderr: null },
        () => killExecProcess(pidFile),
        {
          holdStdinOpen: true,
          onSpawn: (pid) => {
            if (streams.resize) void applyResizes(pid, streams.resize).catch(() => {});
          },
        },
      );
    } finally {
      await rm(pidFile, { force: true });
    }
  }

  /**
   * Output from the log as it is written; stdin for containers started with stdin: into the pipe of a
   * non-tty container (common/attach.ts), through conmon's attach socket into a terminal (terminal-attach.ts).
   */
  async attach(containerId: string, streams: StreamOptions): Promise<void> {
    const rec = await this.container(containerId);
    const bundle = this.containerDir(rec.id);
    const terminalInput = rec.config.tty && rec.config.stdin ? streams.stdin : null;
    // The session ends with the client's or when the input relay fails (then with its error).
    const session = new AbortController();
    const end = (): void => session.abort();
    if (streams.signal?.aborted) end();
    streams.signal?.addEventListener('abort', end, { once: true });
    let relayError: Error | undefined;
    const relay = terminalInput
      ? relayTerminalInput(bundle, terminalInput, session.signal).catch((err: unknown) => {
          relayError = err instanceof Error ? err : new Error(String(err));
          end();
        })
      : undefined;
    if (rec.config.tty && streams.resize) void applyTerminalResizes(bundle, streams.resize).catch(() => {});
    try {
      await attachToContainer(
        {
          logPath: rec.logPath,
          ...(rec.config.stdin && !rec.config.tty ? { stdinPid: rec.pid } : {}),
          isRunning: async () => (await this.observe(rec)).state === 'running',
        },
        { ...streams, ...(terminalInput ? { stdin: null } : {}), signal: session.signal },
      );
    } finally {
      end();
      streams.signal?.removeEventListener('abort', end);
      await relay;
    }
    if (relayError) throw relayError;
  }

  /** Connects to the port inside the sandbox's network namespace (nsenter and a small node connector). */
  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    const sb = await this.sandbox(podSandboxId);
    if (sb.netnsPath) return forwardInNetns(sb.netnsPath, port, stream);
    return forwardToLocalPort(port, stream);
  }

  // ---- stats ----

  async containerStats(containerId: string): Promise<ContainerStats> {
    const rec = await this.container(containerId);
    return {
      containerId,
      timestamp: this.clock.now(),
      ...(await (await this.cgroups()).usage(rec.cgroupsPath)),
      writableLayerBytes: await dirBytes(path.join(this.containerDir(containerId), 'upper')),
    };
  }

  async listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]> {
    const out: ContainerStats[] = [];
    for (const c of await this.listContainers(filter)) out.push(await this.containerStats(c.id));
    return out;
  }

  /** Removes the bridge the CNI plugin created (no sandbox may still use it). Not part of CRI. */
  async removeNetwork(): Promise<void> {
    const bridge = this.cni.bridgeName;
    await run(['ip', 'link', 'delete', bridge], { allowFailure: true });
  }
}

async function killExecProcess(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function dirBytes(dir: string): Promise<number> {
  const { readdir, lstat } = await import('node:fs/promises');
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else total += (await lstat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
