import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { applyPatch, PATCH_CONTENT_TYPES, patchTypesFor } from './index.js';

const deployGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const crdGvk = { group: 'example.com', version: 'v1', kind: 'Widget' };

function live(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1' },
            { name: 'side', image: 'busybox' },
          ],
        },
      },
    },
  };
}

function status(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isApiError(err));
    return { code: err.code, reason: err.reason, message: err.message };
  }
  assert.fail('expected an error');
}

void describe('applyPatch', () => {
  void test('content types', () => {
    assert.deepEqual(
      [...PATCH_CONTENT_TYPES],
      [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ],
    );
    assert.ok(!patchTypesFor(crdGvk).includes('application/strategic-merge-patch+json'));
  });

  void test('strategic merge keeps sibling containers; merge patch replaces the list', () => {
    const body = { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } };
    const smp = applyPatch('application/strategic-merge-patch+json', live(), body, deployGvk);
    assert.deepEqual((smp.spec as any).template.spec.containers, [
      { name: 'web', image: 'nginx:2' },
      { name: 'side', image: 'busybox' },
    ]);
    const mp = applyPatch('application/merge-patch+json; charset=utf-8', live(), body, deployGvk);
    assert.deepEqual((mp.spec as any).template.spec.containers, [{ name: 'web', image: 'nginx:2' }]);
  });

  void test('json patch, body given as raw bytes', () => {
    const body = Buffer.from('[{"op":"replace","path":"/spec/replicas","value":4}]');
    const out = applyPatch('application/json-patch+json', live(), body, deployGvk);
    assert.equal((out.spec as any).replicas, 4);
  });

  void test('never mutates live', () => {
    const obj = live();
    const before = structuredClone(obj);
    applyPatch(
      'application/strategic-merge-patch+json',
      obj,
      { metadata: { labels: { app: null } } },
      deployGvk,
    );
    applyPatch('application/merge-patch+json', obj, { metadata: { labels: { app: null } } }, deployGvk);
    applyPatch('application/json-patch+json', obj, [{ op: 'remove', path: '/metadata/labels' }], deployGvk);
    assert.deepEqual(obj, before);
  });

  void test('strategic merge on a kind without metadata is 415, as upstream for CRDs', () => {
    const s = status(() => applyPatch('application/strategic-merge-patch+json', live(), {}, crdGvk));
    assert.equal(s.code, 415);
    assert.equal(s.reason, 'UnsupportedMediaType');
    assert.equal(
      s.message,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
    assert.equal(status(() => applyPatch('text/plain', live(), {}, deployGvk)).code, 415);
  });

  void test('merge patch on a CRD works', () => {
    const out = applyPatch(
      'application/merge-patch+json',
      { spec: { items: [1, 2] } },
      { spec: { items: [3] } },
      crdGvk,
    );
    assert.deepEqual(out, { spec: { items: [3] } });
  });

  void test('malformed bodies are 400', () => {
    assert.equal(
      status(() => applyPatch('application/merge-patch+json', live(), '{not json', deployGvk)).code,
      400,
    );
    assert.equal(
      status(() => applyPatch('application/strategic-merge-patch+json', live(), [1], deployGvk)).code,
      400,
    );
    assert.equal(
      status(() => applyPatch('application/merge-patch+json', live(), 'null', deployGvk)).code,
      400,
    );
  });
});

void describe('applyPatch: server-side apply', () => {
  void test('kubectl apply --server-side body (JSON as YAML) with fieldManager', () => {
    const body = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 3 },
    });
    const created = applyPatch('application/apply-patch+yaml', live(), body, deployGvk, {
      manager: 'before',
      force: true,
    });
    assert.equal((created.spec as any).replicas, 3);
    assert.equal(created.metadata?.managedFields?.[0]?.operation, 'Apply');
  });

  void test('YAML bodies parse; a missing fieldManager is 422', () => {
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n';
    const out = applyPatch('application/apply-patch+yaml', live(), yaml, deployGvk, {
      manager: 'm',
      force: true,
    });
    assert.equal((out.spec as any).replicas, 2);
    const s = status(() => applyPatch('application/apply-patch+yaml', live(), yaml, deployGvk));
    assert.equal(s.code, 422);
    assert.equal(
      s.message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });
});
