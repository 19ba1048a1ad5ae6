import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDefaultTolerations } from './default-tolerations.js';

void test('adds not-ready and unreachable NoExecute tolerations with the configured seconds', () => {
  const pod = { spec: {} };
  addDefaultTolerations(pod, { notReadySeconds: 10, unreachableSeconds: 20 });
  assert.deepEqual((pod.spec as { tolerations: unknown }).tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 20 },
  ]);
});

void test('defaults to 60 seconds and keeps tolerations that already cover a taint', () => {
  const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' };
  const pod = { spec: { tolerations: [own] } };
  addDefaultTolerations(pod);
  assert.deepEqual(pod.spec.tolerations, [
    own,
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
  ]);
});

void test('a toleration with no key, or no effect, covers both', () => {
  const pod = { spec: { tolerations: [{ operator: 'Exists' }] } };
  addDefaultTolerations(pod);
  assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists' }]);
  const noEffect = { spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] } };
  addDefaultTolerations(noEffect);
  assert.equal(noEffect.spec.tolerations.length, 2);
});
