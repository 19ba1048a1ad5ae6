import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { serviceAccountController } from '../../src/controllers/serviceaccount/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({ serviceaccount: serviceAccountController });
  client = cluster.client;
});
after(() => cluster.close());

const accounts = () => client.resource<ServiceAccount>(R.serviceAccounts);
const exists = (ns: string) =>
  accounts()
    .get(ns, 'default')
    .then(
      () => true,
      (e: unknown) => {
        if (hasReason(e, 'NotFound')) return false;
        throw e;
      },
    );

test('the system namespaces and every new namespace get a default ServiceAccount', async () => {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await waitFor(() => exists(ns), { message: `default account in ${ns}` });
  }
  await client.resource<Namespace>(R.namespaces).create({ metadata: { name: 'team-a' } });
  await waitFor(() => exists('team-a'), { message: 'default account in team-a' });
});

test('a deleted default ServiceAccount is re-created', async () => {
  await waitFor(() => exists('default'));
  const before = await accounts().get('default', 'default');
  await accounts().delete('default', 'default');
  const again = await waitFor(async () => {
    const sa = await accounts()
      .get('default', 'default')
      .catch(() => undefined);
    return sa && sa.metadata?.uid !== before.metadata?.uid ? sa : undefined;
  });
  assert.equal(again.metadata?.name, 'default');
});

test('terminating namespaces get none', async () => {
  await client
    .resource<Namespace>(R.namespaces)
    .create({ metadata: { name: 'doomed', finalizers: ['example.com/hold'] } });
  await waitFor(() => exists('doomed'));
  await accounts().delete('doomed', 'default');
  await client.resource<Namespace>(R.namespaces).delete('', 'doomed');
  const ns = await client.resource<Namespace>(R.namespaces).get('', 'doomed');
  assert.ok(ns.metadata?.deletionTimestamp);
  // A namespace update makes the controller look again; it must not create into a terminating namespace.
  await client
    .resource<Namespace>(R.namespaces)
    .patch('', 'doomed', 'merge', { metadata: { labels: { x: 'y' } } });
  await waitFor(
    async () => (await client.resource<Namespace>(R.namespaces).get('', 'doomed')).metadata?.labels?.x,
  );
  assert.equal(await exists('doomed'), false);
});
