import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ResourceClient } from '../../client/index.js';
import {
  createRevision,
  findEqualRevisions,
  newRevision,
  nextRevisionNumber,
  REVISION_HASH_LABEL,
  templatePatch,
} from '../history/index.js';
import { cloneJson } from '../../api/meta.js';

/**
 * The revision matching the DaemonSet's live template (upstream constructHistory): an equal existing revision
 * (renumbered to be the newest) or a new one. Returns it with the collision count to record.
 */
export async function currentDaemonRevision(
  client: ResourceClient<ControllerRevision>,
  ds: DaemonSet,
  owned: ControllerRevision[],
): Promise<{ revision: ControllerRevision; hash: string; collisionCount: number }> {
  let collisionCount = ds.status?.collisionCount ?? 0;
  const wanted = newRevision(
    ds,
    'DaemonSet',
    ds.spec?.template?.metadata?.labels ?? {},
    templatePatch(ds.spec?.template),
    nextRevisionNumber(owned),
    collisionCount === 0 ? undefined : collisionCount,
  );
  const equal = findEqualRevisions(owned, wanted);
  const maxRevision = nextRevisionNumber(owned) - 1;
  // Several equal revisions can only come from a crash between writes: keep the newest.
  let revision = equal[equal.length - 1];
  if (revision && revision.revision < maxRevision) {
    revision = await client.update({ ...cloneJson(revision), revision: maxRevision + 1 });
  } else if (!revision) {
    const created = await createRevision(client, ds, wanted, collisionCount);
    revision = created.revision;
    collisionCount = created.collisionCount;
  }
  return { revision, hash: revision.metadata?.labels?.[REVISION_HASH_LABEL] ?? '', collisionCount };
}
