import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseEncryptionConfig } from './config.js';

const key32 = randomBytes(32).toString('base64');
const key16 = randomBytes(16).toString('base64');
const KEY = '/registry/core/secrets/default/db';
const plain = Buffer.from('{"kind":"Secret"}');

void test('a YAML configuration: the first provider writes, later ones and other keys read', () => {
  const config = parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps]
    providers:
      - aesgcm:
          keys:
            - {name: new, secret: ${key16}}
            - {name: old, secret: ${key32}}
      - identity: {}
  - resources: ['*.apps']
    providers:
      - secretbox:
          keys: [{name: box, secret: ${key32}}]
  - resources: ['*.*']
    providers:
      - identity: {}
`);
  const secrets = config.transformerFor('', 'secrets')!;
  const written = secrets.toStorage(plain, KEY);
  assert.match(written.toString('latin1'), /^k8s:enc:aesgcm:v1:new:/);
  assert.deepEqual(secrets.fromStorage(written, KEY), { value: plain, stale: false });
  assert.deepEqual(secrets.fromStorage(plain, KEY), { value: plain, stale: true });
  assert.match(
    config.transformerFor('apps', 'deployments')!.toStorage(plain, KEY).toString('latin1'),
    /^k8s:enc:secretbox:v1:box:/,
  );
  // `*.*` names identity: stored as it is.
  assert.deepEqual(config.transformerFor('', 'pods')!.toStorage(plain, KEY), plain);
  assert.deepEqual(config.summary, [
    'secrets → aesgcm:new',
    'configmaps → aesgcm:new',
    '*.apps → secretbox:box',
    '*.* → identity',
  ]);
});

void test('without wildcards only the named resources are transformed; JSON is accepted', () => {
  const config = parseEncryptionConfig(
    JSON.stringify({
      kind: 'EncryptionConfiguration',
      apiVersion: 'apiserver.config.k8s.io/v1',
      resources: [
        { resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'k', secret: key32 }] } }] },
      ],
    }),
  );
  assert.ok(config.transformerFor('', 'secrets'));
  assert.equal(config.transformerFor('', 'configmaps'), undefined);
  assert.equal(config.transformerFor('apps', 'secrets'), undefined);
  assert.throws(() => config.transformerFor('', 'secrets')!.fromStorage(plain, KEY), {
    message: 'no matching prefix found',
  });
});

void test('invalid configurations are refused with upstream’s field errors', () => {
  const refuse = (resources: unknown, message: string | RegExp): void => {
    const text = JSON.stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources,
    });
    assert.throws(() => parseEncryptionConfig(text), { message });
  };
  refuse([], 'resources: Required value: at least one resources is required');
  refuse(
    [{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'k', secret: 'c2hvcnQ=' }] } }] }],
    'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected one of [16 24 32]',
  );
  refuse(
    [{ resources: ['secrets'], providers: [{ secretbox: { keys: [{ name: 'k', secret: key16 }] } }] }],
    /expected one of \[32\]$/,
  );
  refuse(
    [{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'k', secret: 'not base64!' }] } }] }],
    'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded',
  );
  refuse(
    [{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ secret: key32 }] } }] }],
    'resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key',
  );
  refuse(
    [{ resources: ['secrets'], providers: [{ aescbc: { keys: [] } }] }],
    'resources[0].providers[0].aescbc.keys: Required value: at least one keys is required',
  );
  refuse(
    [{ resources: ['secrets'], providers: [{ identity: {}, aescbc: { keys: [] } }] }],
    /more than one provider specified in a single element, should split into different list elements$/,
  );
  refuse(
    [{ resources: ['secrets'], providers: [{}] }],
    /provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity$/,
  );
  refuse(
    [{ resources: ['secrets'], providers: [] }],
    'resources[0].providers: Required value: at least one resources[0].providers is required',
  );
  refuse(
    [{ resources: ['secrets', '*.'], providers: [{ identity: {} }] }],
    /resources\[0\]\.resources: Invalid value: \["secrets","\*\."\]: using overlapping resources/,
  );
  refuse(
    [{ resources: ['Secrets'], providers: [{ identity: {} }] }],
    'resources[0].resources[0]: Invalid value: "Secrets": resource name should not contain capital letters',
  );
  refuse(
    [{ resources: ['*'], providers: [{ identity: {} }] }],
    /use '\*\.' to encrypt all the resources from core API group or \*\.\* to encrypt all resources$/,
  );
  refuse(
    [{ resources: ['secrets'], providers: [{ kms: { name: 'vault', endpoint: 'unix:///kms.sock' } }] }],
    /KMS providers are not supported by tugboat$/,
  );
  refuse(
    [
      { resources: [], providers: [{ identity: {} }] },
      { resources: ['secrets'], providers: [] },
    ],
    /^\[resources\[0\]\.resources: Required value: .*, resources\[1\]\.providers: Required value: .*\]$/,
  );
});

void test('only an EncryptionConfiguration of apiserver.config.k8s.io/v1 is read', () => {
  assert.throws(
    () => parseEncryptionConfig('apiVersion: v1\nkind: ConfigMap\n'),
    /no kind "ConfigMap" is registered for version "v1"/,
  );
  assert.throws(() => parseEncryptionConfig('resources: [unclosed'), {
    message: /^error while parsing file: /,
  });
});
