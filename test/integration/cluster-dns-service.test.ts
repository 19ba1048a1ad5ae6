import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ANN_CLUSTER_DNS_ADDRESS } from '../../src/api/cluster-dns.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { clusterDnsServiceController, kubeDnsClusterIp } from '../../src/controllers/clusterdns/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({ 'cluster-dns-service': clusterDnsServiceController });
  client = cluster.client;
});
after(() => cluster.close());

const services = () => client.resource<Service>(R.services);
const nodes = () => client.resource<Node>(R.nodes);
const kubeDns = () =>
  services()
    .get('kube-system', 'kube-dns')
    .catch((err: unknown) => {
      if (hasReason(err, 'NotFound')) return undefined;
      throw err;
    });
const endpoints = async (): Promise<string[]> => {
  const slices = await client
    .resource<EndpointSlice>(R.endpointSlices)
    .list('kube-system', { labelSelector: 'kubernetes.io/service-name=kube-dns' });
  return slices.items
    .flatMap((s) => s.endpoints ?? [])
    .map((e) => `${e.nodeName}=${e.addresses[0]}/${e.conditions?.ready}`);
};

async function node(name: string, address?: string, ready = true): Promise<void> {
  const created = await nodes().create({
    metadata: { name, ...(address ? { annotations: { [ANN_CLUSTER_DNS_ADDRESS]: address } } : {}) },
  });
  await nodes().updateStatus({
    ...created,
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

async function annotate(name: string, address: string | null): Promise<void> {
  await nodes().patch('', name, 'merge', {
    metadata: { annotations: { [ANN_CLUSTER_DNS_ADDRESS]: address } },
  });
}

test('no Service while no node serves the cluster DNS; then kube-dns at the conventional address', async () => {
  await node('plain');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await kubeDns(), undefined);

  await node('dns-a', '10.42.0.1');
  const svc = await waitFor(kubeDns, { message: 'kube-dns is created' });
  const kubernetesIp = (await services().get('default', 'kubernetes')).spec?.clusterIP ?? '';
  assert.equal(svc.spec?.clusterIP, kubeDnsClusterIp(kubernetesIp));
  assert.equal(svc.spec?.internalTrafficPolicy, 'Local');
  await waitFor(async () => (await endpoints()).join() === 'dns-a=10.42.0.1/true', {
    message: 'its slice names the serving node',
  });
});

test('the slice follows nodes: a second server, readiness, a removed annotation, a deleted node', async () => {
  await node('dns-b', '10.42.1.1', false);
  await waitFor(async () => (await endpoints()).join() === 'dns-a=10.42.0.1/true,dns-b=10.42.1.1/false');
  const b = await nodes().get('', 'dns-b');
  await nodes().updateStatus({ ...b, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  await waitFor(async () => (await endpoints()).join() === 'dns-a=10.42.0.1/true,dns-b=10.42.1.1/true');
  await annotate('dns-a', null);
  await waitFor(async () => (await endpoints()).join() === 'dns-b=10.42.1.1/true', {
    message: 'a node that stops serving leaves',
  });
  await nodes().delete('', 'dns-b');
  await waitFor(async () => (await endpoints()).join() === '', { message: 'a deleted node leaves' });
  assert.ok(await kubeDns(), 'the Service stays');
});

test('a deleted kube-dns comes back; one someone else made is left alone', async () => {
  await annotate('dns-a', '10.42.0.1');
  await services().delete('kube-system', 'kube-dns');
  await waitFor(
    async () => (await kubeDns())?.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'tugboat',
    {
      message: 'kube-dns is made again',
    },
  );
  // Nodes that stop serving (--cluster-dns) leave room for someone else's kube-dns.
  await annotate('dns-a', null);
  await waitFor(async () => (await endpoints()).join() === '');
  await services().delete('kube-system', 'kube-dns');
  await client.resource<EndpointSlice>(R.endpointSlices).delete('kube-system', 'kube-dns-nodes');
  await services().create({
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: { selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  });
  await annotate('dns-a', '10.42.0.2');
  await new Promise((r) => setTimeout(r, 500));
  const svc = await kubeDns();
  assert.deepEqual(svc?.spec?.selector, { 'k8s-app': 'kube-dns' }, "the user's Service is unchanged");
  assert.deepEqual(await endpoints(), [], 'and gets no slice from us');
});
