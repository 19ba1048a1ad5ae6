import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { ROOT_CA_CONFIGMAP, rootCaCertPublisherController } from '../../src/controllers/rootcacert/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster(
    { 'root-ca-cert-publisher': rootCaCertPublisherController },
    { options: { rootCaPem: CA } },
  );
  client = cluster.client;
});
after(() => cluster.close());

const configMaps = () => client.resource<ConfigMap>(R.configMaps);
const published = (ns: string) =>
  waitFor(
    async () => {
      const cm = await configMaps()
        .get(ns, ROOT_CA_CONFIGMAP)
        .catch(() => undefined);
      return cm?.data?.['ca.crt'] === CA ? cm : undefined;
    },
    { message: `${ROOT_CA_CONFIGMAP} in ${ns}` },
  );

void test('every namespace gets kube-root-ca.crt with the cluster CA; deleted or edited, it comes back', async () => {
  for (const ns of ['default', 'kube-system', 'kube-public']) await published(ns);
  await client.resource<Namespace>(R.namespaces).create({ metadata: { name: 'team-b' } });
  const cm = await published('team-b');
  assert.match(cm.metadata?.annotations?.['kubernetes.io/description'] ?? '', /^Contains a CA bundle/);

  await configMaps().update({ ...cm, data: { 'ca.crt': 'tampered', extra: 'x' } });
  const restored = await published('team-b');
  assert.deepEqual(restored.data, { 'ca.crt': CA });

  await configMaps().delete('team-b', ROOT_CA_CONFIGMAP);
  const again = await published('team-b');
  assert.notEqual(again.metadata?.uid, cm.metadata?.uid);
});
