import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { ApiClient } from '../../../client/index.js';
import { UNBOUND_PVC_REASON, VolumeBinding } from './volume-binding.js';

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

const wffc = (name: string, provisioner: string, extra: Partial<StorageClass> = {}): StorageClass => ({
  metadata: { name },
  provisioner,
  volumeBindingMode: 'WaitForFirstConsumer',
  ...extra,
});

test('VolumeBinding: unbound WaitForFirstConsumer claims need a static volume or a provisioner on the node', () => {
  const p = new VolumeBinding();
  const claim = (name: string, storageClassName: string, selected?: string): PersistentVolumeClaim => ({
    metadata: {
      name,
      namespace: 'default',
      ...(selected ? { annotations: { 'volume.kubernetes.io/selected-node': selected } } : {}),
    },
    spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  const pvcs = [
    claim('dyn', 'local'),
    claim('static', 'manual'),
    claim('zonal', 'zoned'),
    claim('chosen', 'local', 'b'),
    claim('now', 'immediate'),
  ];
  const classes = [
    wffc('local', 'tugboat.dev/local-path'),
    wffc('manual', 'kubernetes.io/no-provisioner'),
    wffc('zoned', 'x', {
      allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['z1'] }] }],
    }),
    { metadata: { name: 'immediate' }, provisioner: 'x', volumeBindingMode: 'Immediate' },
  ];
  const pvs: PersistentVolume[] = [
    {
      metadata: { name: 'on-b' },
      spec: {
        storageClassName: 'manual',
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteOnce'],
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] },
            ],
          },
        },
      },
      status: { phase: 'Available' },
    },
  ];
  const a = node('a');
  a.metadata!.labels = { 'kubernetes.io/hostname': 'a', zone: 'z1' };
  const b = node('b');
  b.metadata!.labels = { 'kubernetes.io/hostname': 'b' };
  const nodes = [nodeInfo(a), nodeInfo(b)];
  const cluster = view(nodes, { pvcs, pvs, classes });
  const fits = (claimName: string): boolean[] => {
    const s = state();
    const q = pod('p', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] });
    assert.equal(p.preFilter(s, q, cluster), null);
    return nodes.map((n) => p.filter(s, q, n) === null);
  };
  assert.deepEqual(fits('dyn'), [true, true]);
  assert.deepEqual(fits('static'), [false, true]);
  assert.deepEqual(fits('zonal'), [true, false]);
  assert.deepEqual(fits('chosen'), [false, true]);
  const q = pod('p', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'now' } }] });
  assert.deepEqual(p.preFilter(state(), q, cluster)?.reasons, [UNBOUND_PVC_REASON]);
});

test('VolumeBinding PreBind writes the chosen node on unbound WaitForFirstConsumer claims', async () => {
  const p = new VolumeBinding();
  const pvcs: PersistentVolumeClaim[] = [
    { metadata: { name: 'dyn', namespace: 'default' }, spec: { storageClassName: 'local' } },
    {
      metadata: { name: 'bound', namespace: 'default' },
      spec: { storageClassName: 'local', volumeName: 'x' },
    },
  ];
  const cluster = view([], { pvcs, classes: [wffc('local', 'tugboat.dev/local-path')] });
  const patches: unknown[] = [];
  const client = {
    resource: () => ({
      patch: (ns: string, name: string, type: string, body: unknown) => {
        patches.push({ ns, name, type, body });
        return Promise.resolve({});
      },
    }),
  } as unknown as ApiClient;
  const q = pod('p', {
    volumes: [
      { name: 'a', persistentVolumeClaim: { claimName: 'dyn' } },
      { name: 'b', persistentVolumeClaim: { claimName: 'bound' } },
    ],
  });
  assert.equal(await p.preBind(q, 'node-1', cluster, client), null);
  assert.deepEqual(patches, [
    {
      ns: 'default',
      name: 'dyn',
      type: 'merge',
      body: { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } } },
    },
  ]);
});
