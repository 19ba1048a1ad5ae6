import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { addressTypesForService, endpointKey, endpointPorts, podToEndpoint } from './slice-endpoint.js';

const service = (spec: Service['spec'] = {}): Service => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec: { clusterIP: '10.43.0.1', selector: { app: 'web' }, ...spec },
});
const pod = (ready: boolean, deleting = false): Pod => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    uid: 'u',
    ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: 'n1',
    hostname: 'h',
    subdomain: 'web',
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
  status: {
    podIP: '10.42.0.1',
    podIPs: [{ ip: '10.42.0.1' }, { ip: 'fd00::1' }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});
const node: Node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };

void test('conditions: serving is readiness, ready is serving and not terminating', () => {
  const cond = (p: Pod, svc = service()) => podToEndpoint(p, node, svc, 'IPv4').conditions;
  assert.deepEqual(cond(pod(true)), { ready: true, serving: true, terminating: false });
  assert.deepEqual(cond(pod(false)), { ready: false, serving: false, terminating: false });
  assert.deepEqual(cond(pod(true, true)), { ready: false, serving: true, terminating: true });
  assert.deepEqual(cond(pod(false, true)), { ready: false, serving: false, terminating: true });
  const publish = service({ publishNotReadyAddresses: true });
  assert.deepEqual(cond(pod(false, true), publish), { ready: true, serving: false, terminating: true });
});

void test('endpoint fields: addresses of the type, node, zone, hostname, target', () => {
  assert.deepEqual(podToEndpoint(pod(true), node, service(), 'IPv4'), {
    addresses: ['10.42.0.1'],
    conditions: { ready: true, serving: true, terminating: false },
    hostname: 'h',
    targetRef: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u' },
    nodeName: 'n1',
    zone: 'z1',
  });
  const v6 = podToEndpoint(pod(true), undefined, service(), 'IPv6');
  assert.deepEqual(v6.addresses, ['fd00::1']);
  assert.equal(v6.zone, undefined);
  assert.notEqual(endpointKey(v6), endpointKey(podToEndpoint(pod(true), node, service(), 'IPv4')));
  // Conditions and node do not make another endpoint.
  assert.equal(
    endpointKey(podToEndpoint(pod(false), undefined, service(), 'IPv4')),
    endpointKey(podToEndpoint(pod(true), node, service(), 'IPv4')),
  );
});

void test('ports: resolved per pod, sorted, named ones the pod lacks left out', () => {
  const svc = service({
    ports: [
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'admin', port: 81, targetPort: 7000, protocol: 'TCP' },
    ],
  });
  assert.deepEqual(endpointPorts(svc, pod(true)), [
    { name: 'admin', port: 7000, protocol: 'TCP' },
    { name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' },
  ]);
  assert.deepEqual(endpointPorts(service({ clusterIP: 'None' }), pod(true)), []);
});

void test('address types: IP families, else the cluster IP family, else both', () => {
  assert.deepEqual([...addressTypesForService(service({ ipFamilies: ['IPv6', 'IPv4'] }))].sort(), [
    'IPv4',
    'IPv6',
  ]);
  assert.deepEqual([...addressTypesForService(service({ ipFamilies: ['IPv4'] }))], ['IPv4']);
  assert.deepEqual([...addressTypesForService(service({ clusterIP: 'fd00::10' }))], ['IPv6']);
  assert.deepEqual([...addressTypesForService(service({ clusterIP: 'None' }))].sort(), ['IPv4', 'IPv6']);
});
