import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { waitFor } from '../../src/util/wait.js';
import { etcdMissing, testEtcdEndpoint } from '../helpers/etcd.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const root = mkdtempSync(join(tmpdir(), 'tugboat-encryption-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SECRET_VALUE = 'hunter2-at-rest';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** An EncryptionConfiguration for Secrets with these providers, written to a file of its own. */
function writeConfig(name: string, providers: unknown[]): string {
  const path = join(root, `${name}.yaml`);
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers }],
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const key = (name: string): { name: string; secret: string } => ({
  name,
  secret: randomBytes(32).toString('base64'),
});

/** The newest stored value of a key, straight from the SQLite file. */
function rawSqlite(dataDir: string, storeKey: string): string {
  const db = new Database(join(dataDir, 'db', 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT value FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1').get(storeKey) as
      { value: Buffer } | undefined;
    assert.ok(row, `no row for ${storeKey}`);
    return row.value.toString('latin1');
  } finally {
    db.close();
  }
}

async function start(dataDir: string, args: string[]): Promise<ServerProcess> {
  return startServerProcess({ dataDir, args });
}

async function replaceAllSecrets(server: ServerProcess): Promise<string> {
  const all = expectOk(await server.kubectl(['get', 'secrets', '-A', '-o', 'json']), 'get secrets');
  return expectOk(await server.kubectl(['replace', '-f', '-'], { input: all.stdout }), 'replace').stdout;
}

const secretKey = (name: string): string => `/registry/core/secrets/default/${name}`;

async function createSecret(server: ServerProcess, name: string, value = SECRET_VALUE): Promise<void> {
  const r = await server.kubectl(['create', 'secret', 'generic', name, `--from-literal=password=${value}`]);
  expectOk(r, `create secret ${name}`);
}

/** The Secret's password as the API serves it (base64). */
async function readSecret(server: ServerProcess, name: string): Promise<string> {
  const r = await server.kubectl(['get', 'secret', name, '-o', 'jsonpath={.data.password}']);
  return expectOk(r, `get secret ${name}`).stdout;
}

describe('encryption at rest', () => {
  test('Secrets are stored encrypted, read back plain, and re-encrypted by kubectl replace after a rotation', async () => {
    const dataDir = join(root, 'rotation');
    let server = await start(dataDir, []);
    try {
      await createSecret(server, 'before', 'plain-before');
    } finally {
      await server.stop();
    }
    assert.match(rawSqlite(dataDir, secretKey('before')), /^\{/);

    const key1 = key('key1');
    server = await start(dataDir, [
      '--encryption-provider-config',
      writeConfig('one', [{ aescbc: { keys: [key1] } }, { identity: {} }]),
    ]);
    try {
      await createSecret(server, 's1');
      expectOk(
        await server.kubectl(['create', 'configmap', 'cm1', '--from-literal=k=plain-config-value']),
        'create cm1',
      );
      const raw = rawSqlite(dataDir, secretKey('s1'));
      assert.ok(raw.startsWith('k8s:enc:aescbc:v1:key1:'), raw.slice(0, 40));
      assert.equal(raw.includes(b64(SECRET_VALUE)), false);
      assert.equal(raw.includes('"kind"'), false);
      assert.match(rawSqlite(dataDir, '/registry/core/configmaps/default/cm1'), /plain-config-value/);
      assert.equal(await readSecret(server, 's1'), b64(SECRET_VALUE));
      assert.equal(await readSecret(server, 'before'), b64('plain-before'));
      // The Secret stored before encryption is read by identity: stale, so replace writes it encrypted.
      assert.match(await replaceAllSecrets(server), /secret\/before replaced/);
      assert.ok(rawSqlite(dataDir, secretKey('before')).startsWith('k8s:enc:aescbc:v1:key1:'));
    } finally {
      await server.stop();
    }

    // Rotation: the new key writes, the old one still reads.
    server = await start(dataDir, [
      '--encryption-provider-config',
      writeConfig('two', [{ aesgcm: { keys: [key('key2')] } }, { aescbc: { keys: [key1] } }]),
    ]);
    try {
      const rv = async (kind: string, name: string): Promise<string> =>
        expectOk(
          await server.kubectl(['get', kind, name, '-o', 'jsonpath={.metadata.resourceVersion}']),
          `rv of ${name}`,
        ).stdout;
      const secretRv = await rv('secret', 's1');
      assert.ok(rawSqlite(dataDir, secretKey('s1')).startsWith('k8s:enc:aescbc:v1:key1:'));
      await replaceAllSecrets(server);
      assert.ok(rawSqlite(dataDir, secretKey('s1')).startsWith('k8s:enc:aesgcm:v1:key2:'));
      assert.ok(rawSqlite(dataDir, secretKey('before')).startsWith('k8s:enc:aesgcm:v1:key2:'));
      assert.notEqual(await rv('secret', 's1'), secretRv, 'the stale Secret was written again');
      // An unchanged object that is not stale is not written again.
      const cmRv = await rv('configmap', 'cm1');
      const cm = expectOk(await server.kubectl(['get', 'configmap', 'cm1', '-o', 'json']), 'get cm1').stdout;
      expectOk(await server.kubectl(['replace', '-f', '-'], { input: cm }), 'replace cm1');
      assert.equal(await rv('configmap', 'cm1'), cmRv);
      assert.equal(await readSecret(server, 's1'), b64(SECRET_VALUE));
    } finally {
      await server.stop();
    }

    // Without the key a value was written with, it cannot be read: a 500 naming the key, the rest still serves.
    server = await start(dataDir, [
      '--encryption-provider-config',
      writeConfig('lost', [{ aescbc: { keys: [key('key3')] } }]),
    ]);
    try {
      const lost = await server.kubectl(['get', 'secret', 's1']);
      assert.notEqual(lost.code, 0);
      assert.match(
        lost.stderr,
        /Internal error occurred: unable to transform key "\/registry\/core\/secrets\/default\/s1": no matching prefix found/,
      );
      const cm = await server.kubectl(['get', 'configmap', 'cm1', '-o', 'jsonpath={.data.k}']);
      assert.equal(expectOk(cm, 'configmap still served').stdout, 'plain-config-value');
    } finally {
      await server.stop();
    }
  });

  test('--secrets-encryption keeps a generated AES-CBC key in the data dir and encrypts Secrets with it', async () => {
    const dataDir = join(root, 'generated');
    let server = await start(dataDir, ['--secrets-encryption']);
    const configPath = join(dataDir, 'server', 'cred', 'encryption-config.json');
    let config: string;
    try {
      config = readFileSync(configPath, 'utf8');
      assert.equal(statSync(configPath).mode & 0o777, 0o600);
      const parsed = JSON.parse(config) as { resources: { providers: Record<string, unknown>[] }[] };
      assert.deepEqual(Object.keys(parsed.resources[0]!.providers[0]!), ['aescbc']);
      await createSecret(server, 'gen');
      assert.ok(rawSqlite(dataDir, secretKey('gen')).startsWith('k8s:enc:aescbc:v1:aescbckey:'));
    } finally {
      await server.stop();
    }
    server = await start(dataDir, ['--secrets-encryption']);
    try {
      assert.equal(readFileSync(configPath, 'utf8'), config, 'the key is kept across restarts');
      assert.equal(await readSecret(server, 'gen'), b64(SECRET_VALUE));
    } finally {
      await server.stop();
    }
  });

  test('with automatic reload an edited configuration takes effect without a restart; a broken edit is ignored', async () => {
    const dataDir = join(root, 'reload');
    const key1 = key('key1');
    const path = writeConfig('reload', [{ aescbc: { keys: [key1] } }]);
    const server = await start(dataDir, [
      '--encryption-provider-config',
      path,
      '--encryption-provider-config-automatic-reload',
    ]);
    try {
      await createSecret(server, 'r1');
      assert.ok(rawSqlite(dataDir, secretKey('r1')).startsWith('k8s:enc:aescbc:v1:key1:'));
      writeConfig('reload', [{ secretbox: { keys: [key('key2')] } }, { aescbc: { keys: [key1] } }]);
      // Until the reload r1 is not stale and replace leaves it; after it, replace writes it with the new key.
      await waitFor(
        async () => {
          await replaceAllSecrets(server);
          return rawSqlite(dataDir, secretKey('r1')).startsWith('k8s:enc:secretbox:v1:key2:') || undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, message: 'r1 written with the reloaded key' },
      );
      writeFileSync(
        path,
        'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n',
      );
      await waitFor(() => /encryption configuration not reloaded/.test(server.output()) || undefined, {
        timeoutMs: 20_000,
        message: 'the broken edit logged',
      });
      await createSecret(server, 'r2');
      assert.ok(rawSqlite(dataDir, secretKey('r2')).startsWith('k8s:enc:secretbox:v1:key2:'));
      assert.equal(await readSecret(server, 'r1'), b64(SECRET_VALUE));
    } finally {
      await server.stop();
    }
  });

  test('a bad configuration stops the server before it serves, with upstream’s message', async () => {
    const bad = writeConfig('bad', [{ aescbc: { keys: [{ name: 'k', secret: b64('short') }] } }]);
    await assert.rejects(
      startServerProcess({ args: ['--encryption-provider-config', bad], readyTimeoutMs: 20_000 }),
      /secret is not of the expected length, got 5, expected one of \[16 24 32\]/,
    );
  });

  test('with etcd as the store, the values in etcd are encrypted', async (t) => {
    const endpoint = testEtcdEndpoint;
    const missing = await etcdMissing();
    if (missing) {
      t.skip(missing);
      return;
    }
    const prefix = `/tugboat-encryption-${process.pid}-${Date.now()}`;
    const etcd = new Etcd3({ hosts: `http://${endpoint}` });
    const server = await startServerProcess({
      datastoreEndpoint: `etcd://${endpoint}?prefix=${prefix}`,
      args: ['--encryption-provider-config', writeConfig('etcd', [{ secretbox: { keys: [key('box')] } }])],
    });
    try {
      await createSecret(server, 'in-etcd');
      const raw = await etcd.get(`${prefix}${secretKey('in-etcd')}`).buffer();
      assert.ok(raw, 'stored in etcd under the prefix');
      assert.ok(raw.toString('latin1').startsWith('k8s:enc:secretbox:v1:box:'));
      assert.equal(raw.includes(b64(SECRET_VALUE)), false);
      assert.equal(await readSecret(server, 'in-etcd'), b64(SECRET_VALUE));
    } finally {
      await server.stop();
      await etcd.delete().prefix(prefix);
      etcd.close();
    }
  });
});
