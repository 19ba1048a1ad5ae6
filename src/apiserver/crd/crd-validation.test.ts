import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { createCrdStrategy, crdStrategy } from './strategy.js';
import { loadCel } from './schema/index.js';

// Rules are compiled with the CEL interpreter, which the server loads on demand.
before(loadCel);

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const schema = (type = 'object') => ({ openAPIV3Schema: { type } });

function crd(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com', ...meta },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', kind: 'CronTab', shortNames: ['ct'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: schema() }],
      ...spec,
    },
  };
}

/** Create as the REST handler does: prepareForCreate, defaults, validate. */
function create(obj: KubeObject, strategy = crdStrategy): string[] {
  strategy.prepareForCreate?.(obj);
  strategy.defaults?.(obj);
  return lines(strategy.validate?.(obj));
}

void describe('CRD validation on create', () => {
  void test('a valid CRD', () => {
    assert.deepEqual(create(crd()), []);
  });

  void test('name must be plural.group', () => {
    assert.deepEqual(create(crd({}, { name: 'crontab.stable.example.com', generateName: 'c-' })), [
      'metadata.generateName: Invalid value: "c-": must be spec.names.plural+"."+spec.group',
      'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  void test('group', () => {
    assert.deepEqual(create(crd({ group: 'example' }, { name: 'crontabs.example' })), [
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ]);
    assert.deepEqual(create(crd({ group: '' }, { name: 'crontabs.' })), ['spec.group: Required value']);
    assert.match(
      create(crd({ group: 'Ex.com' }, { name: 'crontabs.Ex.com' }))[0]!,
      /^spec\.group: .*RFC 1123/,
    );
  });

  void test('scope', () => {
    assert.deepEqual(create(crd({ scope: 'Global' })), [
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]);
    assert.deepEqual(create(crd({ scope: '' })), ['spec.scope: Required value']);
  });

  void test('names', () => {
    const errs = create(
      crd(
        {
          names: {
            plural: 'Crontabs',
            singular: 'cron_tab',
            kind: 'Cron-Tab-',
            listKind: 'Cron-Tab-',
            shortNames: ['ok', '1ct'],
            categories: ['all', 'A'],
          },
        },
        { name: 'Crontabs.stable.example.com' },
      ),
    );
    assert.deepEqual(errs, [
      `spec.names.plural: Invalid value: "Crontabs": ${DNS1035}`,
      `spec.names.singular: Invalid value: "cron_tab": ${DNS1035}`,
      `spec.names.kind: Invalid value: "Cron-Tab-": may have mixed case, but should otherwise match: ${DNS1035}`,
      `spec.names.listKind: Invalid value: "Cron-Tab-": may have mixed case, but should otherwise match: ${DNS1035}`,
      `spec.names.shortNames[1]: Invalid value: "1ct": ${DNS1035}`,
      'spec.names.listKind: Invalid value: "Cron-Tab-": kind and listKind may not be the same',
      `spec.names.categories[1]: Invalid value: "A": ${DNS1035}`,
    ]);
    assert.deepEqual(create(crd({ names: { plural: 'crontabs' } })), [
      'spec.names.singular: Required value',
      'spec.names.kind: Required value',
      'spec.names.listKind: Required value',
    ]);
  });

  void test('versions: names, uniqueness, exactly one storage version', () => {
    const versions = [
      { name: 'V1', served: true, storage: true, schema: schema() },
      { name: 'V1', served: false, storage: true, schema: schema() },
    ];
    const go = (name: string, served: boolean) =>
      `apiextensions.CustomResourceDefinitionVersion{Name:"${name}", Served:${served}, Storage:true, Deprecated:false, DeprecationWarning:(*string)(nil), Schema:(*apiextensions.CustomResourceValidation)(nil), Subresources:(*apiextensions.CustomResourceSubresources)(nil), AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil), SelectableFields:[]apiextensions.SelectableField(nil)}`;
    const all = `[]apiextensions.CustomResourceDefinitionVersion{${go('V1', true)}, ${go('V1', false)}}`;
    assert.deepEqual(create(crd({ versions })), [
      `spec.versions[0].name: Invalid value: "V1": ${DNS1035}`,
      `spec.versions[1].name: Invalid value: "V1": ${DNS1035}`,
      `spec.versions: Invalid value: ${all}: must contain unique version names`,
      `spec.versions: Invalid value: ${all}: must have exactly one version marked as storage version`,
      `spec.version: Invalid value: "V1": ${DNS1035}`,
      // The second V1 finds the stored V1 already matched, as upstream's map lookup.
      'status.storedVersions: Invalid value: []string{"V1"}: must have the storage version V1',
    ]);
    assert.deepEqual(create(crd({ versions: undefined })), [
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion(nil): must have exactly one version marked as storage version',
      'status.storedVersions: Invalid value: []string(nil): must have at least one stored version',
    ]);
  });

  void test('every version needs a schema', () => {
    const versions = [
      { name: 'v1', served: true, storage: true, schema: schema() },
      { name: 'v2', served: false, storage: false },
    ];
    assert.deepEqual(create(crd({ versions })), [
      'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
    ]);
  });

  void test('schemas go to the hook, under upstream paths, with whether /status is served', () => {
    const calls: string[] = [];
    const strategy = createCrdStrategy({
      validateSchema: (s, path, ctx) => {
        calls.push(`${path} ${JSON.stringify(s)} status=${ctx.statusEnabled}`);
        return [{ type: 'FieldValueForbidden', field: `${path}.x`, message: 'Forbidden: no' }];
      },
    });
    // Identical schemas are validated once, as the spec's.
    const same = [
      { name: 'v1', served: true, storage: true, schema: schema(), subresources: { status: {} } },
      { name: 'v2', served: true, storage: false, schema: schema(), subresources: { status: {} } },
    ];
    assert.deepEqual(create(crd({ versions: same }), strategy), [
      'spec.validation.openAPIV3Schema.x: Forbidden: no',
    ]);
    assert.deepEqual(calls, ['spec.validation.openAPIV3Schema {"type":"object"} status=true']);
    calls.length = 0;
    const differ = [
      { name: 'v1', served: true, storage: true, schema: schema(), subresources: { status: {} } },
      { name: 'v2', served: true, storage: false, schema: schema('array') },
    ];
    create(crd({ versions: differ }), strategy);
    assert.deepEqual(calls, [
      'spec.versions[0].schema.openAPIV3Schema {"type":"object"} status=true',
      'spec.versions[1].schema.openAPIV3Schema {"type":"array"} status=false',
    ]);
  });

  void test('subresources.scale paths', () => {
    const scale = {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: '.spec.replicas',
      labelSelectorPath: '.x',
    };
    assert.deepEqual(
      create(
        crd({
          versions: [{ name: 'v1', served: true, storage: true, schema: schema(), subresources: { scale } }],
        }),
      ),
      [
        'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
        'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status',
        'spec.subresources.scale.labelSelectorPath: Invalid value: ".x": should be a json path under either .spec or .status',
      ],
    );
    const two = [
      { name: 'v1', served: true, storage: true, schema: schema(), subresources: { scale: {} } },
      { name: 'v2', served: true, storage: false, schema: schema() },
    ];
    assert.deepEqual(create(crd({ versions: two })), [
      'spec.versions[0].subresources.scale.specReplicasPath: Required value',
      'spec.versions[0].subresources.scale.statusReplicasPath: Required value',
    ]);
  });

  void test('additionalPrinterColumns', () => {
    const additionalPrinterColumns = [
      { name: 'ok', type: 'string', jsonPath: '.spec.x' },
      { name: '', type: 'text', format: 'uuid', jsonPath: 'spec.x' },
      { name: 'n', jsonPath: '' },
    ];
    const v = { name: 'v1', served: true, storage: true, schema: schema(), additionalPrinterColumns };
    assert.deepEqual(create(crd({ versions: [v] })), [
      'spec.additionalPrinterColumns[1].name: Required value',
      'spec.additionalPrinterColumns[1].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[1].format: Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.additionalPrinterColumns[1].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .',
      'spec.additionalPrinterColumns[2].type: Required value: must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[2].JSONPath: Required value',
    ]);
  });

  void test('deprecation warnings', () => {
    const versions = [
      { name: 'v1', served: true, storage: true, schema: schema(), deprecationWarning: 'old' },
      {
        name: 'v2',
        served: true,
        storage: false,
        schema: schema(),
        deprecated: true,
        deprecationWarning: 'a\tb',
      },
    ];
    assert.deepEqual(create(crd({ versions })), [
      'spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions',
      'spec.versions[1].deprecationWarning: Invalid value: "a\\tb": must only contain printable UTF-8 characters; non-printable character found at index 1',
    ]);
  });

  void test('selectable fields', () => {
    const selectableFields = [{ jsonPath: '.spec.a' }, { jsonPath: '.spec.a' }, { jsonPath: '' }];
    const versions = [{ name: 'v1', served: true, storage: true, schema: schema(), selectableFields }];
    assert.deepEqual(create(crd({ versions })), [
      'spec.selectableFields[1].jsonPath: Duplicate value: ".spec.a"',
      'spec.selectableFields[2].jsonPath: Required value',
    ]);
  });

  void test('preserveUnknownFields may not be set in v1', () => {
    assert.deepEqual(create(crd({ preserveUnknownFields: true })), [
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
    ]);
  });

  void test('schema defaults need pruning (preserveUnknownFields false)', () => {
    const withDefault = {
      openAPIV3Schema: {
        type: 'object',
        properties: { spec: { type: 'object', properties: { n: { type: 'integer', default: 1 } } } },
      },
    };
    const versions = [{ name: 'v1', served: true, storage: true, schema: withDefault }];
    assert.deepEqual(create(crd({ versions, preserveUnknownFields: true })), [
      'spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema',
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
    ]);
  });

  void test('conversion', () => {
    assert.deepEqual(create(crd({ conversion: { strategy: 'Magic' } })), [
      'spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"',
    ]);
    assert.deepEqual(
      create(
        crd({
          conversion: { strategy: 'None', webhook: { clientConfig: {}, conversionReviewVersions: ['v1'] } },
        }),
      ),
      [
        'spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook',
        'spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook',
      ],
    );
    assert.deepEqual(create(crd({ conversion: { strategy: 'Webhook' } })), [
      'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: Required value',
    ]);
    const url = (u: string) => ({
      strategy: 'Webhook',
      webhook: { clientConfig: { url: u }, conversionReviewVersions: ['v2', 'v2'] },
    });
    assert.deepEqual(create(crd({ conversion: url('http://u:p@h/x?q=1#f') })), [
      `spec.conversion.webhookClientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
      'spec.conversion.webhookClientConfig.url: Invalid value: "u:p": user information is not permitted in the URL',
      'spec.conversion.webhookClientConfig.url: Invalid value: "f": fragments are not permitted in the URL',
      'spec.conversion.webhookClientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL',
      'spec.conversion.conversionReviewVersions[1]: Invalid value: "v2": duplicate version',
      'spec.conversion.conversionReviewVersions: Invalid value: []string{"v2", "v2"}: must include at least one of v1, v1beta1',
    ]);
    const service = {
      strategy: 'Webhook',
      webhook: {
        clientConfig: { service: { name: 'conv', namespace: 'ns', port: 0, path: '/a//B' } },
        conversionReviewVersions: ['v1'],
      },
    };
    assert.deepEqual(create(crd({ conversion: service })), [
      'spec.conversion.webhookClientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive',
      'spec.conversion.webhookClientConfig.service.path: Invalid value: "/a//B": segment[1] may not be empty',
      `spec.conversion.webhookClientConfig.service.path: Invalid value: "/a//B": segment[2]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
    // Accepted (webhook conversion is validated but not served).
    const ok = {
      strategy: 'Webhook',
      webhook: { clientConfig: { url: 'https://conv.example.com/x' }, conversionReviewVersions: ['v1'] },
    };
    assert.deepEqual(create(crd({ conversion: ok })), []);
  });

  void test('protected groups need the API approval annotation', () => {
    const k8s = (annotations?: Record<string, string>) =>
      crd(
        { group: 'widgets.k8s.io' },
        { name: 'crontabs.widgets.k8s.io', ...(annotations ? { annotations } : {}) },
      );
    assert.deepEqual(create(k8s()), [
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    assert.deepEqual(create(k8s({ 'api-approved.kubernetes.io': 'yes' })), [
      'metadata.annotations[api-approved.kubernetes.io]: Invalid value: "yes": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    assert.deepEqual(create(k8s({ 'api-approved.kubernetes.io': 'unapproved, testing' })), []);
    assert.deepEqual(
      create(k8s({ 'api-approved.kubernetes.io': 'https://github.com/kubernetes/kubernetes/pull/1' })),
      [],
    );
  });
});

void describe('CRD validation on update', () => {
  const established = (obj: KubeObject): KubeObject => {
    const status = obj.status as Record<string, unknown>;
    status.conditions = [{ type: 'Established', status: 'True' }];
    return obj;
  };

  function stored(spec: Record<string, unknown> = {}): KubeObject {
    const obj = crd(spec);
    crdStrategy.prepareForCreate?.(obj);
    crdStrategy.defaults?.(obj);
    return obj;
  }

  /** Update as the REST handler does: defaults, prepareForUpdate, validate, validateUpdate. */
  function update(obj: KubeObject, old: KubeObject): string[] {
    crdStrategy.defaults?.(obj);
    crdStrategy.prepareForUpdate?.(obj, old);
    return lines([...(crdStrategy.validate?.(obj) ?? []), ...(crdStrategy.validateUpdate?.(obj, old) ?? [])]);
  }

  void test('group and plural are immutable; scope and kind once established', () => {
    const next = crd({ scope: 'Cluster', names: { plural: 'crontabs', kind: 'Cron' } });
    assert.deepEqual(update(next, stored()), []);
    assert.deepEqual(
      update(crd({ scope: 'Cluster', names: { plural: 'crontabs', kind: 'Cron' } }), established(stored())),
      [
        'spec.scope: Invalid value: "Cluster": field is immutable',
        'spec.names.kind: Invalid value: "Cron": field is immutable',
      ],
    );
    const renamed = crd({ group: 'other.example.com', names: { plural: 'tabs', kind: 'CronTab' } });
    assert.deepEqual(update(renamed, stored()), [
      'metadata.name: Invalid value: "crontabs.stable.example.com": must be spec.names.plural+"."+spec.group',
      'spec.group: Invalid value: "other.example.com": field is immutable',
      'spec.names.plural: Invalid value: "tabs": field is immutable',
    ]);
  });

  void test('a new storage version joins storedVersions; stored versions may not leave spec.versions', () => {
    const v1 = { name: 'v1', served: true, storage: true, schema: schema() };
    const v2 = { name: 'v2', served: true, storage: false, schema: schema() };
    const old = stored({ versions: [v1, v2] });
    const next = crd({
      versions: [
        { ...v1, storage: false },
        { ...v2, storage: true },
      ],
    });
    assert.deepEqual(update(next, old), []);
    assert.deepEqual((next.status as Record<string, unknown>).storedVersions, ['v1', 'v2']);
    const dropped = crd({ versions: [{ ...v2, storage: true }] });
    assert.deepEqual(update(dropped, next), [
      'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions',
    ]);
  });
});
