/**
 * The csrcleaner controller against a real API server, its clock two hours ahead of the one that stamps the
 * requests: issued and denied requests are past their hour and go, a pending one has most of its day left.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { csrCleanerController, csrSigningController } from '../../src/controllers/certificates/index.js';
import { FakeClock } from '../../src/util/clock.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { certificateRequest, csrObject, testCa } from '../helpers/csr.js';
import { waitUntilGone } from '../helpers/gone.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster(
    { csrsigning: csrSigningController, csrcleaner: csrCleanerController },
    {
      clock: new FakeClock(Date.now() + 2 * 3_600_000),
      options: { csrCleanerPeriodMs: 50, clusterSigning: await testCa() },
    },
  );
  client = cluster.client;
});
after(() => cluster.close());

const csrs = () => client.resource<CertificateSigningRequest>(R.certificateSigningRequests);

async function create(name: string, decision?: 'Approved' | 'Denied'): Promise<void> {
  const { pem } = await certificateRequest({ commonName: name });
  const csr = await csrs().create(
    csrObject(name, pem, 'kubernetes.io/kube-apiserver-client', ['client auth']),
  );
  if (!decision) return;
  await csrs().updateSubresource('', name, 'approval', {
    ...csr,
    status: { conditions: [{ type: decision, status: 'True', reason: 'Test', message: 'test' }] },
  });
}

void test('old issued and denied requests are deleted, a fresh pending one is kept', async () => {
  await create('pending');
  await create('issued', 'Approved');
  await create('denied', 'Denied');
  await waitUntilGone(() => csrs().get('', 'issued'), 'the issued request deleted');
  await waitUntilGone(() => csrs().get('', 'denied'), 'the denied request deleted');
  assert.equal((await csrs().get('', 'pending')).status?.conditions, undefined);
});
