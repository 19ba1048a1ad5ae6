import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import { VolumeBinding } from './volume-binding.js';

test('VolumeBinding: bound PVs restrict nodes by their node affinity; unbound claims fail', () => {
  const p = new VolumeBinding();
  const pvcs: PersistentVolumeClaim[] = [
    { metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pv-local' } },
    { metadata: { name: 'pending', namespace: 'default' }, spec: {} },
  ];
  const pvs: PersistentVolume[] = [
    {
      metadata: { name: 'pv-local' },
      spec: {
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] },
            ],
          },
        },
      },
    },
  ];
  const nodes = [nodeInfo(node('a')), nodeInfo(node('b'))];
  const cluster = view(nodes, { pvcs, pvs });
  const withClaim = (claimName: string) =>
    pod('p', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] });

  assert.equal(p.preFilter(state(), pod('plain'), cluster)?.code, 'Skip');
  const s = state();
  assert.equal(p.preFilter(s, withClaim('data'), cluster), null);
  assert.equal(p.filter(s, withClaim('data'), nodes[0]!), null);
  assert.deepEqual(p.filter(s, withClaim('data'), nodes[1]!)?.reasons, [
    'node(s) had volume node affinity conflict',
  ]);
  assert.deepEqual(p.preFilter(state(), withClaim('pending'), cluster)?.reasons, [
    'pod has unbound immediate PersistentVolumeClaims',
  ]);
  assert.deepEqual(p.preFilter(state(), withClaim('missing'), cluster)?.reasons, [
    'persistentvolumeclaim "missing" not found',
  ]);
});
