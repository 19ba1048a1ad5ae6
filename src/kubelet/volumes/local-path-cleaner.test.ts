import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../client/index.js';
import { LocalPathCleaner } from './local-path-cleaner.js';

const cleaner = new LocalPathCleaner({
  client: { resource: () => ({}) } as unknown as ApiClient,
  nodeName: 'n1',
  hostname: 'host-1',
  dir: '/data/storage',
});

function pv(
  o: { path?: string; host?: string; phase?: string; policy?: string; by?: string } = {},
): PersistentVolume {
  return {
    metadata: {
      name: 'pvc-1',
      annotations: { 'pv.kubernetes.io/provisioned-by': o.by ?? 'tugboat.dev/local-path' },
    },
    spec: {
      persistentVolumeReclaimPolicy: o.policy ?? 'Delete',
      local: { path: o.path ?? '/data/storage/u_ns_name' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'kubernetes.io/hostname', operator: 'In', values: [o.host ?? 'host-1'] },
              ],
            },
          ],
        },
      },
    },
    status: { phase: o.phase ?? 'Released' },
  };
}

void test('only Released, Delete-policy local-path volumes of this node, directly in its directory, are removed', () => {
  assert.equal(cleaner.isMine(pv()), true);
  assert.equal(cleaner.isMine(pv({ phase: 'Bound' })), false);
  assert.equal(cleaner.isMine(pv({ policy: 'Retain' })), false);
  assert.equal(cleaner.isMine(pv({ by: 'someone.else/x' })), false);
  assert.equal(cleaner.isMine(pv({ host: 'host-2' })), false);
  assert.equal(cleaner.isMine(pv({ path: '/etc' })), false);
  assert.equal(cleaner.isMine(pv({ path: '/data/storage' })), false);
  assert.equal(cleaner.isMine(pv({ path: '/data/storage/../../etc' })), false);
  assert.equal(cleaner.isMine(pv({ path: '/data/storage/a/b' })), false);
});
