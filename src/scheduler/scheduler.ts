import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodCondition,
  ReplicationController,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { hasReason } from '../api/errors.js';
import { labelSelectorFromObject } from '../api/labels.js';
import { isPodTerminal } from '../api/pods.js';
import {
  R,
  type ApiClient,
  type EventRecorder,
  type Informer,
  type InformerFactory,
} from '../client/index.js';
import { rfc3339, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { SchedulerConfig } from './config.js';
import { SchedulerCache } from './framework/cache.js';
import type { ClusterView } from './framework/cluster-view.js';
import type { FitError } from './framework/fit-error.js';
import type { Framework } from './framework/framework.js';
import { PodInfo } from './framework/pod-info.js';
import { findPreemption, type Candidate, type DisruptionBudget } from './framework/preemption.js';
import { SchedulingQueue, type QueuedPod } from './framework/queue.js';
import { PodScheduler } from './framework/schedule-pod.js';
import type { CycleState } from './framework/types.js';
import { nodeSchedulingPropertiesChanged } from './node-events.js';
import { NominatedPods } from './nominator.js';

export interface SchedulerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  config: SchedulerConfig;
}

const BACKOFF_FLUSH_MS = 1000;
/**
 * Scheduling cycles run back to back for up to this long before the loop lets I/O in. One cycle per turn of
 * the event loop left the scheduler a single pod per round of watch events, bind responses and the thread's
 * other components: under a burst, pods waited seconds in the queue (5,000 hollow nodes: p50 0.9-1.6 s,
 * 510-555 pods/s; with the slice 60-90 ms and 550-620 pods/s).
 */
const SCHEDULING_SLICE_MS = 10;
const UNSCHEDULABLE_FLUSH_MS = 30_000;

