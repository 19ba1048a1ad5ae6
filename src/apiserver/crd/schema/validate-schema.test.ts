import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import { validateSchemaDefinition, type JSONSchemaProps } from './index.js';
import { loadCel } from './cel-rules.js';

// Rules are compiled with the CEL interpreter, which the server loads on demand.
before(loadCel);

const P = 'spec.versions[0].schema.openAPIV3Schema';

/** Messages with the schema's path shortened to `~`. */
function check(schema: JSONSchemaProps): string[] {
  return validateSchemaDefinition(schema, P).map((e: FieldError) =>
    `${e.field}: ${e.message}`.replaceAll(P, '~'),
  );
}

const cronTab: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
      },
    },
  },
};

/** The shape of a kubebuilder-generated schema (cert-manager's Certificate, cut down). */
const certificate: JSONSchemaProps = {
  type: 'object',
  description:
    'A Certificate resource should be created to ensure an up to date and signed X.509 certificate is stored in the Kubernetes Secret resource named in `spec.secretName`.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['issuerRef', 'secretName'],
      properties: {
        secretName: { type: 'string' },
        duration: { type: 'string' },
        dnsNames: { type: 'array', items: { type: 'string' } },
        issuerRef: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, kind: { type: 'string' }, group: { type: 'string' } },
        },
        privateKey: {
          type: 'object',
          properties: {
            algorithm: { type: 'string', enum: ['RSA', 'ECDSA', 'Ed25519'] },
            size: { type: 'integer' },
            rotationPolicy: { type: 'string', enum: ['Never', 'Always'], default: 'Always' },
          },
        },
        secretTemplate: {
          type: 'object',
          properties: {
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        keystores: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      },
    },
    status: {
      type: 'object',
      properties: {
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: {
            type: 'object',
            required: ['status', 'type'],
            properties: {
              status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
              type: { type: 'string' },
              lastTransitionTime: { type: 'string', format: 'date-time' },
            },
          },
        },
        notAfter: { type: 'string', format: 'date-time' },
      },
    },
  },
  'x-kubernetes-validations': [{ rule: 'self.spec.secretName != ""', message: 'secretName must be set' }],
};

type Case = [name: string, schema: JSONSchemaProps, want: string[]];

const cases: Case[] = [
  ['the docs CronTab', cronTab, []],
  ['a kubebuilder-style schema', certificate, []],
  [
    'missing types',
    {
      properties: {
        foo: { properties: { a: {} } },
        bar: { type: 'array', items: { type: 'object', additionalProperties: { items: {} } } },
      },
    },
    [
      '~.properties[bar].items.additionalProperties.items.type: Required value: must not be empty for specified array items',
      '~.properties[bar].items.additionalProperties.type: Required value: must not be empty for specified object fields',
      '~.properties[foo].properties[a].type: Required value: must not be empty for specified object fields',
      '~.properties[foo].type: Required value: must not be empty for specified object fields',
      '~.type: Required value: must not be empty at the root',
    ],
  ],
  [
    'a non-object root',
    { type: 'integer', nullable: true },
    [
      '~.nullable: Forbidden: nullable cannot be true at the root',
      '~.type: Invalid value: "integer": must be object at the root',
    ],
  ],
  [
    'additionalProperties at the root',
    { type: 'object', additionalProperties: false },
    ['~.additionalProperties: Forbidden: must not be used at the root'],
  ],
  [
    'arrays need items',
    { type: 'object', properties: { slice: { type: 'array' } } },
    ['~.properties[slice].items: Required value: must be specified'],
  ],
  [
    'properties and additionalProperties',
    {
      type: 'object',
      properties: {
        m: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
        n: { type: 'object', additionalProperties: false },
        o: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true },
      },
    },
    [
      '~.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
    ],
  ],
  [
    'unsupported OpenAPI keywords',
    {
      type: 'object',
      properties: {
        spec: { $ref: '#/definitions/spec' },
        list: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      },
    },
    [
      '~.properties[spec].$ref: Forbidden: $ref is not supported',
      '~.properties[list].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    ],
  ],
  [
    'an unsupported keyword with nothing else wrong',
    { type: 'object', $schema: 'http://json-schema.org/draft-04/schema#' },
    [`~: Invalid value: "": OpenAPIV3Schema 'schema' is not supported`],
  ],
  [
    'types',
    { type: 'object', properties: { a: { type: 'str' }, b: { type: 'null' } } },
    [
      '~.properties[a].type: Unsupported value: "str": supported values: "array", "boolean", "integer", "number", "object", "string"',
      '~.properties[b].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"',
      '~.properties[b].type: Forbidden: type cannot be set to null, use nullable as an alternative',
    ],
  ],
  [
    'an invalid pattern',
    { type: 'object', properties: { foo: { type: 'string', pattern: '+' } } },
    [
      '~.properties[foo].pattern: Invalid value: "+": must be a valid regular expression, but isn\'t: error parsing regexp: missing argument to repetition operator: `+`',
    ],
  ],
  [
    'an RE2-only restriction',
    { type: 'object', properties: { foo: { type: 'string', pattern: '^(?!kube-).*$' } } },
    [
      '~.properties[foo].pattern: Invalid value: "^(?!kube-).*$": must be a valid regular expression, but isn\'t: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
    ],
  ],
  [
    'preserve-unknown-fields: false',
    { type: 'object', properties: { d: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } } },
    ['~.properties[d].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined'],
  ],
];

