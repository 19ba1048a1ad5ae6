import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** The group/version a request addressed (default garbage-collection policies depend on it). */
export interface RequestGroupVersion {
  group: string;
  version: string;
}

/**
 * Old API versions orphan dependents when the client names no policy, for backwards compatibility (upstream's
 * DefaultGarbageCollectionPolicy of each strategy): core/v1 ReplicationController, batch/v1 Job and the beta
 * workload versions.
 */
export function defaultOrphans(def: ResourceDef, gv: RequestGroupVersion | undefined): boolean {
  const group = gv?.group ?? def.group;
  const version = gv?.version ?? def.version;
  const at = `${group}/${version}`;
  switch (`${def.group}/${def.kind}`) {
    case '/ReplicationController':
      return at === '/v1';
    case 'batch/Job':
      return at === 'batch/v1';
    case 'apps/ReplicaSet':
    case 'apps/Deployment':
    case 'apps/DaemonSet':
    case 'apps/StatefulSet':
      return ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'].includes(at);
    default:
      return false;
  }
}

/**
 * The finalizers an object gets from a DELETE with `policy` (upstream deletionFinalizersForGarbageCollection):
 * both garbage-collection finalizers are dropped, then `orphan` or `foregroundDeletion` is added back. An explicit
 * policy wins over finalizers already present, which win over the kind's default.
 */
export function finalizersForDeletion(
  def: ResourceDef,
  obj: KubeObject,
  policy: PropagationPolicy | undefined,
  gv: RequestGroupVersion | undefined,
): { changed: boolean; finalizers: string[] } {
  const current = obj.metadata?.finalizers ?? [];
  const existing = current.find((f) => f === FINALIZER_ORPHAN || f === FINALIZER_FOREGROUND);
  let effective: PropagationPolicy | undefined = policy;
  if (!effective && existing) effective = existing === FINALIZER_ORPHAN ? 'Orphan' : 'Foreground';
  if (!effective && defaultOrphans(def, gv)) effective = 'Orphan';
  const next = current.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (effective === 'Orphan') next.push(FINALIZER_ORPHAN);
  if (effective === 'Foreground') next.push(FINALIZER_FOREGROUND);
  const same = new Set(next).size === new Set(current).size && next.every((f) => current.includes(f));
  return { changed: !same, finalizers: same ? current : next };
}
