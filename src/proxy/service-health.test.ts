import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { healthCheckBody, healthCheckPorts } from './service-health.js';

function lb(name: string, spec: Service['spec'], labels?: Record<string, string>): Service {
  return {
    metadata: { name, namespace: 'shop', ...(labels ? { labels } : {}) },
    spec: { type: 'LoadBalancer', clusterIP: '10.43.0.9', ports: [{ port: 80 }], ...spec },
  };
}

test('health check ports: LoadBalancers with the Local policy that this proxy serves', () => {
  const ports = healthCheckPorts([
    lb('local', { externalTrafficPolicy: 'Local', healthCheckNodePort: 31001 }),
    lb('cluster', { externalTrafficPolicy: 'Cluster', healthCheckNodePort: 31002 }),
    lb('not-yet', { externalTrafficPolicy: 'Local' }),
    lb(
      'other-proxy',
      { externalTrafficPolicy: 'Local', healthCheckNodePort: 31003 },
      {
        'service.kubernetes.io/service-proxy-name': 'theirs',
      },
    ),
    lb('nodeport', { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 31004 }),
  ]);
  assert.deepEqual([...ports], [['shop/local', 31001]]);
});

test('the body is upstream’s tab-indented JSON', () => {
  const body = healthCheckBody('shop/web', 2, true);
  assert.equal(
    body,
    '{\n\t"service": {\n\t\t"namespace": "shop",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}',
  );
  assert.deepEqual(JSON.parse(healthCheckBody('shop/web', 0, false)), {
    service: { namespace: 'shop', name: 'web' },
    localEndpoints: 0,
    serviceProxyHealthy: false,
  });
});
