import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { hasReason } from '../../api/errors.js';
import {
  R,
  objectKey,
  splitKey,
  type EventRecorder,
  type Informer,
  type SyncResult,
} from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  findMatchingVolume,
  isVolumeBoundToClaim,
} from './matching.js';
import { claimClass } from '../../api/storage-classes.js';

const CLAIM = 'claim:';
const VOLUME = 'volume:';
const CLAIM_REF_INDEX = 'claimRef';

function claimsOfPod(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  return (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [`${ns}/${v.persistentVolumeClaim.claimName}`] : [],
  );
}

/**
 * Upstream's PersistentVolume controller, binding half: binds Pending claims to the smallest fitting Available
 * volume (class, access modes, capacity, selector, volume mode) or to the volume they or it name; keeps both
 * sides' phases; releases a volume when its claim goes, then keeps it (Retain) or deletes it (Delete, unless an
 * external provisioner made it and deletes it itself). Claims of WaitForFirstConsumer classes wait until a pod
 * using them is on a node (volume.kubernetes.io/selected-node); claims no volume fits are annotated for their
 * class's external provisioner.
 */
export class PersistentVolumeBinderController extends QueueController {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;
  private readonly resyncMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(ctx: ControllerContext) {
    super('persistentvolume-binder-controller', ctx);
    const period = ctx.options.pvClaimBinderSyncPeriodMs;
    this.resyncMs = typeof period === 'number' && period > 0 ? period : 15_000;
    this.recorder = ctx.events('persistentvolume-controller');
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.volumes = ctx.informers.informer<PersistentVolume>(R.persistentVolumes);
    this.classes = ctx.informers.informer<StorageClass>(R.storageClasses);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.volumes.addIndexer(CLAIM_REF_INDEX, (pv) => {
      const ref = pv.spec?.claimRef;
      return ref ? [`${ref.namespace ?? ''}/${ref.name ?? ''}`] : [];
    });
    const claimChanged = (pvc: PersistentVolumeClaim): void => {
      this.queue.add(CLAIM + objectKey(pvc));
      for (const pv of this.volumes.byIndex(CLAIM_REF_INDEX, objectKey(pvc))) this.addVolume(pv);
    };
    this.claims.addEventHandler({
      add: claimChanged,
      update: (_, c) => claimChanged(c),
      delete: claimChanged,
    });
    const volumeChanged = (pv: PersistentVolume): void => {
      this.addVolume(pv);
      const ref = pv.spec?.claimRef;
      if (ref) this.queue.add(`${CLAIM}${ref.namespace ?? ''}/${ref.name ?? ''}`);
    };
    this.volumes.addEventHandler({
      add: volumeChanged,
      update: (_, v) => volumeChanged(v),
      delete: volumeChanged,
    });
    const podChanged = (pod: Pod): void => {
      if (!pod.spec?.nodeName) return;
      for (const key of claimsOfPod(pod)) this.queue.add(CLAIM + key);
    };
    this.pods.addEventHandler({ add: podChanged, update: (_, p) => podChanged(p) });
  }

  private addVolume(pv: PersistentVolume): void {
    this.queue.add(VOLUME + (pv.metadata?.name ?? ''));
  }

  override run(): void {
    super.run();
    this.timer ??= setInterval(() => {
      for (const key of this.claims.keys()) this.queue.add(CLAIM + key);
      for (const key of this.volumes.keys()) this.queue.add(VOLUME + key);
    }, this.resyncMs);
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    await super.stop();
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    if (key.startsWith(CLAIM)) {
      const { namespace, name } = splitKey(key.slice(CLAIM.length));
      const pvc = this.claims.get(namespace, name);
      if (pvc) await this.syncClaim(pvc);
    } else if (key.startsWith(VOLUME)) {
      const pv = this.volumes.get('', key.slice(VOLUME.length));
      if (pv) await this.syncVolume(pv);
    }
  }

  // ---- claims ----

  private async syncClaim(pvc: PersistentVolumeClaim): Promise<void> {
    if (pvc.metadata?.annotations?.[ANN_BIND_COMPLETED]) return this.syncBoundClaim(pvc);
    const volumeName = pvc.spec?.volumeName;
    if (volumeName) {
      const pv = this.volumes.get('', volumeName);
      if (!pv) return this.claimPending(pvc);
      if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) return this.bind(pv, pvc);
      this.recorder.event(
        pvc,
        'Warning',
        'FailedBinding',
        `volume "${volumeName}" already bound to a different claim.`,
      );
      return this.claimPending(pvc);
    }

