import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { FieldError } from '../../../api/errors.js';
import {
  celCompileError,
  loadCel,
  macroDepth,
  validateCelRules,
  validateCelTransitionRules,
} from './cel-rules.js';
import type { JSONSchemaProps } from './types.js';

// Rules are compiled with the CEL interpreter, which the server loads on demand.
before(loadCel);

const lines = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

/** A schema whose `spec` has these properties and rules (unknown fields kept when no properties are given). */
function specSchema(
  rules: JSONSchemaProps['x-kubernetes-validations'],
  properties?: Record<string, JSONSchemaProps>,
): JSONSchemaProps {
  const spec: JSONSchemaProps = { type: 'object', 'x-kubernetes-validations': rules };
  if (properties) spec.properties = properties;
  else spec['x-kubernetes-preserve-unknown-fields'] = true;
  return { type: 'object', properties: { spec } };
}

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        {
          rule: 'self.minReplicas <= self.maxReplicas',
          message: 'minReplicas cannot be larger than maxReplicas',
        },
        {
          rule: "self.mode == 'Manual' || !has(self.replicas)",
          reason: 'FieldValueForbidden',
          fieldPath: '.replicas',
        },
        { rule: 'self.image == oldSelf.image', message: 'image is immutable' },
        { rule: 'isQuantity(self.image)' },
      ],
      properties: {
        minReplicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        replicas: { type: 'integer' },
        mode: { type: 'string' },
        image: { type: 'string' },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            properties: { port: { type: 'integer' } },
            'x-kubernetes-validations': [{ rule: 'self.port > 0 && self.port < 65536' }],
          },
        },
        labels: {
          type: 'object',
          additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'size(self) <= 3' }] },
        },
      },
    },
  },
  'x-kubernetes-validations': [
    { rule: "self.metadata.name.startsWith('w')", message: 'name must start with w' },
  ],
};

const widget = (spec: Record<string, unknown>, name = 'w1') => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, namespace: 'default', labels: { a: 'b' } },
  spec,
});

test('rules see their node as self; failures carry the message, reason, fieldPath and type', () => {
  assert.deepEqual(
    lines(validateCelRules(widget({ minReplicas: 1, maxReplicas: 3, mode: 'Manual' }), schema)),
    [],
  );
  assert.deepEqual(
    lines(
      validateCelRules(
        widget(
          { minReplicas: 5, maxReplicas: 3, mode: 'Auto', replicas: 2, ports: [{ port: 80 }, { port: 0 }] },
          'x',
        ),
        schema,
      ),
    ),
    [
      '<nil>: Invalid value: "object": name must start with w',
      'spec: Invalid value: "object": minReplicas cannot be larger than maxReplicas',
      "spec.replicas: Forbidden: failed rule: self.mode == 'Manual' || !has(self.replicas)",
      'spec.ports[1]: Invalid value: "object": failed rule: self.port > 0 && self.port < 65536',
    ],
  );
  assert.deepEqual(
    lines(
      validateCelRules(
        widget({ minReplicas: 1, maxReplicas: 1, mode: 'Manual', labels: { k: 'long' } }),
        schema,
      ),
    ),
    ['spec.labels[k]: Invalid value: "string": failed rule: size(self) <= 3'],
  );
});

test('transition rules run on updates only, against the stored value at the same place', () => {
  const before = widget({ minReplicas: 1, maxReplicas: 1, mode: 'Manual', image: 'a' });
  const after = widget({ minReplicas: 1, maxReplicas: 1, mode: 'Manual', image: 'b' });
  assert.deepEqual(lines(validateCelRules(after, schema)), []);
  assert.deepEqual(lines(validateCelTransitionRules(after, before, schema)), [
    'spec: Invalid value: "object": image is immutable',
  ]);
  assert.deepEqual(lines(validateCelTransitionRules(before, before, schema)), []);
});

test('rules that do not parse are reported for the CRD; rules needing unknown functions are skipped', () => {
  assert.match(celCompileError('self.a ==') ?? '', /./);
  assert.equal(celCompileError('self.a == 1'), undefined);
  // isQuantity is one of Kubernetes' extension functions not provided: the rule above never fails.
  assert.deepEqual(
    lines(validateCelRules(widget({ minReplicas: 1, maxReplicas: 1, mode: 'Manual', image: '%' }), schema)),
    [],
  );
});

test('messageExpression builds the message', () => {
  const s = specSchema(
    [{ rule: 'self.size < 10', messageExpression: "'size ' + string(self.size) + ' is too big'" }],
    { size: { type: 'integer' } },
  );
  assert.deepEqual(lines(validateCelRules(widget({ size: 12 }), s)), [
    'spec: Invalid value: "object": size 12 is too big',
  ]);
});

