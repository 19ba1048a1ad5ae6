import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  CertificateSigningRequest,
  CertificateSigningRequestCondition,
} from 'kubernetes-types/certificates/v1.js';
import { certificateRequest, testCa } from '../../../test/helpers/csr.js';
import { parseCsr } from '../../api/csr.js';
import { CertificateAuthority, certificateValidity } from './authority.js';
import { cleanupReason, DEFAULT_CSR_RETENTION } from './cleanup.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');
const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function csr(
  conditions: Partial<CertificateSigningRequestCondition>[] = [],
  certificate?: string,
): CertificateSigningRequest {
  return {
    metadata: { name: 'r', creationTimestamp: at(T0) },
    spec: { request: '', signerName: 'example.com/s', usages: ['client auth'] },
    status: {
      conditions: conditions.map((c) => ({ type: 'Approved', status: 'True', ...c })),
      ...(certificate ? { certificate } : {}),
    },
  };
}

const reason = (r: CertificateSigningRequest, nowMs: number) =>
  cleanupReason(r, nowMs, DEFAULT_CSR_RETENTION);
const CERT = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');

void test('pending requests go after a day', () => {
  assert.equal(reason(csr(), T0 + 23 * HOUR), undefined);
  assert.equal(reason(csr(), T0 + 25 * HOUR), 'pending past the retention');
});

void test('issued, denied and failed requests go an hour after their condition', () => {
  const issued = csr([{ type: 'Approved', lastUpdateTime: at(T0 + HOUR) }], CERT);
  assert.equal(reason(issued, T0 + 1.5 * HOUR), undefined);
  assert.equal(reason(issued, T0 + 2.5 * HOUR), 'approved and issued past the retention');
  const denied = csr([{ type: 'Denied', lastUpdateTime: at(T0) }]);
  assert.equal(reason(denied, T0 + 0.5 * HOUR), undefined);
  assert.equal(reason(denied, T0 + 2 * HOUR), 'denied past the retention');
  const failed = csr([{ type: 'Approved' }, { type: 'Failed', lastUpdateTime: at(T0 + HOUR) }]);
  assert.equal(reason(failed, T0 + 2.5 * HOUR), 'failed past the retention');
});

void test('approved but not issued requests stay (their signer may be slow), as upstream', () => {
  assert.equal(reason(csr([{ type: 'Approved', lastUpdateTime: at(T0) }]), T0 + 30 * HOUR), undefined);
});

void test('a condition without a time counts from the creation', () => {
  assert.equal(reason(csr([{ type: 'Denied' }]), T0 + 2 * HOUR), 'denied past the retention');
});

void test('shorter retentions apply', () => {
  const denied = csr([{ type: 'Denied', lastUpdateTime: at(T0) }]);
  const retention = { ...DEFAULT_CSR_RETENTION, deniedMs: 60_000 };
  assert.equal(cleanupReason(denied, T0 + 120_000, retention), 'denied past the retention');
});

void test('an issued request goes once its certificate has expired', async () => {
  const ca = await testCa();
  const authority = new CertificateAuthority(ca.certPem, ca.keyPem);
  const request = parseCsr((await certificateRequest({ commonName: 'jane' })).pem);
  const now = Date.now();
  const pem = await authority.issue(
    request,
    ['client auth'],
    certificateValidity(now, HOUR, authority.notAfterMs),
  );
  const issued = csr([{ type: 'Approved', lastUpdateTime: at(now) }], Buffer.from(pem).toString('base64'));
  const retention = { ...DEFAULT_CSR_RETENTION, approvedMs: 10 * HOUR };
  assert.equal(cleanupReason(issued, now + 0.5 * HOUR, retention), undefined);
  assert.equal(cleanupReason(issued, now + 2 * HOUR, retention), 'its certificate has expired');
});
