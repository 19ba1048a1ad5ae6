import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MemoryStore } from '../../store/memory/memory-store.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { BootstrapTokenError, openBootstrapData } from './bootstrap-record.js';
import { bootstrapClusterSecrets, type ClusterSecrets } from './cluster-secrets.js';
import { BOOTSTRAP_DATA_KEY } from './keys.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'bootstrap-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What the bootstrap logged at info level, across all starts. */
const logged: string[] = [];
const logger: Logger = {
  ...silentLogger,
  info: (msg) => void logged.push(msg),
  child: () => logger,
};

function start(
  store: MemoryStore,
  serverDir: string,
  password = 'cluster-secret',
  secretsEncryption = false,
): Promise<ClusterSecrets> {
  return bootstrapClusterSecrets({
    store,
    serverDir: join(root, serverDir),
    password,
    pki: { hosts: [], ips: [] },
    secretsEncryption,
    logger,
  });
}

function issuedBy(certPem: string, caPem: string): boolean {
  return new X509Certificate(certPem).verify(new X509Certificate(caPem).publicKey);
}

test('a second server takes the cluster CA and service account key; restarts write nothing', async () => {
  const store = new MemoryStore();
  try {
    const a = await start(store, 'a');
    const written = await store.get(BOOTSTRAP_DATA_KEY);
    assert.ok(written);
    const shared = await openBootstrapData(written.value, 'cluster-secret');
    assert.equal(shared.caCert, a.pki.caCert);
    assert.equal(shared.serviceAccountKey, a.serviceAccountKeyPem);

    const b = await start(store, 'b');
    assert.equal(b.pki.caCert, a.pki.caCert);
    assert.equal(b.pki.caKey, a.pki.caKey);
    assert.equal(b.serviceAccountKeyPem, a.serviceAccountKeyPem);
    assert.notEqual(b.pki.servingCert, a.pki.servingCert, 'leaf certificates stay per server');
    assert.ok(issuedBy(b.pki.adminCert, a.pki.caCert));
    assert.equal(await readFile(join(root, 'b', 'tls', 'server-ca.crt'), 'utf8'), a.pki.caCert);

    const restarted = await start(store, 'a');
    assert.equal(restarted.pki.servingCert, a.pki.servingCert);
    assert.equal((await store.get(BOOTSTRAP_DATA_KEY))?.modRevision, written.modRevision);
  } finally {
    await store.close();
  }
});

test('a server with another token, or with another cluster’s data dir, is stopped', async () => {
  const store = new MemoryStore();
  const other = new MemoryStore();
  try {
    await start(store, 'c');
    await assert.rejects(start(store, 'd', 'wrong-secret'), BootstrapTokenError);

    const foreign = await start(other, 'e'); // a data dir of another cluster
    await assert.rejects(
      start(store, 'e'),
      /server-ca\.crt differs from the one in the datastore.*another cluster/,
    );
    assert.equal(await readFile(join(root, 'e', 'tls', 'server-ca.crt'), 'utf8'), foreign.pki.caCert);
  } finally {
    await store.close();
    await other.close();
  }
});

test('a data dir from before shared bootstrap data gets its record written', async () => {
  const old = new MemoryStore();
  const store = new MemoryStore();
  try {
    const before = await start(old, 'f'); // made its CA; this store stands in for one without a record
    const after = await start(store, 'f');
    assert.equal(after.pki.caCert, before.pki.caCert);
    const record = await store.get(BOOTSTRAP_DATA_KEY);
    assert.ok(record);
    assert.equal((await openBootstrapData(record.value, 'cluster-secret')).caKey, before.pki.caKey);
  } finally {
    await old.close();
    await store.close();
  }
});

test('servers starting at once on an empty datastore end with one CA', async () => {
  const store = new MemoryStore();
  try {
    logged.length = 0;
    const [g, h] = await Promise.all([start(store, 'g'), start(store, 'h')]);
    assert.ok(logged.includes('another server wrote the bootstrap data first: taking its secrets'));
    assert.equal(g.pki.caCert, h.pki.caCert);
    assert.equal(g.serviceAccountKeyPem, h.serviceAccountKeyPem);
    for (const s of [g, h]) assert.ok(issuedBy(s.pki.servingCert, s.pki.caCert));
    for (const dir of ['g', 'h']) {
      assert.equal(await readFile(join(root, dir, 'tls', 'server-ca.crt'), 'utf8'), g.pki.caCert);
    }
  } finally {
    await store.close();
  }
});

test('the secrets-encryption config is shared, and the newer copy wins', async () => {
  const store = new MemoryStore();
  try {
    await start(store, 'i', undefined, true);
    const path = (dir: string): string => join(root, dir, 'cred', 'encryption-config.json');
    const made = await readFile(path('i'), 'utf8');
    await start(store, 'j');
    assert.equal(await readFile(path('j'), 'utf8'), made, 'taken even by a server without the flag');

    // An administrator edits i's copy (a key rotation) and restarts i; j takes it at its next start.
    const edited = made.replace('"identity"', '"identity", "edited": true');
    await writeFile(path('i'), edited);
    await utimes(path('i'), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    await start(store, 'i', undefined, true);
    await start(store, 'j');
    assert.equal(await readFile(path('j'), 'utf8'), edited);
  } finally {
    await store.close();
  }
});
