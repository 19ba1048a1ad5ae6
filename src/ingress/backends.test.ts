import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { resolveBackend } from './backends.js';
import type { RouteTarget } from './route-table.js';

const service: Service = {
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    ports: [
      { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  },
};

const slice = (endpoints: EndpointSlice['endpoints'], portName = 'http', port = 8080): EndpointSlice => ({
  addressType: 'IPv4',
  metadata: { name: `web-${port}`, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  ports: [{ name: portName, port, protocol: 'TCP' }],
  endpoints,
});

const target = (port: { number?: number; name?: string }): RouteTarget => ({
  ingress: 'default/i',
  namespace: 'default',
  service: { name: 'web', port },
});

test('a service port by number or by name leads to the ready endpoints of the matching slice port', () => {
  const slices = [
    slice([
      { addresses: ['10.42.0.5'], conditions: { ready: true } },
      { addresses: ['10.42.0.6'] },
      { addresses: ['10.42.0.7'], conditions: { ready: false, serving: true, terminating: true } },
    ]),
    slice([{ addresses: ['10.42.0.9'] }], 'other', 9090),
  ];
  const want = {
    endpoints: [
      { ip: '10.42.0.5', port: 8080 },
      { ip: '10.42.0.6', port: 8080 },
    ],
  };
  assert.deepEqual(resolveBackend(target({ number: 80 }), service, slices), want);
  assert.deepEqual(resolveBackend(target({ name: 'http' }), service, slices), want);
});

test('with no ready endpoint, the serving terminating ones take the traffic', () => {
  const slices = [
    slice([
      { addresses: ['10.42.0.7'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.42.0.8'], conditions: { ready: false, serving: false, terminating: true } },
      { addresses: ['10.42.0.9'], conditions: { ready: false } },
    ]),
  ];
  assert.deepEqual(resolveBackend(target({ number: 80 }), service, slices), {
    endpoints: [{ ip: '10.42.0.7', port: 8080 }],
  });
});

test('what cannot be served says why', () => {
  assert.deepEqual(resolveBackend(target({ number: 80 }), undefined, []), { error: 'no service' });
  assert.deepEqual(resolveBackend(target({ number: 81 }), service, []), { error: 'no such port' });
  assert.deepEqual(resolveBackend(target({ name: 'dns' }), service, []), { error: 'no such port' }, 'UDP');
  assert.deepEqual(resolveBackend(target({ number: 80 }), service, []), { error: 'no endpoints' });
  assert.deepEqual(resolveBackend({ ingress: 'default/i', namespace: 'default' }, service, []), {
    error: 'resource backend',
  });
  const external: Service = { ...service, spec: { type: 'ExternalName', externalName: 'example.com' } };
  assert.deepEqual(resolveBackend(target({ number: 80 }), external, []), { error: 'external name' });
});
