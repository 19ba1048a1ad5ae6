import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { SKIP } from '../../framework/types.js';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import { READ_WRITE_ONCE_POD_CONFLICT, VolumeRestrictions } from './volume-restrictions.js';

const claim = (name: string, mode: string): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: [mode], resources: { requests: { storage: '1Gi' } } },
});
const using = (name: string, claimName: string) =>
  pod(name, { volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] });

test('VolumeRestrictions: a ReadWriteOncePod claim another placed pod uses blocks every node, until that pod goes', () => {
  const plugin = new VolumeRestrictions();
  const holder = using('holder', 'solo');
  const nodes = [nodeInfo(node('a'), holder), nodeInfo(node('b')), nodeInfo(node('c'), using('x', 'shared'))];
  const cluster = view(nodes, {
    pvcs: [claim('solo', 'ReadWriteOncePod'), claim('shared', 'ReadWriteOnce')],
  });

  const s = state();
  assert.equal(plugin.preFilter(s, using('new', 'solo'), cluster), null);
  for (const n of nodes)
    assert.deepEqual(plugin.filter(s, using('new', 'solo'), n)?.reasons, [READ_WRITE_ONCE_POD_CONFLICT]);

  // Preemption's what-if: without the holder the claim is free.
  const copy = s.clone();
  plugin.removePod(copy, using('new', 'solo'), holder);
  assert.equal(plugin.filter(copy, using('new', 'solo'), nodes[1]!), null);
  assert.notEqual(plugin.filter(s, using('new', 'solo'), nodes[1]!), null, 'the original state is untouched');

  assert.equal(
    plugin.preFilter(state(), using('rwo', 'shared'), cluster),
    SKIP,
    'ReadWriteOnce is not restricted here',
  );
  assert.equal(plugin.preFilter(state(), pod('plain'), cluster), SKIP);
  assert.deepEqual(plugin.preFilter(state(), using('lost', 'missing'), cluster)?.reasons, [
    'persistentvolumeclaim "missing" not found',
  ]);
});
