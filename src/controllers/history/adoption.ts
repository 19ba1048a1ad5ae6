import type { OwnerReference } from '../../api/meta.js';
import { hasReason } from '../../api/errors.js';
import { controllerOf } from '../../api/owners.js';
import type { ClientObject, ResourceClient } from '../../client/index.js';

interface Claimable extends ClientObject {
  metadata?: ClientObject['metadata'] & { ownerReferences?: OwnerReference[]; deletionTimestamp?: string };
}

/**
 * Upstream's ControllerRefManager for one parent: of `candidates` (objects in the parent's namespace), keeps
 * those it controls that still match, adopts orphans that match (unless the parent or the object is being
 * deleted) and releases the ones it controls that no longer match. Returns what the parent now controls.
 */
export async function claimObjects<T extends Claimable>(
  client: ResourceClient<T>,
  parentRef: OwnerReference,
  parentDeleting: boolean,
  candidates: readonly T[],
  matches: (obj: T) => boolean,
): Promise<T[]> {
  const claimed: T[] = [];
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const refs = obj.metadata?.ownerReferences ?? [];
    if (ref) {
      if (ref.uid !== parentRef.uid) continue;
      if (matches(obj) || parentDeleting) {
        claimed.push(obj);
        continue;
      }
      await patchRefs(
        client,
        obj,
        ns,
        name,
        refs.filter((r) => r.uid !== parentRef.uid),
      );
      continue;
    }
    if (parentDeleting || obj.metadata?.deletionTimestamp || !matches(obj)) continue;
    const adopted = await patchRefs(client, obj, ns, name, [
      ...refs.filter((r) => r.uid !== parentRef.uid),
      parentRef,
    ]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function patchRefs<T extends Claimable>(
  client: ResourceClient<T>,
  obj: T,
  ns: string,
  name: string,
  ownerReferences: OwnerReference[],
): Promise<T | undefined> {
  try {
    // resourceVersion makes this a compare-and-swap: a concurrent change fails with Conflict and is retried.
    return await client.patch(ns, name, 'merge', {
      metadata: { ownerReferences, resourceVersion: obj.metadata?.resourceVersion },
    });
  } catch (err) {
    if (hasReason(err, 'NotFound')) return undefined;
    throw err;
  }
}
