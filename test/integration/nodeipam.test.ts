import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Node } from 'kubernetes-types/core/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { nodeIpamController } from '../../src/controllers/nodeipam/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  // A /22 holds four /24 node subnets: enough to see reuse and exhaustion.
  cluster = await startTestCluster(
    { 'node-ipam-controller': nodeIpamController },
    { options: { clusterCidr: '10.42.0.0/22' } },
  );
  client = cluster.client;
});
after(() => cluster.close());

const nodes = () => client.resource<Node>(R.nodes);
const podCidr = async (name: string) => (await nodes().get('', name)).spec?.podCIDR;

test('every node gets its own pod CIDR; a deleted node’s subnet goes to the next node', async () => {
  // One node already holds a subnet (say, assigned before a restart): it is kept and never handed out again.
  await nodes().create({
    metadata: { name: 'held' },
    spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] },
  });
  for (const name of ['n1', 'n2']) await nodes().create({ metadata: { name } });
  const assigned = await waitFor(async () => {
    const [a, b] = [await podCidr('n1'), await podCidr('n2')];
    return a && b ? [a, b] : undefined;
  });
  assert.deepEqual(new Set(assigned), new Set(['10.42.1.0/24', '10.42.2.0/24']));
  assert.equal(await podCidr('held'), '10.42.0.0/24');
  const n1 = await nodes().get('', 'n1');
  assert.deepEqual(n1.spec?.podCIDRs, [n1.spec?.podCIDR]);

  await nodes().delete('', 'n1');
  await nodes().create({ metadata: { name: 'n3' } });
  await nodes().create({ metadata: { name: 'n4' } });
  const later = await waitFor(async () => {
    const [a, b] = [await podCidr('n3'), await podCidr('n4')];
    return a && b ? [a, b] : undefined;
  });
  assert.deepEqual(new Set(later), new Set([assigned[0], '10.42.3.0/24']));
});

test('when the cluster CIDR is used up a node gets no subnet and a CIDRNotAvailable event', async () => {
  await nodes().create({ metadata: { name: 'n5' } });
  await waitFor(async () => {
    const events = await client.resource<Event>(R.events).list('default');
    return events.items.some((e) => e.involvedObject.name === 'n5' && e.reason === 'CIDRNotAvailable');
  });
  assert.equal(await podCidr('n5'), undefined);
  // Freeing a subnet lets the waiting node have it on the retry.
  await nodes().delete('', 'n4');
  await nodes().patch('', 'n5', 'merge', { metadata: { labels: { retry: 'now' } } });
  assert.match((await waitFor(() => podCidr('n5'))) ?? '', /^10\.42\.[0-3]\.0\/24$/);
});

test('nodes registering at once are patched side by side and never share a subnet', async () => {
  const big = await startTestCluster(
    { 'node-ipam-controller': nodeIpamController },
    { options: { clusterCidr: '10.44.0.0/16' } },
  );
  try {
    const many = big.client.resource<Node>(R.nodes);
    const names = Array.from({ length: 60 }, (_, i) => `burst-${i}`);
    await Promise.all(names.map((name) => many.create({ metadata: { name } })));
    const cidrs = await waitFor(async () => {
      const list = await many.list('');
      const got = list.items.flatMap((n) => (n.spec?.podCIDR ? [n.spec.podCIDR] : []));
      return got.length === names.length ? got : undefined;
    });
    assert.equal(new Set(cidrs).size, names.length);
    for (const cidr of cidrs) assert.match(cidr, /^10\.44\.\d+\.0\/24$/);
  } finally {
    await big.close();
  }
});
