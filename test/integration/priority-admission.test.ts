import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isApiError } from '../../src/api/errors.js';
import { ApiClient, R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let server: TestServer;
let client: ApiClient;

before(async () => {
  server = await startTestServer();
  client = new ApiClient({ server: server.url });
});
after(async () => {
  client.close();
  await server.close();
});

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const createPod = (name: string, spec: Record<string, unknown> = {}) =>
  client.resource<Pod>(R.pods).create(pod(name, spec));
const priorityClasses = () => client.resource(R.priorityClasses);

test('a pod gets the priority and preemption policy of its class; system classes are known', async () => {
  await priorityClasses().create({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'batch-low' },
    value: 100,
    preemptionPolicy: 'Never',
  });
  // No waiting: a class just created is found even before the watch brings it.
  const p = await createPod('low', { priorityClassName: 'batch-low' });
  assert.equal(p.spec?.priority, 100);
  assert.equal(p.spec?.preemptionPolicy, 'Never');
  const critical = await createPod('critical', { priorityClassName: 'system-cluster-critical' });
  assert.equal(critical.spec?.priority, 2_000_000_000);
  const plain = await createPod('plain');
  assert.equal(plain.spec?.priority, 0);
  assert.equal(plain.spec?.preemptionPolicy, 'PreemptLowerPriority');
});

test('an unknown class or a priority that disagrees with the class is Forbidden', async () => {
  await assert.rejects(createPod('nope', { priorityClassName: 'no-such-class' }), (err) => {
    assert.ok(isApiError(err));
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "nope" is forbidden: no PriorityClass with name no-such-class was found');
    return true;
  });
  await assert.rejects(createPod('liar', { priorityClassName: 'batch-low', priority: 5 }), (err) => {
    assert.ok(isApiError(err) && err.code === 403);
    assert.match(err.message, /the integer value of priority \(5\) must not be provided in pod spec/);
    return true;
  });
});

test('the globalDefault class applies to pods that name none', async () => {
  await priorityClasses().create({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'everyone' },
    value: 7,
    globalDefault: true,
  });
  const p = await waitFor(async () => {
    const created = await createPod(`defaulted-${Date.now()}`);
    return created.spec?.priority === 7 ? created : undefined;
  });
  assert.equal(p.spec?.priorityClassName, 'everyone');
});
