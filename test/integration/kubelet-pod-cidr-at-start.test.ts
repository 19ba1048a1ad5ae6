import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

// A runtime whose network is ready only once it has the node's pod CIDR (as the oci runtime), and a node
// status period far longer than the test: nothing may wait for the next status round.
let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({
    start: false,
    kubelet: {
      podCIDR: '10.42.7.0/24',
      statusIntervalMs: 600_000,
      syncRetryMs: 60_000,
      maxSyncRetryMs: 60_000,
      onPodCIDR: () => {
        h.runtime.conditions = [
          { type: 'RuntimeReady', status: true },
          { type: 'NetworkReady', status: true },
        ];
      },
    },
  });
  h.runtime.conditions = [
    { type: 'RuntimeReady', status: true },
    { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'no pod CIDR yet' },
  ];
  h.images.addImage('docker.io/library/busybox:1.36');
  await h.kubelet.start();
});
after(() => h.close());

void test('an agent that knows its pod CIDR at start reports the node Ready in its first status', async () => {
  const node = await h.client.resource<Node>(R.nodes).get('', h.nodeName);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

void test('pods start at once, not after a status period or a sync back-off', async () => {
  await h.createPod('web', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const p = await h.waitPod('web', (x) => x.status?.phase === 'Running', 'web Running', 5000);
  assert.equal(p.status?.phase, 'Running');
});