    const className = claimClass(pvc);
    const cls = className ? this.classes.get('', className) : undefined;
    const delayBinding = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    let selectedNode = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (delayBinding && !selectedNode) {
      // The scheduler's VolumeBinding PreBind writes the node; this covers pods placed without the scheduler
      // (spec.nodeName set by their author): the node of the first such pod using the claim.
      const user = this.pods
        .list(pvc.metadata?.namespace ?? '')
        .find(
          (p) =>
            p.spec?.nodeName && claimsOfPod(p).includes(objectKey(pvc)) && !p.metadata?.deletionTimestamp,
        );
      if (user?.spec?.nodeName) {
        selectedNode = user.spec.nodeName;
        pvc = await this.annotateClaim(pvc, { [ANN_SELECTED_NODE]: selectedNode });
      }
    }
    const node = selectedNode ? this.nodes.get('', selectedNode) : undefined;
    const pv = findMatchingVolume(pvc, this.volumes.list(), {
      delayBinding,
      ...(selectedNode ? { node: node ?? { metadata: { name: selectedNode } } } : {}),
    });
    if (pv) return this.bind(pv, pvc);

    if (delayBinding && !selectedNode) {
      this.recorder.event(
        pvc,
        'Normal',
        'WaitForFirstConsumer',
        'waiting for first consumer to be created before binding',
      );
    } else if (className) {
      await this.askProvisioner(pvc, className, cls);
      return;
    } else {
      this.recorder.event(
        pvc,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
    }
    await this.claimPending(pvc);
  }

  /** Dynamic provisioning is an external provisioner's job: name it on the claim, as upstream provisionClaim does. */
  private async askProvisioner(
    pvc: PersistentVolumeClaim,
    className: string,
    cls: StorageClass | undefined,
  ): Promise<void> {
    if (!cls) {
      this.recorder.event(
        pvc,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${className}" not found`,
      );
      return this.claimPending(pvc);
    }
    const provisioner = cls.provisioner;
    if (provisioner === 'kubernetes.io/no-provisioner') {
      this.recorder.event(
        pvc,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
      return this.claimPending(pvc);
    }
    if (pvc.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      pvc = await this.annotateClaim(pvc, {
        [ANN_STORAGE_PROVISIONER]: provisioner,
        [ANN_BETA_STORAGE_PROVISIONER]: provisioner,
      });
    }
    this.recorder.event(
      pvc,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    return this.claimPending(pvc);
  }

  private async syncBoundClaim(pvc: PersistentVolumeClaim): Promise<void> {
    const volumeName = pvc.spec?.volumeName;
    const pv = volumeName ? this.volumes.get('', volumeName) : undefined;
    if (!pv) {
      // The cache may lag behind a just-created volume: ask the API before declaring it lost.
      if (volumeName && (await this.volumeExists(volumeName))) return;
      return this.claimLost(
        pvc,
        'ClaimLost',
        'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
      );
    }
    if (!pv.spec?.claimRef || isVolumeBoundToClaim(pv, pvc)) return this.bind(pv, pvc);
    return this.claimLost(
      pvc,
      'ClaimMisbound',
      'Two claims are bound to the same volume, this one is bound incorrectly',
    );
  }

  private async volumeExists(name: string): Promise<boolean> {
    try {
      await this.ctx.client.resource<PersistentVolume>(R.persistentVolumes).get('', name);
      return true;
    } catch (err) {
      if (hasReason(err, 'NotFound')) return false;
      throw err;
    }
  }

  private async claimPending(pvc: PersistentVolumeClaim): Promise<void> {
    if (pvc.status?.phase === 'Pending') return;
    await this.claimStatus(pvc, { ...pvc.status, phase: 'Pending' });
  }

  private async claimLost(pvc: PersistentVolumeClaim, reason: string, message: string): Promise<void> {
    if (pvc.status?.phase === 'Lost') return;
    this.recorder.event(pvc, 'Warning', reason, message);
    await this.claimStatus(pvc, { ...pvc.status, phase: 'Lost' });
  }

  private claimStatus(
    pvc: PersistentVolumeClaim,
    status: PersistentVolumeClaim['status'],
  ): Promise<PersistentVolumeClaim> {
    return this.ctx.client
      .resource<PersistentVolumeClaim>(R.persistentVolumeClaims)
      .updateStatus({ ...pvc, ...(status ? { status } : {}) });
  }

  private annotateClaim(
    pvc: PersistentVolumeClaim,
    annotations: Record<string, string>,
  ): Promise<PersistentVolumeClaim> {
    return this.ctx.client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims).update({
      ...pvc,
      metadata: { ...pvc.metadata, annotations: { ...pvc.metadata?.annotations, ...annotations } },
    });
  }

  /** Upstream bind(): volume first (claimRef, phase Bound), then the claim (volumeName, annotations, status). */
  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    const volumes = this.ctx.client.resource<PersistentVolume>(R.persistentVolumes);
    const claims = this.ctx.client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== pvc.metadata?.uid) {
      const annotations = { ...pv.metadata?.annotations };
      if (!ref) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pv = await volumes.update({
        ...pv,
        metadata: { ...pv.metadata, annotations },
        spec: {
          ...pv.spec,
          claimRef: {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            namespace: pvc.metadata?.namespace ?? '',
            name: pvc.metadata?.name ?? '',
            uid: pvc.metadata?.uid ?? '',
            resourceVersion: pvc.metadata?.resourceVersion ?? '',
          },
        },
      });
    }
    if (pv.status?.phase !== 'Bound')
      pv = await volumes.updateStatus({ ...pv, status: { ...pv.status, phase: 'Bound' } });

