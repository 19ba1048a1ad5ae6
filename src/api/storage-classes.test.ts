import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDefaultClass, localPathStorageClass, pickDefaultClass } from './storage-classes.js';

const cls = (name: string, created: string, annotations: Record<string, string> = {}) => ({
  metadata: { name, creationTimestamp: created, annotations },
});

void test('the default class: GA or beta annotation "true"; the newest wins, then the first name', () => {
  const yes = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  const beta = { 'storageclass.beta.kubernetes.io/is-default-class': 'true' };
  assert.equal(
    isDefaultClass(cls('a', 't', { 'storageclass.kubernetes.io/is-default-class': 'True' })),
    false,
  );
  assert.equal(isDefaultClass(cls('a', 't', beta)), true);
  assert.equal(pickDefaultClass([cls('plain', '2026-01-03T00:00:00Z')]), undefined);
  const picked = pickDefaultClass([
    cls('old', '2026-01-01T00:00:00Z', yes),
    cls('zeta', '2026-01-02T00:00:00Z', beta),
    cls('alpha', '2026-01-02T00:00:00Z', yes),
    cls('newest-but-not-default', '2026-01-09T00:00:00Z'),
  ]);
  assert.equal(picked?.metadata.name, 'alpha');
});

void test('local-path is a default WaitForFirstConsumer class with reclaim Delete', () => {
  const sc = localPathStorageClass();
  assert.equal(isDefaultClass(sc), true);
  assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.provisioner, 'tugboat.dev/local-path');
});