function isAssigned(pod: Pod): boolean {
  return !!pod.spec?.nodeName;
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** Spec, labels or annotations changed (upstream isPodUpdated ignores status and bookkeeping). */
function schedulingRelevantChange(old: Pod, cur: Pod): boolean {
  return (
    JSON.stringify(old.spec) !== JSON.stringify(cur.spec) ||
    JSON.stringify(old.metadata?.labels) !== JSON.stringify(cur.metadata?.labels) ||
    JSON.stringify(old.metadata?.annotations) !== JSON.stringify(cur.metadata?.annotations)
  );
}

/**
 * kube-scheduler: watches pods, nodes and volumes; takes pending pods for its profiles off the queue one at a
 * time, places each with its profile's plugins, reserves the node in the cache (assume) and binds in the
 * background while the next pod is scheduled. A pod that fits nowhere may preempt lower-priority pods; either
 * way its PodScheduled condition and a FailedScheduling event say why, node by node.
 */
export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly nominated = new NominatedPods();
  private readonly profiles = new Map<string, Framework>();
  private readonly podScheduler: PodScheduler;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly pvcs: Informer<PersistentVolumeClaim>;
  private readonly pvs: Informer<PersistentVolume>;
  private readonly storageClasses: Informer<StorageClass>;
  private readonly namespaces: Informer<Namespace>;
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private readonly priorityClasses: Informer<PriorityClass>;
  private readonly view: ClusterView;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly binds = new Set<Promise<void>>();

  constructor(private readonly deps: SchedulerDeps) {
    for (const p of deps.config.profiles) this.profiles.set(p.name, p);
    this.queue = new SchedulingQueue(deps.clock, {
      initialBackoffMs: deps.config.podInitialBackoffMs,
      maxBackoffMs: deps.config.podMaxBackoffMs,
    });
    this.podScheduler = new PodScheduler(deps.config.percentageOfNodesToScore);
    const inf = deps.informers;
    this.pods = inf.informer<Pod>(R.pods);
    this.nodes = inf.informer<Node>(R.nodes);
    this.pvcs = inf.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.pvs = inf.informer<PersistentVolume>(R.persistentVolumes);
    this.storageClasses = inf.informer<StorageClass>(R.storageClasses);
    this.namespaces = inf.informer<Namespace>(R.namespaces);
    this.pdbs = inf.informer<PodDisruptionBudget>(R.podDisruptionBudgets);
    this.priorityClasses = inf.informer<PriorityClass>(R.priorityClasses);
    const services = inf.informer<Service>(R.services);
    const rcs = inf.informer<ReplicationController>(R.replicationControllers);
    const replicaSets = inf.informer<ReplicaSet>(R.replicaSets);
    const statefulSets = inf.informer<StatefulSet>(R.statefulSets);
    const cache = this.cache;
    this.view = {
      nodes: () => cache.nodes(),
      node: (name) => cache.node(name),
      nodesWithRequiredAntiAffinityPods: () => cache.nodesWithRequiredAntiAffinityPods(),
      nodesWithAffinityPods: () => cache.nodesWithAffinityPods(),
      imageNodeCount: (image) => cache.imageNodeCount(image),
      lowestPodPriority: () => cache.lowestPodPriority(),
      namespaceLabels: (ns) => this.namespaces.get('', ns)?.metadata?.labels,
      pvc: (ns, name) => this.pvcs.get(ns, name),
      isClaimInUse: (key) => cache.isClaimInUse(key),
      pv: (name) => this.pvs.get('', name),
      pvs: () => this.pvs.list(),
      storageClass: (name) => this.storageClasses.get('', name),
      services: (ns) => services.list(ns),
      replicationController: (ns, name) => rcs.get(ns, name),
      replicaSet: (ns, name) => replicaSets.get(ns, name),
      statefulSet: (ns, name) => statefulSets.get(ns, name),
    };
  }

  /** Pod priority: spec.priority, else its PriorityClass's value (the API server fills only system classes). */
  priorityOf(pod: Pod): number {
    if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
    const cls = pod.spec?.priorityClassName;
    if (cls) return this.priorityClasses.get('', cls)?.value ?? 0;
    return 0;
  }

  private responsible(pod: Pod): boolean {
    return this.profiles.has(pod.spec?.schedulerName ?? 'default-scheduler');
  }

  async start(): Promise<void> {
    this.running = true;
    // Pods' priorities are resolved as they arrive, so the classes must be known first.
    this.priorityClasses.start();
    await this.priorityClasses.waitForSync();
    if (!this.running) return;
    this.nodes.addEventHandler({
      add: (n) => {
        this.cache.addNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      update: (old, cur) => {
        this.cache.addNode(cur);
        if (nodeSchedulingPropertiesChanged(old, cur)) this.queue.moveAllToActiveOrBackoff();
      },
      delete: (n) => this.cache.removeNode(n.metadata?.name ?? ''),
    });
    this.pods.addEventHandler({
      add: (p) => this.onPod(undefined, p),
      update: (old, cur) => this.onPod(old, cur),
      delete: (p) => this.onPodDelete(p),
    });
    const moveAll = (): void => this.queue.moveAllToActiveOrBackoff();
    this.pvcs.addEventHandler({ add: moveAll, update: moveAll });
    this.pvs.addEventHandler({ add: moveAll, update: moveAll });
    this.storageClasses.addEventHandler({ add: moveAll, update: moveAll });
    this.deps.informers.start();
    await this.deps.informers.waitForSync();
    if (!this.running) return;
    this.timers.push(
      setInterval(() => this.queue.flushBackoffCompleted(), BACKOFF_FLUSH_MS),
      setInterval(() => this.queue.flushUnschedulableLeftover(), UNSCHEDULABLE_FLUSH_MS),
    );
    for (const t of this.timers) t.unref();
    this.loopDone = this.loop();
    this.deps.logger.info('scheduler started', { profiles: [...this.profiles.keys()] });
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.queue.close();
    await this.loopDone;
    await Promise.allSettled([...this.binds]);
    this.deps.informers.stop();
  }

  private onPod(old: Pod | undefined, cur: Pod): void {
    const key = keyOf(cur);
    if (isAssigned(cur)) {
      this.queue.delete(key);
      this.nominated.remove(key);
      if (isPodTerminal(cur)) {
        if (this.cache.hasPod(key)) {
          this.cache.removePod(key);
          this.queue.moveAllToActiveOrBackoff();
        }
        return;
      }
      this.cache.addPod(new PodInfo(cur, this.priorityOf(cur)), cur.spec!.nodeName!);
      if (
        old &&
        isAssigned(old) &&
        JSON.stringify(old.metadata?.labels) !== JSON.stringify(cur.metadata?.labels)
      ) {
        this.queue.moveAllToActiveOrBackoff();
      }
      return;
    }
    // A gated pod (spec.schedulingGates) waits outside the queue; the update removing its last gate adds it
    // (upstream's SchedulingGates PreEnqueue plugin).
    if (
      cur.metadata?.deletionTimestamp ||
      !this.responsible(cur) ||
      isPodTerminal(cur) ||
      (cur.spec?.schedulingGates?.length ?? 0) > 0
    ) {
      this.queue.delete(key);
      this.nominated.remove(key);
      return;
    }
    const info = new PodInfo(cur, this.priorityOf(cur));
    this.nominated.set(info, cur.status?.nominatedNodeName);
    if (!old) this.queue.add(info);
    else this.queue.update(info, schedulingRelevantChange(old, cur));
  }

  private onPodDelete(pod: Pod): void {
    const key = keyOf(pod);
    this.queue.delete(key);
    this.nominated.remove(key);
    if (this.cache.hasPod(key)) {
      this.cache.removePod(key);
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let qp = this.queue.pop();
      if (!qp) {
        await this.queue.wait();
        continue;
      }
      const sliceEnd = performance.now() + SCHEDULING_SLICE_MS;
      while (qp) {
        try {
          this.scheduleOne(qp);
        } catch (err) {
          this.deps.logger.error('scheduling cycle failed', { pod: qp.info.key, error: String(err) });
          this.queue.requeueWithBackoff(qp);
        }
        if (performance.now() >= sliceEnd) break;
        qp = this.queue.pop();
      }
      // Let watch events and bind responses in between slices.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One scheduling cycle: synchronous, so the cache cannot change under it. */
  scheduleOne(qp: QueuedPod): void {
    const info = qp.info;
    const key = info.key;
    const current = this.pods.getByKey(key);
    if (!current || isAssigned(current) || current.metadata?.deletionTimestamp || this.cache.hasPod(key)) {
      this.queue.done(key);
      return;
    }
    const fwk = this.profiles.get(info.pod.spec?.schedulerName ?? 'default-scheduler');
    if (!fwk) {
      this.queue.done(key);
      return;
    }
    const cycle = this.queue.cycle;
    const r = this.podScheduler.schedule(fwk, info, this.view, this.nominated);
    if ('fit' in r) {
      this.handleFailure(fwk, qp, r.fit, r.state, cycle);
      return;
    }
    const node = r.ok.node;
    this.cache.assumePod(info, node);
    this.nominated.remove(key);
    const bind = this.bind(fwk, qp, node).finally(() => this.binds.delete(bind));
    this.binds.add(bind);
  }

  private async bind(fwk: Framework, qp: QueuedPod, node: string): Promise<void> {
    const pod = qp.info.pod;
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      const pre = await fwk.runPreBind(qp.info, node, this.view, this.deps.client);
      if (pre) {
        this.cache.forgetPod(qp.info.key);
        const message = [...pre.reasons, pre.detail].filter(Boolean).join(': ');
        this.deps.events.event(
          asPod(pod),
          'Warning',
          'FailedScheduling',
          `running PreBind plugin "${pre.plugin}": ${message}`,
        );
        this.queue.requeueWithBackoff(qp);
        return;
      }
      await this.deps.client.resource(R.pods).createSubresource(ns, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata?.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.queue.done(qp.info.key);
      this.deps.events.event(
        asPod(pod),
        'Normal',
        'Scheduled',
        `Successfully assigned ${ns}/${name} to ${node}`,
      );
    } catch (err) {
      this.cache.forgetPod(qp.info.key);
      if (hasReason(err, 'NotFound')) {
        this.queue.done(qp.info.key);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.deps.logger.warn('binding failed', { pod: qp.info.key, node, error: message });
      this.deps.events.event(asPod(pod), 'Warning', 'FailedScheduling', `Binding rejected: ${message}`);
      this.queue.requeueWithBackoff(qp);
    }
  }

  private handleFailure(
    fwk: Framework,
    qp: QueuedPod,
    fit: FitError,
    state: CycleState,
    cycle: number,
  ): void {
    const info = qp.info;
    let nominatedNode: string | undefined;
    if (fwk.preemption && this.cache.nodeCount() > 0) {
      const outcome = findPreemption(fwk, state, info, fit, this.view, this.budgets());
      if ('candidate' in outcome) {
        nominatedNode = outcome.candidate.node;
        this.preempt(info, outcome.candidate);
      } else {
        fit.postFilterMsg = outcome.message;
      }
    }
    if (nominatedNode) this.nominated.set(info, nominatedNode);
    this.queue.addUnschedulable(qp, cycle);
    const summary = fit.message();
    this.deps.logger.debug('unschedulable', { pod: info.key, reason: summary });
    this.deps.events.event(
      asPod(info.pod),
      'Warning',
      'FailedScheduling',
      [summary, ...fit.details()].join('\n'),
    );
    void this.updateUnschedulableStatus(info.pod, summary, nominatedNode);
  }

  private budgets(): DisruptionBudget[] {
    return this.pdbs.list().map((b) => ({
      namespace: b.metadata?.namespace ?? '',
      selector: labelSelectorFromObject(b.spec?.selector),
      disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
    }));
  }

  /** Deletes the victims and clears weaker pods' nominations to the node (upstream prepareCandidate). */
  private preempt(preemptor: PodInfo, c: Candidate): void {
    const pods = this.deps.client.resource(R.pods);
    for (const v of c.victims) {
      this.deps.events.event(
        asPod(v.pod),
        'Normal',
        'Preempted',
        `Preempted by pod ${preemptor.uid} on node ${c.node}`,
      );
      void this.evict(v, preemptor);
    }
    for (const other of this.nominated.nominatedPodsOn(c.node)) {
      if (other.priority >= preemptor.priority || other.key === preemptor.key) continue;
      this.nominated.remove(other.key);
      void pods
        .patch(
          other.namespace,
          other.name,
          'merge',
          { status: { nominatedNodeName: null } },
          { subresource: 'status' },
        )
        .catch(() => undefined);
    }
  }

  /** Marks the victim (DisruptionTarget condition, as upstream) and deletes it with its grace period. */
  private async evict(victim: PodInfo, preemptor: PodInfo): Promise<void> {
    const pods = this.deps.client.resource(R.pods);
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: `${preemptor.pod.spec?.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod`,
      lastTransitionTime: rfc3339(this.deps.clock.now()),
    };
    try {
      await pods.patch(
        victim.namespace,
        victim.name,
        'strategic',
        { status: { conditions: [condition] } },
        { subresource: 'status' },
      );
      await pods.delete(victim.namespace, victim.name, { preconditions: { uid: victim.uid } });
    } catch (err) {
      if (hasReason(err, 'NotFound') || hasReason(err, 'Conflict')) return;
      this.deps.logger.warn('preemption: eviction failed', { pod: victim.key, error: String(err) });
    }
  }

  private async updateUnschedulableStatus(pod: Pod, message: string, nominatedNode?: string): Promise<void> {
    const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const unchanged =
      old?.status === 'False' &&
      old.reason === 'Unschedulable' &&
      old.message === message &&
      (!nominatedNode || pod.status?.nominatedNodeName === nominatedNode);
    if (unchanged) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastTransitionTime:
        old?.status === 'False' && old.lastTransitionTime
          ? old.lastTransitionTime
          : rfc3339(this.deps.clock.now()),
    };
    const status: Record<string, unknown> = { conditions: [{ ...condition, lastProbeTime: null }] };
    if (nominatedNode) status.nominatedNodeName = nominatedNode;
    try {
      await this.deps.client
        .resource(R.pods)
        .patch(
          pod.metadata?.namespace ?? '',
          pod.metadata?.name ?? '',
          'strategic',
          { status },
          { subresource: 'status' },
        );
    } catch (err) {
      if (!hasReason(err, 'NotFound')) {
        this.deps.logger.debug('pod status not updated', { pod: keyOf(pod), error: String(err) });
      }
    }
  }
}

/** Informer list items may lack kind/apiVersion, which events need for involvedObject. */
function asPod(pod: Pod): Pod {
  return pod.kind ? pod : { ...pod, kind: 'Pod', apiVersion: 'v1' };
}
