import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { storageClassStrategy as sc } from './storage-storageclass.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

void describe('StorageClass', () => {
  void test('defaults', () => {
    const obj: KubeObject = { provisioner: 'rancher.io/local-path' };
    sc.defaults?.(obj);
    assert.equal(obj.reclaimPolicy, 'Delete');
    assert.equal(obj.volumeBindingMode, 'Immediate');
    assert.deepEqual(lines(sc.validate?.(obj)), []);
  });

  const cases: [string, KubeObject, string[]][] = [
    ['provisioner required', {}, ['provisioner: Required value']],
    [
      'reclaim policy',
      { provisioner: 'p', reclaimPolicy: 'Recycle' },
      ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'],
    ],
    [
      'binding mode',
      { provisioner: 'p', volumeBindingMode: 'Later' },
      [
        'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
      ],
    ],
  ];
  for (const [name, obj, want] of cases) {
    void test(name, () => {
      sc.defaults?.(obj);
      assert.deepEqual(lines(sc.validate?.(obj)), want);
    });
  }

  void test('provisioner, parameters, reclaimPolicy, binding mode frozen', () => {
    const old: KubeObject = {
      provisioner: 'a',
      parameters: { x: '1' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    };
    const next: KubeObject = {
      provisioner: 'b',
      parameters: { x: '2' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    assert.deepEqual(lines(sc.validateUpdate?.(next, old)), [
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
    assert.deepEqual(lines(sc.validateUpdate?.(structuredClone(old), old)), []);
  });
});
