import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import { validateCustomResource, type JSONSchemaProps } from './index.js';

const lines = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

/** A resource whose spec has the given properties (and spec-level keywords). */
function withSpec(properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', properties, ...extra } } };
}

function check(schema: JSONSchemaProps, spec: unknown): string[] {
  return lines(
    validateCustomResource(
      { apiVersion: 'example.com/v1', kind: 'Foo', metadata: { name: 'a' }, spec },
      schema,
    ),
  );
}

type Case = [name: string, schema: JSONSchemaProps, spec: unknown, want: string[]];

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer' };

const typeCases: Case[] = [
  [
    'string',
    withSpec({ name: str }),
    { name: 5 },
    ['spec.name: Invalid value: "integer": spec.name in body must be of type string: "integer"'],
  ],
  ['integer takes whole numbers', withSpec({ n: int }), { n: 3.0 }, []],
  [
    'integer',
    withSpec({ n: int }),
    { n: 1.5 },
    ['spec.n: Invalid value: "number": spec.n in body must be of type integer: "number"'],
  ],
  ['number takes integers', withSpec({ n: { type: 'number' } }), { n: 3 }, []],
  [
    'number',
    withSpec({ n: { type: 'number' } }),
    { n: '3' },
    ['spec.n: Invalid value: "string": spec.n in body must be of type number: "string"'],
  ],
  [
    'boolean',
    withSpec({ b: { type: 'boolean' } }),
    { b: 'true' },
    ['spec.b: Invalid value: "string": spec.b in body must be of type boolean: "string"'],
  ],
  [
    'object',
    withSpec({ o: { type: 'object' } }),
    { o: [] },
    ['spec.o: Invalid value: "array": spec.o in body must be of type object: "array"'],
  ],
  [
    'array',
    withSpec({ a: { type: 'array', items: str } }),
    { a: {} },
    ['spec.a: Invalid value: "object": spec.a in body must be of type array: "object"'],
  ],
  [
    'null',
    withSpec({ name: str }),
    { name: null },
    ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"'],
  ],
  ['nullable', withSpec({ name: { type: 'string', nullable: true } }), { name: null }, []],
  [
    'untyped takes anything',
    withSpec({ any: { 'x-kubernetes-preserve-unknown-fields': true } }),
    { any: null },
    [],
  ],
  [
    'int-or-string takes an integer',
    withSpec({ port: { 'x-kubernetes-int-or-string': true } }),
    { port: 80 },
    [],
  ],
  [
    'int-or-string takes a string',
    withSpec({ port: { 'x-kubernetes-int-or-string': true } }),
    { port: 'http' },
    [],
  ],
  [
    'int-or-string',
    withSpec({ port: { 'x-kubernetes-int-or-string': true } }),
    { port: true },
    ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'],
  ],
  [
    'the spec itself',
    withSpec({}),
    'x',
    ['spec: Invalid value: "string": spec in body must be of type object: "string"'],
  ],
];

