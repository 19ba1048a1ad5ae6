import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { customResourceDef, versionPriority, type CustomResourceDefinition } from './custom-resource-def.js';
import { loadCel } from './schema/index.js';

// Rules are compiled with the CEL interpreter, which the server loads on demand.
before(loadCel);

const schema = (extra: Record<string, unknown> = {}) => ({
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: { size: { type: 'integer', maximum: 5, default: 2 }, ...extra },
      },
    },
  },
});

function crd(versions: CustomResourceDefinition['spec']['versions']): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget' }, versions },
  };
}

test('versions are preferred GA first, then beta, then alpha, higher numbers first', () => {
  assert.deepEqual(['v1alpha1', 'v2beta1', 'v1', 'v1beta2', 'v2', 'foo'].sort(versionPriority), [
    'v2',
    'v1',
    'v2beta1',
    'v1beta2',
    'v1alpha1',
    'foo',
  ]);
});

test('the storage version is canonical; other served versions are aliases that only rename apiVersion', () => {
  const def = customResourceDef(
    crd([
      { name: 'v1beta1', served: true, storage: true, schema: schema() },
      { name: 'v1', served: true, storage: false, schema: schema({ colour: { type: 'string' } }) },
      { name: 'v1alpha1', served: false, storage: false, schema: schema() },
    ]),
  )!;
  assert.equal(def.version, 'v1beta1');
  assert.equal(def.namespaced, false);
  assert.deepEqual(def.versionOrder, ['v1', 'v1beta1']);
  assert.deepEqual(
    def.aliases?.map((a) => a.version),
    ['v1'],
  );
  const body: KubeObject = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: {},
  };
  assert.equal(def.aliases[0]!.toCanonical(body).apiVersion, 'example.com/v1beta1');

  // Each version prunes by its own schema.
  const v1 = { ...body, spec: { colour: 'red', shape: 'round' } };
  assert.deepEqual(def.decodeBody!(v1, 'v1'), ['spec.shape']);
  assert.deepEqual(v1.spec, { colour: 'red', size: 2 });
  const beta = { ...body, spec: { colour: 'red' } };
  assert.deepEqual(def.decodeBody!(beta, 'v1beta1'), ['spec.colour']);

  assert.deepEqual(
    def.strategy.validate!({ ...body, spec: { size: 9 } }).map((e) => `${e.field}: ${e.message}`),
    ['spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5'],
  );
});

test('a CRD without a served version serves nothing', () => {
  assert.equal(
    customResourceDef(crd([{ name: 'v1', served: false, storage: true, schema: schema() }])),
    undefined,
  );
});

test('a body is validated against the schema of the version it came in', () => {
  const strict = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: { type: 'object', required: ['newField'], properties: { newField: { type: 'string' } } },
      },
    },
  };
  const def = customResourceDef(
    crd([
      { name: 'v1', served: true, storage: true, schema: strict },
      { name: 'v1beta1', served: true, storage: false, schema: schema() },
    ]),
  )!;
  const body = (version: string): KubeObject => ({
    apiVersion: `example.com/${version}`,
    kind: 'Widget',
    metadata: { name: 'w' },
    spec: {},
  });
  const fromBeta = def.aliases![0]!.toCanonical(body('v1beta1'));
  assert.equal(fromBeta.apiVersion, 'example.com/v1');
  assert.deepEqual(def.strategy.validate!(fromBeta), []);
  assert.deepEqual(
    def.strategy.validate!(body('v1')).map((e) => `${e.field}: ${e.message}`),
    ['spec.newField: Required value'],
  );
});
