import { hasReason } from '../../api/errors.js';
import type { LabelSelector } from '../../api/labels.js';
import type { OwnerReference } from '../../api/meta.js';
import { controllerOf } from '../../api/owners.js';
import type { ClientObject, ResourceClient } from '../../client/index.js';

interface Claimable extends ClientObject {
  metadata?: ClientObject['metadata'] & {
    labels?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    deletionTimestamp?: string;
  };
}

interface Owner {
  metadata?: { uid?: string; deletionTimestamp?: string | null };
}

export interface ClaimOptions<T extends Claimable> {
  owner: Owner;
  selector: LabelSelector;
  /** The controller reference to put on adopted objects. */
  controllerRef: OwnerReference;
  client: ResourceClient<T>;
  /** A fresh (uncached) check that the owner still exists and is not being deleted; asked once, lazily. */
  canAdopt(): Promise<boolean>;
  /** Finalizers the owner keeps on what it controls: added on adoption, removed on release (Jobs' tracking). */
  finalizers?: string[];
}

/**
 * Upstream RecheckDeletionTimestamp, the usual `canAdopt`: an uncached read shows the owner still exists (same
 * uid) and is not being deleted.
 */
export async function ownerStillLive<O extends Owner & ClientObject>(
  client: ResourceClient<O>,
  owner: { metadata?: { namespace?: string; name?: string; uid?: string } },
): Promise<boolean> {
  try {
    const fresh = await client.get(owner.metadata?.namespace ?? '', owner.metadata?.name ?? '');
    return fresh.metadata?.uid === owner.metadata?.uid && !fresh.metadata?.deletionTimestamp;
  } catch (err) {
    if (hasReason(err, 'NotFound')) return false;
    throw err;
  }
}

/**
 * Upstream ControllerRefManager.ClaimObjects: keep the objects this owner controls that still match its
 * selector, release those that no longer match (unless the owner is being deleted), and adopt matching
 * orphans with a patch that adds the controller reference. Returns the claimed objects.
 */
export async function claimObjects<T extends Claimable>(objects: T[], opts: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = opts.owner.metadata?.uid ?? '';
  const ownerDeleting = !!opts.owner.metadata?.deletionTimestamp;
  let adoptable: boolean | undefined;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  for (const obj of objects) {
    const meta = obj.metadata ?? {};
    const matches = opts.selector.matches(meta.labels);
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await opts.client.patch(meta.namespace ?? '', meta.name ?? '', 'strategic', {
          metadata: {
            ownerReferences: [{ $patch: 'delete', uid: ownerUid }],
            uid: meta.uid,
            ...(opts.finalizers?.length ? { '$deleteFromPrimitiveList/finalizers': opts.finalizers } : {}),
          },
        });
      } catch (err) {
        if (!hasReason(err, 'NotFound') && !hasReason(err, 'Invalid')) errors.push(err);
      }
      continue;
    }
    if (ownerDeleting || !matches || meta.deletionTimestamp) continue;
    adoptable ??= await opts.canAdopt();
    if (!adoptable) continue;
    try {
      claimed.push(
        await opts.client.patch(meta.namespace ?? '', meta.name ?? '', 'strategic', {
          metadata: {
            ownerReferences: [opts.controllerRef],
            uid: meta.uid,
            ...(opts.finalizers?.length ? { finalizers: opts.finalizers } : {}),
          },
        }),
      );
    } catch (err) {
      if (!hasReason(err, 'NotFound')) errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}
