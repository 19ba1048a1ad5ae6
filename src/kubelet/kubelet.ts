/**
 * The node agent: registers the node, watches the pods bound to it, and drives each through its pod worker
 * (sync → terminating → terminated) against the CRI runtime; a PLEG-like relist notices container changes,
 * probes feed readiness and restarts, and the status manager reports what happened.
 */
import type { Node, Pod, PodStatus, Service } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { EventRecorder, Informer, R, type ApiClient, type SharedInformerPool } from '../client/index.js';
import { realClock, rfc3339, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { PodAdmitter } from './admission/admitter.js';
import { SYSTEM_CRITICAL_PRIORITY } from './admission/pressure.js';
import { CrashBackoff } from './crash-backoff.js';
import type { ImageService, RuntimeService } from './cri/services.js';
import type { DnsConfig } from './cri/types.js';
import {
  ContainerLogRotator,
  DEFAULT_LOG_ROTATION,
  type LogRotationPolicy,
} from './container-log-rotation.js';
import { EvictionManager } from './eviction/eviction-manager.js';
import { ImagePuller } from './image-puller.js';
import type { ImageGcResult } from './images/gc.js';
import { ImageGcLoop } from './images/gc-loop.js';
import { detectNodeIP, readHost } from './node/host-readings.js';
import { NodeAgent } from './node/node-agent.js';
import { capacityAndAllocatable } from './node/node-status.js';
import { DEFAULT_THRESHOLDS, type SoftThresholds, type Thresholds } from './eviction/thresholds.js';
import type { HostReadings } from './node/host-readings.js';
import { apiObjectSource, tokenRequester } from './object-source.js';
import { TokenManager } from './token-manager.js';
import { generatePodStatus } from './pod-status.js';
import { PodSyncer, type NodeFacts } from './pod-sync.js';
import { PodWorkers, type SyncOutcome } from './pod-workers.js';
import { ProbeManager } from './probes/probe-manager.js';
import { readHostResolvConf } from './resolv-conf.js';
import { Relister } from './pleg.js';
import { findContainer, observePod, type ObservedPod } from './runtime-state.js';
import type { ClusterDns } from './sandbox-config.js';
import { StartFailures } from './start-failures.js';
import { serviceVariables, servicesForPod } from './service-env.js';
import { StatusManager } from './status-manager.js';
import { LocalPathCleaner } from './volumes/local-path-cleaner.js';
import { VolumeManager } from './volumes/volume-manager.js';

export interface KubeletOptions {
  nodeName: string;
  client: ApiClient;
  /** Informers shared with the node agent's other components (its Services watch is one of theirs). */
  informers?: SharedInformerPool;
  runtime: RuntimeService;
  imageService: ImageService;
  /** Why AppArmor profiles cannot be enforced here (tests); by default read from the host. */
  appArmorProblem?: () => Promise<string>;
  /** Data directory of the agent: `pods/<uid>/volumes`, `logs/pods`. */
  rootDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Called with node.spec.podCIDR once the server assigned it (and when it changes). */
  onPodCIDR?: (cidr: string) => void | Promise<void>;
  /** Pod CIDR to use while the server assigns none (upstream --pod-cidr); handed to onPodCIDR too. */
  podCIDR?: string;
  /** InternalIP to report; detected from the host's interfaces by default. */
  nodeIP?: string;
  hostname?: string;
  /**
   * The cluster DNS written into ClusterFirst pods' resolv.conf; a function when it is known only later (a
   * node-local server on the pod network's gateway, which needs the node's pod CIDR), asked at each pod sync.
   */
  clusterDns?: ClusterDns | (() => ClusterDns | undefined);
  /** The host's resolver config; read from /etc/resolv.conf by default. */
  hostDns?: DnsConfig;
  maxPods?: number;
  reserved?: Record<string, string>;
  /** Hard eviction thresholds (`--eviction-hard`): they replace the defaults, signals left out get none. */
  thresholds?: Thresholds;
  /** Soft eviction thresholds with their grace periods (`--eviction-soft`, `--eviction-soft-grace-period`). */
  softThresholds?: SoftThresholds;
  /** `--eviction-max-pod-grace-period`: seconds a pod evicted for a soft threshold gets (default 0). */
  evictionMaxPodGracePeriodSeconds?: number;
  kubeletVersion?: string;
  /** Port of the agent's streaming/stats endpoint, reported in daemonEndpoints. */
  kubeletPort?: number;
  /** Runtime relist period (PLEG), default 1 s. */
  relistMs?: number;
  /** Every pod is synced again this often (ConfigMap/Secret volume refresh), default 30 s. */
  resyncMs?: number;
  statusIntervalMs?: number;
  reportIntervalMs?: number;
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
  /** First retry of a failed pod sync, default 1 s, doubling up to maxSyncRetryMs (10 s). */
  syncRetryMs?: number;
  maxSyncRetryMs?: number;
  /** Replaces the service link variables the kubelet derives from a Service informer. */
  serviceEnv?: (pod: Pod) => Promise<Map<string, string>>;
  /**
   * This node's directory for local-path volumes (`<data dir>/storage`): published on the Node for the
   * provisioner; Released Delete-policy volumes there are removed. Unset: no local-path storage on this node.
   */
  localPathDir?: string;
  /** Image garbage collection at disk thresholds (the runtime's containers name the images in use); off when unset. */
  imageGc?: {
    collect: (inUseImageIds: ReadonlySet<string>) => Promise<ImageGcResult>;
    periodMs?: number;
  };
  /** Container log rotation (kubelet containerLogMaxSize / containerLogMaxFiles; default 10 MiB and 5). */
  containerLogRotation?: Partial<LogRotationPolicy> & { periodMs?: number };
  /** How often node pressure is checked for evictions (default 10 s). */
  evictionPeriodMs?: number;
  /** Replaces host readings (tests). */
  readings?: () => Promise<HostReadings>;
}

/** What of a pod object drives its sync: everything but status and bookkeeping metadata. */
function syncRelevant(p: Pod): string {
  const m = p.metadata ?? {};
  return JSON.stringify([p.spec, m.labels, m.annotations, m.deletionTimestamp, m.deletionGracePeriodSeconds]);
}

/** Pods at or above this priority (system-cluster-critical and up) are never evicted by the kubelet. */

const isTerminalPhase = (s: PodStatus | undefined): boolean =>
  s?.phase === 'Succeeded' || s?.phase === 'Failed';

export class Kubelet {
  readonly nodeName: string;
  private readonly client: ApiClient;
  private readonly runtime: RuntimeService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly node: NodeAgent;
  private readonly status: StatusManager;
  private readonly workers: PodWorkers;
  private readonly probes: ProbeManager;
  private readonly syncer: PodSyncer;
  private readonly volumes: VolumeManager;
  private readonly puller: ImagePuller;
  private readonly backoff = new CrashBackoff();
  private readonly startFailures = new StartFailures();
  private readonly recorder: EventRecorder;
  private readonly pods = new Map<string, Pod>();
  private readonly admitter: PodAdmitter;
  private readonly deadlineTimers = new Map<string, NodeJS.Timeout>();
  private informer: Informer<Pod> | undefined;
  private localPath: LocalPathCleaner | undefined;
  private imageGc: ImageGcLoop | undefined;
  private readonly logRotator: ContainerLogRotator;
  private readonly eviction: EvictionManager;
  /** Pods the eviction manager chose, with the message their status will carry. */
  private readonly evictions = new Map<string, string>();
  /** Grace periods of pods evicted for a soft threshold (seconds); others stop at once. */
  private readonly evictionGrace = new Map<string, number>();
  private readonly evictedStopping = new Set<string>();
  private services: Informer<Service> | undefined;
  private readonly relister: Relister;
  private running = false;
  private runtimeName = 'unknown';

  constructor(private readonly opts: KubeletOptions) {
    this.nodeName = opts.nodeName;
    this.client = opts.client;
    this.runtime = opts.runtime;
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.recorder = new EventRecorder(this.client, 'kubelet', {
      clock: this.clock,
      logger: this.logger,
      host: this.nodeName,
    });
    this.admitter = new PodAdmitter({
      fetchNode: () => this.client.resource<Node>(R.nodes).get('', this.nodeName),
      knownPods: () => this.pods.values(),
      isTerminal: (p) => isTerminalPhase(this.status.get(p.metadata?.uid ?? '') ?? p.status),
      ...(opts.appArmorProblem ? { appArmorProblem: opts.appArmorProblem } : {}),
      pressureConditions: () => this.eviction.currentPressure(),
    });
    const nodeIP = opts.nodeIP ?? detectNodeIP();
    this.node = new NodeAgent({
      nodeName: opts.nodeName,
      client: opts.client,
      runtime: opts.runtime,
      rootDir: opts.rootDir,
      clock: this.clock,
      logger: this.logger.child('node'),
      nodeIP,
      hostname: opts.hostname ?? opts.nodeName,
      maxPods: opts.maxPods ?? 110,
      reserved: opts.reserved ?? {},
      thresholds: opts.thresholds ?? DEFAULT_THRESHOLDS,
      ...(opts.softThresholds ? { softThresholds: opts.softThresholds.thresholds } : {}),
      kubeletVersion: opts.kubeletVersion ?? 'v1.32.0-tugboat',
      kubeletPort: opts.kubeletPort ?? 10250,
      leaseRenewMs: opts.leaseRenewMs ?? 10_000,
      leaseDurationSeconds: opts.leaseDurationSeconds ?? 40,
      statusIntervalMs: opts.statusIntervalMs ?? 10_000,
      reportIntervalMs: opts.reportIntervalMs ?? 5 * 60_000,
      onPodCIDR: async (cidr) => {
        await opts.onPodCIDR?.(cidr);
        // Pods that waited for the network go now, not after their retry back-off.
        await this.node.refresh();
        for (const uid of this.workers.uids()) this.workers.resync(uid);
      },
      ...(opts.podCIDR ? { fallbackPodCIDR: opts.podCIDR } : {}),
      images: opts.imageService,
      event: (type, reason, message) => this.nodeEvent(type, reason, message),
      ...(opts.readings ? { readings: opts.readings } : {}),
    });
    const { periodMs: logRotationPeriodMs, ...logPolicy } = opts.containerLogRotation ?? {};
    this.logRotator = new ContainerLogRotator({
      runtime: opts.runtime,
      policy: { ...DEFAULT_LOG_ROTATION, ...logPolicy },
      clock: this.clock,
      logger: this.logger.child('logs'),
      ...(logRotationPeriodMs !== undefined ? { periodMs: logRotationPeriodMs } : {}),
    });
    this.eviction = new EvictionManager({
      readings: opts.readings ?? (() => readHost(opts.rootDir)),
      thresholds: opts.thresholds ?? DEFAULT_THRESHOLDS,
      ...(opts.softThresholds ? { soft: opts.softThresholds } : {}),
      ...(opts.evictionMaxPodGracePeriodSeconds !== undefined
        ? { maxPodGracePeriodSeconds: opts.evictionMaxPodGracePeriodSeconds }
        : {}),
      clock: this.clock,
      runtime: opts.runtime,
      activePods: () => this.evictablePods(),
      evict: (pod, message, grace) => this.evictPod(pod, message, grace),
      evictedPodsStopping: () => this.evictedStopping.size > 0,
      reclaimDisk: () => this.imageGc?.runOnce() ?? Promise.resolve(),
      logger: this.logger.child('eviction'),
      ...(opts.evictionPeriodMs !== undefined ? { periodMs: opts.evictionPeriodMs } : {}),
    });
    const objects = apiObjectSource(this.client, new TokenManager(tokenRequester(this.client), this.clock));
    this.volumes = new VolumeManager(opts.rootDir, objects);
    this.puller = new ImagePuller(opts.imageService, this.clock);
    this.status = new StatusManager(this.client, this.logger.child('status'));
    this.probes = new ProbeManager({
      runtime: opts.runtime,
      clock: this.clock,
      logger: this.logger.child('probes'),
      view: (uid, name) => this.containerView(uid, name),
      onChange: (uid) => this.workers.resync(uid),
      onFailure: (e) => {
        const kind = e.type[0]!.toUpperCase() + e.type.slice(1);
        this.event(e.pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${e.output}`);
      },
    });
    const hostDns = opts.hostDns ?? readHostResolvConf();
    this.syncer = new PodSyncer({
      runtime: opts.runtime,
      puller: this.puller,
      volumes: this.volumes,
      configMap: (ns, name) => objects.configMap(ns, name),
      secret: (ns, name) => objects.secret(ns, name),
      serviceEnv: opts.serviceEnv ?? ((pod) => Promise.resolve(this.serviceEnv(pod))),
      probes: this.probes,
      backoff: this.backoff,
      startFailures: this.startFailures,
      clock: this.clock,
      logger: this.logger.child('sync'),
      event: (pod, type, reason, message) => this.event(pod, type, reason, message),
      node: () => this.nodeFacts(),
      rootDir: opts.rootDir,
      ...(opts.clusterDns ? { clusterDns: opts.clusterDns } : {}),
      ...(hostDns ? { hostDns } : {}),
      runtimeHandler: async (name) =>
        (await this.client.resource<RuntimeClass>(R.runtimeClasses).get('', name)).handler,
    });
    this.workers = new PodWorkers({
      logger: this.logger.child('workers'),
      retryMs: opts.syncRetryMs ?? 1000,
      maxRetryMs: opts.maxSyncRetryMs ?? 10_000,
      handler: {
        syncPod: (pod) => this.syncPod(pod),
        syncTerminatingPod: (pod, grace) => this.syncTerminatingPod(pod, grace),
        syncTerminatedPod: (pod, removed) => this.syncTerminatedPod(pod, removed),
        shortenTermination: async (pod, grace) => {
          const observed = await observePod(this.runtime, pod.metadata?.uid ?? '');
          const running = observed.containers.filter((c) => c.state === 'running');
          await Promise.all(running.map((c) => this.runtime.stopContainer(c.id, grace)));
        },
      },
    });
    this.relister = new Relister(
      opts.runtime,
      {
        known: (uid) => this.workers.known(uid),
        changed: (uid) => this.workers.resync(uid),
        orphan: (o) => this.removeOrphan(o),
        afterRelist: (uids) => this.removeStaleVolumes(uids),
      },
      this.logger.child('pleg'),
      opts.relistMs ?? 1000,
    );
  }

  /** The pod CIDR the server assigned to this node ('' until then). */
  get podCIDR(): string {
    return this.node.podCIDR;
  }

  /** Registers the node and starts every loop; resolves once the pod cache is synced. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.running) return;
    this.running = true;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const v = await this.runtime.version();
    this.runtimeName = v.runtimeName;
    const st = await this.runtime.status();
    for (const w of st.warnings) this.logger.warn(`container runtime: ${w}`);
    await this.node.register();
    this.node.start();
    if (this.opts.localPathDir) {
      this.localPath = new LocalPathCleaner({
        client: this.client,
        nodeName: this.nodeName,
        hostname: this.opts.hostname ?? this.nodeName,
        dir: this.opts.localPathDir,
        logger: this.logger.child('local-path'),
      });
      this.localPath.start();
    }
    this.logRotator.start();
    this.eviction.start();
    if (this.opts.imageGc) {
      this.imageGc = new ImageGcLoop({
        runtime: this.runtime,
        images: this.opts.imageService,
        collect: this.opts.imageGc.collect,
        ...(this.opts.imageGc.periodMs !== undefined ? { periodMs: this.opts.imageGc.periodMs } : {}),
        logger: this.logger.child('image-gc'),
        onFailure: (message) => this.nodeEvent('Warning', 'ImageGCFailed', message),
      });
      this.imageGc.start();
    }
    this.informer = new Informer<Pod>(this.client.resource<Pod>(R.pods), {
      fieldSelector: `spec.nodeName=${this.nodeName}`,
      resyncMs: this.opts.resyncMs ?? 30_000,
      logger: this.logger.child('pods'),
    });
    this.informer.addEventHandler({
      add: (p) => this.onPod(p),
      update: (old, p) => this.onPod(p, old),
      delete: (p) => {
        this.pods.delete(p.metadata?.uid ?? '');
        this.admitter.forget(p.metadata?.uid ?? '');
        this.workers.remove(p);
      },
    });
    this.services =
      this.opts.informers?.scoped<Service>(R.services) ??
      new Informer<Service>(this.client.resource<Service>(R.services), {
        logger: this.logger.child('services'),
      });
    this.services.start();
    await this.services.waitForSync();
    this.informer.start();
    await this.informer.waitForSync();
    this.relister.start();
  }

  /** Stops the loops (containers keep running), marks the node NotReady. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.relister.stop();
    this.localPath?.stop();
    await this.imageGc?.stop();
    await this.logRotator.stop();
    await this.eviction.stop();
    this.informer?.stop();
    this.services?.stop();
    this.probes.stop();
    for (const t of this.deadlineTimers.values()) clearTimeout(t);
    await this.workers.stop();
    this.status.stop();
    await this.node.stop();
  }

  private onPod(pod: Pod, old?: Pod): void {
    if (!this.running || pod.spec?.nodeName !== this.nodeName) return;
    const uid = pod.metadata?.uid ?? '';
    this.pods.set(uid, pod);
    // A status-only change (usually our own write coming back) needs no sync, only our status restored if
    // someone else changed it; a resync (old === pod) does.
    if (old && old !== pod && old.metadata?.uid === uid && syncRelevant(old) === syncRelevant(pod)) {
      this.workers.refreshPod(pod);
      this.status.reconcile(pod);
      return;
    }
    this.workers.update(pod);
  }

  private serviceEnv(pod: Pod): Map<string, string> {
    return serviceVariables(servicesForPod(pod, this.services?.list() ?? []));
  }

  private nodeEvent(type: 'Normal' | 'Warning', reason: string, message: string): void {
    const name = this.nodeName;
    this.recorder.event(
      { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } },
      type,
      reason,
      message,
    );
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, type, reason, message);
  }

  private nodeFacts(): NodeFacts {
    const latest = this.node.latest;
    return {
      hostIPs: [latest?.nodeIP ?? this.opts.nodeIP ?? '127.0.0.1'],
      // The limit the downward API reports for a container without one: node allocatable.
      allocatable: latest ? capacityAndAllocatable(latest).allocatable : {},
      memoryCapacityBytes: latest?.readings.memoryTotalBytes ?? 0,
    };
  }

  private containerView(uid: string, name: string) {
    const o = this.relister.get(uid);
    const c = o ? findContainer(o, name) : undefined;
    if (!o || !c) return undefined;
    const pod = this.pods.get(uid);
    const ready = o.sandboxes.find((s) => s.state === 'ready');
    const ip = ready && !ready.network ? (this.nodeFacts().hostIPs[0] ?? '') : (ready?.network?.ip ?? '');
    return {
      id: c.id,
      state: c.state,
      ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
      podIP: pod?.spec?.hostNetwork ? (this.nodeFacts().hostIPs[0] ?? '') : ip,
      terminating: Boolean(pod?.metadata?.deletionTimestamp),
    };
  }

  private podWithLatestStatus(pod: Pod): Pod {
    const s = this.status.get(pod.metadata?.uid ?? '');
    return s ? { ...pod, status: s } : pod;
  }

  private async refresh(
    pod: Pod,
    podIsTerminal: boolean,
    /** Why the pod ends Failed here (eviction, deadline, rejection), or, with blockedAs, why it waits. */
    outcome?: {
      reason: string;
      message: string;
      disruption?: boolean;
      /** Pending with this reason instead of Failed: the pod waits, its containers with this waiting reason. */
      blockedAs?: string;
    },
  ): Promise<PodStatus> {
    const uid = pod.metadata?.uid ?? '';
    const observed = await observePod(this.runtime, uid);
    // Not `record`: this look comes after the sync's actions, and a change in it needs another sync.
    this.relister.show(observed);
    const status = generatePodStatus({
      pod: this.podWithLatestStatus(pod),
      observed,
      runtimeName: this.runtimeName,
      hostIPs: this.nodeFacts().hostIPs,
      now: this.clock.now(),
      podIsTerminal,
      startFailure: (name) => this.startFailures.get(uid, name),
      readiness: (id) => this.probes.result('readiness', id),
      startup: (id) => this.probes.result('startup', id),
    });
    if (outcome?.blockedAs) {
      Object.assign(status, { reason: outcome.reason, message: outcome.message });
      for (const cs of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
        if (cs.state?.waiting) cs.state.waiting.reason = outcome.blockedAs;
      }
    } else if (outcome) {
      Object.assign(status, { phase: 'Failed', reason: outcome.reason, message: outcome.message });
      if (outcome.disruption && !status.conditions?.some((c) => c.type === 'DisruptionTarget')) {
        status.conditions = [
          ...(status.conditions ?? []),
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'TerminationByKubelet',
            message: outcome.message,
            lastTransitionTime: rfc3339(this.clock.now()),
          },
        ];
      }
    }
    await this.status.set(pod, status);
    return status;
  }

  private async syncPod(pod: Pod): Promise<SyncOutcome> {
    const uid = pod.metadata?.uid ?? '';
    if (isTerminalPhase(this.status.get(uid) ?? pod.status)) return { terminal: true, retry: false };
    const evicted = this.evictions.get(uid);
    if (evicted !== undefined) {
      await this.refresh(pod, false, { reason: 'Evicted', message: evicted, disruption: true });
      return { terminal: true, retry: false };
    }
    const refused = await this.admitter.admit(pod, Boolean((this.status.get(uid) ?? pod.status)?.startTime));
    if (refused) {
      this.event(pod, 'Warning', refused.reason, refused.message);
      await this.refresh(pod, false, {
        reason: refused.reason,
        message: `Pod was rejected: ${refused.message}`,
      });
      return { terminal: true, retry: false };
    }
    const blocked = await this.admitter.blocked(pod);
    if (blocked) {
      await this.refresh(pod, false, { ...blocked, blockedAs: 'Blocked' });
      return { terminal: false, retry: false };
    }
    if (this.deadlineExceeded(pod)) {
      const evict = {
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      };
      this.event(pod, 'Normal', evict.reason, evict.message);
      await this.refresh(pod, false, evict);
      return { terminal: true, retry: false };
    }
    const network = this.node.latest?.runtime.conditions.find((c) => c.type === 'NetworkReady');
    if (network && !network.status && !pod.spec?.hostNetwork) {
      // Upstream refuses to start pods until the runtime's network is ready.
      const why = `container runtime network not ready: NetworkReady=false reason:${network.reason ?? ''} message:${network.message ?? ''}`;
      this.event(pod, 'Warning', 'NetworkNotReady', `network is not ready: ${why}`);
      await this.refresh(pod, false);
      return { terminal: false, retry: true };
    }
    const observed = await observePod(this.runtime, uid);
    this.relister.record(observed);
    this.probes.addPod(pod);
    let result: { errors: string[]; retryInMs?: number };
    try {
      result = await this.syncer.syncPod(pod, observed);
    } catch (err) {
      await this.refresh(pod, false);
      throw err;
    }
    const status = await this.refresh(pod, false);
    return {
      terminal: isTerminalPhase(status),
      retry: result.errors.length > 0,
      ...(result.retryInMs !== undefined ? { retryInMs: result.retryInMs } : {}),
    };
  }

  /** Pods eviction may choose: running here, not finished, not being deleted, not system-critical. */
  private evictablePods(): Pod[] {
    return [...this.pods.values()].filter((p) => {
      const uid = p.metadata?.uid ?? '';
      if (p.metadata?.deletionTimestamp || this.evictions.has(uid)) return false;
      if (isTerminalPhase(this.status.get(uid) ?? p.status)) return false;
      return (p.spec?.priority ?? 0) < SYSTEM_CRITICAL_PRIORITY;
    });
  }

  private evictPod(pod: Pod, message: string, gracePeriodSeconds?: number): void {
    const uid = pod.metadata?.uid ?? '';
    this.evictions.set(uid, message);
    if (gracePeriodSeconds !== undefined) this.evictionGrace.set(uid, gracePeriodSeconds);
    this.evictedStopping.add(uid);
    this.event(pod, 'Warning', 'Evicted', message);
    this.workers.resync(uid);
  }

  /** activeDeadlineSeconds since the pod's start time; arms a timer to sync the pod when it runs out. */
  private deadlineExceeded(pod: Pod): boolean {
    const deadline = pod.spec?.activeDeadlineSeconds;
    const uid = pod.metadata?.uid ?? '';
    if (deadline === undefined) return false;
    const start = this.status.get(uid)?.startTime ?? pod.status?.startTime;
    if (!start) return false;
    const left = Date.parse(start) + deadline * 1000 - this.clock.now();
    if (left <= 0) return true;
    clearTimeout(this.deadlineTimers.get(uid));
    const t = setTimeout(() => this.workers.resync(uid), left);
    t.unref();
    this.deadlineTimers.set(uid, t);
    return false;
  }

  private async syncTerminatingPod(pod: Pod, grace: number): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const observed = await observePod(this.runtime, uid);
    // A hard eviction stops the pod at once (upstream gives it 1 s); a soft one gives it its grace period.
    const override = this.evictions.has(uid)
      ? Math.max(1, this.evictionGrace.get(uid) ?? 1)
      : pod.metadata?.deletionTimestamp
        ? grace
        : undefined;
    await this.syncer.killPod(pod, observed, override);
    this.evictedStopping.delete(uid);
    this.probes.removePod(uid);
    clearTimeout(this.deadlineTimers.get(uid));
    this.deadlineTimers.delete(uid);
    await this.refresh(pod, true);
  }

  private async syncTerminatedPod(pod: Pod, removed: boolean): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (!removed && !pod.metadata?.deletionTimestamp) return;
    const observed = await observePod(this.runtime, uid);
    if (observed.containers.some((c) => c.state === 'running')) {
      await this.syncer.killPod(pod, observed, 0);
    }
    await this.syncer.removePod(await observePod(this.runtime, uid));
    await this.volumes.tearDown(uid);
    this.startFailures.forget(uid);
    this.evictions.delete(uid);
    this.evictionGrace.delete(uid);
    this.evictedStopping.delete(uid);
    this.backoff.forget(`${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}_${uid}_`);
    this.puller.forgetPod(uid);
    this.relister.forget(uid);
    if (!removed) await this.status.confirmDeletion(pod);
    this.status.forget(uid);
  }

  /** Volume directories of pods neither the runtime, a worker nor the API knows any more. */
  private async removeStaleVolumes(runtimeUids: Set<string>): Promise<void> {
    for (const uid of await this.volumes.podUids()) {
      if (!runtimeUids.has(uid) && !this.workers.known(uid) && !this.pods.has(uid))
        await this.volumes.tearDown(uid);
    }
  }

  /** Containers of a pod the API no longer has (deleted while the agent was down): stop and remove them. */
  private async removeOrphan(o: ObservedPod): Promise<void> {
    if (this.pods.has(o.uid) || !this.informer?.hasSynced()) return;
    this.logger.info('removing containers of a pod that no longer exists', { uid: o.uid });
    try {
      for (const c of o.containers) if (c.state === 'running') await this.runtime.stopContainer(c.id, 0);
      for (const sb of o.sandboxes) await this.runtime.stopPodSandbox(sb.id);
      await this.syncer.removePod(o);
      await this.volumes.tearDown(o.uid);
    } catch (err) {
      this.logger.warn('orphan cleanup failed', { uid: o.uid, error: String(err) });
    }
  }
}
