import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { namespaceStrategy as s } from './core-namespace.js';
import { serviceAccountStrategy } from './core-serviceaccount.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

void describe('Namespace', () => {
  void test('create: kubernetes finalizer, phase Active, name label', () => {
    const obj: KubeObject = { metadata: { name: 'team-a' }, status: { phase: 'Terminating' } };
    s.defaults?.(obj);
    s.prepareForCreate?.(obj);
    assert.deepEqual(obj.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(obj.status, { phase: 'Active' });
    assert.deepEqual(obj.metadata?.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  });

  void test('update keeps finalizers and status', () => {
    const old: KubeObject = { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    const obj: KubeObject = { spec: { finalizers: [] }, status: { phase: 'Terminating' } };
    s.prepareForUpdate?.(obj, old);
    assert.deepEqual(obj, old);
  });

  void test('finalizer names', () => {
    const obj: KubeObject = { spec: { finalizers: ['kubernetes', 'example.com/x', 'custom'] } };
    assert.deepEqual(lines(s.validate?.(obj)), [
      'spec.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

void describe('ServiceAccount', () => {
  void test('secret references keep only the name', () => {
    const obj: KubeObject = { secrets: [{ name: 'tok', namespace: 'x', uid: 'u' }] };
    serviceAccountStrategy.prepareForCreate?.(obj);
    assert.deepEqual(obj.secrets, [{ name: 'tok' }]);
  });
});