const valueCases: Case[] = [
  [
    'required',
    withSpec({ image: str, size: int }, { required: ['image', 'size'] }),
    {},
    ['spec.image: Required value', 'spec.size: Required value'],
  ],
  [
    'enum',
    withSpec({ mode: { type: 'string', enum: ['a', 'b'] } }),
    { mode: 'x' },
    ['spec.mode: Unsupported value: "x": supported values: "a", "b"'],
  ],
  [
    'enum of numbers',
    withSpec({ n: { type: 'integer', enum: [1, 2] } }),
    { n: 3 },
    ['spec.n: Unsupported value: 3: supported values: "1", "2"'],
  ],
  [
    'enum of a null value',
    withSpec({ mode: { type: 'string', nullable: true, enum: ['a', null] } }),
    { mode: null },
    ['spec.mode: Unsupported value: null: supported values: "a", "null"'],
  ],
  [
    'maximum',
    withSpec({ size: { type: 'integer', maximum: 10 } }),
    { size: 20 },
    ['spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10'],
  ],
  [
    'exclusive maximum',
    withSpec({ size: { type: 'integer', maximum: 10, exclusiveMaximum: true } }),
    { size: 10 },
    ['spec.size: Invalid value: 10: spec.size in body should be less than 10'],
  ],
  [
    'minimum',
    withSpec({ size: { type: 'integer', minimum: 1 } }),
    { size: 0 },
    ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1'],
  ],
  [
    'exclusive minimum',
    withSpec({ r: { type: 'number', minimum: 0, exclusiveMinimum: true } }),
    { r: 0 },
    ['spec.r: Invalid value: 0: spec.r in body should be greater than 0'],
  ],
  [
    'a float bound prints as Go does',
    withSpec({ r: { type: 'number', maximum: 1000000 } }),
    { r: 1000000.5 },
    ['spec.r: Invalid value: 1000000.5: spec.r in body should be less than or equal to 1e+06'],
  ],
  [
    'integers meet truncated bounds',
    withSpec({ n: { type: 'integer', maximum: 1.5 } }),
    { n: 2 },
    ['spec.n: Invalid value: 2: spec.n in body should be less than or equal to 1'],
  ],
  [
    'multipleOf',
    withSpec({ n: { type: 'integer', multipleOf: 5 } }),
    { n: 7 },
    ['spec.n: Invalid value: 7: spec.n in body should be a multiple of 5'],
  ],
  [
    'fractional multipleOf',
    withSpec({ f: { type: 'number', multipleOf: 0.1 } }),
    { f: 0.25 },
    ['spec.f: Invalid value: 0.25: spec.f in body should be a multiple of 0.1'],
  ],
  [
    'multipleOf, then minimum, then maximum',
    withSpec({ n: { type: 'integer', multipleOf: 2, minimum: 5, maximum: 1 } }),
    { n: 3 },
    [
      'spec.n: Invalid value: 3: spec.n in body should be a multiple of 2',
      'spec.n: Invalid value: 3: spec.n in body should be greater than or equal to 5',
      'spec.n: Invalid value: 3: spec.n in body should be less than or equal to 1',
    ],
  ],
  [
    'maxLength',
    withSpec({ name: { type: 'string', maxLength: 5 } }),
    { name: 'abcdef' },
    ['spec.name: Too long: may not be more than 5 bytes'],
  ],
  [
    'maxLength counts characters',
    withSpec({ name: { type: 'string', maxLength: 5 } }),
    { name: 'héllo' },
    [],
  ],
  [
    'minLength',
    withSpec({ name: { type: 'string', minLength: 3 } }),
    { name: 'ab' },
    ['spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long'],
  ],
  [
    'pattern',
    withSpec({ name: { type: 'string', pattern: '^[a-z]+$' } }),
    { name: 'abc1' },
    [`spec.name: Invalid value: "abc1": spec.name in body should match '^[a-z]+$'`],
  ],
  [
    'only the first string error',
    withSpec({ name: { type: 'string', maxLength: 2, pattern: '^[0-9]+$' } }),
    { name: 'abc' },
    ['spec.name: Too long: may not be more than 2 bytes'],
  ],
  [
    'a Go pattern',
    withSpec({ name: { type: 'string', pattern: '(?i)\\Aab[[:digit:]]+\\z' } }),
    { name: 'AB12' },
    [],
  ],
  [
    'date',
    withSpec({ d: { type: 'string', format: 'date' } }),
    { d: '2021-02-30' },
    ['spec.d: Invalid value: "2021-02-30": spec.d in body must be of type date: "2021-02-30"'],
  ],
  [
    'date-time',
    withSpec({ t: { type: 'string', format: 'date-time' } }),
    { t: '2021-01-01 10:00' },
    [
      'spec.t: Invalid value: "2021-01-01 10:00": spec.t in body must be of type date-time: "2021-01-01 10:00"',
    ],
  ],
  [
    'valid date-time',
    withSpec({ t: { type: 'string', format: 'date-time' } }),
    { t: '2021-01-01T10:00:00.5+02:00' },
    [],
  ],
  [
    'unknown formats are ignored',
    withSpec({ s: { type: 'string', format: 'k8s-short-name' } }),
    { s: 'Not A Name' },
    [],
  ],
  [
    'integer formats are not range-checked',
    withSpec({ n: { type: 'integer', format: 'int32' } }),
    { n: 2 ** 40 },
    [],
  ],
  [
    'a formatted integer',
    withSpec({ n: { type: 'integer', format: 'int32' } }),
    { n: 1.5 },
    ['spec.n: Invalid value: "float64": spec.n in body must be of type int32: "float64"'],
  ],
  [
    'maxItems',
    withSpec({ l: { type: 'array', items: str, maxItems: 3 } }),
    { l: ['a', 'b', 'c', 'd'] },
    ['spec.l: Too many: 4: must have at most 3 items'],
  ],
  [
    'minItems',
    withSpec({ l: { type: 'array', items: str, minItems: 2 } }),
    { l: ['a'] },
    ['spec.l: Invalid value: 1: spec.l in body should have at least 2 items'],
  ],
  [
    'items',
    withSpec({ l: { type: 'array', items: str } }),
    { l: ['a', 1, 'c', true] },
    [
      'spec.l[1]: Invalid value: "integer": spec.l[1] in body must be of type string: "integer"',
      'spec.l[3]: Invalid value: "boolean": spec.l[3] in body must be of type string: "boolean"',
    ],
  ],
  [
    'uniqueItems',
    withSpec({ l: { type: 'array', items: str, uniqueItems: true } }),
    { l: ['a', 'b', 'a'] },
    [`spec.l: Invalid value: "": spec.l in body shouldn't contain duplicates`],
  ],
  [
    'maxProperties',
    withSpec({ m: { type: 'object', additionalProperties: str, maxProperties: 2 } }),
    { m: { a: 'x', b: 'y', c: 'z' } },
    ['spec.m: Too many: 3: must have at most 2 items'],
  ],
  [
    'minProperties stops the object',
    withSpec({ m: { type: 'object', additionalProperties: str, minProperties: 2 } }),
    { m: { a: 1 } },
    ['spec.m: Invalid value: 1: spec.m in body should have at least 2 properties'],
  ],
  [
    'additionalProperties',
    withSpec({ labels: { type: 'object', additionalProperties: str } }),
    { labels: { a: 'x', b: 1 } },
    ['spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer"'],
  ],
  [
    'additionalProperties: false',
    withSpec({ m: { type: 'object', additionalProperties: false } }),
    { m: { x: 1 } },
    ['spec.m: Invalid value: "x": spec.m.x in body is a forbidden property'],
  ],
  [
    'JSON nulls in a schema mean unset',
    withSpec({
      n: { type: 'integer', maximum: null, enum: null, nullable: null } as unknown as JSONSchemaProps,
    }),
    { n: 5 },
    [],
  ],
  ['unknown fields are not errors', withSpec({ name: str }), { name: 'a', other: 1 }, []],
];

