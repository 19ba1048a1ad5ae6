import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { OwnerReference } from '../../api/meta.js';
import { controllerOf, newControllerRef } from '../../api/owners.js';
import {
  objectKey,
  R,
  splitKey,
  type EventRecorder,
  type Informer,
  type ResourceClient,
  type SyncResult,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { claimObjects, ownerStillLive } from '../replicaset/claim.js';
import { Rollout } from './rollout.js';
import { cloneJson } from '../../api/meta.js';

/**
 * Upstream's Deployment controller (pkg/controller/deployment): owns ReplicaSets named after the pod template
 * hash and moves replicas between them by the Deployment's strategy. Event handlers only enqueue; the
 * reconcile itself lives in Rollout.
 */
export class DeploymentController extends QueueController {
  readonly deployments: Informer<Deployment>;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  readonly deploymentClient: ResourceClient<Deployment>;
  readonly rsClient: ResourceClient<ReplicaSet>;
  readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('deployment', ctx);
    this.deployments = ctx.informers.informer<Deployment>(R.deployments);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(R.replicaSets);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.deploymentClient = ctx.client.resource<Deployment>(R.deployments);
    this.rsClient = ctx.client.resource<ReplicaSet>(R.replicaSets);
    this.recorder = ctx.events('deployment-controller');

    this.deployments.addEventHandler({
      add: (d) => this.enqueue(d),
      update: (_, d) => this.enqueue(d),
      delete: (d) => this.enqueue(d),
    });
    this.replicaSets.addEventHandler({
      add: (rs) => this.addReplicaSet(rs),
      update: (old, cur) => this.updateReplicaSet(old, cur),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.pods.addEventHandler({ delete: (p) => this.deletePod(p) });
  }

  private resolve(namespace: string, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  private deploymentsSelecting(rs: ReplicaSet): Deployment[] {
    return this.deployments.list(rs.metadata?.namespace ?? '').filter((d) => {
      const sel = d.spec?.selector;
      return sel && !isEmptySelector(sel) && labelSelectorFromObject(sel).matches(rs.metadata?.labels);
    });
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata?.deletionTimestamp) {
      this.deleteReplicaSet(rs);
      return;
    }
    const ref = controllerOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata?.namespace ?? '', ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const ns = cur.metadata?.namespace ?? '';
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const d = this.resolve(ns, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolve(ns, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.deploymentsSelecting(cur)) this.enqueue(d);
  }

  private deleteReplicaSet(rs: ReplicaSet): void {
    const d = this.resolve(rs.metadata?.namespace ?? '', controllerOf(rs));
    if (d) this.enqueue(d);
  }

  /** Recreate waits for old pods to be gone, so their deletions matter. */
  private deletePod(pod: Pod): void {
    const ns = pod.metadata?.namespace ?? '';
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(ns, ref.name);
    if (!rs || rs.metadata?.uid !== ref.uid) return;
    const d = this.resolve(ns, controllerOf(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const d = cloneJson(cached);
    if (isEmptySelector(d.spec?.selector)) {
      this.recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata?.generation ?? 0 };
        await this.deploymentClient.updateStatus(d);
      }
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    return new Rollout(this, d, rsList).run();
  }

  /** ReplicaSets this Deployment controls, adopting matching orphans and releasing non-matching ones. */
  private claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata?.namespace ?? '';
    return claimObjects(this.replicaSets.list(ns), {
      owner: d,
      selector: labelSelectorFromObject(d.spec?.selector),
      controllerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      client: this.rsClient,
      canAdopt: () => ownerStillLive(this.deploymentClient, d),
    });
  }

  /** Requeue a deployment after a delay (progress deadline checks). */
  enqueueAfter(d: Deployment, ms: number): void {
    this.queue.addAfter(objectKey(d), ms);
  }

  get clock(): ControllerContext['clock'] {
    return this.ctx.clock;
  }
}

function isEmptySelector(sel: LabelSelector | undefined): boolean {
  if (!sel) return false;
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}
