import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';

void describe('applyMergePatch (RFC 7386)', () => {
  // Cases from RFC 7386 appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    void test(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      const before = structuredClone(target);
      assert.deepEqual(applyMergePatch(target, patch), want);
      assert.deepEqual(target, before);
    });
  }

  void test('kubectl label / annotate / scale bodies', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web', tier: 'x' } }, spec: { replicas: 1 } };
    assert.deepEqual(applyMergePatch(pod, { metadata: { labels: { tier: 'frontend' } } }), {
      metadata: { name: 'p', labels: { app: 'web', tier: 'frontend' } },
      spec: { replicas: 1 },
    });
    assert.deepEqual(applyMergePatch(pod, { metadata: { labels: { tier: null } } }), {
      metadata: { name: 'p', labels: { app: 'web' } },
      spec: { replicas: 1 },
    });
    assert.deepEqual(
      applyMergePatch(pod, { metadata: { annotations: { note: 'hello' } }, spec: { replicas: 5 } }),
      {
        metadata: { name: 'p', labels: { app: 'web', tier: 'x' }, annotations: { note: 'hello' } },
        spec: { replicas: 5 },
      },
    );
  });
});
