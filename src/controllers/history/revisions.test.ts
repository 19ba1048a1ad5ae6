import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { ApiError } from '../../api/errors.js';
import type { ResourceClient } from '../../client/index.js';
import {
  createRevision,
  newRevision,
  nextRevisionNumber,
  ownedRevisions,
  REVISION_HASH_LABEL,
  revisionsToPrune,
  templateOfRevision,
  templatePatch,
} from './revisions.js';

const parent = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1' },
};
const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
};

test('newRevision names the revision <parent>-<hash> and labels it with the hash', () => {
  const rev = newRevision(parent, 'StatefulSet', { app: 'web' }, templatePatch(template), 1);
  const hash = rev.metadata?.labels?.[REVISION_HASH_LABEL];
  assert.ok(hash);
  assert.equal(rev.metadata?.name, `web-${hash}`);
  assert.equal(rev.metadata?.labels?.app, 'web');
  assert.equal(rev.metadata?.ownerReferences?.[0]?.uid, 'u1');
  assert.equal(rev.metadata?.ownerReferences?.[0]?.controller, true);
  assert.deepEqual(templateOfRevision(rev), template);
});

test('ownedRevisions keeps the parent’s revisions, oldest first; nextRevisionNumber follows the highest', () => {
  const mk = (n: number, uid: string): ControllerRevision => ({
    ...newRevision({ ...parent, metadata: { ...parent.metadata, uid } }, 'StatefulSet', {}, { n }, n),
  });
  const revs = ownedRevisions([mk(3, 'u1'), mk(1, 'u1'), mk(2, 'other')], parent);
  assert.deepEqual(
    revs.map((r) => r.revision),
    [1, 3],
  );
  assert.equal(nextRevisionNumber(revs), 4);
  assert.equal(nextRevisionNumber([]), 1);
});

test('revisionsToPrune deletes the oldest revisions that are not live beyond the limit', () => {
  const revs = [1, 2, 3, 4, 5].map((n) => newRevision(parent, 'StatefulSet', {}, { n }, n));
  const name = (i: number): string => revs[i]?.metadata?.name ?? '';
  const live = new Set([name(0), name(4)]);
  assert.deepEqual(
    revisionsToPrune(revs, live, 1).map((r) => r.revision),
    [2, 3],
  );
  assert.deepEqual(revisionsToPrune(revs, live, 3), []);
  assert.equal(revisionsToPrune(revs, new Set(), 0).length, 5);
});

test('createRevision bumps the collision count when the name holds other data', async () => {
  const stored = new Map<string, ControllerRevision>();
  const client = {
    create: (r: ControllerRevision) => {
      const name = r.metadata?.name ?? '';
      if (stored.has(name)) return Promise.reject(new ApiError(409, 'AlreadyExists', 'exists'));
      stored.set(name, r);
      return Promise.resolve(r);
    },
    get: (_ns: string, name: string) => Promise.resolve(stored.get(name)!),
  } as unknown as ResourceClient<ControllerRevision>;
  const rev = newRevision(parent, 'StatefulSet', {}, templatePatch(template), 1);
  // Occupy the name with different data.
  stored.set(rev.metadata?.name ?? '', { ...structuredClone(rev), data: { other: true } });
  const created = await createRevision(client, parent, rev, 0);
  assert.equal(created.collisionCount, 1);
  assert.notEqual(created.revision.metadata?.name, rev.metadata?.name);
  // An equal revision under the computed name is reused.
  const again = await createRevision(client, parent, rev, 1);
  assert.equal(again.revision.metadata?.name, created.revision.metadata?.name);
  assert.equal(again.collisionCount, 1);
});
