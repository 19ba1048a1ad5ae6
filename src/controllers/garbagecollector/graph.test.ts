import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { DependencyGraph } from './graph.js';

function recorder(): { graph: DependencyGraph; deletes: string[]; orphans: string[] } {
  const deletes: string[] = [];
  const orphans: string[] = [];
  const graph = new DependencyGraph({
    attemptToDelete: (n) => deletes.push(n.uid),
    attemptToOrphan: (n) => orphans.push(n.uid),
  });
  return { graph, deletes, orphans };
}

const ref = (uid: string, block = true): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: `rs-${uid}`,
  uid,
  blockOwnerDeletion: block,
});

const obj = (uid: string, owners: OwnerReference[] = [], meta: KubeObject['metadata'] = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${uid}`, namespace: 'ns', uid, ownerReferences: owners, ...meta },
});

test('an unseen owner becomes a virtual node to verify; seeing it makes it real', () => {
  const { graph, deletes } = recorder();
  graph.observe(obj('dep', [ref('owner')]));
  assert.deepEqual(deletes, ['owner']);
  assert.equal(graph.get('owner')?.virtual, true);
  assert.equal(graph.get('owner')?.identity.namespace, 'ns');
  graph.observe({ ...obj('owner'), kind: 'ReplicaSet', apiVersion: 'apps/v1' });
  assert.equal(graph.get('owner')?.virtual, false);
  assert.deepEqual(
    [...graph.get('owner')!.dependents].map((d) => d.uid),
    ['dep'],
  );
});

test('removing an owner sends its dependents to be checked', () => {
  const { graph, deletes } = recorder();
  graph.observe(obj('owner'));
  graph.observe(obj('a', [ref('owner')]));
  graph.observe(obj('b', [ref('owner')]));
  graph.remove('owner');
  assert.deepEqual(deletes.sort(), ['a', 'b']);
  assert.equal(graph.get('owner'), undefined);
});

test('orphan and foreground deletions start their work once', () => {
  const { graph, deletes, orphans } = recorder();
  graph.observe(obj('o1'));
  const orphaning = obj('o1', [], { deletionTimestamp: 't', finalizers: ['orphan'] });
  graph.observe(orphaning, obj('o1'));
  graph.observe(orphaning, orphaning);
  assert.deepEqual(orphans, ['o1']);

  graph.observe(obj('o2'));
  graph.observe(obj('d', [ref('o2')]));
  graph.observe(obj('o2', [], { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), obj('o2'));
  assert.deepEqual(deletes, ['d', 'o2']);
  assert.equal(graph.get('o2')?.deletingDependents, true);
  assert.deepEqual(
    graph
      .get('o2')!
      .blockingDependents()
      .map((n) => n.uid),
    ['d'],
  );
});

test('a dependent that stops blocking or drops the reference wakes a foreground owner', () => {
  const { graph, deletes } = recorder();
  graph.observe(obj('o', [], { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }));
  deletes.length = 0;
  graph.observe(obj('d', [ref('o')]));
  assert.deepEqual(deletes, ['d']);
  deletes.length = 0;
  graph.observe(obj('d', [ref('o', false)]), obj('d', [ref('o')]));
  assert.deepEqual(deletes, ['o']);
  assert.equal(graph.get('o')!.blockingDependents().length, 0);
  deletes.length = 0;
  graph.observe(obj('d', []), obj('d', [ref('o', false)]));
  assert.deepEqual(deletes, ['o']);
  assert.equal(graph.get('o')!.dependents.size, 0);
});