    const volumeName = pv.metadata?.name ?? '';
    if (pvc.spec?.volumeName !== volumeName || !pvc.metadata?.annotations?.[ANN_BIND_COMPLETED]) {
      const annotations: Record<string, string> = {
        ...pvc.metadata?.annotations,
        [ANN_BIND_COMPLETED]: 'yes',
      };
      if (!pvc.spec?.volumeName) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pvc = await claims.update({
        ...pvc,
        metadata: { ...pvc.metadata, annotations },
        spec: { ...pvc.spec, volumeName },
      });
    }
    const status = pvc.status ?? {};
    if (
      status.phase !== 'Bound' ||
      JSON.stringify(status.capacity) !== JSON.stringify(pv.spec?.capacity) ||
      JSON.stringify(status.accessModes) !== JSON.stringify(pv.spec?.accessModes)
    ) {
      await this.claimStatus(pvc, {
        ...status,
        phase: 'Bound',
        ...(pv.spec?.accessModes ? { accessModes: pv.spec.accessModes } : {}),
        ...(pv.spec?.capacity ? { capacity: pv.spec.capacity } : {}),
      });
    }
  }

  // ---- volumes ----

  private async syncVolume(pv: PersistentVolume): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (!ref || !ref.uid) {
      // Free, or pre-bound to a claim by name that the claim's sync will pick up.
      if (pv.status?.phase !== 'Available') await this.volumePhase(pv, 'Available');
      return;
    }
    let claim = this.claims.get(ref.namespace ?? '', ref.name ?? '');
    if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
    if (!claim) {
      if (await this.claimExists(ref.namespace ?? '', ref.name ?? '', ref.uid)) return;
      return this.release(pv);
    }
    if (!claim.spec?.volumeName || claim.spec.volumeName === pv.metadata?.name) {
      if (pv.status?.phase !== 'Bound') await this.volumePhase(pv, 'Bound');
      return;
    }
    // The claim went to another volume: give this one back if we bound it.
    if (pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) {
      const annotations = { ...pv.metadata.annotations };
      delete annotations[ANN_BOUND_BY_CONTROLLER];
      const spec = { ...pv.spec };
      delete spec.claimRef;
      const freed = await this.ctx.client
        .resource<PersistentVolume>(R.persistentVolumes)
        .update({ ...pv, metadata: { ...pv.metadata, annotations }, spec });
      await this.volumePhase(freed, 'Available');
    }
  }

  private async claimExists(namespace: string, name: string, uid: string): Promise<boolean> {
    try {
      const c = await this.ctx.client
        .resource<PersistentVolumeClaim>(R.persistentVolumeClaims)
        .get(namespace, name);
      return c.metadata?.uid === uid;
    } catch (err) {
      if (hasReason(err, 'NotFound')) return false;
      throw err;
    }
  }

  /** The claim is gone: Released, then the reclaim policy. */
  private async release(pv: PersistentVolume): Promise<void> {
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed')
      pv = await this.volumePhase(pv, 'Released');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      // Volumes an external provisioner made are deleted by that provisioner (it frees the storage too).
      if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) return;
      try {
        await this.ctx.client
          .resource<PersistentVolume>(R.persistentVolumes)
          .delete('', pv.metadata?.name ?? '');
      } catch (err) {
        if (!hasReason(err, 'NotFound')) throw err;
      }
    } else if (policy === 'Recycle' && pv.status?.phase !== 'Failed') {
      this.recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'Recycle is not supported');
      await this.volumePhase(pv, 'Failed', 'Recycle is not supported');
    }
  }

  private volumePhase(pv: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume> {
    return this.ctx.client.resource<PersistentVolume>(R.persistentVolumes).updateStatus({
      ...pv,
      status: { ...pv.status, phase, ...(message ? { message } : {}) },
    });
  }
}
