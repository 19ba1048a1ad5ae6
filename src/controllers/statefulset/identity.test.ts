import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computeStatus } from './controller.js';
import { claimsFor, newStatefulPod, POD_INDEX_LABEL, POD_NAME_LABEL } from './identity.js';

const set: StatefulSet = {
  metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 4 },
  spec: {
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'c', image: 'nginx' }],
        volumes: [{ name: 'www', emptyDir: {} }],
      },
    },
    volumeClaimTemplates: [
      { metadata: { name: 'www', labels: { tier: 'data' } }, spec: { accessModes: ['ReadWriteOnce'] } },
    ],
  },
};

test('newStatefulPod: stable name, identity labels, hostname/subdomain, claim volumes', () => {
  const pod = newStatefulPod(set, 2, 'web-abc');
  assert.equal(pod.metadata?.name, 'web-2');
  assert.equal(pod.metadata?.labels?.[POD_NAME_LABEL], 'web-2');
  assert.equal(pod.metadata?.labels?.[POD_INDEX_LABEL], '2');
  assert.equal(pod.metadata?.labels?.['controller-revision-hash'], 'web-abc');
  assert.equal(pod.spec?.hostname, 'web-2');
  assert.equal(pod.spec?.subdomain, 'nginx');
  // The claim replaces the template's volume of the same name.
  assert.deepEqual(pod.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }]);
  assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, 'set-uid');
});

test('claimsFor names claims <template>-<set>-<ordinal> and labels them with the selector', () => {
  const claim = claimsFor(set, 0).get('www');
  assert.equal(claim?.metadata?.name, 'www-web-0');
  assert.equal(claim?.metadata?.namespace, 'ns');
  assert.deepEqual(claim?.metadata?.labels, { tier: 'data', app: 'web' });
});

test('computeStatus counts by revision and completes a rolling update', () => {
  const rev = (name: string): ControllerRevision => ({ metadata: { name }, revision: 1 });
  const pod = (name: string, revision: string, ready: boolean): Pod => ({
    metadata: { name, labels: { 'controller-revision-hash': revision } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const revs = { current: rev('web-1'), update: rev('web-2'), collisionCount: 0 };
  const mid = computeStatus(set, [pod('web-0', 'web-1', true), pod('web-1', 'web-2', false)], revs, 0);
  assert.deepEqual(
    [mid.replicas, mid.readyReplicas, mid.currentReplicas, mid.updatedReplicas, mid.currentRevision],
    [2, 1, 1, 1, 'web-1'],
  );
  assert.equal(mid.observedGeneration, 4);
  const done = computeStatus(set, [pod('web-0', 'web-2', true), pod('web-1', 'web-2', true)], revs, 0);
  assert.deepEqual([done.currentReplicas, done.updatedReplicas, done.currentRevision], [2, 2, 'web-2']);
});
