import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { findPort } from '../../api/pod-ports.js';
import {
  isServiceIPSet,
  podIPs,
  serviceSelector,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './pod-inclusion.js';

const pod = (over: { phase?: string; ip?: string; deleting?: boolean } = {}): Pod => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    ...(over.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  status: { phase: over.phase ?? 'Running', ...(over.ip === '' ? {} : { podIP: over.ip ?? '10.0.0.1' }) },
});

void test('pods in endpoints: an IP, not terminal, terminating only when asked', () => {
  assert.equal(shouldPodBeInEndpoints(pod(), false), true);
  assert.equal(shouldPodBeInEndpoints(pod({ ip: '' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod({ phase: 'Succeeded' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod({ phase: 'Failed' }), true), false);
  assert.equal(shouldPodBeInEndpoints(pod({ phase: 'Pending' }), false), true);
  assert.equal(shouldPodBeInEndpoints(pod({ deleting: true }), false), false);
  assert.equal(shouldPodBeInEndpoints(pod({ deleting: true }), true), true);
  const onlyIPs: Pod = { status: { phase: 'Running', podIPs: [{ ip: '10.0.0.2' }] } };
  assert.equal(shouldPodBeInEndpoints(onlyIPs, false), true);
  assert.deepEqual(podIPs(onlyIPs), ['10.0.0.2']);
  assert.deepEqual(podIPs(pod()), ['10.0.0.1']);
});

void test('hostname only when the subdomain names the Service in the same namespace', () => {
  const svc: Service = { metadata: { name: 'db', namespace: 'ns' } };
  const named = (hostname: string | undefined, subdomain: string, namespace = 'ns'): Pod => ({
    metadata: { namespace },
    spec: { containers: [], ...(hostname ? { hostname } : {}), subdomain },
  });
  assert.equal(shouldSetHostname(named('db-0', 'db'), svc), true);
  assert.equal(shouldSetHostname(named('db-0', 'other'), svc), false);
  assert.equal(shouldSetHostname(named(undefined, 'db'), svc), false);
  assert.equal(shouldSetHostname(named('db-0', 'db', 'elsewhere'), svc), false);
});

void test('headless and selector helpers', () => {
  assert.equal(isServiceIPSet({ spec: { clusterIP: '10.43.0.5' } }), true);
  assert.equal(isServiceIPSet({ spec: { clusterIP: 'None' } }), false);
  assert.equal(isServiceIPSet({ spec: {} }), false);
  assert.equal(serviceSelector({ spec: { selector: {} } }), undefined);
  assert.deepEqual(serviceSelector({ spec: { selector: { app: 'a' } } }), { app: 'a' });
});

void test('findPort: numbers as they are, names by container port name and protocol, sidecars too', () => {
  const p: Pod = {
    spec: {
      initContainers: [
        { name: 'init', ports: [{ name: 'init-only', containerPort: 1 }] },
        { name: 'side', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090 }] },
      ],
      containers: [
        { name: 'a', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] },
        {
          name: 'b',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'dns', containerPort: 5353 },
          ],
        },
      ],
    },
  };
  const sp = (targetPort: ServicePort['targetPort'], protocol = 'TCP'): ServicePort => ({
    port: 80,
    targetPort,
    protocol,
  });
  assert.equal(findPort(p, sp(8000)), 8000);
  assert.equal(findPort(p, { port: 81 }), 81);
  assert.equal(findPort(p, sp('http')), 8080);
  assert.equal(findPort(p, sp('dns', 'UDP')), 53);
  assert.equal(findPort(p, sp('dns')), 5353);
  assert.equal(findPort(p, sp('metrics')), 9090);
  assert.equal(findPort(p, sp('init-only')), undefined);
  assert.equal(findPort(p, sp('http', 'UDP')), undefined);
  assert.equal(findPort(p, sp('missing')), undefined);
});
