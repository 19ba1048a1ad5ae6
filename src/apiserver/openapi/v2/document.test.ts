import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { OpenApiResource } from '../document.js';
import { generatedSchemaSet } from '../testing/generated.js';
import { buildOpenApiV2 } from './document.js';
import { gnosticDocumentType } from './gnostic-proto.js';

const resources: OpenApiResource[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    subresources: ['status', 'log'],
  },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    subresources: ['status', 'scale'],
    aliases: [{ group: 'extensions', version: 'v1beta1' }],
  },
];

const v2 = buildOpenApiV2(resources, { schemas: generatedSchemaSet() });

interface NamedAny {
  name: string;
  value: { yaml: string };
}
interface PbSchema {
  _ref?: string;
  type?: { value: string[] };
  format?: string;
  properties?: { additional_properties: Array<{ name: string; value: PbSchema }> };
  items?: { schema: PbSchema[] };
  vendor_extension?: NamedAny[];
}

/** Decoded with our own declaration of openapi.v2.Document, as a Go client would read it. */
const decoded = gnosticDocumentType().toObject(gnosticDocumentType().decode(v2.protobuf), {
  defaults: false,
}) as {
  swagger: string;
  info: { title: string; version: string };
  paths: { path: Array<{ name: string; value: Record<string, unknown> }> };
  definitions: { additional_properties: Array<{ name: string; value: PbSchema }> };
};

const definitions = new Map(decoded.definitions.additional_properties.map((d) => [d.name, d.value]));
const prop = (def: string, name: string): PbSchema => {
  const found = definitions.get(def)?.properties?.additional_properties.find((p) => p.name === name)?.value;
  assert.ok(found, `${def}.${name}`);
  return found;
};
/** Vendor extensions, parsed from their YAML text as kube-openapi does. */
const extensions = (s: PbSchema | undefined): Record<string, unknown> =>
  Object.fromEntries((s?.vendor_extension ?? []).map((e) => [e.name, parseYaml(e.value.yaml) as unknown]));

describe('openapi v2 protobuf document', () => {
  test('header fields', () => {
    assert.equal(decoded.swagger, '2.0');
    assert.deepEqual(decoded.info, { title: 'Kubernetes', version: 'v1.32.0' });
  });

  test('each kind carries its GVK, aliases under their own definition', () => {
    assert.deepEqual(
      extensions(definitions.get('io.k8s.api.apps.v1.Deployment'))['x-kubernetes-group-version-kind'],
      [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
    );
    assert.deepEqual(
      extensions(definitions.get('io.k8s.api.extensions.v1beta1.Deployment'))[
        'x-kubernetes-group-version-kind'
      ],
      [{ group: 'extensions', kind: 'Deployment', version: 'v1beta1' }],
    );
    assert.deepEqual(
      extensions(definitions.get('io.k8s.api.core.v1.ConfigMapList'))['x-kubernetes-group-version-kind'],
      [{ group: '', kind: 'ConfigMapList', version: 'v1' }],
    );
  });

  test('strategic-merge extensions match the server patch engine', () => {
    assert.deepEqual(extensions(prop('io.k8s.api.core.v1.PodSpec', 'containers')), {
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.deepEqual(extensions(prop('io.k8s.api.core.v1.PodSpec', 'volumes')), {
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge,retainKeys',
    });
    assert.deepEqual(extensions(prop('io.k8s.api.core.v1.Container', 'ports')), {
      'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.deepEqual(extensions(prop('io.k8s.api.core.v1.ServiceSpec', 'ports')), {
      'x-kubernetes-patch-merge-key': 'port',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.deepEqual(extensions(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')), {
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    assert.deepEqual(extensions(prop('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')), {
      'x-kubernetes-patch-strategy': 'merge',
    });
    // Atomic lists carry nothing.
    assert.deepEqual(extensions(prop('io.k8s.api.core.v1.Container', 'args')), {});
    assert.deepEqual(extensions(prop('io.k8s.api.core.v1.PodSpec', 'tolerations')), {});
  });

  test('$refs point at #/definitions and every one resolves; no type beside a $ref', () => {
    assert.equal(
      prop('io.k8s.api.apps.v1.DeploymentSpec', 'template')._ref,
      '#/definitions/io.k8s.api.core.v1.PodTemplateSpec',
    );
    const dangling: string[] = [];
    const visit = (s: PbSchema, where: string): void => {
      if (s._ref) {
        if (!definitions.has(s._ref.replace('#/definitions/', ''))) dangling.push(`${where} → ${s._ref}`);
        assert.equal(s.type, undefined, `${where} has a type beside its $ref`);
      }
      for (const p of s.properties?.additional_properties ?? []) visit(p.value, `${where}.${p.name}`);
      for (const i of s.items?.schema ?? []) visit(i, `${where}[]`);
    };
    for (const [name, s] of definitions) visit(s, name);
    assert.deepEqual(dangling, []);
  });

  test('IntOrString is a string with format int-or-string', () => {
    const s = definitions.get('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    assert.deepEqual(s?.type?.value, ['string']);
    assert.equal(s?.format, 'int-or-string');
  });

  test('the PATCH of each kind declares fieldValidation (kubectl v2 param verifier)', () => {
    const item = decoded.paths.path.find(
      (p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
    );
    const patch = item?.value.patch as {
      parameters: Array<{
        parameter: { non_body_parameter?: { query_parameter_sub_schema?: { name: string } } };
      }>;
      vendor_extension: NamedAny[];
    };
    const names = patch.parameters.map(
      (p) => p.parameter.non_body_parameter?.query_parameter_sub_schema?.name,
    );
    assert.ok(names.includes('fieldValidation'));
    const gvk = patch.vendor_extension.find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(parseYaml(gvk?.value.yaml ?? ''), { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.ok(decoded.paths.path.some((p) => p.name.startsWith('/apis/extensions/v1beta1/')));
  });

  test('the JSON form is the same document; the ETag is its SHA-512', () => {
    const json = JSON.parse(v2.json.toString()) as { definitions: Record<string, unknown>; paths: object };
    assert.deepEqual(Object.keys(json.definitions), [...definitions.keys()]);
    assert.equal(Object.keys(json.paths).length, decoded.paths.path.length);
    const hash = createHash('sha512').update(v2.json).digest('hex').toUpperCase();
    assert.equal(v2.etag, `"${hash}"`);
    assert.doesNotMatch(v2.json.toString(), /"(oneOf|allOf|anyOf|nullable)"|#\/components\//);
  });
});
