import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import { ephemeralClaimName } from '../../api/ephemeral-volumes.js';
import { controllerOf, isControlledBy, newControllerRef } from '../../api/owners.js';
import { R, type EventRecorder, type Informer, type ResourceClient } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';

function hasEphemeralVolumes(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.ephemeral);
}

/**
 * Upstream's ephemeral volume controller: for each generic ephemeral volume of a pod that is not being
 * deleted, creates the claim `<pod>-<volume>` from the volume's claim template, owned by the pod (so the
 * garbage collector deletes it with the pod). A claim of that name the pod does not own is left alone: the
 * pod then cannot start, as upstream.
 */
export class EphemeralVolumeController extends QueueController {
  private readonly pods: Informer<Pod>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly claimClient: ResourceClient<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('ephemeral-volume-controller', ctx);
    this.pods = ctx.informers.informer<Pod>(R.pods);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.claimClient = ctx.client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims);
    this.recorder = ctx.events('ephemeral_volume');
    const onPod = (pod: Pod): void => {
      if (hasEphemeralVolumes(pod) && !pod.metadata?.deletionTimestamp) this.enqueue(pod);
    };
    this.pods.addEventHandler({ add: onPod, update: (_, pod) => onPod(pod) });
    // A claim deleted under a running pod is made again.
    this.claims.addEventHandler({
      delete: (claim) => {
        const owner = controllerOf(claim);
        if (owner?.kind !== 'Pod') return;
        const pod = this.pods.get(claim.metadata?.namespace ?? '', owner.name);
        if (pod && isControlledBy(claim, pod)) onPod(pod);
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || pod.metadata?.deletionTimestamp) return;
    const namespace = pod.metadata?.namespace ?? '';
    for (const volume of pod.spec?.volumes ?? []) {
      const template = volume.ephemeral?.volumeClaimTemplate;
      if (!template) continue;
      const name = ephemeralClaimName(pod, volume);
      const existing = this.claims.get(namespace, name);
      if (existing) {
        if (!isControlledBy(existing, pod)) {
          throw new Error(
            `PVC ${namespace}/${name} was not created for pod ${namespace}/${pod.metadata?.name ?? ''} (pod is not owner)`,
          );
        }
        continue;
      }
      try {
        await this.claimClient.create({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name,
            namespace,
            ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
            ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
            ownerReferences: [newControllerRef(pod, 'v1', 'Pod')],
          },
          spec: template.spec,
        });
      } catch (err) {
        // AlreadyExists: the informer has not seen the claim yet; the retry looks again.
        if (!hasReason(err, 'AlreadyExists')) {
          const text = err instanceof Error ? err.message : String(err);
          this.recorder.event(pod, 'Warning', 'FailedBinding', `PVC creation failed: ${text}`);
        }
        throw err;
      }
    }
  }
}
