import assert from 'node:assert/strict';
import { test } from 'node:test';
import { certificateRequest, type RequestSpec } from '../../test/helpers/csr.js';
import { csrContents, csrSubject, csrSubjectAltNames, parseCsr } from './csr.js';
import {
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  signerRuleProblem,
} from './csr-signers.js';

const parsed = async (spec: RequestSpec) => parseCsr((await certificateRequest(spec)).pem);
const contents = async (spec: RequestSpec) => csrContents(await parsed(spec));

const NODE = { commonName: 'system:node:n1', organizations: ['system:nodes'] };
const SERVING = ['digital signature', 'key encipherment', 'server auth'];
const CLIENT = ['digital signature', 'key encipherment', 'client auth'];

void test('subject and subjectAltNames are read from the request', async () => {
  const csr = await parsed({
    commonName: 'jane',
    organizations: ['dev', 'ops'],
    dnsNames: ['a.example'],
    ips: ['10.0.0.1', '::1'],
    emails: ['j@example.com'],
    uris: ['spiffe://cluster/jane'],
  });
  assert.deepEqual(csrSubject(csr), { commonName: 'jane', organizations: ['dev', 'ops'] });
  assert.deepEqual(csrSubjectAltNames(csr), {
    dnsNames: ['a.example'],
    emailAddresses: ['j@example.com'],
    ipAddresses: ['10.0.0.1', '::1'],
    uris: ['spiffe://cluster/jane'],
  });
  assert.deepEqual(csrSubjectAltNames(await parsed({ commonName: 'x' })), {
    dnsNames: [],
    emailAddresses: [],
    ipAddresses: [],
    uris: [],
  });
});

void test('kube-apiserver-client: client auth is required, digital signature and key encipherment allowed', async () => {
  const csr = await contents({ commonName: 'jane', organizations: ['dev'], dnsNames: ['any.example'] });
  const problem = (usages: string[]) => signerRuleProblem(KUBE_APISERVER_CLIENT_SIGNER, csr, usages);
  assert.equal(problem(CLIENT), undefined);
  assert.equal(problem(['client auth']), undefined);
  assert.equal(problem(['client auth', 'server auth']), 'invalid usage for client certificate: server auth');
  assert.equal(problem(['digital signature']), 'missing required usage for client certificate: client auth');
});

void test('kubelet-serving: system:nodes, system:node: name, a DNS or IP name, serving usages', async () => {
  const problem = async (spec: RequestSpec, usages = SERVING) =>
    signerRuleProblem(KUBELET_SERVING_SIGNER, await contents(spec), usages);
  assert.equal(await problem({ ...NODE, dnsNames: ['n1'] }), undefined);
  assert.equal(
    await problem({ ...NODE, ips: ['10.0.0.1'] }, ['digital signature', 'server auth']),
    undefined,
  );
  assert.equal(
    await problem({ ...NODE, organizations: ['system:nodes', 'x'], dnsNames: ['n1'] }),
    'subject organization is not system:nodes',
  );
  assert.equal(await problem(NODE), 'DNS or IP subjectAltName is required');
  assert.equal(
    await problem({ ...NODE, dnsNames: ['n1'], emails: ['a@b.c'] }),
    'Email subjectAltNames are not allowed',
  );
  assert.equal(
    await problem({ ...NODE, dnsNames: ['n1'], uris: ['https://n1'] }),
    'URI subjectAltNames are not allowed',
  );
  assert.equal(
    await problem({ ...NODE, dnsNames: ['n1'] }, [...SERVING, 'client auth']),
    'usages did not match [digital signature key encipherment server auth]',
  );
  assert.equal(
    await problem({ ...NODE, commonName: 'n1', dnsNames: ['n1'] }),
    'subject common name does not begin with system:node:',
  );
});

void test('kube-apiserver-client-kubelet: system:nodes, system:node: name, no names, client usages', async () => {
  const problem = async (spec: RequestSpec, usages = CLIENT) =>
    signerRuleProblem(KUBE_APISERVER_CLIENT_KUBELET_SIGNER, await contents(spec), usages);
  assert.equal(await problem(NODE), undefined);
  assert.equal(await problem(NODE, ['digital signature', 'client auth']), undefined);
  assert.equal(await problem({ ...NODE, organizations: [] }), 'subject organization is not system:nodes');
  assert.equal(await problem({ ...NODE, dnsNames: ['n1'] }), 'DNS subjectAltNames are not allowed');
  assert.equal(await problem({ ...NODE, emails: ['a@b.c'] }), 'Email subjectAltNames are not allowed');
  assert.equal(await problem({ ...NODE, ips: ['10.0.0.1'] }), 'IP subjectAltNames are not allowed');
  assert.equal(await problem({ ...NODE, uris: ['https://n1'] }), 'URI subjectAltNames are not allowed');
  assert.equal(
    await problem({ ...NODE, commonName: 'jane' }),
    'subject common name does not begin with system:node:',
  );
  assert.equal(
    await problem(NODE, ['client auth']),
    'usages did not match [client auth digital signature key encipherment]',
  );
});

void test('other signers are not the cluster CA’s to judge', async () => {
  const csr = await contents({ commonName: 'x' });
  assert.throws(
    () => signerRuleProblem('kubernetes.io/legacy-unknown', csr, CLIENT),
    /unrecognized signerName/,
  );
});
