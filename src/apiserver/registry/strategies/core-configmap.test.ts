import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { configMapStrategy } from './core-configmap.js';
import { secretStrategy } from './core-secret.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

void describe('ConfigMap', () => {
  const cases: [string, KubeObject, string[]][] = [
    ['valid', { data: { 'a.b': 'x' }, binaryData: { c: b64('y') } }, []],
    ['bad key', { data: { 'a b': 'x' } }, [`data[a b]: Invalid value: "a b": ${KEY_MSG}`]],
    ['dot-dot key', { data: { '..x': 'x' } }, [`data[..x]: Invalid value: "..x": must not start with '..'`]],
    [
      'key in both maps',
      { data: { k: 'x' }, binaryData: { k: b64('y') } },
      [
        'data[k]: Invalid value: "k": duplicate of key present in binaryData',
        'binaryData[k]: Invalid value: "k": duplicate of key present in data',
      ],
    ],
    [
      'too large',
      { data: { k: 'x'.repeat(1024 * 1024 + 1) } },
      [': Too long: may not be more than 1048576 bytes'],
    ],
  ];
  for (const [name, obj, want] of cases) {
    void test(name, () => assert.deepEqual(lines(configMapStrategy.validate?.(obj)), want));
  }

  void test('immutable configmaps keep their data', () => {
    const old: KubeObject = { immutable: true, data: { a: '1' } };
    assert.deepEqual(
      lines(configMapStrategy.validateUpdate?.({ immutable: true, data: { a: '1' } }, old)),
      [],
    );
    assert.deepEqual(lines(configMapStrategy.validateUpdate?.({ immutable: true, data: { a: '2' } }, old)), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(lines(configMapStrategy.validateUpdate?.({ data: { a: '1' } }, old)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(
      lines(configMapStrategy.validateUpdate?.({ data: { a: '2' } }, { data: { a: '1' } })),
      [],
    );
  });
});

void describe('Secret', () => {
  void test('type defaults to Opaque and stringData is folded into data', () => {
    const obj: KubeObject = { data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new', c: 'três' } };
    secretStrategy.defaults?.(obj);
    assert.equal(obj.type, 'Opaque');
    assert.equal(obj.stringData, undefined);
    assert.deepEqual(obj.data, { a: b64('new'), b: b64('keep'), c: b64('três') });
    assert.deepEqual(lines(secretStrategy.validate?.(obj)), []);
  });

  const cases: [string, KubeObject, string[]][] = [
    [
      'tls needs cert and key',
      { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } },
      ['data[tls.key]: Required value'],
    ],
    [
      'dockerconfigjson needs its key',
      { type: 'kubernetes.io/dockerconfigjson', data: {} },
      ['data[.dockerconfigjson]: Required value'],
    ],
    [
      'dockerconfigjson must be JSON',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } },
      [],
    ],
    [
      'service account token needs the annotation',
      { type: 'kubernetes.io/service-account-token' },
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    ],
    [
      'data must be base64',
      { type: 'Opaque', data: { a: 'not base64!' } },
      ['data[a]: Invalid value: "<secret contents redacted>": illegal base64 data'],
    ],
    [
      'bad key',
      { type: 'Opaque', data: { 'a/b': b64('x') } },
      [`data[a/b]: Invalid value: "a/b": ${KEY_MSG}`],
    ],
  ];
  for (const [name, obj, want] of cases) {
    void test(name, () => assert.deepEqual(lines(secretStrategy.validate?.(obj)), want));
  }

  void test('type is immutable; immutable secrets keep data', () => {
    assert.deepEqual(lines(secretStrategy.validateUpdate?.({ type: 'a' }, { type: 'Opaque' })), [
      'type: Invalid value: "a": field is immutable',
    ]);
    const old: KubeObject = { type: 'Opaque', immutable: true, data: { a: b64('1') } };
    assert.deepEqual(
      lines(secretStrategy.validateUpdate?.({ type: 'Opaque', immutable: true, data: { a: b64('2') } }, old)),
      ['data: Forbidden: field is immutable when `immutable` is set'],
    );
  });
});
