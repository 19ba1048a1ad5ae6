import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { serviceVariables, servicesForPod } from './service-env.js';

const svc = (
  namespace: string,
  name: string,
  clusterIP: string,
  ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never,
): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});

void test('service link variables as upstream', () => {
  const vars = serviceVariables([
    svc('shop', 'redis-master', '10.43.0.5', [
      { port: 6379, name: 'redis' },
      { port: 9121, name: 'metrics', protocol: 'TCP' },
    ]),
  ]);
  assert.deepEqual(Object.fromEntries(vars), {
    REDIS_MASTER_SERVICE_HOST: '10.43.0.5',
    REDIS_MASTER_SERVICE_PORT: '6379',
    REDIS_MASTER_SERVICE_PORT_REDIS: '6379',
    REDIS_MASTER_SERVICE_PORT_METRICS: '9121',
    REDIS_MASTER_PORT: 'tcp://10.43.0.5:6379',
    REDIS_MASTER_PORT_6379_TCP: 'tcp://10.43.0.5:6379',
    REDIS_MASTER_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_MASTER_PORT_6379_TCP_PORT: '6379',
    REDIS_MASTER_PORT_6379_TCP_ADDR: '10.43.0.5',
    REDIS_MASTER_PORT_9121_TCP: 'tcp://10.43.0.5:9121',
    REDIS_MASTER_PORT_9121_TCP_PROTO: 'tcp',
    REDIS_MASTER_PORT_9121_TCP_PORT: '9121',
    REDIS_MASTER_PORT_9121_TCP_ADDR: '10.43.0.5',
  });
});

void test('which services a pod sees: kubernetes always, its namespace when links are on, never headless', () => {
  const all = [
    svc('default', 'kubernetes', '10.43.0.1', [{ port: 443, name: 'https' }]),
    svc('shop', 'web', '10.43.0.9', [{ port: 80 }]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'db', '10.43.0.7', [{ port: 5432 }]),
  ];
  const pod = (enableServiceLinks?: boolean): Pod => ({
    metadata: { namespace: 'shop', name: 'p' },
    spec: { containers: [], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
  });
  assert.deepEqual(
    servicesForPod(pod(), all).map((s) => s.metadata?.name),
    ['kubernetes', 'web'],
  );
  assert.deepEqual(
    servicesForPod(pod(false), all).map((s) => s.metadata?.name),
    ['kubernetes'],
  );
});
