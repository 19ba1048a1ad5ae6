import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { podUsesClaim } from './pvc-protection-controller.js';

const pod = (extra: Partial<Pod['metadata']> = {}, nodeName = 'n1'): Pod => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'pod-uid', ...extra },
  spec: {
    nodeName,
    containers: [{ name: 'c' }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
    ],
  },
});
const claim = (name: string, ownerUid?: string, namespace = 'ns'): PersistentVolumeClaim => ({
  metadata: {
    name,
    namespace,
    ...(ownerUid
      ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web', uid: ownerUid, controller: true }] }
      : {}),
  },
});

void test('which pods hold a claim', () => {
  assert.equal(podUsesClaim(pod(), claim('data')), true);
  assert.equal(podUsesClaim(pod(), claim('other')), false);
  assert.equal(
    podUsesClaim(pod(), claim('data', undefined, 'elsewhere')),
    false,
    'same name, other namespace',
  );
  assert.equal(podUsesClaim(pod({}, ''), claim('data')), false, 'not scheduled');
  assert.equal(
    podUsesClaim(
      pod({ deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 }),
      claim('data'),
    ),
    true,
    'still terminating',
  );
  assert.equal(
    podUsesClaim(
      pod({ deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 }),
      claim('data'),
    ),
    false,
    'shut down',
  );
  // A generic ephemeral volume's claim is `<pod>-<volume>`, and must be that pod's own.
  assert.equal(podUsesClaim(pod(), claim('web-scratch', 'pod-uid')), true);
  assert.equal(podUsesClaim(pod(), claim('web-scratch', 'another-uid')), false);
  assert.equal(podUsesClaim(pod(), claim('web-scratch')), false);
});