const junctorCases: Case[] = [
  [
    'allOf',
    withSpec({ n: { type: 'integer', allOf: [{ minimum: 5 }, { maximum: 10 }] } }),
    { n: 4 },
    [
      'spec.n: Invalid value: 4: spec.n in body should be greater than or equal to 5',
      '<nil>: Invalid value: "": "spec.n" must validate all the schemas (allOf)',
    ],
  ],
  [
    'allOf, none validated',
    withSpec({ n: { type: 'integer', allOf: [{ minimum: 5 }, { minimum: 6 }] } }),
    { n: 4 },
    [
      'spec.n: Invalid value: 4: spec.n in body should be greater than or equal to 5',
      'spec.n: Invalid value: 4: spec.n in body should be greater than or equal to 6',
      '<nil>: Invalid value: "": "spec.n" must validate all the schemas (allOf). None validated',
    ],
  ],
  [
    'anyOf',
    withSpec({ a: str, b: str }, { anyOf: [{ required: ['a'] }, { required: ['b'] }] }),
    {},
    ['<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)', 'spec.a: Required value'],
  ],
  [
    'anyOf satisfied',
    withSpec({ a: str, b: str }, { anyOf: [{ required: ['a'] }, { required: ['b'] }] }),
    { b: 'x' },
    [],
  ],
  [
    'anyOf reports the branch that matched most',
    withSpec({ n: int }, { anyOf: [{ required: ['x'] }, { properties: { n: { minimum: 5 } } }] }),
    { n: 1 },
    [
      '<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)',
      'spec.n: Invalid value: 1: spec.n in body should be greater than or equal to 5',
    ],
  ],
  [
    'oneOf, none',
    withSpec({ a: str, b: str }, { oneOf: [{ required: ['a'] }, { required: ['b'] }] }),
    {},
    [
      '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid',
      'spec.a: Required value',
    ],
  ],
  [
    'oneOf, two',
    withSpec({ a: str, b: str }, { oneOf: [{ required: ['a'] }, { required: ['b'] }] }),
    { a: 'x', b: 'y' },
    [
      '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    ],
  ],
  [
    'oneOf, one',
    withSpec({ a: str, b: str }, { oneOf: [{ required: ['a'] }, { required: ['b'] }] }),
    { b: 'y' },
    [],
  ],
  [
    'not',
    withSpec({ x: { type: 'string', not: { enum: ['forbidden'] } } }),
    { x: 'forbidden' },
    ['<nil>: Invalid value: "": "spec.x" must not validate the schema (not)'],
  ],
  [
    'a message reported twice is kept once',
    withSpec({ n: { type: 'integer', allOf: [{ maximum: 3 }, { maximum: 3 }] } }),
    { n: 4 },
    [
      'spec.n: Invalid value: 4: spec.n in body should be less than or equal to 3',
      '<nil>: Invalid value: "": "spec.n" must validate all the schemas (allOf). None validated',
    ],
  ],
];

const listCases: Case[] = [
  [
    'set',
    withSpec({ tags: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' } }),
    { tags: ['a', 'b', 'a', 'a', 'b'] },
    ['spec.tags[2]: Duplicate value: "a"', 'spec.tags[4]: Duplicate value: "b"'],
  ],
  [
    'set of objects',
    withSpec({
      s: {
        type: 'array',
        items: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: int, b: int } },
        'x-kubernetes-list-type': 'set',
      },
    }),
    {
      s: [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
    },
    ['spec.s[1]: Duplicate value: {"b":2,"a":1}'],
  ],
  [
    'map',
    withSpec({
      ports: {
        type: 'array',
        items: { type: 'object', properties: { port: int, name: str } },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port'],
      },
    }),
    { ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }, {}, {}] },
    ['spec.ports[1]: Duplicate value: {"port":80}', 'spec.ports[3]: Duplicate value: {}'],
  ],
  [
    'map with two keys',
    withSpec({
      ports: {
        type: 'array',
        items: { type: 'object', properties: { port: int, protocol: str } },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
      },
    }),
    {
      ports: [
        { port: 53, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
        { protocol: 'TCP', port: 53 },
      ],
    },
    ['spec.ports[2]: Duplicate value: {"port":53,"protocol":"TCP"}'],
  ],
  [
    'map items must be objects',
    withSpec({
      ports: {
        type: 'array',
        items: { type: 'object' },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port'],
      },
    }),
    { ports: [{}, 'x'] },
    [
      'spec.ports[1]: Invalid value: "string": spec.ports[1] in body must be of type object: "string"',
      'spec.ports[1]: Invalid value: "x": must be an object for an array of list-type map',
    ],
  ],
  [
    'lists under map values',
    withSpec({
      groups: {
        type: 'object',
        additionalProperties: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' },
      },
    }),
    { groups: { a: ['x', 'x'] } },
    ['spec.groups[a][1]: Duplicate value: "x"'],
  ],
];

void describe('validateCustomResource', () => {
  for (const [group, cases] of [
    ['types', typeCases],
    ['values', valueCases],
    ['allOf/anyOf/oneOf/not', junctorCases],
    ['list types', listCases],
  ] as const) {
    void describe(group, () => {
      for (const [name, schema, spec, want] of cases) {
        void test(name, () => assert.deepEqual(check(schema, spec), want));
      }
    });
  }

  void test('root metadata is held to the schema, apiVersion and kind are left to the caller', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string', enum: ['other/v1'] },
        kind: { type: 'string', enum: ['Other'] },
        metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 5 } } },
      },
    };
    const obj = {
      apiVersion: 'example.com/v1',
      kind: 'Foo',
      metadata: { name: 'too-long', labels: { a: 'b' } },
    };
    assert.deepEqual(lines(validateCustomResource(obj, schema)), [
      'metadata.name: Too long: may not be more than 5 bytes',
    ]);
    assert.deepEqual(lines(validateCustomResource(obj, { type: 'object' })), []);
  });

  void test('embedded resources need apiVersion, kind and valid metadata', () => {
    const schema = withSpec({
      template: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        'x-kubernetes-preserve-unknown-fields': true,
      },
    });
    assert.deepEqual(
      check(schema, { template: { metadata: { name: 'a/b', labels: { 'bad key!': 'x' } } } }),
      [
        'spec.template.apiVersion: Required value',
        'spec.template.kind: Required value',
        'spec.template.metadata.name: Invalid value: "a/b": may not contain \'/\'',
        "spec.template.metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    );
    assert.deepEqual(check(schema, { template: { apiVersion: 'a/b/c', kind: 'my_kind', metadata: 'x' } }), [
      'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      "spec.template.kind: Invalid value: \"my_kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      'spec.template.metadata: Invalid value: "x": json: cannot unmarshal string into Go value of type v1.ObjectMeta',
    ]);
    assert.deepEqual(check(schema, { template: { apiVersion: 'v1', kind: 'Pod', metadata: {} } }), []);
  });
});

