import { controllerOf } from '../api/owners.js';
import type { ClientObject, Informer } from '../client/index.js';
import type { OwnerReference } from '../api/meta.js';

type Owned = ClientObject & { metadata?: { ownerReferences?: OwnerReference[] } };

/**
 * An informer index of objects by their controller's uid, with objects that have no controller under
 * `orphan/<namespace>` (candidates for adoption). With `kind`, objects controlled by other kinds are left out.
 */
export function ownerIndex(kind?: string): (obj: Owned) => string[] {
  return (obj) => {
    const ref = controllerOf(obj);
    if (!ref) return [`orphan/${obj.metadata?.namespace ?? ''}`];
    return kind === undefined || ref.kind === kind ? [ref.uid] : [];
  };
}

/** What an owner may claim: the objects it controls plus the orphans of its namespace. */
export function ownedAndOrphans<T extends Owned>(
  informer: Informer<T>,
  indexName: string,
  ownerUid: string,
  namespace: string,
): T[] {
  return [...informer.byIndex(indexName, ownerUid), ...informer.byIndex(indexName, `orphan/${namespace}`)];
}