test("Kubernetes' list, regex, string and address functions", () => {
  const rules = [
    'self.sizes.isSorted() && self.sizes.sum() == 6 && self.sizes.max() == 3 && self.sizes.indexOf(2) == 1',
    "self.refs.indexOf({'name': 'b'}) == 1",
    "self.name.find('[0-9]+') == '42' && self.name.findAll('[a-z]').size() == 3",
    "self.name.replace('-', '_') == 'abc_42' && self.name.charAt(1) == 'b'",
    "isIP(self.ip) && !isIP('300.1.1.1') && isCIDR(self.cidr) && !isCIDR('10.0.0.0/33')",
    "isURL(self.url) && !isURL('no scheme')",
  ];
  const s = specSchema(rules.map((rule) => ({ rule })));
  const spec = {
    sizes: [1, 2, 3],
    refs: [{ name: 'a' }, { name: 'b' }],
    name: 'abc-42',
    ip: '10.0.0.1',
    cidr: '10.0.0.0/8',
    url: 'https://x/y',
  };
  assert.deepEqual(lines(validateCelRules(widget(spec), s)), []);
  assert.equal(validateCelRules(widget({ ...spec, sizes: [2, 1, 3] }), s).length, 1);
  // A rule that cannot be evaluated is skipped: the negations failing shows each one ran.
  const negated = structuredClone(s);
  negated.properties!.spec!['x-kubernetes-validations'] = rules.map((rule) => ({ rule: `!(${rule})` }));
  assert.equal(validateCelRules(widget(spec), negated).length, rules.length);
});

test('regexes run on RE2: Go syntax, and no backtracking blow-up', () => {
  const s = specSchema([
    { rule: "self.name.matches('^\\\\p{Lu}[[:alpha:]]+$')", message: 'capitalised' },
    { rule: "self.word.matches('^(a+)+$')", message: 'only a' },
    { rule: "self.name.findAll('(?i)B').size() == 1 && '.matches(' != ''", message: 'one b' },
  ]);
  assert.deepEqual(lines(validateCelRules(widget({ name: 'Abc', word: 'aaa' }), s)), []);
  // 40 a's and a mismatch: minutes for a backtracking engine, nothing for RE2.
  assert.deepEqual(lines(validateCelRules(widget({ name: 'abc', word: `${'a'.repeat(40)}!` }), s)), [
    'spec: Invalid value: "object": capitalised',
    'spec: Invalid value: "object": only a',
  ]);
});

test('a rule whose nested macros could run past the budget is refused instead of run', () => {
  assert.equal(macroDepth("self.all(a, a > 0) && self.exists(b, b == 'x(')"), 1);
  assert.equal(macroDepth('self.all(a, self.all(b, self.all(c, a + b + c >= 0)))'), 3);
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          xs: {
            type: 'array',
            items: { type: 'integer' },
            'x-kubernetes-validations': [{ rule: 'self.all(a, self.all(b, self.all(c, a + b + c >= 0)))' }],
          },
        },
      },
    },
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  assert.deepEqual(lines(validateCelRules(widget({ xs: range(50) }), s)), []);
  assert.deepEqual(lines(validateCelRules(widget({ xs: range(1000) }), s)), [
    'spec.xs: Invalid value: "array": call cost exceeds limit for rule: self.all(a, self.all(b, self.all(c, a + b + c >= 0)))',
  ]);
});

test('optionalOldSelf rules run on creates too, with oldSelf an optional', () => {
  const s = specSchema(
    [
      {
        rule: "oldSelf.hasValue() ? self.mode == oldSelf.value().mode : self.mode != 'Locked'",
        optionalOldSelf: true,
        message: 'mode is fixed, and may not start Locked',
      },
    ],
    { mode: { type: 'string' } },
  );
  const failed = ['spec: Invalid value: "object": mode is fixed, and may not start Locked'];
  assert.deepEqual(lines(validateCelRules(widget({ mode: 'Locked' }), s)), failed);
  assert.deepEqual(lines(validateCelRules(widget({ mode: 'Open' }), s)), []);
  assert.deepEqual(
    lines(validateCelTransitionRules(widget({ mode: 'B' }), widget({ mode: 'A' }), s)),
    failed,
  );
  assert.deepEqual(lines(validateCelTransitionRules(widget({ mode: 'A' }), widget({ mode: 'A' }), s)), []);
});
