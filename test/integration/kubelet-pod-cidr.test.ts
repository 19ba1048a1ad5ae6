/**
 * The pod CIDR the server assigns after registration reaches the agent (and its node status) at once, not one
 * status interval later: pods cannot get a network before it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const cidrs: string[] = [];
let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({
    kubelet: { statusIntervalMs: 600_000, onPodCIDR: (c) => void cidrs.push(c) },
  });
});
after(() => h.close());

void test('a pod CIDR assigned after registration is picked up within a second', async () => {
  assert.equal(h.kubelet.podCIDR, '');
  const nodes = h.client.resource<Node>(R.nodes);
  const statusReads = h.runtime.callsOf('status').length;
  await nodes.patch('', h.nodeName, 'merge', { spec: { podCIDR: '10.42.9.0/24' } });
  await waitFor(() => cidrs.includes('10.42.9.0/24'), { timeoutMs: 1_500, message: 'pod CIDR seen' });
  assert.equal(h.kubelet.podCIDR, '10.42.9.0/24');
  // The status is gathered and reported again right away (with the runtime's network now configured).
  await waitFor(() => h.runtime.callsOf('status').length > statusReads, {
    timeoutMs: 1_500,
    message: 'node status gathered again',
  });
});
