import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.js';
import { firstUntoleratedTaint, toleratesTaint } from './taints.js';

test('toleration matching follows upstream: Exists, Equal, empty key, empty effect', () => {
  const taint = { key: 'gpu', value: 'yes', effect: 'NoSchedule' };
  assert.equal(toleratesTaint({ key: 'gpu', operator: 'Equal', value: 'yes' }, taint), true);
  assert.equal(toleratesTaint({ key: 'gpu', value: 'no' }, taint), false);
  assert.equal(toleratesTaint({ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  assert.equal(
    firstUntoleratedTaint([{ key: 'a', effect: 'PreferNoSchedule' }, taint], [])?.key,
    'gpu',
    'PreferNoSchedule is not a hard taint',
  );
});

test('nodeSelector and required node affinity: expressions, fields, ORed terms', () => {
  const node: Node = { metadata: { name: 'n1', labels: { zone: 'a', cores: '8' } } };
  const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({ spec: { containers: [], ...spec } });
  assert.equal(podMatchesNodeSelectorAndAffinity(pod({ nodeSelector: { zone: 'a' } }), node), true);
  assert.equal(podMatchesNodeSelectorAndAffinity(pod({ nodeSelector: { zone: 'b' } }), node), false);
  const affinity = (terms: object[]): Partial<NonNullable<Pod['spec']>> => ({
    containers: [],
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
    },
  });
  assert.equal(
    podMatchesNodeSelectorAndAffinity(
      pod(affinity([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }])),
      node,
    ),
    true,
  );
  assert.equal(
    podMatchesNodeSelectorAndAffinity(
      pod(
        affinity([
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
          { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
        ]),
      ),
      node,
    ),
    false,
  );
  assert.equal(
    podMatchesNodeSelectorAndAffinity(pod(affinity([{}])), node),
    false,
    'an empty term matches nothing',
  );
});
