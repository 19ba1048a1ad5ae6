import type { ConfigMap, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { hasReason } from '../api/errors.js';
import { isPodTerminal, podStatusGist } from '../api/pods.js';
import { ApiClient, Informer, R, stripManagedFields, type ClientConfig } from '../client/index.js';
import { microTime, realClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { DueQueue } from './due-queue.js';
import { IpPool } from './ip-pool.js';
import { KubeletEndpoint } from './kubelet-endpoint.js';
import { forEachLimit } from './limit.js';
import {
  defaultPodCidr,
  healthyConditions,
  loopbackAddress,
  nodeObject,
  shuttingDownConditions,
  type NodeShape,
} from './node-object.js';
import { planPod, type PodPlan } from './pod-behaviour.js';
import { podStatusFor, type RunState } from './pod-status.js';
import {
  CpuCounters,
  LOAD_CONFIGMAP,
  loadShares,
  NODE_BASELINE_CPU_MILLI,
  NODE_BASELINE_MEMORY_BYTES,
  podUsage,
  renderResourceMetrics,
  type PodSample,
} from './usage.js';

export interface HollowNodesOptions {
  client: ClientConfig;
  count: number;
  /** Default `hollow-node-`; nodes are <prefix>0 … <prefix>N-1. */
  namePrefix?: string;
  shape?: Partial<NodeShape>;
  /** Port of the shared kubelet endpoint (/metrics/resource); 0 picks a free one. */
  metricsPort?: number;
  clock?: Clock;
  logger?: Logger;
  /** Lease renewal interval (upstream 10 s); renewals are spread evenly over it. */
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
  /** Full node status refresh (upstream nodeStatusReportFrequency, 5 min). */
  statusReportMs?: number;
  /** Requests in flight while registering or stopping nodes. */
  concurrency?: number;
}

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Delay between a pod's deletionTimestamp and the confirming DELETE: the containers "stopping". */
const STOP_MS = 100;

interface HollowNode {
  index: number;
  name: string;
  uid: string;
  pool: IpPool;
  hostIP: string;
}

interface PodState extends RunState {
  key: string;
  uid: string;
  node: HollowNode;
  plan: PodPlan;
  /** Written to the API as soon as possible; a newer write supersedes an older pending one. */
  writing?: Promise<void>;
  dirty?: boolean;
  /** podStatusGist of the status last written: what the API should show while nothing else changed it. */
  writtenGist?: string;
  confirmingDelete?: boolean;
}

/**
 * Many simulated kubelets in one process: registers N Nodes, renews their Leases, reports status, runs the
 * pods bound to them (status only, nothing executes) and serves their /metrics/resource. One pod informer,
 * one ConfigMap informer, one timer queue and one HTTP server are shared by all nodes.
 */
export class HollowNodes {
  readonly client: ApiClient;
  readonly names: string[];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly shape: NodeShape;
  private readonly nodes = new Map<string, HollowNode>();
  private readonly byIndex: HollowNode[] = [];
  private readonly pods = new Map<string, PodState>();
  private readonly cpu = new CpuCounters();
  private readonly due: DueQueue;
  private readonly endpoint: KubeletEndpoint;
  private podInformer: Informer<Pod> | undefined;
  private loadInformer: Informer<ConfigMap> | undefined;
  private nodeInformer: Informer<Node> | undefined;
  private stopping = false;
  private shares: { atMs: number; byUid: Map<string, number> } | undefined;
  private readonly leaseRenewMs: number;
  private readonly statusReportMs: number;
  private readonly concurrency: number;

  constructor(private readonly opts: HollowNodesOptions) {
    this.client = new ApiClient({ userAgent: 'tugboat-hollow-nodes', ...opts.client });
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.shape = {
      cpu: opts.shape?.cpu ?? '4',
      memory: opts.shape?.memory ?? '16Gi',
      pods: opts.shape?.pods ?? '110',
      ephemeralStorage: opts.shape?.ephemeralStorage ?? '100Gi',
    };
    const prefix = opts.namePrefix ?? 'hollow-node-';
    this.names = Array.from({ length: opts.count }, (_, i) => `${prefix}${i}`);
    this.due = new DueQueue(() => this.clock.now());
    this.endpoint = new KubeletEndpoint((i) => this.renderMetrics(i));
    this.leaseRenewMs = opts.leaseRenewMs ?? 10_000;
    this.statusReportMs = opts.statusReportMs ?? 5 * 60_000;
    this.concurrency = opts.concurrency ?? 16;
  }

  get metricsPort(): number {
    return this.endpoint.port;
  }

  async start(): Promise<void> {
    const port = await this.endpoint.listen(this.opts.metricsPort ?? 0);
    await forEachLimit(
      this.names.map((name, index) => ({ name, index })),
      this.concurrency,
      ({ name, index }) => this.register(name, index, port),
    );
    this.logger.info('hollow nodes registered', { count: this.names.length, metricsPort: port });
    const now = this.clock.now();
    for (const node of this.byIndex) {
      const offset = (node.index / Math.max(1, this.byIndex.length)) * this.leaseRenewMs;
      this.due.schedule(`lease/${node.name}`, now + offset, () => void this.renewLease(node));
      const statusOffset = (node.index / Math.max(1, this.byIndex.length)) * this.statusReportMs;
      this.due.schedule(
        `status/${node.name}`,
        now + this.statusReportMs + statusOffset,
        () => void this.reportStatus(node),
      );
    }
    this.loadInformer = new Informer<ConfigMap>(this.client.resource<ConfigMap>(R.configMaps), {
      fieldSelector: `metadata.name=${LOAD_CONFIGMAP}`,
      logger: this.logger.child('configmaps'),
    });
    // Hollow nodes only patch, so their caches can drop managedFields as the control plane's do. Only bound
    // pods, as a kubelet watches only its own: a pod shows up (ADDED) when it is bound, not when it is created.
    this.podInformer = new Informer<Pod>(this.client.resource<Pod>(R.pods), {
      fieldSelector: 'spec.nodeName!=',
      logger: this.logger.child('pods'),
      transform: stripManagedFields,
    });
    this.podInformer.addIndexer('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.podInformer.addEventHandler({
      add: (p) => this.onPod(p),
      update: (_, p) => this.onPod(p),
      delete: (p) => this.forget(p),
    });
    // A status someone else changed (e.g. the node lifecycle controller's Ready=Unknown) is reported again at
    // once rather than at the next periodic report.
    this.nodeInformer = new Informer<Node>(this.client.resource<Node>(R.nodes), {
      logger: this.logger.child('nodes'),
      transform: stripManagedFields,
    });
    this.nodeInformer.addEventHandler({ update: (_, n) => this.onNode(n) });
    this.loadInformer.start();
    this.podInformer.start();
    this.nodeInformer.start();
    await Promise.all([
      this.loadInformer.waitForSync(),
      this.podInformer.waitForSync(),
      this.nodeInformer.waitForSync(),
    ]);
  }

  /** Stops renewing, marks every node NotReady (as a kubelet shutting down), stops serving. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.due.stop();
    this.podInformer?.stop();
    this.loadInformer?.stop();
    this.nodeInformer?.stop();
    await Promise.allSettled([...this.pods.values()].flatMap((s) => (s.writing ? [s.writing] : [])));
    const nodes = this.client.resource<Node>(R.nodes);
    const conditions = shuttingDownConditions(this.clock.now());
    await forEachLimit(this.byIndex, this.concurrency, async (node) => {
      await nodes.patch('', node.name, 'strategic', { status: { conditions } }, { subresource: 'status' });
    }).catch((err: unknown) => this.logger.warn('could not mark nodes NotReady', { error: String(err) }));
    await this.endpoint.close();
    this.client.close();
  }

  private async register(name: string, index: number, port: number): Promise<void> {
    const nodes = this.client.resource<Node>(R.nodes);
    const desired = nodeObject(name, index, this.shape, port);
    let node: Node;
    try {
      node = await nodes.create(desired);
    } catch (err) {
      if (!hasReason(err, 'AlreadyExists')) throw err;
      // Re-registration (a restart): keep the object, take over its status.
      node = await nodes.get('', name);
      const labels = { ...node.metadata?.labels, ...desired.metadata?.labels };
      node = await nodes.patch('', name, 'merge', { metadata: { labels } });
    }
    const status = { ...desired.status, conditions: healthyConditions(this.clock.now()) };
    node = await nodes.patch('', name, 'merge', { status }, { subresource: 'status' });
    const hollow: HollowNode = {
      index,
      name,
      uid: node.metadata?.uid ?? '',
      pool: new IpPool(node.spec?.podCIDR ?? defaultPodCidr(index)),
      hostIP: loopbackAddress(index),
    };
    this.nodes.set(name, hollow);
    this.byIndex[index] = hollow;
    await this.renewLease(hollow, true);
  }

  private async renewLease(node: HollowNode, initial = false): Promise<void> {
    if (this.stopping) return;
    const leases = this.client.resource<Lease>(R.leases);
    const now = this.clock.now();
    const renew = (): Promise<unknown> =>
      leases.patchWithoutResult(NODE_LEASE_NAMESPACE, node.name, 'merge', {
        spec: { holderIdentity: node.name, renewTime: microTime(now) },
      });
    const create = (): Promise<unknown> =>
      leases.create({
        metadata: {
          name: node.name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }],
        },
        spec: {
          holderIdentity: node.name,
          leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40,
          renewTime: microTime(now),
        },
      });
    try {
      // At registration the Lease usually does not exist yet; later it usually does.
      const [first, second, fallbackOn] = initial
        ? ([create, renew, 'AlreadyExists'] as const)
        : ([renew, create, 'NotFound'] as const);
      try {
        await first();
      } catch (err) {
        if (!hasReason(err, fallbackOn)) throw err;
        await second();
      }
    } catch (err) {
      if (initial) throw err;
      this.logger.warn('lease renewal failed', { node: node.name, error: String(err) });
    }
    if (!initial)
      this.due.schedule(`lease/${node.name}`, now + this.leaseRenewMs, () => void this.renewLease(node));
  }

  private async reportStatus(node: HollowNode): Promise<void> {
    if (this.stopping) return;
    const now = this.clock.now();
    try {
      const nodes = this.client.resource<Node>(R.nodes);
      const current = await nodes.get('', node.name);
      const since = new Map<string, string>();
      for (const c of current.status?.conditions ?? [])
        if (c.lastTransitionTime) since.set(`${c.type}=${c.status}`, c.lastTransitionTime);
      await nodes.patch(
        '',
        node.name,
        'strategic',
        { status: { conditions: healthyConditions(now, since) } },
        { subresource: 'status' },
      );
    } catch (err) {
      this.logger.warn('node status update failed', { node: node.name, error: String(err) });
    }
    this.due.schedule(`status/${node.name}`, now + this.statusReportMs, () => void this.reportStatus(node));
  }

  private onNode(n: Node): void {
    const node = this.nodes.get(n.metadata?.name ?? '');
    if (!node || this.stopping) return;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return;
    this.due.schedule(`status/${node.name}`, this.clock.now(), () => void this.reportStatus(node));
  }

  private onPod(pod: Pod): void {
    if (this.stopping) return;
    const node = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!node) return;
    const uid = pod.metadata?.uid ?? '';
    let state = this.pods.get(uid);
    if (pod.metadata?.deletionTimestamp) {
      if (state?.confirmingDelete) return;
      if (state) state.confirmingDelete = true;
      this.due.schedule(`delete/${uid}`, this.clock.now() + STOP_MS, () => void this.confirmDelete(pod));
      return;
    }
    if (state) {
      // Someone else changed the status (the node lifecycle controller's Ready=False while we were silent):
      // ours goes back, as a kubelet's status manager does.
      if (
        !state.writing &&
        state.writtenGist !== undefined &&
        podStatusGist(pod.status) !== state.writtenGist
      )
        this.write(state);
      return;
    }
    if (isPodTerminal(pod)) return;
    const now = this.clock.now();
    const plan = planPod(pod);
    const adopted = pod.status?.phase === 'Running' && pod.status.podIP && node.pool.claim(pod.status.podIP);
    const podIP = adopted ? pod.status.podIP! : node.pool.allocate();
    if (!podIP) {
      this.logger.warn('no pod IP left on node', { node: node.name, pod: pod.metadata?.name });
      return;
    }
    const startTime = adopted && pod.status?.startTime ? Date.parse(pod.status.startTime) : now;
    state = {
      key: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`,
      uid,
      node,
      plan,
      podIP,
      hostIP: node.hostIP,
      startedMs: startTime,
      ready: plan.readyAfterMs !== undefined && startTime + plan.readyAfterMs <= now,
    };
    this.pods.set(uid, state);
    this.startContainers(state, pod.spec?.restartPolicy ?? 'Always', startTime);
    this.write(state);
  }

  /** (Re)starts the pod's containers at `at`: readiness and exit follow the plan. */
  private startContainers(s: PodState, restartPolicy: string, at: number): void {
    const { plan, uid } = s;
    s.containersStartedMs = at;
    s.waiting = undefined;
    s.ready = plan.readyAfterMs !== undefined && at + plan.readyAfterMs <= this.clock.now();
    if (plan.readyAfterMs !== undefined && !s.ready) {
      this.due.schedule(`ready/${uid}`, at + plan.readyAfterMs, () => {
        s.ready = true;
        this.write(s);
      });
    }
    if (plan.exitAfterMs === undefined) return;
    this.due.schedule(`exit/${uid}`, at + plan.exitAfterMs, () => {
      const now = this.clock.now();
      const code = plan.exitCode;
      const restart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && code !== 0);
      if (!restart) {
        s.exit = { code, atMs: now };
        s.node.pool.release(s.podIP);
        this.write(s);
        return;
      }
      // The kubelet restarts the container with back-off (10 s doubling to 5 min): CrashLoopBackOff.
      s.restarts = (s.restarts ?? 0) + 1;
      s.lastTermination = { code, atMs: now, startedMs: s.containersStartedMs ?? s.startedMs };
      s.ready = false;
      const backoffMs = Math.min(300_000, 10_000 * 2 ** (s.restarts - 1));
      s.waiting = { reason: 'CrashLoopBackOff', backoffMs };
      this.write(s);
      this.due.schedule(`restart/${uid}`, now + backoffMs, () => {
        this.startContainers(s, restartPolicy, this.clock.now());
        this.write(s);
      });
    });
  }

  /** Sends the state's current status; writes for one pod never overlap and the last state always lands. */
  private write(state: PodState): void {
    if (state.writing) {
      state.dirty = true;
      return;
    }
    state.writing = (async () => {
      do {
        state.dirty = false;
        const pod = this.podInformer?.getByKey(state.key);
        if (!pod || pod.metadata?.uid !== state.uid || pod.metadata?.deletionTimestamp) return;
        const status = podStatusFor(pod, state, this.clock.now());
        const [ns, name] = [pod.metadata?.namespace ?? '', pod.metadata?.name ?? ''];
        try {
          await this.client
            .resource<Pod>(R.pods)
            .patchWithoutResult(ns, name, 'merge', { status }, { subresource: 'status' });
          state.writtenGist = podStatusGist(status);
        } catch (err) {
          if (hasReason(err, 'NotFound')) return;
          this.logger.warn('pod status update failed', { pod: state.key, error: String(err) });
        }
      } while (state.dirty && !this.stopping);
    })().finally(() => {
      state.writing = undefined;
    });
  }

  private async confirmDelete(pod: Pod): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.resource<Pod>(R.pods).delete(ns, name, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata?.uid ?? '' },
      });
    } catch (err) {
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict'))
        this.logger.warn('could not confirm pod deletion', { pod: `${ns}/${name}`, error: String(err) });
    }
  }

  private forget(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const state = this.pods.get(uid);
    for (const what of ['ready', 'exit', 'restart', 'delete']) this.due.cancel(`${what}/${uid}`);
    if (!state) return;
    this.pods.delete(uid);
    if (!state.exit) state.node.pool.release(state.podIP);
    this.cpu.delete(`${uid}/`);
  }

  private renderMetrics(index: number): string | undefined {
    const node = this.byIndex[index];
    if (!node || !this.podInformer) return undefined;
    const now = this.clock.now();
    const running = this.podInformer.byIndex('node', node.name).filter((p) => {
      const s = this.pods.get(p.metadata?.uid ?? '');
      return s !== undefined && !s.exit && !p.metadata?.deletionTimestamp;
    });
    const shares = this.currentShares(now);
    let nodeCpuMilli = NODE_BASELINE_CPU_MILLI;
    let nodeMemory = NODE_BASELINE_MEMORY_BYTES;
    const pods: PodSample[] = running.map((p) => {
      const uid = p.metadata?.uid ?? '';
      const state = this.pods.get(uid)!;
      const containers = podUsage(p, shares.get(uid)).map((c) => {
        nodeCpuMilli += c.cpuMilli;
        nodeMemory += c.memoryBytes;
        return {
          name: c.name,
          cpuSeconds: this.cpu.advance(`${uid}/${c.name}`, c.cpuMilli, now, state.startedMs),
          memoryBytes: c.memoryBytes,
        };
      });
      return {
        namespace: p.metadata?.namespace ?? '',
        name: p.metadata?.name ?? '',
        startMs: state.startedMs,
        containers,
      };
    });
    const cpuSeconds = this.cpu.advance(`node/${node.name}`, nodeCpuMilli, now);
    return renderResourceMetrics({ cpuSeconds, memoryBytes: nodeMemory, pods }, now);
  }

  /** Load is spread over every ready pod of an app on any node of this process; recomputed once a second. */
  private currentShares(now: number): Map<string, number> {
    if (this.shares && now - this.shares.atMs < 1000) return this.shares.byUid;
    const pods: Pod[] = [];
    for (const s of this.pods.values()) {
      const p = s.exit ? undefined : this.podInformer?.getByKey(s.key);
      if (p && !p.metadata?.deletionTimestamp) pods.push(p);
    }
    const byUid = loadShares(pods, (ns) => this.loadInformer?.get(ns, LOAD_CONFIGMAP));
    this.shares = { atMs: now, byUid };
    return byUid;
  }
}
