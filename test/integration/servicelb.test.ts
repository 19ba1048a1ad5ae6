import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Node, Service } from 'kubernetes-types/core/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { serviceLbController } from '../../src/controllers/servicelb/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({ 'service-lb': serviceLbController });
  client = cluster.client;
});
after(() => cluster.close());

const services = () => client.resource<Service>(R.services);
const nodes = () => client.resource<Node>(R.nodes);
const ingressOf = async (name: string) =>
  ((await services().get('default', name)).status?.loadBalancer?.ingress ?? []).map(
    (i) => `${i.ip}/${i.ipMode}`,
  );

async function readyNode(name: string, ip: string): Promise<void> {
  const created = await nodes().create({ metadata: { name } });
  await nodes().updateStatus({
    ...created,
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: ip }],
    },
  });
}

const lbService = (name: string, port: number, extra: Partial<Service['spec']> = {}): Service => ({
  metadata: { name, namespace: 'default' },
  spec: { type: 'LoadBalancer', ports: [{ port, protocol: 'TCP' }], ...extra },
});

test('a LoadBalancer Service gets the ready nodes as ingress, and follows them', async () => {
  await readyNode('lb-a', '10.0.0.1');
  await services().create(lbService('web', 80));
  await waitFor(async () => (await ingressOf('web')).join() === '10.0.0.1/VIP');
  await readyNode('lb-b', '10.0.0.2');
  await waitFor(async () => (await ingressOf('web')).join() === '10.0.0.1/VIP,10.0.0.2/VIP', {
    message: 'the second node joins the ingress',
  });
  await nodes().delete('', 'lb-b');
  await waitFor(async () => (await ingressOf('web')).join() === '10.0.0.1/VIP', { message: 'and leaves it' });
  const events = await client.resource<Event>(R.events).list('default');
  assert.ok(events.items.some((e) => e.involvedObject.name === 'web' && e.reason === 'EnsuredLoadBalancer'));
});

test('a second Service on a taken port stays pending with an event, and gets the port once it is free', async () => {
  await services().create(lbService('web2', 80));
  await waitFor(async () => {
    const events = await client.resource<Event>(R.events).list('default');
    return events.items.some(
      (e) =>
        e.involvedObject.name === 'web2' &&
        e.reason === 'SyncLoadBalancerFailed' &&
        e.message === 'port TCP/80 is taken by load balancer default/web',
    );
  });
  assert.deepEqual(await ingressOf('web2'), []);
  await services().delete('default', 'web');
  await waitFor(async () => (await ingressOf('web2')).join() === '10.0.0.1/VIP', {
    message: 'web2 takes the freed port',
  });
});

test('a Service with a loadBalancerClass is left to its implementation; a type change drops the ingress', async () => {
  await services().create(lbService('theirs', 8080, { loadBalancerClass: 'example.com/lb' }));
  await services().create(lbService('mine', 8081));
  await waitFor(async () => (await ingressOf('mine')).length === 1);
  assert.deepEqual(await ingressOf('theirs'), []);
  const mine = await services().get('default', 'mine');
  await services().update({ ...mine, spec: { ...mine.spec!, type: 'NodePort' } });
  assert.deepEqual(await ingressOf('mine'), [], 'the API server clears it as the type changes');
});
