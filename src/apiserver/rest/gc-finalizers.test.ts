import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceDef } from '../registry/types.js';
import { defaultOrphans, finalizersForDeletion } from './gc-finalizers.js';

const def = (group: string, kind: string): ResourceDef =>
  ({ group, version: 'v1', kind, plural: `${kind.toLowerCase()}s` }) as ResourceDef;
const cm = def('', 'ConfigMap');
const obj = (finalizers?: string[]) => ({ metadata: { name: 'x', ...(finalizers ? { finalizers } : {}) } });

test('an explicit policy replaces the garbage-collection finalizers and keeps the others', () => {
  assert.deepEqual(finalizersForDeletion(cm, obj(), 'Orphan', undefined), {
    changed: true,
    finalizers: ['orphan'],
  });
  assert.deepEqual(finalizersForDeletion(cm, obj(['a', 'orphan']), 'Foreground', undefined), {
    changed: true,
    finalizers: ['a', 'foregroundDeletion'],
  });
  assert.deepEqual(finalizersForDeletion(cm, obj(['a', 'orphan']), 'Background', undefined), {
    changed: true,
    finalizers: ['a'],
  });
  assert.deepEqual(finalizersForDeletion(cm, obj(['orphan']), 'Orphan', undefined), {
    changed: false,
    finalizers: ['orphan'],
  });
});

test('without a policy, finalizers already there win over the default', () => {
  const rc = def('', 'ReplicationController');
  assert.deepEqual(
    finalizersForDeletion(rc, obj(['foregroundDeletion']), undefined, { group: '', version: 'v1' }),
    {
      changed: false,
      finalizers: ['foregroundDeletion'],
    },
  );
  assert.deepEqual(finalizersForDeletion(rc, obj(), undefined, { group: '', version: 'v1' }).finalizers, [
    'orphan',
  ]);
  assert.deepEqual(finalizersForDeletion(cm, obj(), undefined, undefined), {
    changed: false,
    finalizers: [],
  });
});

test('old API versions orphan by default', () => {
  const rs = def('apps', 'ReplicaSet');
  assert.equal(defaultOrphans(rs, { group: 'apps', version: 'v1' }), false);
  assert.equal(defaultOrphans(rs, { group: 'extensions', version: 'v1beta1' }), true);
  assert.equal(defaultOrphans(def('apps', 'Deployment'), { group: 'apps', version: 'v1beta1' }), true);
  assert.equal(defaultOrphans(def('batch', 'Job'), { group: 'batch', version: 'v1' }), true);
  assert.equal(defaultOrphans(def('batch', 'CronJob'), { group: 'batch', version: 'v1' }), false);
  assert.equal(defaultOrphans(cm, { group: '', version: 'v1' }), false);
});
