import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { nameIsDNSLabel } from './names.js';

const brief = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

void describe('validateObjectMeta', () => {
  void test('valid namespaced', () => {
    assert.deepEqual(
      validateObjectMeta(
        { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { 'a.b/c': 'x' } },
        { namespaced: true },
      ),
      [],
    );
  });
  void test('name required', () => {
    assert.deepEqual(brief(validateObjectMeta({ namespace: 'default' }, { namespaced: true })), [
      'metadata.name: Required value: name or generateName is required',
    ]);
  });
  void test('bad name and generateName', () => {
    const errs = validateObjectMeta(
      { name: 'Web', generateName: 'Web-', namespace: 'ns' },
      { namespaced: true },
    );
    assert.deepEqual(
      errs.map((e) => e.field),
      ['metadata.generateName', 'metadata.name'],
    );
    assert.match(errs[1]?.message ?? '', /^Invalid value: "Web": a lowercase RFC 1123 subdomain/);
  });
  void test('custom name validator', () => {
    const errs = validateObjectMeta(
      { name: 'a.b', namespace: 'ns' },
      { namespaced: true, nameValidator: nameIsDNSLabel },
    );
    assert.deepEqual(brief(errs), ['metadata.name: Invalid value: "a.b": must not contain dots']);
  });
  void test('namespace required / forbidden', () => {
    assert.deepEqual(brief(validateObjectMeta({ name: 'x' }, { namespaced: true })), [
      'metadata.namespace: Required value',
    ]);
    assert.deepEqual(brief(validateObjectMeta({ name: 'x', namespace: 'ns' }, { namespaced: false })), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });
  void test('labels, annotations, finalizers, ownerReferences', () => {
    const errs = validateObjectMeta(
      {
        name: 'x',
        labels: { 'bad key!': 'v' },
        annotations: { big: 'x'.repeat(256 * 1024) },
        finalizers: ['ok/fin', 'bad fin'],
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: '', kind: '', name: '', uid: '', controller: true },
        ],
      },
      { namespaced: false },
    );
    assert.deepEqual(
      errs.map((e) => `${e.field} ${e.type}`),
      [
        'metadata.labels FieldValueInvalid',
        'metadata.annotations FieldValueTooLong',
        'metadata.ownerReferences.apiVersion FieldValueInvalid',
        'metadata.ownerReferences.kind FieldValueInvalid',
        'metadata.ownerReferences.name FieldValueInvalid',
        'metadata.ownerReferences.uid FieldValueInvalid',
        'metadata.ownerReferences FieldValueInvalid',
        'metadata.finalizers FieldValueInvalid',
      ],
    );
    assert.equal(errs[2]?.message, 'Invalid value: "": version must not be empty');
    assert.match(
      errs[6]?.message ?? '',
      /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and \//,
    );
  });
  void test('negative generation', () => {
    assert.deepEqual(brief(validateObjectMeta({ name: 'x', generation: -1 }, { namespaced: false })), [
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

void describe('validateObjectMetaUpdate', () => {
  const old = {
    name: 'x',
    namespace: 'ns',
    uid: 'u1',
    creationTimestamp: '2026-01-01T00:00:00Z',
    generation: 2,
  };
  void test('unchanged', () =>
    assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old), []));
  void test('immutable fields', () => {
    assert.deepEqual(
      brief(validateObjectMetaUpdate({ ...old, name: 'y', uid: 'u2', namespace: 'other' }, old)),
      [
        'metadata.name: Invalid value: "y": field is immutable',
        'metadata.namespace: Invalid value: "other": field is immutable',
        'metadata.uid: Invalid value: "u2": field is immutable',
      ],
    );
  });
  void test('generation not decremented', () => {
    assert.deepEqual(brief(validateObjectMetaUpdate({ ...old, generation: 1 }, old)), [
      'metadata.generation: Invalid value: 1: must not be decremented',
    ]);
  });
  void test('no new finalizers while deleting', () => {
    const deleting = { ...old, deletionTimestamp: '2026-01-02T00:00:00Z', finalizers: ['a/b'] };
    assert.deepEqual(brief(validateObjectMetaUpdate({ ...deleting, finalizers: ['a/b', 'c/d'] }, deleting)), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"c/d"}',
    ]);
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), []);
  });
});
