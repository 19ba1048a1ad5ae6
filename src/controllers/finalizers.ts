import { hasReason } from '../api/errors.js';
import type { ClientObject, ResourceClient } from '../client/index.js';

/** An object whose finalizers can be read. */
type Finalizable = ClientObject & { metadata?: { finalizers?: string[] } };

/**
 * How a finalizer is written: a JSON patch that tests the finalizers read (or, where there were none, the
 * resourceVersion), which other changes to the object do not disturb; or an update of the object read, as
 * upstream's controllers whose roles grant `update` only.
 */
export type FinalizerWrite = 'patch' | 'update';

/**
 * Adds or removes one finalizer so that a finalizer another writer changed in the meantime is never lost: on a
 * conflicting change it reads the object again and retries, three times at most (false when that was not
 * enough). An object already gone, or already as wanted, needs nothing.
 */
export async function setFinalizer<T extends Finalizable>(
  client: ResourceClient<T>,
  obj: T,
  finalizer: string,
  present: boolean,
  write: FinalizerWrite = 'patch',
): Promise<boolean> {
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  let current: T = obj;
  for (let attempt = 0; ; attempt++) {
    const finalizers = current.metadata?.finalizers ?? [];
    if (finalizers.includes(finalizer) === present) return true;
    const next = present ? [...finalizers, finalizer] : finalizers.filter((f) => f !== finalizer);
    try {
      if (write === 'update') {
        await client.update({ ...current, metadata: { ...current.metadata, finalizers: next } });
      } else {
        await client.patch(namespace, name, 'json', finalizerPatch(current, next));
      }
      return true;
    } catch (err) {
      if (hasReason(err, 'NotFound')) return true;
      // A failed test or a stale resourceVersion (the object changed since it was read): read it again.
      const stale = hasReason(err, 'Invalid') || hasReason(err, 'BadRequest') || hasReason(err, 'Conflict');
      if (!stale) throw err;
      if (attempt >= 2) return false;
      try {
        current = await client.get(namespace, name);
      } catch (e) {
        if (hasReason(e, 'NotFound')) return true;
        throw e;
      }
    }
  }
}

function finalizerPatch(current: Finalizable, next: string[]): object[] {
  const finalizers = current.metadata?.finalizers;
  return finalizers
    ? [
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: next },
      ]
    : [
        { op: 'test', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: next },
      ];
}

/** setFinalizer for a sync that is retried with backoff: an object that kept changing is an error. */
export async function mustSetFinalizer<T extends Finalizable>(
  client: ResourceClient<T>,
  obj: T,
  finalizer: string,
  present: boolean,
  write: FinalizerWrite = 'patch',
): Promise<void> {
  if (!(await setFinalizer(client, obj, finalizer, present, write))) {
    throw new Error(`${obj.metadata?.name ?? ''} kept changing while its finalizer ${finalizer} was set`);
  }
}
