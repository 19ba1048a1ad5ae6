import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { hasReason } from '../../api/errors.js';
import { isControlledBy, newControllerRef } from '../../api/owners.js';
import type { ResourceClient } from '../../client/index.js';
import { canonicalJson, hashRevisionData } from './hash.js';
import { cloneJson } from '../../api/meta.js';

/** Label on ControllerRevisions (and on the pods made from them) naming the revision's hash. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** The owner of a revision history: a DaemonSet or StatefulSet. */
export interface RevisionParent {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string };
}

/**
 * A revision of `parent` holding `data` (the patch that restores its template), not yet named: the name
 * `<parent>-<hash>` and the hash label are set by `nameRevision`.
 */
export function newRevision(
  parent: RevisionParent,
  kind: string,
  labels: Record<string, string>,
  data: unknown,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const rev: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: parent.metadata?.namespace ?? '',
      labels: { ...labels },
      ownerReferences: [newControllerRef(parent, 'apps/v1', kind)],
    },
    data: data as ControllerRevision['data'],
    revision,
  };
  return nameRevision(rev, parent, collisionCount);
}

function nameRevision(
  rev: ControllerRevision,
  parent: RevisionParent,
  collisionCount?: number,
): ControllerRevision {
  const hash = hashRevisionData(rev.data, collisionCount);
  rev.metadata = {
    ...rev.metadata,
    name: `${parent.metadata?.name ?? ''}-${hash}`,
    labels: { ...(rev.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
  };
  return rev;
}

/** Revisions controlled by `parent`, oldest first (by revision number, then name). */
export function ownedRevisions(
  all: readonly ControllerRevision[],
  parent: RevisionParent,
): ControllerRevision[] {
  return all.filter((r) => isControlledBy(r, parent)).sort(compareRevisions);
}

export function compareRevisions(a: ControllerRevision, b: ControllerRevision): number {
  return a.revision - b.revision || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

export function nextRevisionNumber(sorted: readonly ControllerRevision[]): number {
  return sorted.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

export function equalRevisions(a: ControllerRevision, b: ControllerRevision): boolean {
  return canonicalJson(a.data ?? null) === canonicalJson(b.data ?? null);
}

export function findEqualRevisions(
  revisions: readonly ControllerRevision[],
  needle: ControllerRevision,
): ControllerRevision[] {
  return revisions.filter((r) => equalRevisions(r, needle));
}

/**
 * Creates `rev`. When its name is taken by a revision with other data (a hash collision) the collision count
 * goes up and the name is recomputed, as upstream; an existing equal revision of the same parent is returned.
 * Returns the stored revision and the collision count to record in the parent's status.
 */
export async function createRevision(
  client: ResourceClient<ControllerRevision>,
  parent: RevisionParent,
  rev: ControllerRevision,
  collisionCount: number,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  let count = collisionCount;
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = nameRevision(cloneJson(rev), parent, count === 0 ? undefined : count);
    try {
      return { revision: await client.create(candidate), collisionCount: count };
    } catch (err) {
      if (!hasReason(err, 'AlreadyExists')) throw err;
      const existing = await client.get(candidate.metadata?.namespace ?? '', candidate.metadata?.name ?? '');
      if (isControlledBy(existing, parent) && equalRevisions(existing, candidate)) {
        return { revision: existing, collisionCount: count };
      }
      count++;
    }
  }
  throw new Error(`could not find a free name for a revision of ${parent.metadata?.name ?? ''}`);
}

/**
 * The revisions to delete so at most `limit` revisions that are not live remain, oldest deleted first.
 * `live` names revisions still in use (the current and update revision, those pods run).
 */
export function revisionsToPrune(
  sorted: readonly ControllerRevision[],
  live: ReadonlySet<string>,
  limit: number,
): ControllerRevision[] {
  const history = sorted.filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = history.length - Math.max(0, limit);
  return excess > 0 ? history.slice(0, excess) : [];
}

/** The template stored in a revision whose data is `{spec: {template: {..., $patch: 'replace'}}}`. */
export function templateOfRevision<T>(rev: ControllerRevision): T | undefined {
  const data: unknown = rev.data;
  const template = (data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!template) return undefined;
  const { $patch: _ignored, ...rest } = template;
  return cloneJson(rest) as T;
}

/** What upstream stores in DaemonSet and StatefulSet revisions: a patch replacing the pod template. */
export function templatePatch(template: unknown): { spec: { template: Record<string, unknown> } } {
  return {
    spec: { template: { ...(cloneJson(template) as Record<string, unknown>), $patch: 'replace' } },
  };
}
