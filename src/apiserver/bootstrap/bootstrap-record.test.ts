import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BootstrapTokenError,
  openBootstrapData,
  sealBootstrapData,
  type BootstrapData,
} from './bootstrap-record.js';

const DATA: BootstrapData = {
  caCert: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  caKey: '-----BEGIN PRIVATE KEY-----\nCA KEY\n-----END PRIVATE KEY-----\n',
  serviceAccountKey: '-----BEGIN PRIVATE KEY-----\nSA KEY\n-----END PRIVATE KEY-----\n',
  encryptionConfig: { content: '{"kind":"EncryptionConfiguration"}\n', updatedMs: 1_700_000_000_000 },
};

test('bootstrap data round-trips with the token password and keeps no secret in the clear', async () => {
  const sealed = await sealBootstrapData(DATA, 'cluster-secret');
  assert.deepEqual(await openBootstrapData(sealed, 'cluster-secret'), DATA);
  const text = sealed.toString('utf8');
  assert.doesNotMatch(text, /CA KEY|SA KEY|BEGIN|EncryptionConfiguration|cluster-secret/);
  assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), [
    'ciphertext',
    'nonce',
    'salt',
    'version',
  ]);
  const again = await sealBootstrapData(DATA, 'cluster-secret');
  assert.notEqual(again.toString(), text, 'each write has its own salt and nonce');
});

test('another token is refused with a message that says what to do', async () => {
  const sealed = await sealBootstrapData(DATA, 'cluster-secret');
  await assert.rejects(openBootstrapData(sealed, 'another-secret'), (err: Error) => {
    assert.ok(err instanceof BootstrapTokenError);
    assert.match(err.message, /bootstrap data already found .* encrypted with a different token/);
    assert.match(err.message, /--token/);
    return true;
  });
});

test('a tampered record is refused', async () => {
  const record = JSON.parse((await sealBootstrapData(DATA, 'pw')).toString()) as Record<string, unknown>;
  const body = Buffer.from(record.ciphertext as string, 'base64');
  body[5]! ^= 1;
  const flipped = { ...record, ciphertext: body.toString('base64') };
  await assert.rejects(openBootstrapData(Buffer.from(JSON.stringify(flipped)), 'pw'), BootstrapTokenError);
  const resalted = { ...record, salt: Buffer.alloc(16).toString('base64') };
  await assert.rejects(openBootstrapData(Buffer.from(JSON.stringify(resalted)), 'pw'), BootstrapTokenError);
  await assert.rejects(openBootstrapData(Buffer.from('not json'), 'pw'), /malformed \(not JSON\)/);
  await assert.rejects(
    openBootstrapData(Buffer.from(JSON.stringify({ ...record, version: 2 })), 'pw'),
    /malformed \(unknown version 2\)/,
  );
});
