import { posix } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { hasReason } from '../../api/errors.js';
import { ANN_LOCAL_PATH_DIR, LOCAL_PATH_PROVISIONER } from '../../api/storage-classes.js';

export { ANN_LOCAL_PATH_DIR };
import { R, splitKey, type EventRecorder, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import { ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER } from './matching.js';
import { claimClass } from '../../api/storage-classes.js';

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The directory of one claim's volume: `<dir>/<pvc-uid>_<namespace>_<name>` (as k3s names them). */
export function localVolumePath(dir: string, pvc: PersistentVolumeClaim): string {
  const m = pvc.metadata ?? {};
  return posix.join(dir, `${m.uid ?? ''}_${m.namespace ?? ''}_${m.name ?? ''}`);
}

/** Upstream's name for a provisioned volume. */
export function provisionedVolumeName(pvc: PersistentVolumeClaim): string {
  return `pvc-${pvc.metadata?.uid ?? ''}`;
}

/** The PV for a claim on `node`: a local volume only that node can mount, bound in advance to the claim. */
export function localPathVolume(
  pvc: PersistentVolumeClaim,
  cls: StorageClass,
  node: { name: string; hostname: string },
  dir: string,
): PersistentVolume {
  const m = pvc.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: provisionedVolumeName(pvc),
      annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER },
    },
    spec: {
      capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '0' },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata?.name ?? '',
      volumeMode: 'Filesystem',
      ...(cls.mountOptions ? { mountOptions: cls.mountOptions } : {}),
      local: { path: localVolumePath(dir, pvc) },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node.hostname] }] },
          ],
        },
      },
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: m.namespace ?? '',
        name: m.name ?? '',
        uid: m.uid ?? '',
        resourceVersion: m.resourceVersion ?? '',
      },
    },
  };
}

/**
 * The built-in local-path provisioner's controller half: once the PV binder has handed a claim of a
 * `tugboat.dev/local-path` class to us (volume.kubernetes.io/storage-provisioner) and the scheduler has chosen
 * its node (volume.kubernetes.io/selected-node), creates a PV for a directory under that node's local-path dir,
 * pinned to the node and pre-bound to the claim; the binder then binds the two. The node's agent creates the
 * directory when it first mounts it and removes it (and deletes the PV) when a Delete-policy volume is Released.
 */
export class LocalPathProvisionerController extends QueueController {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly classes: Informer<StorageClass>;
  private readonly nodes: Informer<Node>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly recorder: EventRecorder;
  private readonly defaultDir: string | undefined;

  constructor(ctx: ControllerContext) {
    super('local-path-provisioner', ctx);
    const dir = ctx.options.localPathDir;
    this.defaultDir = typeof dir === 'string' && dir ? dir : undefined;
    this.recorder = ctx.events(LOCAL_PATH_PROVISIONER);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.classes = ctx.informers.informer<StorageClass>(R.storageClasses);
    this.nodes = ctx.informers.informer<Node>(R.nodes);
    this.volumes = ctx.informers.informer<PersistentVolume>(R.persistentVolumes);
    this.claims.addEventHandler({ add: (c) => this.enqueue(c), update: (_, c) => this.enqueue(c) });
    // A node publishing its directory late unblocks the claims waiting for it.
    this.nodes.addEventHandler({
      update: (old, cur) => {
        if (
          old.metadata?.annotations?.[ANN_LOCAL_PATH_DIR] === cur.metadata?.annotations?.[ANN_LOCAL_PATH_DIR]
        )
          return;
        for (const c of this.claims.list()) this.enqueue(c);
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pvc = this.claims.get(namespace, name);
    if (!pvc || pvc.metadata?.deletionTimestamp || pvc.spec?.volumeName) return;
    if (pvc.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    const cls = this.classes.get('', claimClass(pvc));
    if (cls?.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const nodeName = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (!nodeName) {
      return this.failed(
        pvc,
        'local-path volumes need volumeBindingMode WaitForFirstConsumer (no node selected)',
      );
    }
    if ((pvc.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') {
      return this.failed(pvc, 'local-path volumes support only volumeMode Filesystem');
    }
    const pvName = provisionedVolumeName(pvc);
    if (this.volumes.get('', pvName)) return;
    const node = this.nodes.get('', nodeName);
    const dir = node?.metadata?.annotations?.[ANN_LOCAL_PATH_DIR] ?? this.defaultDir;
    if (!dir) return this.failed(pvc, `node "${nodeName}" has no local-path directory`);
    const hostname = node?.metadata?.labels?.[HOSTNAME_LABEL] ?? nodeName;
    const pv = localPathVolume(pvc, cls, { name: nodeName, hostname }, dir);
    try {
      await this.ctx.client.resource<PersistentVolume>(R.persistentVolumes).create(pv);
    } catch (err) {
      if (hasReason(err, 'AlreadyExists')) return;
      throw err;
    }
    this.recorder.event(
      pvc,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${pvName} at ${pv.spec?.local?.path ?? ''} on node ${nodeName}`,
    );
  }

  private failed(pvc: PersistentVolumeClaim, message: string): void {
    this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', message);
  }
}