const structuralCases: Case[] = [
  [
    'nested value validations may not add structure',
    {
      type: 'object',
      properties: { foo: { type: 'string' } },
      not: { type: 'string', title: 'hello', nullable: true },
      allOf: [
        {
          properties: {
            foo: { description: 'world', additionalProperties: true, 'x-kubernetes-list-type': 'set' },
          },
        },
      ],
      anyOf: [{ items: { default: 'x' } }],
    },
    [
      '~.allOf[0].properties[foo].additionalProperties: Forbidden: must be undefined to be structural',
      '~.allOf[0].properties[foo].description: Forbidden: must be empty to be structural',
      '~.allOf[0].properties[foo].x-kubernetes-list-type: Forbidden: must be undefined to be structural',
      '~.anyOf[0].items.default: Forbidden: must be undefined to be structural',
      '~.items: Required value: because it is defined in ~.anyOf[0].items',
      '~.not.nullable: Forbidden: must be false to be structural',
      '~.not.title: Forbidden: must be empty to be structural',
      '~.not.type: Forbidden: must be empty to be structural',
      // Then the OpenAPI checks, which look inside value validations too.
      '~.allOf[0].properties[foo].type: Required value: must be array if x-kubernetes-list-type is specified',
    ],
  ],
  [
    'int-or-string may carry its two types in anyOf',
    {
      type: 'object',
      properties: {
        a: { 'x-kubernetes-int-or-string': true },
        b: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        c: {
          'x-kubernetes-int-or-string': true,
          allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: 'abc' }],
        },
        d: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'string' }, { type: 'integer' }] },
      },
    },
    [
      '~.properties[d].anyOf[0].type: Forbidden: must be empty to be structural',
      '~.properties[d].anyOf[1].type: Forbidden: must be empty to be structural',
    ],
  ],
  [
    'value validations must name specified fields',
    {
      type: 'object',
      properties: {
        b: { type: 'object', properties: { b: { type: 'array', items: { type: 'string' } } } },
        d: { type: 'array', items: { type: 'string' } },
      },
      not: { properties: { a: {}, b: { not: { properties: { a: {}, b: { items: {} } } } } } },
      allOf: [{ properties: { e: {} } }],
      oneOf: [{ properties: { d: { items: { items: {} } } } }],
    },
    [
      '~.properties[a]: Required value: because it is defined in ~.not.properties[a]',
      '~.properties[b].properties[a]: Required value: because it is defined in ~.not.properties[b].not.properties[a]',
      '~.properties[d].items.items: Required value: because it is defined in ~.oneOf[0].properties[d].items.items',
      '~.properties[e]: Required value: because it is defined in ~.allOf[0].properties[e]',
    ],
  ],
  [
    'root metadata may only restrict name and generateName',
    {
      type: 'object',
      properties: { metadata: { properties: { name: { pattern: '^[a-z]+$' }, labels: { type: 'object' } } } },
    },
    [
      '~.properties[metadata].properties[name].type: Required value: must not be empty for specified object fields',
      '~.properties[metadata].type: Invalid value: "": must be object',
      '~.properties[metadata].type: Required value: must not be empty for specified object fields',
      '~.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    ],
  ],
  [
    'a metadata name restriction',
    {
      type: 'object',
      properties: {
        metadata: {
          type: 'object',
          properties: {
            name: { type: 'string', pattern: '^[a-z]+$', maxLength: 20 },
            generateName: { type: 'string' },
          },
        },
      },
    },
    [],
  ],
  [
    'metadata in value validations',
    {
      type: 'object',
      properties: { metadata: { type: 'object' } },
      allOf: [{ properties: { metadata: {} } }],
    },
    ['~.allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context'],
  ],
  [
    'type meta must be strings',
    { type: 'object', properties: { kind: { type: 'object' }, apiVersion: { type: 'string' } } },
    ['~.properties[kind].type: Invalid value: "object": must be string'],
  ],
  [
    'embedded resources',
    {
      type: 'object',
      properties: {
        a: { type: 'object', 'x-kubernetes-embedded-resource': true },
        b: {
          type: 'array',
          items: { type: 'string' },
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
        c: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    [
      '~.properties[a].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      '~.properties[b].type: Invalid value: "array": must be object if x-kubernetes-embedded-resource is true',
      '~.properties[c].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true',
    ],
  ],
];

const defaultCases: Case[] = [
  [
    'defaults must validate and carry no unknown fields',
    {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          default: { replicas: 'x', extra: 1 },
          properties: {
            replicas: { type: 'integer', maximum: 10, default: 20 },
            name: { type: 'string', default: 5 },
          },
        },
      },
    },
    [
      '~.properties[spec].default: Invalid value: {"replicas":"x","extra":1}: must not have unknown fields',
      '~.properties[spec].default.replicas: Invalid value: "string": replicas in body must be of type integer: "string"',
      // The value's own path is empty, hence upstream's leading space.
      '~.properties[spec].properties[replicas].default: Invalid value: 20:  in body should be less than or equal to 10',
      '~.properties[spec].properties[name].default: Invalid value: "integer":  in body must be of type string: "integer"',
    ],
  ],
  [
    'defaults are checked only once the schema is structural',
    { type: 'object', properties: { a: {}, n: { type: 'integer', default: 'x' } } },
    ['~.properties[a].type: Required value: must not be empty for specified object fields'],
  ],
  [
    'defaults of embedded resources need apiVersion and kind',
    {
      type: 'object',
      properties: {
        t: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
          default: { spec: {} },
        },
      },
    },
    ['~.properties[t].default.apiVersion: Required value', '~.properties[t].default.kind: Required value'],
  ],
  [
    'no defaults in type and object meta',
    {
      type: 'object',
      properties: {
        apiVersion: { type: 'string', default: 'v1' },
        metadata: { type: 'object', default: {} },
        t: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: {
            metadata: {
              type: 'object',
              properties: {
                labels: { type: 'object', additionalProperties: { type: 'string', default: 'x' } },
              },
            },
          },
        },
      },
    },
    [
      '~.properties[apiVersion].default: Forbidden: must not be set in top-level apiVersion',
      '~.properties[metadata].default: Forbidden: must not be set in top-level metadata',
      '~.properties[t].properties[metadata].properties[labels].additionalProperties.default: Forbidden: must not be set inside additionalProperties applying to object metadata',
    ],
  ],
];

