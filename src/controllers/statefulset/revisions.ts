import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ResourceClient } from '../../client/index.js';
import {
  createRevision,
  findEqualRevisions,
  newRevision,
  nextRevisionNumber,
  templatePatch,
  templateOfRevision,
} from '../history/index.js';
import { cloneJson } from '../../api/meta.js';

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/**
 * The current and update revisions of `set` (upstream getStatefulSetRevisions): the update revision is the
 * existing revision equal to the live template (renumbered to be the newest when it was an older one) or a new
 * one; the current revision is the one status names, or the update revision for a new set.
 */
export async function resolveRevisions(
  client: ResourceClient<ControllerRevision>,
  set: StatefulSet,
  owned: ControllerRevision[],
): Promise<SetRevisions> {
  let collisionCount = set.status?.collisionCount ?? 0;
  const wanted = newRevision(
    set,
    'StatefulSet',
    set.spec?.template?.metadata?.labels ?? {},
    templatePatch(set.spec?.template),
    nextRevisionNumber(owned),
    collisionCount === 0 ? undefined : collisionCount,
  );
  const equal = findEqualRevisions(owned, wanted);
  const newest = owned[owned.length - 1];
  const lastEqual = equal[equal.length - 1];
  let update: ControllerRevision;
  if (lastEqual && newest && lastEqual.metadata?.name === newest.metadata?.name) {
    update = lastEqual;
  } else if (lastEqual) {
    update = await client.update({ ...cloneJson(lastEqual), revision: wanted.revision });
  } else {
    const created = await createRevision(client, set, wanted, collisionCount);
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = owned.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** `set` with the pod template a revision recorded. */
export function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  const out = cloneJson(set);
  const template = templateOfRevision<NonNullable<StatefulSet['spec']>['template']>(rev);
  if (template && out.spec) out.spec.template = template;
  return out;
}
