/** The pods/ephemeralcontainers subresource: add-only, validated, invisible to ordinary pod updates. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

const POD = '/api/v1/namespaces/default/pods/web';
const SMP = { 'content-type': 'application/strategic-merge-patch+json' };
const causes = (json: { details?: { causes?: { field: string; message: string }[] } }): string[] =>
  (json.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);

void test('kubectl debug adds an ephemeral container through the subresource, and only that way', async () => {
  const created = await call(t.url, 'POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'busybox' }] },
  });
  assert.equal(created.status, 201);

  const debugger1 = {
    name: 'debugger-1',
    image: 'busybox',
    stdin: true,
    tty: true,
    targetContainerName: 'app',
  };
  const added = await call(
    t.url,
    'PATCH',
    `${POD}/ephemeralcontainers`,
    { spec: { ephemeralContainers: [debugger1] } },
    SMP,
  );
  assert.equal(added.status, 200, JSON.stringify(added.json));
  const ec = added.json.spec.ephemeralContainers[0];
  assert.equal(ec.name, 'debugger-1');
  assert.equal(ec.imagePullPolicy, 'Always', 'defaulted as any container');
  assert.equal(ec.terminationMessagePolicy, 'File');
  assert.equal(added.json.metadata.labels.app, 'web', 'the rest of the pod is kept');

  const got = await call(t.url, 'GET', `${POD}/ephemeralcontainers`);
  assert.equal(got.status, 200);
  assert.equal(got.json.kind, 'Pod');
  assert.equal(got.json.spec.ephemeralContainers.length, 1);

  const bad = await call(
    t.url,
    'PATCH',
    `${POD}/ephemeralcontainers`,
    {
      spec: {
        ephemeralContainers: [
          {
            name: 'debugger-2',
            image: 'busybox',
            ports: [{ containerPort: 80 }],
            readinessProbe: { exec: { command: ['true'] } },
            targetContainerName: 'nope',
          },
        ],
      },
    },
    SMP,
  );
  assert.equal(bad.status, 422);
  assert.deepEqual(causes(bad.json).sort(), [
    'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
  ]);

  const changed = await call(t.url, 'PUT', `${POD}/ephemeralcontainers`, {
    ...got.json,
    spec: { ...got.json.spec, ephemeralContainers: [{ ...ec, image: 'alpine' }] },
  });
  assert.equal(changed.status, 422);
  assert.deepEqual(causes(changed.json), [
    'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-1" may not be changed',
  ]);

  const dup = await call(
    t.url,
    'PATCH',
    `${POD}/ephemeralcontainers`,
    { spec: { ephemeralContainers: [{ name: 'app', image: 'busybox' }] } },
    SMP,
  );
  assert.equal(dup.status, 422);
  assert.deepEqual(causes(dup.json), ['spec.ephemeralContainers[0].name: Duplicate value: "app"']);

  // The pod itself cannot take ephemeral containers.
  const pod = (await call(t.url, 'GET', POD)).json;
  pod.spec.ephemeralContainers.push({
    name: 'sneaky',
    image: 'busybox',
    imagePullPolicy: 'Always',
    terminationMessagePolicy: 'File',
  });
  const direct = await call(t.url, 'PUT', POD, pod);
  assert.equal(direct.status, 422);
  assert.match(causes(direct.json)[0] ?? '', /^spec: Forbidden: pod updates may not change fields/);
});
