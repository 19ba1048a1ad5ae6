/**
 * The csrsigning controller against a real HTTPS API server whose client CA is the signing CA: approved requests
 * get certificates the server accepts as client certificates; requests that break their signer's rules fail;
 * denied requests and those of other signers are left alone.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { createAuthenticator } from '../../src/apiserver/auth/authenticator.js';
import { ensurePki, type Pki } from '../../src/apiserver/auth/pki.js';
import { R, Transport, type ApiClient } from '../../src/client/index.js';
import { csrSigningController } from '../../src/controllers/certificates/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { certificateRequest, csrObject, type RequestSpec } from '../helpers/csr.js';

const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];

let dir: string;
let pki: Pki;
let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tugboat-csr-'));
  pki = await ensurePki(join(dir, 'tls'), { hosts: [], ips: [] });
  cluster = await startTestCluster(
    { csrsigning: csrSigningController },
    {
      server: {
        tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert },
        authenticator: createAuthenticator(),
      },
      client: { caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey },
      // One worker takes the keys in the order their events came: a later request signed means every earlier
      // one was looked at.
      options: { workers: 1, clusterSigning: { certPem: pki.caCert, keyPem: pki.caKey } },
    },
  );
  client = cluster.client;
});
after(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

const csrs = () => client.resource<CertificateSigningRequest>(R.certificateSigningRequests);

async function create(
  name: string,
  spec: RequestSpec,
  signerName = CLIENT_SIGNER,
  usages = CLIENT_USAGES,
  expirationSeconds?: number,
) {
  const request = await certificateRequest(spec);
  await csrs().create(csrObject(name, request.pem, signerName, usages, expirationSeconds));
  return request;
}

/** Adds the condition through the approval subresource, as `kubectl certificate approve|deny` does. */
async function decide(name: string, type: 'Approved' | 'Denied'): Promise<void> {
  const csr = await csrs().get('', name);
  await csrs().updateSubresource('', name, 'approval', {
    ...csr,
    status: {
      ...csr.status,
      conditions: [
        ...(csr.status?.conditions ?? []),
        { type, status: 'True', reason: 'Test', message: 'test' },
      ],
    },
  });
}

const certificateOf = (name: string) =>
  waitFor(
    async () => {
      const pem = (await csrs().get('', name)).status?.certificate;
      return pem ? Buffer.from(pem, 'base64').toString('utf8') : undefined;
    },
    { message: `a certificate for ${name}` },
  );

async function whoAmI(certPem: string, keyPem: string) {
  const transport = new Transport({ server: cluster.server.url, caPem: pki.caCert, certPem, keyPem });
  try {
    const res = await transport.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    const review = JSON.parse(res.body) as {
      status?: { userInfo?: { username?: string; groups?: string[] } };
    };
    return review.status?.userInfo;
  } finally {
    transport.close();
  }
}

void test('an approved client request gets a certificate the API server takes as user and groups', async () => {
  const request = await create(
    'jane',
    { commonName: 'jane', organizations: ['dev', 'ops'] },
    CLIENT_SIGNER,
    CLIENT_USAGES,
    3600,
  );
  await decide('jane', 'Approved');
  const pem = await certificateOf('jane');
  const cert = new X509Certificate(pem);
  assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey));
  // A short lifetime as asked, from five minutes ago.
  assert.equal(Date.parse(cert.validTo) - Date.parse(cert.validFrom), 65 * 60_000);
  const csr = await csrs().get('', 'jane');
  assert.deepEqual(
    csr.status?.conditions?.map((c) => c.type),
    ['Approved'],
  );
  assert.deepEqual(await whoAmI(pem, request.keyPem), {
    username: 'jane',
    groups: ['dev', 'ops', 'system:authenticated'],
  });
});

void test('a kubelet gets its client and serving certificates', async () => {
  const node = { commonName: 'system:node:n1', organizations: ['system:nodes'] };
  const kubeletClient = await create('n1-client', node, 'kubernetes.io/kube-apiserver-client-kubelet');
  await create(
    'n1-serving',
    { ...node, dnsNames: ['n1'], ips: ['10.0.0.7'] },
    'kubernetes.io/kubelet-serving',
    ['digital signature', 'key encipherment', 'server auth'],
  );
  await decide('n1-client', 'Approved');
  await decide('n1-serving', 'Approved');
  const serving = new X509Certificate(await certificateOf('n1-serving'));
  assert.equal(serving.subjectAltName, 'DNS:n1, IP Address:10.0.0.7');
  assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  const clientPem = await certificateOf('n1-client');
  assert.deepEqual(await whoAmI(clientPem, kubeletClient.keyPem), {
    username: 'system:node:n1',
    groups: ['system:nodes', 'system:authenticated'],
  });
});

void test('a client request asking for server auth fails instead of being signed', async () => {
  await create('wants-serving', { commonName: 'jane' }, CLIENT_SIGNER, ['client auth', 'server auth']);
  await decide('wants-serving', 'Approved');
  const failed = await waitFor(
    async () => (await csrs().get('', 'wants-serving')).status?.conditions?.find((c) => c.type === 'Failed'),
    { message: 'a Failed condition' },
  );
  assert.equal(failed.status, 'True');
  assert.equal(failed.reason, 'SignerValidationFailure');
  assert.equal(failed.message, 'invalid usage for client certificate: server auth');
  assert.equal((await csrs().get('', 'wants-serving')).status?.certificate, undefined);
});

void test('denied requests and requests of other signers are never signed', async () => {
  await create('denied', { commonName: 'mallory' });
  await decide('denied', 'Denied');
  await create('elsewhere', { commonName: 'jane' }, 'example.com/custom-signer');
  await decide('elsewhere', 'Approved');
  await create('pending', { commonName: 'bob' });
  // Looked at after all of the above: once it is signed, so would they have been.
  await create('later', { commonName: 'later' });
  await decide('later', 'Approved');
  await certificateOf('later');
  for (const name of ['denied', 'elsewhere', 'pending']) {
    const csr = await csrs().get('', name);
    assert.equal(csr.status?.certificate, undefined, name);
    assert.ok(!csr.status?.conditions?.some((c) => c.type === 'Failed'), name);
  }
});
