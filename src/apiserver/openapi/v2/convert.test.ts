import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resourcePaths } from '../operations.js';
import { INT_OR_STRING, QUANTITY } from '../kinds.js';
import { generatedSchemaSet } from '../testing/generated.js';
import { pathItemToV2, schemaToV2 } from './convert.js';

const schemas = generatedSchemaSet().schemas;

describe('schemaToV2', () => {
  test('IntOrString is a string of format int-or-string, as upstream v2', () => {
    const s = schemaToV2(schemas[INT_OR_STRING]!);
    assert.equal(s.type, 'string');
    assert.equal(s.format, 'int-or-string');
    assert.equal('oneOf' in s, false);
    assert.equal('x-kubernetes-int-or-string' in s, false);
  });

  test('Quantity is a plain string', () => {
    const s = schemaToV2(schemas[QUANTITY]!);
    assert.equal(s.type, 'string');
    assert.equal(s.format, undefined);
  });

  test('an allOf-wrapped $ref becomes a $ref to #/definitions beside its description', () => {
    const spec = schemaToV2(schemas['io.k8s.api.apps.v1.DeploymentSpec']!);
    const template = spec.properties?.template;
    assert.equal(template?.$ref, '#/definitions/io.k8s.api.core.v1.PodTemplateSpec');
    assert.match(template?.description ?? '', /pods/i);
    assert.equal('allOf' in (template ?? {}), false);
    const containers = schemaToV2(schemas['io.k8s.api.core.v1.PodSpec']!).properties?.containers;
    assert.equal(containers?.type, 'array');
    assert.equal(containers?.items?.$ref, '#/definitions/io.k8s.api.core.v1.Container');
  });

  test('kind schemas keep their GVK extension; types and required lists carry over', () => {
    const d = schemaToV2(schemas['io.k8s.api.apps.v1.Deployment']!);
    assert.deepEqual(d['x-kubernetes-group-version-kind'], [
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
    const c = schemaToV2(schemas['io.k8s.api.core.v1.Container']!);
    assert.deepEqual(c.required, ['name']);
    assert.equal(c.properties?.args?.items?.type, 'string');
    const labels = schemaToV2(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!).properties?.labels;
    assert.equal(labels?.type, 'object');
    assert.deepEqual(labels?.additionalProperties, { type: 'string', default: '' });
  });
});

describe('pathItemToV2', () => {
  const paths = resourcePaths({
    prefix: '/apis/apps/v1',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    verbs: new Set(['get', 'list', 'create', 'update', 'patch', 'delete']),
    subresources: ['status'],
    schema: 'io.k8s.api.apps.v1.Deployment',
    listSchema: 'io.k8s.api.apps.v1.DeploymentList',
  });

  test('PATCH has a body, the fieldValidation query parameter and the GVK, as kubectl looks for them', () => {
    const item = pathItemToV2(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!);
    const patch = item.patch!;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
      group: 'apps',
      kind: 'Deployment',
      version: 'v1',
    });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
    const body = patch.parameters?.find((p) => p.in === 'body');
    assert.equal(body?.schema?.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const fv = patch.parameters?.find((p) => p.name === 'fieldValidation');
    assert.deepEqual(fv, {
      name: 'fieldValidation',
      in: 'query',
      description: fv?.description,
      type: 'string',
      uniqueItems: true,
    });
    assert.deepEqual(patch.responses['200'], {
      description: 'OK',
      schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' },
    });
    assert.deepEqual(
      item.parameters?.map((p) => [p.name, p.in, p.required ?? false]),
      [
        ['name', 'path', true],
        ['namespace', 'path', true],
        ['pretty', 'query', false],
      ],
    );
  });

  test('POST and PUT take the kind itself as body', () => {
    const coll = pathItemToV2(paths['/apis/apps/v1/namespaces/{namespace}/deployments']!);
    const body = coll.post?.parameters?.find((p) => p.in === 'body');
    assert.equal(body?.schema?.$ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
    assert.equal(coll.get?.responses['200']?.schema?.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentList');
  });
});
