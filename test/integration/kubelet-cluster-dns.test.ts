/** The kubelet asks for the cluster DNS at each pod sync: a node-local server known only after start. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ClusterDns } from '../../src/kubelet/index.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
let current: ClusterDns | undefined;

before(async () => {
  h = await startKubeletHarness({ kubelet: { clusterDns: () => current } });
});
after(() => h.close());

function sandboxDns(
  podName: string,
): { servers: string[]; searches: string[]; options: string[] } | undefined {
  const sb = [...h.runtime.sandboxes.values()].find((s) => s.config.metadata.name === podName);
  return sb?.config.dnsConfig;
}

test('pods get the host resolver until the cluster DNS is known, then the cluster DNS', async () => {
  await h.createPod('before', { containers: [{ name: 'c', image: 'busybox' }] });
  await h.waitPod('before', (p) => p.status?.phase === 'Running');
  assert.deepEqual(sandboxDns('before')?.servers, ['192.0.2.53']);

  current = { servers: ['10.42.0.1'], domain: 'cluster.local' };
  await h.createPod('after', { containers: [{ name: 'c', image: 'busybox' }] });
  await h.waitPod('after', (p) => p.status?.phase === 'Running');
  assert.deepEqual(sandboxDns('after'), {
    servers: ['10.42.0.1'],
    searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    options: ['ndots:5'],
  });
});