const extensionCases: Case[] = [
  [
    'list-type map keys',
    {
      type: 'object',
      properties: {
        a: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'o', 'missing', 'port'],
          items: { type: 'object', properties: { port: { type: 'integer' }, o: { type: 'object' } } },
        },
      },
    },
    [
      // Upstream names the items' type, not the key's.
      '~.properties[a].items.properties[o].type: Invalid value: "object": must be a scalar type if parent array\'s x-kubernetes-list-type is map',
      '~.properties[a].x-kubernetes-list-map-keys: Invalid value: ["port","o","missing","port"]: entries must all be names of item properties',
      '~.properties[a].x-kubernetes-list-map-keys: Invalid value: ["port","o","missing","port"]: must not contain duplicate entries',
      '~.properties[a].items.properties[port].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
      '~.properties[a].items.properties[o].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
      '~.properties[a].items.properties[port].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
    ],
  ],
  [
    'list-type map needs keys and object items',
    {
      type: 'object',
      properties: { a: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'string' } } },
    },
    [
      '~.properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
      '~.properties[a].items.type: Invalid value: "string": must be object if parent array\'s x-kubernetes-list-type is map',
    ],
  ],
  [
    'list-type set',
    {
      type: 'object',
      properties: {
        b: { type: 'object', 'x-kubernetes-list-type': 'set' },
        c: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', nullable: true } },
      },
    },
    [
      '~.properties[b].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified',
      '~.properties[c].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set',
      '~.properties[c].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set',
    ],
  ],
  [
    'list and map type values',
    {
      type: 'object',
      properties: {
        d: {
          type: 'array',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'bag',
          'x-kubernetes-list-map-keys': ['x'],
        },
        m: { type: 'object', 'x-kubernetes-map-type': 'loose' },
      },
    },
    [
      '~.properties[d].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"',
      '~.properties[d].x-kubernetes-list-type: Invalid value: "bag": must be map if x-kubernetes-list-map-keys is non-empty',
      '~.properties[m].x-kubernetes-map-type: Unsupported value: "loose": supported values: "atomic", "granular"',
    ],
  ],
  [
    'x-kubernetes-validations are checked for shape, and rules must parse',
    {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: ' ' },
        { rule: 'self.a > 0', reason: 'Bad', message: ' ' },
        { rule: 'a\nb' },
        { rule: 'this does not compile (' },
      ],
    },
    [
      '~.x-kubernetes-validations[0].rule: Required value: rule is not specified',
      '~.x-kubernetes-validations[1].message: Invalid value: " ": message must be non-empty if specified',
      '~.x-kubernetes-validations[1].reason: Unsupported value: "Bad": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"',
      '~.x-kubernetes-validations[2].message: Required value: message must be specified if rule contains line breaks',
      `~.x-kubernetes-validations[3].rule: Invalid value: "this does not compile (": compilation failed: Unexpected character: 's'`,
    ],
  ],
];

void describe('validateSchemaDefinition', () => {
  for (const [group, list] of [
    ['schemas', cases],
    ['structural', structuralCases],
    ['defaults', defaultCases],
    ['extensions', extensionCases],
  ] as const) {
    void describe(group, () => {
      for (const [name, schema, want] of list) {
        void test(name, () => assert.deepEqual(check(schema), want));
      }
    });
  }

  void test('structural errors come sorted, as upstream sorts them', () => {
    const got = check({ properties: { z: {}, a: {}, m: { type: 'array' } } });
    assert.deepEqual(got, [...got].sort());
    assert.equal(got.length, 4);
  });
});
