import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { controllerOf } from '../../api/owners.js';
import { R, splitKey, type EventRecorder, type Informer, type SyncResult } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import {
  countHealthy,
  expectedPodCount,
  failSafeStatus,
  liveDisruptedPods,
  pdbStatus,
} from './pdb-status.js';

interface Scaled {
  metadata?: { uid?: string; ownerReferences?: { controller?: boolean; kind: string; uid: string }[] };
  spec?: { replicas?: number };
}

/**
 * Upstream's disruption controller: keeps each PodDisruptionBudget's status (currentHealthy, desiredHealthy,
 * expectedPods, disruptionsAllowed, disruptedPods, DisruptionAllowed condition) current from the pods it selects
 * and, for maxUnavailable and percentages, the scale of the pods' controllers. The eviction subresource reads
 * disruptionsAllowed and records disruptedPods; this controller drops those entries once the pod is deleted or
 * the eviction evidently failed.
 */
export class DisruptionController extends QueueController {
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly rcs: Informer<ReplicationController>;
  private readonly rss: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  private readonly statefulSets: Informer<StatefulSet>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('disruption-controller', ctx);
    this.recorder = ctx.events('controllermanager');
    this.pdbs = ctx.informers.informer<PodDisruptionBudget>(R.podDisruptionBudgets);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.rcs = ctx.informers.informer<ReplicationController>(R.replicationControllers);
    this.rss = ctx.informers.informer<ReplicaSet>(R.replicaSets);
    this.deployments = ctx.informers.informer<Deployment>(R.deployments);
    this.statefulSets = ctx.informers.informer<StatefulSet>(R.statefulSets);
    this.pdbs.addEventHandler({
      add: (p) => this.enqueue(p),
      update: (_, p) => this.enqueue(p),
    });
    this.pods.addEventHandler({
      add: (p) => this.podChanged(p),
      update: (old, p) => {
        this.podChanged(p);
        if (JSON.stringify(old.metadata?.labels) !== JSON.stringify(p.metadata?.labels)) this.podChanged(old);
      },
      delete: (p) => this.podChanged(p),
    });
    // Scale changes alter expectedPods for maxUnavailable and percentage budgets.
    const scaleChanged = (o: Scaled, n: Scaled): void => {
      if (o.spec?.replicas !== n.spec?.replicas) this.enqueueAllIn((n as Pod).metadata?.namespace ?? '');
    };
    this.rcs.addEventHandler({ update: scaleChanged });
    this.rss.addEventHandler({ update: scaleChanged });
    this.deployments.addEventHandler({ update: scaleChanged });
    this.statefulSets.addEventHandler({ update: scaleChanged });
  }

  private podChanged(pod: Pod): void {
    for (const pdb of this.pdbs.list(pod.metadata?.namespace ?? '')) {
      if (labelSelectorFromObject(pdb.spec?.selector).matches(pod.metadata?.labels ?? {})) this.enqueue(pdb);
    }
  }

  private enqueueAllIn(namespace: string): void {
    for (const pdb of this.pdbs.list(namespace)) this.enqueue(pdb);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb) return;
    const nowMs = this.ctx.clock.now();
    let status: PodDisruptionBudgetStatus;
    let recheckMs: number | undefined;
    try {
      const selector = labelSelectorFromObject(pdb.spec?.selector);
      const pods = this.pods.list(namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
      if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
      const counts = expectedPodCount(pdb, pods.length, () => this.expectedScale(pdb, pods));
      const live = liveDisruptedPods(pdb, pods, nowMs);
      recheckMs = live.recheckMs;
      status = pdbStatus(pdb, counts, countHealthy(pods, live.disrupted), live.disrupted, nowMs);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.recorder.event(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${message}`,
      );
      status = failSafeStatus(pdb, message, nowMs);
    }
    if (!sameStatus(pdb.status, status)) {
      await this.ctx.client
        .resource<PodDisruptionBudget>(R.podDisruptionBudgets)
        .updateStatus({ ...pdb, status });
    }
    return recheckMs === undefined ? undefined : { requeueAfterMs: Math.max(1, recheckMs - nowMs) };
  }

  /** Upstream getExpectedScale: the replicas of every controller of the selected pods, each counted once. */
  private expectedScale(pdb: PodDisruptionBudget, pods: readonly Pod[]): number {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata?.name ?? '');
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = this.controllerScale(pod.metadata?.namespace ?? '', ref.kind, ref.name, ref.uid);
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata?.name ?? ''}"`);
      scales.set(found.uid, found.replicas);
    }
    if (unmanaged.length > 0) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${labelSelectorFromObject(pdb.spec?.selector).toString()}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    let sum = 0;
    for (const n of scales.values()) sum += n;
    return sum;
  }

  /** The scale of a pod's controller; a ReplicaSet owned by a Deployment answers with the Deployment's. */
  private controllerScale(
    namespace: string,
    kind: string,
    name: string,
    uid: string,
  ): { uid: string; replicas: number } | undefined {
    const check = (obj: Scaled | undefined): { uid: string; replicas: number } | undefined =>
      obj && obj.metadata?.uid === uid ? { uid, replicas: obj.spec?.replicas ?? 1 } : undefined;
    switch (kind) {
      case 'ReplicationController':
        return check(this.rcs.get(namespace, name));
      case 'StatefulSet':
        return check(this.statefulSets.get(namespace, name));
      case 'ReplicaSet': {
        const rs = this.rss.get(namespace, name);
        if (!rs || rs.metadata?.uid !== uid) return undefined;
        const owner = controllerOf(rs);
        if (owner?.kind === 'Deployment') {
          const d = this.deployments.get(namespace, owner.name);
          if (d && d.metadata?.uid === owner.uid) return { uid: owner.uid, replicas: d.spec?.replicas ?? 1 };
          return undefined;
        }
        return { uid, replicas: rs.spec?.replicas ?? 1 };
      }
      default:
        return undefined;
    }
  }
}

function sameStatus(a: PodDisruptionBudgetStatus | undefined, b: PodDisruptionBudgetStatus): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: PodDisruptionBudgetStatus | undefined): unknown {
  if (!s) return undefined;
  const disrupted = Object.entries(s.disruptedPods ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return [
    s.observedGeneration ?? 0,
    s.disruptionsAllowed,
    s.currentHealthy,
    s.desiredHealthy,
    s.expectedPods,
    disrupted,
    (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message ?? '', c.observedGeneration ?? 0]),
  ];
}
