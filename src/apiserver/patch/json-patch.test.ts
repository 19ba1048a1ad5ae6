import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError, type ApiError } from '../../api/errors.js';
import { applyJsonPatch } from './json-patch.js';

function badRequest(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isApiError(err));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.match(err.message, message);
    return true;
  });
}

void describe('applyJsonPatch', () => {
  const doc = { metadata: { name: 'x', annotations: { a: '1' } }, spec: { replicas: 1, list: [1, 2, 3] } };

  void test('add, remove, replace, move, copy, test', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'add', path: '/spec/list/0', value: 0 },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'copy', from: '/metadata/name', path: '/spec/copied' },
      { op: 'move', from: '/metadata/annotations/a', path: '/metadata/annotations/b' },
      { op: 'add', path: '/metadata/labels', value: { 'a~b/c': 'x' } },
      { op: 'replace', path: '/metadata/labels/a~0b~1c', value: 'y' },
    ]);
    assert.deepEqual(out, {
      metadata: { name: 'x', annotations: { b: '1' }, labels: { 'a~b/c': 'y' } },
      spec: { replicas: 3, list: [0, 2, 3, 4], copied: 'x' },
    });
  });

  void test('does not mutate the input', () => {
    const before = structuredClone(doc);
    applyJsonPatch(doc, [{ op: 'replace', path: '/spec/replicas', value: 9 }]);
    assert.deepEqual(doc, before);
  });

  void test('rollout undo body replaces template and annotations', () => {
    const live = {
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'n', image: 'nginx:2' }] },
        },
      },
    };
    const template = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'n', image: 'nginx:1' }] },
    };
    const annotations = { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'v1' };
    const out = applyJsonPatch(live, [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ]);
    assert.deepEqual(out.spec.template, template);
    assert.deepEqual(out.metadata.annotations, annotations);
    assert.equal(out.spec.replicas, 2);
  });

  void test('errors are 400 with upstream-style wording', () => {
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]),
      /^testing value \/spec\/replicas failed: test failed$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/nope', value: 2 }]),
      /^replace operation does not apply: doc is missing key: \/spec\/nope: missing value$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 2 }]),
      /^replace operation does not apply: doc is missing path: \/nope\/x: missing value$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]),
      /^error in remove for path: '\/nope': Unable to remove nonexistent key: nope: missing value$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'add', path: '/a/b/c', value: 1 }]),
      /^add operation does not apply: doc is missing path: "\/a\/b\/c": missing value$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'move', from: '/nope', path: '/x' }]),
      /^error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'copy', from: '/nope', path: '/x' }]),
      /^copy operation does not apply: doc is missing from path: \/nope: missing value$/,
    );
    badRequest(
      () => applyJsonPatch(doc, [{ op: 'add', path: '/spec/list/9', value: 1 }]),
      /^error in add for path: '\/spec\/list\/9': Unable to access invalid index: 9: invalid index referenced$/,
    );
    badRequest(() => applyJsonPatch(doc, [{ op: 'frob', path: '/x' }]), /^Unexpected kind: frob$/);
    badRequest(
      () => applyJsonPatch(doc, { op: 'add' }),
      /cannot unmarshal object into Go value of type jsonpatch.Patch/,
    );
    badRequest(() => applyJsonPatch(doc, [{ op: 'add', path: '/x' }]), /requires "value"/);
  });

  void test('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
    assert.throws(
      () => applyJsonPatch(doc, ops),
      (err: unknown) => isApiError(err) && err.code === 413 && err.reason === 'RequestEntityTooLarge',
    );
  });

  void test('a failing operation leaves no partial result visible', () => {
    const before = structuredClone(doc);
    assert.throws(() =>
      applyJsonPatch(doc, [
        { op: 'replace', path: '/spec/replicas', value: 5 },
        { op: 'test', path: '/spec/replicas', value: 1 },
      ]),
    );
    assert.deepEqual(doc, before);
  });
});

test('copy operations may not grow a document past 3 MiB together', () => {
  const ops = [{ op: 'add', path: '/a', value: { s: 'x'.repeat(1024) } }];
  for (let i = 0; i < 40; i++) ops.push({ op: 'copy', from: '/a', path: `/a/c${i}` } as never);
  assert.throws(
    () => applyJsonPatch({}, ops),
    (err: ApiError) => {
      assert.equal(err.status.code, 422);
      assert.match(
        err.status.message ?? '',
        /accumulated size increase of copy is \d+, exceeding the limit 3145728/,
      );
      return true;
    },
  );
});
