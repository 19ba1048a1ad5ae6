/** The kubelet's status manager against a real API server: changed statuses are written, others' changes undone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../src/api/errors.js';
import { R, type ApiClient, type ClientObject, type ResourceType } from '../../src/client/index.js';
import { StatusManager } from '../../src/kubelet/status-manager.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { serverForTests } from '../helpers/api-server.js';

const t = serverForTests();

const pods = () => t.client.resource<Pod>(R.pods);
const running = (ready: 'True' | 'False'): PodStatus => ({
  phase: 'Running',
  conditions: [
    { type: 'ContainersReady', status: ready },
    { type: 'Ready', status: ready },
  ],
});
const readyOf = async (name: string): Promise<string | undefined> =>
  (await pods().get('default', name)).status?.conditions?.find((c) => c.type === 'Ready')?.status;

test("the pod's readiness set by someone else is written back; an agreeing copy writes nothing", async () => {
  const created = await pods().create({
    metadata: { name: 'sm', namespace: 'default' },
    spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox' }] },
  });
  const status = new StatusManager(t.client, silentLogger);
  await status.set(created, running('True'));
  assert.equal(await readyOf('sm'), 'True');

  const agreeing = await pods().get('default', 'sm');
  status.reconcile(agreeing);
  await status.settle(created.metadata!.uid!);
  assert.equal(
    (await pods().get('default', 'sm')).metadata?.resourceVersion,
    agreeing.metadata?.resourceVersion,
    'no write when the API agrees',
  );

  // The node lifecycle controller marks the pods of a silent node not ready.
  const marked = await pods().patch(
    'default',
    'sm',
    'strategic',
    { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeNotReady' }] } },
    { subresource: 'status' },
  );
  status.reconcile(marked);
  await status.settle(created.metadata!.uid!);
  assert.equal(await readyOf('sm'), 'True');
});

test('a status write that fails is tried again without another sync', async () => {
  const created = await pods().create({
    metadata: { name: 'sm-retry', namespace: 'default' },
    spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox' }] },
  });
  // The API answers the first status write with an error, as an overloaded or restarting server would.
  let failures = 1;
  const flaky = Object.create(t.client) as ApiClient;
  flaky.resource = <T extends ClientObject>(type: ResourceType) => {
    const real = t.client.resource<T>(type);
    const once = Object.create(real) as typeof real;
    once.patch = (...args: Parameters<typeof real.patch>) => {
      if (failures-- > 0) return Promise.reject(new ApiError(500, 'InternalError', 'store unavailable'));
      return real.patch(...args);
    };
    return once;
  };
  const status = new StatusManager(flaky, silentLogger, 50);
  await status.set(created, { ...running('False'), phase: 'Failed', reason: 'DeadlineExceeded' });
  assert.equal((await pods().get('default', 'sm-retry')).status?.phase, 'Pending', 'the first write failed');
  await waitFor(async () => (await pods().get('default', 'sm-retry')).status?.phase === 'Failed');
  assert.equal((await pods().get('default', 'sm-retry')).status?.reason, 'DeadlineExceeded');
  status.forget(created.metadata!.uid!);
});
