/**
 * RuntimeClass through the API and the kubelet: the server starts with the `crun` and `runc` classes, a pod
 * takes its class's overhead and scheduling, and the kubelet hands the class's handler to the runtime, which
 * refuses a handler it has no runtime for (the pod waits, with upstream's FailedCreatePodSandBox event).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness();
});
after(() => h.close());

const classes = () => h.client.resource<RuntimeClass>(R.runtimeClasses);
const app = [{ name: 'app', image: 'busybox:1.36' }];

test('the server starts with a RuntimeClass per OCI binary its agents can run', async () => {
  const list = await classes().list();
  assert.deepEqual(
    list.items.map((rc) => [rc.metadata?.name, rc.handler]),
    [
      ['crun', 'crun'],
      ['runc', 'runc'],
    ],
  );
});

test('a pod runs with its class’s handler, overhead and scheduling', async () => {
  h.runtime.handlers.add('kata');
  await classes().create({
    metadata: { name: 'kata' },
    handler: 'kata',
    overhead: { podFixed: { cpu: '100m', memory: '64Mi' } },
    scheduling: { nodeSelector: { 'kubernetes.io/os': 'linux' } },
  });
  const created = await h.createPod('isolated', { runtimeClassName: 'kata', containers: app });
  assert.deepEqual(created.spec?.overhead, { cpu: '100m', memory: '64Mi' });
  assert.deepEqual(created.spec?.nodeSelector, { 'kubernetes.io/os': 'linux' });
  await h.waitPod('isolated', (p) => p.status?.phase === 'Running', 'isolated running');
  const sandbox = [...h.runtime.sandboxes.values()].find((s) => s.config.metadata.name === 'isolated');
  assert.equal(sandbox?.status.runtimeHandler, 'kata');
  // The node publishes the handlers its runtime has.
  await waitFor(
    async () =>
      (await h.client.resource<Node>(R.nodes).get('', h.nodeName)).status?.runtimeHandlers?.some(
        (r) => r.name === 'kata',
      ),
    { message: 'the node lists the kata handler' },
  );
  const plain = await h.createPod('plain', { containers: app });
  await h.waitPod('plain', (p) => p.status?.phase === 'Running', 'plain running');
  const plainSandbox = [...h.runtime.sandboxes.values()].find(
    (s) => s.config.metadata.uid === plain.metadata?.uid,
  );
  assert.equal(plainSandbox?.status.runtimeHandler, undefined, 'no handler: the default runtime');
});

test('a handler the node has no runtime for keeps the pod waiting, with an event', async () => {
  await classes().create({ metadata: { name: 'gvisor' }, handler: 'runsc' });
  const pod = await h.createPod('sandboxed', { runtimeClassName: 'gvisor', containers: app });
  const event = await waitFor(
    async () =>
      (
        await h.client
          .resource<Event>(R.events)
          .list('default', { fieldSelector: 'involvedObject.name=sandboxed,reason=FailedCreatePodSandBox' })
      ).items[0],
    { message: 'a FailedCreatePodSandBox event' },
  );
  assert.equal(event.message, 'Failed to create pod sandbox: no runtime for "runsc" is configured');
  const now = (await h.getPod('sandboxed')) as Pod;
  assert.equal(now.status?.phase, 'Pending');
  assert.equal(
    [...h.runtime.sandboxes.values()].some((s) => s.config.metadata.uid === pod.metadata?.uid),
    false,
  );
});
