import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, issueClientCert, PKI_FILES, type Pki } from './pki.js';

const opts = { hosts: ['myhost', 'kubernetes.default.svc'], ips: ['10.43.0.1', '192.0.2.7'] };

void describe('ensurePki', () => {
  let dir: string;
  let pki: Pki;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tugboat-pki-'));
    pki = await ensurePki(dir, opts);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void test('serving certificate covers loopback, the host names and the requested IPs', () => {
    const san = new X509Certificate(pki.servingCert).subjectAltName ?? '';
    for (const want of [
      'DNS:localhost',
      'DNS:myhost',
      'DNS:kubernetes.default.svc',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
      'IP Address:10.43.0.1',
      'IP Address:192.0.2.7',
    ]) {
      assert.ok(san.split(', ').includes(want), `${want} missing from ${san}`);
    }
  });

  void test('serving and admin certificates chain to the CA', () => {
    const ca = new X509Certificate(pki.caCert);
    assert.equal(ca.ca, true);
    for (const pem of [pki.servingCert, pki.adminCert]) {
      const cert = new X509Certificate(pem);
      assert.ok(cert.checkIssued(ca));
      assert.ok(cert.verify(ca.publicKey));
      assert.equal(cert.ca, false);
    }
  });

  void test('admin certificate is CN=admin, O=system:masters, for client auth', () => {
    const admin = new X509Certificate(pki.adminCert);
    assert.deepEqual(admin.subject.split('\n').sort(), ['CN=admin', 'O=system:masters']);
    assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.deepEqual(new X509Certificate(pki.servingCert).keyUsage, ['1.3.6.1.5.5.7.3.1']);
  });

  void test('keys are written with mode 0600, certificates readable', async () => {
    for (const name of [PKI_FILES.caKey, PKI_FILES.servingKey, PKI_FILES.adminKey]) {
      assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, name);
    }
    assert.equal((await stat(join(dir, PKI_FILES.caCert))).mode & 0o777, 0o644);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  void test('a second call reuses everything', async () => {
    const again = await ensurePki(dir, opts);
    assert.deepEqual(again, pki);
  });

  void test('a subset of the names reuses the serving certificate', async () => {
    const again = await ensurePki(dir, { hosts: ['myhost'], ips: ['10.43.0.1'] });
    assert.equal(again.servingCert, pki.servingCert);
  });

  void test('a new name regenerates only the serving certificate', async () => {
    const again = await ensurePki(dir, {
      hosts: [...opts.hosts, 'other.example'],
      ips: [...opts.ips, '::ffff:1'],
    });
    assert.equal(again.caCert, pki.caCert);
    assert.equal(again.adminCert, pki.adminCert);
    assert.notEqual(again.servingCert, pki.servingCert);
    const san = new X509Certificate(again.servingCert).subjectAltName ?? '';
    assert.match(san, /DNS:other\.example/);
    assert.ok(new X509Certificate(again.servingCert).checkIssued(new X509Certificate(pki.caCert)));
    const third = await ensurePki(dir, {
      hosts: [...opts.hosts, 'other.example'],
      ips: [...opts.ips, '::ffff:1'],
    });
    assert.equal(third.servingCert, again.servingCert);
  });

  void test('a damaged CA regenerates the CA and every leaf', async () => {
    const d2 = await mkdtemp(join(tmpdir(), 'tugboat-pki-'));
    try {
      const first = await ensurePki(d2, opts);
      await writeFile(join(d2, PKI_FILES.caKey), 'garbage');
      const second = await ensurePki(d2, opts);
      assert.notEqual(second.caCert, first.caCert);
      const ca = new X509Certificate(second.caCert);
      assert.ok(new X509Certificate(second.servingCert).verify(ca.publicKey));
      assert.ok(new X509Certificate(second.adminCert).verify(ca.publicKey));
    } finally {
      await rm(d2, { recursive: true, force: true });
    }
  });
});

void test('issueClientCert puts the user in CN and the groups in O', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-pki-'));
  try {
    const pki = await ensurePki(dir, { hosts: [], ips: [] });
    const issued = await issueClientCert(
      { certPem: pki.caCert, keyPem: pki.caKey },
      'system:node:n1',
      ['system:nodes', 'extra'],
      30,
    );
    const cert = new X509Certificate(issued.certPem);
    assert.deepEqual(cert.subject.split('\n').sort(), ['CN=system:node:n1', 'O=extra', 'O=system:nodes']);
    assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey));
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `valid for ${days} days`);
    assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(issued.keyPem)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
