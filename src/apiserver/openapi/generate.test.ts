import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateSchemas, rootSchemaNames } from '../../../scripts/gen-openapi-schemas.js';
import { INT_OR_STRING, META_V1, QUANTITY, SERVED_KINDS, schemaNameFor } from './kinds.js';
import { refName, type Schema } from './schema-types.js';

const { file, warnings } = generateSchemas();
const schemas = file.schemas;

function get(name: string): Schema {
  const s = schemas[name];
  assert.ok(s, `missing schema ${name}`);
  return s;
}

function refOf(s: Schema | undefined): string | undefined {
  const ref = s?.$ref ?? s?.allOf?.[0]?.$ref;
  return ref === undefined ? undefined : refName(ref);
}

void describe('gen-openapi-schemas', () => {
  void test('runs without warnings and records its source', () => {
    assert.deepEqual(warnings, []);
    assert.match(file.source, /^kubernetes-types@\d+\.\d+\.\d+$/);
  });

  void test('every served kind has a described schema carrying its GVK', () => {
    for (const k of SERVED_KINDS) {
      const s = get(schemaNameFor(k));
      assert.equal(s.type, 'object', schemaNameFor(k));
      assert.ok(s.description && s.description.length > 10, `${schemaNameFor(k)} description`);
      assert.deepEqual(s['x-kubernetes-group-version-kind'], [
        { group: k.group, kind: k.kind, version: k.version },
      ]);
      assert.ok(s.properties?.apiVersion && s.properties.kind, `${schemaNameFor(k)} apiVersion/kind`);
    }
  });

  void test('names follow upstream packages', () => {
    for (const name of [
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.core.v1.Pod',
      'io.k8s.api.rbac.v1.ClusterRole',
      'io.k8s.api.networking.v1.Ingress',
      'io.k8s.api.events.v1.Event',
      'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
      `${META_V1}.ObjectMeta`,
      `${META_V1}.Time`,
      `${META_V1}.Status`,
      'io.k8s.apimachinery.pkg.runtime.RawExtension',
    ]) {
      get(name);
    }
  });

  void test('list kinds exist for listable kinds', () => {
    const list = get('io.k8s.api.apps.v1.DeploymentList');
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [
      { group: 'apps', kind: 'DeploymentList', version: 'v1' },
    ]);
    assert.equal(refOf(list.properties?.items?.items), 'io.k8s.api.apps.v1.Deployment');
  });

  void test('properties: types, formats, descriptions, refs wrapped in allOf, required', () => {
    const spec = get('io.k8s.api.apps.v1.DeploymentSpec');
    const replicas = spec.properties?.replicas;
    assert.equal(replicas?.type, 'integer');
    assert.equal(replicas?.format, 'int32');
    assert.match(replicas?.description ?? '', /Number of desired pods/);
    assert.deepEqual(spec.required, ['selector', 'template']);
    const dep = get('io.k8s.api.apps.v1.Deployment');
    assert.deepEqual(dep.properties?.spec?.allOf, [
      { $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' },
    ]);
    assert.match(dep.properties?.spec?.description ?? '', /desired behavior/);
    assert.equal(get(`${META_V1}.ObjectMeta`).properties?.generation?.format, 'int64');
  });

  void test('arrays, maps, times, int-or-string and quantities', () => {
    const containers = get('io.k8s.api.core.v1.PodSpec').properties?.containers;
    assert.equal(containers?.type, 'array');
    assert.equal(refOf(containers?.items), 'io.k8s.api.core.v1.Container');
    const labels = get(`${META_V1}.ObjectMeta`).properties?.labels;
    assert.equal(labels?.type, 'object');
    assert.equal((labels?.additionalProperties as Schema).type, 'string');
    assert.equal(refOf(get(`${META_V1}.ObjectMeta`).properties?.creationTimestamp), `${META_V1}.Time`);
    assert.equal(get(`${META_V1}.Time`).format, 'date-time');
    assert.equal(refOf(get('io.k8s.api.core.v1.ServicePort').properties?.targetPort), INT_OR_STRING);
    assert.equal(get(INT_OR_STRING)['x-kubernetes-int-or-string'], true);
    assert.equal(get(INT_OR_STRING).format, 'int-or-string');
    const limits = get('io.k8s.api.core.v1.ResourceRequirements').properties?.limits;
    assert.equal(refOf(limits?.additionalProperties as Schema), QUANTITY);
    assert.ok(get(QUANTITY).description?.startsWith('Quantity is a fixed-point'));
  });

  void test('[]byte fields are base64 strings (format byte)', () => {
    for (const name of [
      'io.k8s.api.admissionregistration.v1.WebhookClientConfig',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig',
    ]) {
      const caBundle = get(name).properties?.caBundle;
      assert.deepEqual([caBundle?.type, caBundle?.format], ['string', 'byte'], name);
    }
  });

  void test('webhook rules keep the resources and scope kubernetes-types leaves out', () => {
    const props = get('io.k8s.api.admissionregistration.v1.RuleWithOperations').properties;
    assert.deepEqual(Object.keys(props ?? {}).sort(), [
      'apiGroups',
      'apiVersions',
      'operations',
      'resources',
      'scope',
    ]);
    assert.equal(props?.resources?.items?.type, 'string');
    assert.match(props?.scope?.description ?? '', /^scope specifies the scope of this rule/);
  });

  void test('admission policy rules too, beside their resource names', () => {
    const props = get('io.k8s.api.admissionregistration.v1.NamedRuleWithOperations').properties;
    assert.deepEqual(Object.keys(props ?? {}).sort(), [
      'apiGroups',
      'apiVersions',
      'operations',
      'resourceNames',
      'resources',
      'scope',
    ]);
    assert.equal(props?.resources?.items?.type, 'string');
  });

  void test('every $ref resolves and every root is generated', () => {
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          // A property may be named `$ref` (JSONSchemaProps has one); references are strings.
          if (k === '$ref' && typeof x === 'string') assert.ok(schemas[refName(x) ?? ''], `dangling ${x}`);
          else visit(x);
        }
      }
    };
    visit(schemas);
    for (const root of rootSchemaNames()) {
      if (root.endsWith('List') && !schemas[root]) continue; // review kinds have no list
      get(root);
    }
  });
});
