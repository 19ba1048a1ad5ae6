import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateConditions } from './conditions.js';

const clean = { contentErrors: [], remaining: [], finalizers: [] };

test('every maintained condition is set; a clean pass reports the ok reasons', () => {
  const c = updateConditions(undefined, clean, 't1');
  assert.deepEqual(
    c.map((x) => [x.type, x.status, x.reason]),
    [
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers'],
    ],
  );
});

test('remaining content and finalizers are reported; transition times move only on change', () => {
  const first = updateConditions(undefined, clean, 't1');
  const next = updateConditions(
    first,
    {
      contentErrors: [],
      remaining: ['pods has 2 resource instances'],
      finalizers: ['example.com/x in 1 resource instances'],
    },
    't2',
  );
  const byType = new Map(next.map((c) => [c.type, c]));
  assert.equal(byType.get('NamespaceContentRemaining')?.status, 'True');
  assert.equal(
    byType.get('NamespaceContentRemaining')?.message,
    'Some resources are remaining: pods has 2 resource instances',
  );
  assert.equal(byType.get('NamespaceContentRemaining')?.lastTransitionTime, 't2');
  assert.equal(
    byType.get('NamespaceFinalizersRemaining')?.message,
    'Some content in the namespace has finalizers remaining: example.com/x in 1 resource instances',
  );
  assert.equal(byType.get('NamespaceDeletionDiscoveryFailure')?.lastTransitionTime, 't1');
});
