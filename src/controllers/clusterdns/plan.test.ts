import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ANN_CLUSTER_DNS_ADDRESS } from '../../api/cluster-dns.js';
import { anyServer, desiredService, desiredSlice, isOurs, kubeDnsClusterIp } from './plan.js';

const node = (name: string, address: string | undefined, ready = true): Node => ({
  metadata: { name, ...(address ? { annotations: { [ANN_CLUSTER_DNS_ADDRESS]: address } } : {}) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('kube-dns takes the tenth address of the service range', () => {
  assert.equal(kubeDnsClusterIp('10.43.0.1'), '10.43.0.10');
  assert.equal(kubeDnsClusterIp('10.96.0.1'), '10.96.0.10');
  assert.equal(kubeDnsClusterIp('fd00:43::1'), 'fd00:43::a');
});

test('the slice lists the nodes that serve DNS, by name, ready as their node', () => {
  const nodes = [
    node('b', '10.42.1.1', false),
    node('a', '10.42.0.1'),
    node('c', undefined),
    node('d', 'fd00::1'),
  ];
  const slice = desiredSlice(nodes, 'IPv4');
  assert.deepEqual(
    slice.endpoints.map((e) => [e.nodeName, e.addresses[0], e.conditions?.ready, e.conditions?.serving]),
    [
      ['a', '10.42.0.1', true, true],
      ['b', '10.42.1.1', false, false],
    ],
  );
  assert.deepEqual(slice.metadata?.labels?.['kubernetes.io/service-name'], 'kube-dns');
  assert.deepEqual(
    slice.ports?.map((p) => `${p.name}/${p.protocol}/${p.port}`),
    ['dns/UDP/53', 'dns-tcp/TCP/53'],
  );
  assert.deepEqual(
    desiredSlice(nodes, 'IPv6').endpoints.map((e) => e.nodeName),
    ['d'],
  );
  assert.equal(anyServer(nodes), true);
  assert.equal(anyServer([node('c', undefined)]), false);
});

test('the Service is node-local, selector-less and marked as ours', () => {
  const svc = desiredService('10.43.0.10');
  assert.equal(svc.spec?.selector, undefined);
  assert.equal(svc.spec?.internalTrafficPolicy, 'Local');
  assert.equal(svc.spec?.clusterIP, '10.43.0.10');
  assert.equal(desiredService(undefined).spec?.clusterIP, undefined);
  assert.equal(isOurs(svc), true);
  assert.equal(isOurs({ metadata: { name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' } } }), false);
});
