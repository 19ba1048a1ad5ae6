import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.close();
});

async function create(path: string, body: unknown): Promise<{ status?: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { status?: Record<string, unknown> };
}

test('a Node keeps the status it is created with, as an agent registers it', async () => {
  const node = await create('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'registered' },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.7' }],
    },
  });
  assert.deepEqual(node.status?.conditions, [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }]);
  assert.deepEqual(node.status?.addresses, [{ type: 'InternalIP', address: '10.0.0.7' }]);
  // Allocatable defaults to capacity.
  assert.deepEqual(node.status?.allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
});

test('other kinds with a status subresource drop the status a create sends', async () => {
  const deployment = await create('/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'no-status' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
    status: { replicas: 5, readyReplicas: 5 },
  });
  assert.equal(deployment.status?.replicas, undefined);
  assert.equal(deployment.status?.readyReplicas, undefined);
});
