import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { desiredEndpoints, endpointSubsets, MANAGED_BY_LABEL } from './desired-endpoints.js';

const T = Date.parse('2026-01-01T00:00:10Z');

const service = (spec: Service['spec'] = {}, labels?: Record<string, string>): Service => ({
  metadata: { name: 'web', namespace: 'ns', ...(labels ? { labels } : {}) },
  spec: {
    clusterIP: '10.43.0.10',
    ipFamilies: ['IPv4'],
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    ...spec,
  },
});

const pod = (
  name: string,
  ip: string,
  opts: { ready?: boolean; port?: number; deleting?: boolean; hostname?: string } = {},
): Pod => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    labels: { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: 'node-1',
    ...(opts.hostname ? { hostname: opts.hostname, subdomain: 'web' } : {}),
    containers: [
      { name: 'c', ports: opts.port ? [{ name: 'http', containerPort: opts.port, protocol: 'TCP' }] : [] },
    ],
  },
  status: {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

const address = (name: string, ip: string) => ({
  ip,
  nodeName: 'node-1',
  targetRef: { kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` },
});

void test('subsets: ready and not-ready pods, named target ports resolved per pod, pods without the port left out', () => {
  const subsets = endpointSubsets(service(), [
    pod('a', '10.42.0.2', { port: 8080 }),
    pod('b', '10.42.0.1', { port: 8080, ready: false }),
    pod('c', '10.42.0.3', { port: 9000 }),
    pod('no-port', '10.42.0.4'),
    pod('going', '10.42.0.5', { port: 8080, deleting: true }),
  ]);
  assert.deepEqual(subsets, [
    {
      addresses: [address('a', '10.42.0.2')],
      notReadyAddresses: [address('b', '10.42.0.1')],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    { addresses: [address('c', '10.42.0.3')], ports: [{ name: 'http', port: 9000, protocol: 'TCP' }] },
  ]);
});

void test('subsets: publishNotReadyAddresses lists every pod, terminating ones too, as ready', () => {
  const subsets = endpointSubsets(service({ publishNotReadyAddresses: true }), [
    pod('a', '10.42.0.1', { port: 8080, ready: false }),
    pod('b', '10.42.0.2', { port: 8080, deleting: true }),
  ]);
  assert.deepEqual(
    subsets[0]?.addresses?.map((a) => a.ip),
    ['10.42.0.1', '10.42.0.2'],
  );
  assert.equal(subsets[0]?.notReadyAddresses, undefined);
});

void test('subsets: headless Service without ports lists addresses with hostnames', () => {
  const svc = service({ clusterIP: 'None', ports: [] });
  assert.deepEqual(endpointSubsets(svc, [pod('a', '10.42.0.1', { hostname: 'a-host' })]), [
    { addresses: [{ ...address('a', '10.42.0.1'), hostname: 'a-host' }] },
  ]);
  // With a cluster IP and no ports there is nothing to list.
  assert.deepEqual(endpointSubsets(service({ ports: [] }), [pod('a', '10.42.0.1')]), []);
});

void test('subsets: numeric targetPort, appProtocol, the IP of the Service family', () => {
  const svc = service({ ports: [{ port: 80, targetPort: 8000, protocol: 'TCP', appProtocol: 'http' }] });
  const dual = pod('a', '10.42.0.1');
  dual.status!.podIPs = [{ ip: 'fd00::1' }, { ip: '10.42.0.1' }];
  assert.deepEqual(endpointSubsets(svc, [dual]), [
    { addresses: [address('a', '10.42.0.1')], ports: [{ port: 8000, protocol: 'TCP', appProtocol: 'http' }] },
  ]);
  const v6 = endpointSubsets({ ...svc, spec: { ...svc.spec, ipFamilies: ['IPv6'] } }, [dual]);
  assert.equal(v6[0]?.addresses?.[0]?.ip, 'fd00::1');
});

void test('desired object: labels, trigger time, headless marker; unchanged inputs write nothing', () => {
  const svc = service({ clusterIP: 'None' }, { tier: 'front' });
  const subsets = endpointSubsets(svc, [pod('a', '10.42.0.1', { port: 8080 })]);
  const created = desiredEndpoints(svc, undefined, subsets, T)!;
  assert.deepEqual(created.metadata, {
    name: 'web',
    namespace: 'ns',
    labels: {
      tier: 'front',
      'service.kubernetes.io/headless': '',
      [MANAGED_BY_LABEL]: 'endpoint-controller',
    },
    annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:10Z' },
  });
  const stored: Endpoints = { ...created, metadata: { ...created.metadata, resourceVersion: '5' } };
  // Same subsets and labels: no write, even with another trigger time.
  assert.equal(
    desiredEndpoints(svc, stored, endpointSubsets(svc, [pod('a', '10.42.0.1', { port: 8080 })]), T + 1000),
    undefined,
  );
  // A label change on the Service is written; no trigger time drops the annotation.
  const relabelled = { ...svc, metadata: { ...svc.metadata, labels: { tier: 'back' } } };
  const updated = desiredEndpoints(relabelled, stored, subsets, undefined)!;
  assert.equal(updated.metadata?.labels?.tier, 'back');
  assert.equal(updated.metadata?.resourceVersion, '5');
  assert.equal(updated.metadata?.annotations, undefined);
  assert.equal(stored.metadata?.labels?.tier, 'front', 'current is not modified');
});

void test('desired object: over capacity is truncated and marked, then stable', () => {
  const svc = service({ ports: [{ port: 80, protocol: 'TCP' }] });
  const pods = Array.from({ length: 1005 }, (_, i) =>
    pod(`p${i}`, `10.42.${Math.floor(i / 250)}.${i % 250}`),
  );
  const subsets = endpointSubsets(svc, pods);
  const created = desiredEndpoints(svc, undefined, subsets, T)!;
  assert.equal(created.subsets?.[0]?.addresses?.length, 1000);
  assert.equal(created.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
  assert.equal(desiredEndpoints(svc, created, subsets, T), undefined);
  // Back under capacity: the marker goes.
  const fewer = desiredEndpoints(svc, created, endpointSubsets(svc, pods.slice(0, 10)), T)!;
  assert.equal(fewer.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
});
