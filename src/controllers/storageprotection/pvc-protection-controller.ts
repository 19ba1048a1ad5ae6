import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { podClaims } from '../../api/ephemeral-volumes.js';
import { PVC_PROTECTION_FINALIZER } from '../../api/storage-protection.js';
import { R, splitKey, type Informer, type ResourceClient, type SyncResult } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { mustSetFinalizer } from '../finalizers.js';
import { QueueController } from '../queue-controller.js';

const BY_CLAIM = 'claim';

function isDeletionCandidate(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.metadata?.deletionTimestamp && !!pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER);
}

function needsFinalizer(pvc: PersistentVolumeClaim): boolean {
  return !pvc.metadata?.deletionTimestamp && !pvc.metadata?.finalizers?.includes(PVC_PROTECTION_FINALIZER);
}

/**
 * A pod the kubelet is done with: deleted with no grace left (its volumes unmounted), or force-deleted. Such a
 * pod no longer holds its claims, which also breaks a cycle of a pod finalizer waiting for a claim to go.
 */
function isShutDown(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/**
 * Whether the pod holds the claim: scheduled (a kubelet may have mounted it; an unscheduled pod will not be
 * scheduled onto a claim being deleted) and not shut down, naming it in a volume, or as its generic
 * ephemeral volume's claim when the claim is that pod's own. Finished pods still hold their claims.
 */
export function podUsesClaim(pod: Pod, pvc: PersistentVolumeClaim): boolean {
  if (!pod.spec?.nodeName || isShutDown(pod)) return false;
  if (pod.metadata?.namespace !== pvc.metadata?.namespace) return false;
  return podClaims(pod).some(
    (c) =>
      c.name === pvc.metadata?.name &&
      (!c.ephemeral ||
        pvc.metadata?.ownerReferences?.some((o) => o.controller && o.uid === pod.metadata?.uid) === true),
  );
}

/**
 * Upstream's pvc-protection controller: a claim being deleted keeps its `kubernetes.io/pvc-protection`
 * finalizer while a pod uses it, so the volume under a running pod is never released. The informer's pods are
 * asked first; a claim they show unused is checked against a live list of the namespace's pods before the
 * finalizer goes, since a pod created a moment ago may not have reached the informer. Claims without the
 * finalizer (created before the admission plugin added it) get it.
 */
export class PvcProtectionController extends QueueController {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly pods: Informer<Pod>;
  private readonly claimClient: ResourceClient<PersistentVolumeClaim>;

  constructor(ctx: ControllerContext) {
    super('pvc-protection-controller', ctx);
    this.claimClient = ctx.client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.pods.addIndexer(BY_CLAIM, (pod) =>
      podClaims(pod).map((c) => `${pod.metadata?.namespace ?? ''}/${c.name}`),
    );
    const claimChanged = (pvc: PersistentVolumeClaim): void => {
      if (isDeletionCandidate(pvc) || needsFinalizer(pvc)) this.enqueue(pvc);
    };
    this.claims.addEventHandler({ add: claimChanged, update: (_, pvc) => claimChanged(pvc) });
    const podChanged = (pod: Pod): void => {
      for (const c of podClaims(pod)) {
        const pvc = this.claims.get(pod.metadata?.namespace ?? '', c.name);
        if (pvc && isDeletionCandidate(pvc)) this.enqueue(pvc);
      }
    };
    this.pods.addEventHandler({ add: podChanged, update: (_, pod) => podChanged(pod), delete: podChanged });
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const pvc = this.claims.getByKey(key);
    if (!pvc) return;
    if (isDeletionCandidate(pvc)) {
      if (await this.isInUse(key, pvc)) return;
      await mustSetFinalizer(this.claimClient, pvc, PVC_PROTECTION_FINALIZER, false, 'update');
    } else if (needsFinalizer(pvc)) {
      await mustSetFinalizer(this.claimClient, pvc, PVC_PROTECTION_FINALIZER, true, 'update');
    }
  }

  private async isInUse(key: string, pvc: PersistentVolumeClaim): Promise<boolean> {
    if (this.pods.byIndex(BY_CLAIM, key).some((pod) => podUsesClaim(pod, pvc))) return true;
    const { namespace } = splitKey(key);
    const live = await this.ctx.client.resource<Pod>(R.pods).listAll(namespace);
    return live.items.some((pod) => podUsesClaim(pod, pvc));
  }
}
