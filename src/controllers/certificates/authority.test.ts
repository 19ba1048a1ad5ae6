import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { certificateRequest, testCa, type RequestSpec } from '../../../test/helpers/csr.js';
import { parseCsr } from '../../api/csr.js';
import {
  CertificateAuthority,
  certificateLifetimeMs,
  certificateValidity,
  DEFAULT_SIGNING_DURATION_MS,
} from './authority.js';
import { certificateUsages } from './key-usages.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.parse('2030-06-01T12:00:00Z');

void test('the lifetime is the requested one within [10 minutes, the signing duration]', () => {
  const year = DEFAULT_SIGNING_DURATION_MS;
  assert.equal(certificateLifetimeMs(undefined, year), year);
  assert.equal(certificateLifetimeMs(3600, year), HOUR);
  assert.equal(certificateLifetimeMs(2 * 365 * 86_400, year), year);
  assert.equal(certificateLifetimeMs(60, year), 10 * MINUTE);
  assert.equal(certificateLifetimeMs(3600, 5 * MINUTE), 5 * MINUTE);
});

void test('validity: backdated five minutes, the end too unless short-lived, never past the CA', () => {
  const caNotAfter = NOW + 2 * 365 * 24 * HOUR;
  const long = certificateValidity(NOW, 24 * HOUR, caNotAfter);
  assert.equal(long.notBefore.getTime(), NOW - 5 * MINUTE);
  assert.equal(long.notAfter.getTime(), NOW + 24 * HOUR - 5 * MINUTE);
  const short = certificateValidity(NOW, HOUR, caNotAfter);
  assert.equal(short.notAfter.getTime(), NOW + HOUR);
  const clamped = certificateValidity(NOW, 24 * HOUR, NOW + 2 * HOUR);
  assert.equal(clamped.notAfter.getTime(), NOW + 2 * HOUR);
  assert.throws(() => certificateValidity(NOW, HOUR, NOW - MINUTE), /refusing to sign/);
  assert.throws(() => certificateValidity(NOW, HOUR, NOW - HOUR), /the signer has expired/);
});

void test('usages map to key usage bits and extended key usages, each once, in Go’s order', () => {
  assert.deepEqual(
    certificateUsages(['client auth', 'signing', 'digital signature', 's/mime', 'email protection', 'any']),
    {
      keyUsages: ['digitalSignature'],
      extendedKeyUsages: ['2.5.29.37.0', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4'],
    },
  );
  assert.deepEqual(certificateUsages(['key encipherment', 'cert sign']), {
    keyUsages: ['keyEncipherment', 'keyCertSign'],
    extendedKeyUsages: [],
  });
  assert.throws(() => certificateUsages(['flying']), /unrecognized usage values: "flying"/);
});

async function issue(
  spec: RequestSpec,
  usages: string[],
  opts: { ca?: { certPem: string; keyPem: string }; lifetimeMs?: number } = {},
) {
  const ca = opts.ca ?? (await testCa());
  const request = await certificateRequest(spec);
  const authority = new CertificateAuthority(ca.certPem, ca.keyPem);
  const now = Math.floor(Date.now() / 1000) * 1000;
  const validity = certificateValidity(now, opts.lifetimeMs ?? 24 * HOUR, authority.notAfterMs);
  const pem = await authority.issue(parseCsr(request.pem), usages, validity);
  return {
    pem,
    ca,
    request,
    validity,
    cert: new X509Certificate(pem),
    parsed: new x509.X509Certificate(pem),
  };
}

void test('a client certificate: the request’s subject and key, the asked usages, signed by the CA', async () => {
  const { cert, parsed, ca, request, validity } = await issue(
    { commonName: 'jane', organizations: ['dev', 'ops'] },
    ['digital signature', 'key encipherment', 'client auth'],
  );
  const caCert = new X509Certificate(ca.certPem);
  assert.equal(cert.subject, 'O=dev\nO=ops\nCN=jane');
  assert.equal(cert.issuer, caCert.subject);
  assert.ok(cert.checkIssued(caCert));
  assert.ok(cert.verify(caCert.publicKey));
  assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), request.publicKeyDer);
  assert.equal(cert.ca, false);
  assert.equal(cert.subjectAltName, undefined);
  assert.equal(Date.parse(cert.validFrom), validity.notBefore.getTime());
  assert.equal(Date.parse(cert.validTo), validity.notAfter.getTime());
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  assert.equal(usage?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
  assert.equal(usage?.critical, true);
  const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
  assert.equal(constraints?.ca, false);
  assert.equal(constraints?.critical, true);
  const caKeyId = new x509.X509Certificate(ca.certPem).getExtension(
    x509.SubjectKeyIdentifierExtension,
  )?.keyId;
  assert.equal(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, caKeyId);
  assert.equal(parsed.serialNumber.length >= 30, true, 'a random 128-bit serial');
});

void test('a serving certificate carries the request’s DNS names and IPs', async () => {
  const { cert, parsed } = await issue(
    { commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ips: ['10.0.0.7'] },
    ['digital signature', 'server auth'],
  );
  assert.equal(cert.subjectAltName, 'DNS:n1, IP Address:10.0.0.7');
  assert.equal(parsed.getExtension(x509.SubjectAlternativeNameExtension)?.critical, false);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
});

void test('with an empty subject the subjectAltName extension is critical', async () => {
  const { parsed } = await issue({ dnsNames: ['svc.example'] }, ['client auth']);
  assert.equal(parsed.getExtension(x509.SubjectAlternativeNameExtension)?.critical, true);
});

void test('the validity never outlasts the CA', async () => {
  const ca = await testCa({ notAfter: new Date(Date.now() + 3 * HOUR) });
  const { cert } = await issue({ commonName: 'jane' }, ['client auth'], { ca, lifetimeMs: 24 * HOUR });
  assert.equal(cert.validTo, new X509Certificate(ca.certPem).validTo);
});

void test('an RSA CA signs an RSA request', async () => {
  const ca = await testCa({ key: 'rsa' });
  const { cert, request } = await issue({ commonName: 'jane', key: 'rsa' }, ['client auth'], { ca });
  assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), request.publicKeyDer);
});

void test('a CA whose key is not its certificate’s is refused', async () => {
  const [a, b] = await Promise.all([testCa(), testCa()]);
  assert.throws(() => new CertificateAuthority(a.certPem, b.keyPem), /does not belong/);
});
