import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { PV_PROTECTION_FINALIZER } from '../../api/storage-protection.js';
import { R, type Informer, type ResourceClient, type SyncResult } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { mustSetFinalizer } from '../finalizers.js';
import { QueueController } from '../queue-controller.js';

function isDeletionCandidate(pv: PersistentVolume): boolean {
  return !!pv.metadata?.deletionTimestamp && !!pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER);
}

function needsFinalizer(pv: PersistentVolume): boolean {
  return !pv.metadata?.deletionTimestamp && !pv.metadata?.finalizers?.includes(PV_PROTECTION_FINALIZER);
}

/**
 * Upstream's pv-protection controller: a volume being deleted keeps its `kubernetes.io/pv-protection`
 * finalizer while it is Bound to a claim, and loses it once it is not (Available, Released, Failed); volumes
 * without the finalizer get it.
 */
export class PvProtectionController extends QueueController {
  private readonly volumes: Informer<PersistentVolume>;
  private readonly volumeClient: ResourceClient<PersistentVolume>;

  constructor(ctx: ControllerContext) {
    super('pv-protection-controller', ctx);
    this.volumeClient = ctx.client.resource<PersistentVolume>(R.persistentVolumes);
    this.volumes = ctx.informers.informer<PersistentVolume>(R.persistentVolumes);
    const changed = (pv: PersistentVolume): void => {
      if (isDeletionCandidate(pv) || needsFinalizer(pv)) this.enqueue(pv);
    };
    this.volumes.addEventHandler({ add: changed, update: (_, pv) => changed(pv) });
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const pv = this.volumes.getByKey(key);
    if (!pv) return;
    if (isDeletionCandidate(pv)) {
      if (pv.status?.phase === 'Bound') return;
      await mustSetFinalizer(this.volumeClient, pv, PV_PROTECTION_FINALIZER, false, 'update');
    } else if (needsFinalizer(pv)) {
      await mustSetFinalizer(this.volumeClient, pv, PV_PROTECTION_FINALIZER, true, 'update');
    }
  }
}
