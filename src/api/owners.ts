import type { OwnerReference } from './meta.js';

interface Owned {
  metadata?: { ownerReferences?: OwnerReference[] };
}

interface Owner {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; uid?: string };
}

/** The ownerReference with `controller: true`, if any. */
export function controllerOf(obj: Owned): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: Owned, owner: Owner): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** The reference a controller puts on the objects it creates (controller and blockOwnerDeletion set). */
export function newControllerRef(owner: Owner, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? apiVersion,
    kind: owner.kind ?? kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
