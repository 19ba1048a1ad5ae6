import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';

void test('renderKubeconfig inlines base64 credentials and selects its context', () => {
  const text = renderKubeconfig({
    server: 'https://127.0.0.1:6443',
    caPem: 'CA PEM\n',
    clientCertPem: 'CERT PEM\n',
    clientKeyPem: 'KEY PEM\n',
  });
  const doc = parse(text) as Record<string, any>;
  assert.equal(doc.kind, 'Config');
  assert.equal(doc['current-context'], 'default');
  assert.deepEqual(doc.contexts, [{ name: 'default', context: { cluster: 'default', user: 'default' } }]);
  assert.equal(doc.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  const decode = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  assert.equal(decode(doc.clusters[0].cluster['certificate-authority-data']), 'CA PEM\n');
  assert.equal(decode(doc.users[0].user['client-certificate-data']), 'CERT PEM\n');
  assert.equal(decode(doc.users[0].user['client-key-data']), 'KEY PEM\n');
});

void test('writeKubeconfig writes mode 0600, replaces atomically and leaves no temp files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tugboat-kc-'));
  try {
    const path = join(dir, 'sub', 'kubeconfig.yaml');
    await writeKubeconfig(path, 'one\n');
    await writeKubeconfig(path, 'two\n');
    assert.equal(await readFile(path, 'utf8'), 'two\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, 'sub')), ['kubeconfig.yaml']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('renderKubeconfig quotes names YAML would read as something else', () => {
  for (const name of ['yes', 'null', '123', 'a: b', '#x', 'tab\there', 'é', '-', 'x:', 'ok.name-1']) {
    const text = renderKubeconfig({
      server: 'https://[::1]:6443',
      caPem: 'CA',
      clientCertPem: 'CERT',
      clientKeyPem: 'KEY',
      clusterName: name,
      user: name,
    });
    const doc = parse(text) as Record<string, any>;
    assert.equal(doc['current-context'], name);
    assert.equal(doc.clusters[0].name, name);
    assert.equal(doc.users[0].name, name);
    assert.equal(doc.contexts[0].context.user, name);
    assert.equal(doc.clusters[0].cluster.server, 'https://[::1]:6443');
    assert.deepEqual(doc.preferences, {});
  }
});