/** The CronTab of the Kubernetes CustomResourceDefinition docs. */
const cronTab: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
  },
};

void describe('a CronTab', () => {
  const cr = (spec: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'stable.example.com/v1',
    kind: 'CronTab',
    metadata: { name: 'my-new-cron-object' },
    spec,
  });

  void test('the docs example is valid', () => {
    assert.deepEqual(
      validateCustomResource(
        cr({ cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 1 }),
        cronTab,
      ),
      [],
    );
  });

  void test("the docs' invalid example fails as the docs show", () => {
    assert.deepEqual(
      lines(
        validateCustomResource(
          cr({ cronSpec: '* * * *', image: 'my-awesome-cron-image', replicas: 15 }),
          cronTab,
        ),
      ),
      [
        `spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`,
        'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
      ],
    );
  });

  void test('a wrong type', () => {
    assert.deepEqual(
      lines(validateCustomResource(cr({ cronSpec: '* * * * *', image: 5, replicas: 'one' }), cronTab)),
      [
        'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"',
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      ],
    );
  });
});

/** A cut of cert-manager's Certificate schema. */
const certificate: JSONSchemaProps = withSpec(
  {
    secretName: { type: 'string' },
    commonName: { type: 'string', maxLength: 64 },
    dnsNames: { type: 'array', items: { type: 'string' } },
    duration: { type: 'string' },
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
        rotationPolicy: { type: 'string', enum: ['Never', 'Always'] },
      },
    },
    usages: {
      type: 'array',
      items: {
        type: 'string',
        enum: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      },
    },
    secretTemplate: {
      type: 'object',
      properties: {
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
  { required: ['issuerRef', 'secretName'] },
);

void describe('a cert-manager Certificate', () => {
  void test('a real certificate is valid', () => {
    const spec = {
      secretName: 'example-com-tls',
      duration: '2160h',
      dnsNames: ['example.com', 'www.example.com'],
      issuerRef: { name: 'ca-issuer', kind: 'Issuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth', 'client auth'],
      secretTemplate: { labels: { team: 'web' } },
    };
    assert.deepEqual(check(certificate, spec), []);
  });

  void test('mistakes are reported field by field', () => {
    const spec = {
      commonName: 'x'.repeat(65),
      dnsNames: 'example.com',
      issuerRef: { kind: 'ClusterIssuer' },
      privateKey: { algorithm: 'DSA', size: '2048' },
      usages: ['server auth', 'code signing'],
      secretTemplate: { annotations: { a: 1 } },
    };
    assert.deepEqual(check(certificate, spec), [
      'spec.commonName: Too long: may not be more than 64 bytes',
      'spec.dnsNames: Invalid value: "string": spec.dnsNames in body must be of type array: "string"',
      'spec.issuerRef.name: Required value',
      'spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"',
      'spec.privateKey.size: Invalid value: "string": spec.privateKey.size in body must be of type integer: "string"',
      'spec.usages[1]: Unsupported value: "code signing": supported values: "digital signature", "key encipherment", "server auth", "client auth"',
      'spec.secretTemplate.annotations.a: Invalid value: "integer": spec.secretTemplate.annotations.a in body must be of type string: "integer"',
      'spec.secretName: Required value',
    ]);
  });
});
