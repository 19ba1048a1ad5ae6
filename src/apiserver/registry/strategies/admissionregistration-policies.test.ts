import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { validateConditions } from '../../../api/validation/conditions.js';
import {
  compilePolicyExpression,
  defaultMatchResources,
  defaultValidatingAdmissionPolicy,
  defaultValidatingAdmissionPolicyBinding,
  loadPolicyCel,
  policyExpressionProblem,
  validatingAdmissionPolicyBindingStrategy as bindings,
  validatingAdmissionPolicyStrategy as policies,
} from './admissionregistration-policies.js';
import { isCELIdentifier } from './admissionregistration-policy-validation.js';
import type { Strategy } from '../types.js';
import { lines } from './testing.js';

before(() => loadPolicyCel());

type Spec = Record<string, unknown>;

const AR = 'admissionregistration.k8s.io/v1';

const rule = (extra: Spec = {}): Spec => ({
  operations: ['CREATE', 'UPDATE'],
  apiGroups: ['apps'],
  apiVersions: ['v1'],
  resources: ['deployments'],
  ...extra,
});

/** A valid policy spec (before defaults), with `extra` on top. */
const policySpec = (extra: Spec = {}): Spec => ({
  matchConstraints: { resourceRules: [rule()] },
  validations: [{ expression: 'object.spec.replicas <= 5' }],
  ...extra,
});

const policy = (spec: Spec | undefined, name = 'demo.example.com'): KubeObject => ({
  apiVersion: AR,
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name },
  ...(spec === undefined ? {} : { spec }),
});

const bindingSpec = (extra: Spec = {}): Spec => ({
  policyName: 'demo.example.com',
  validationActions: ['Deny'],
  ...extra,
});

const binding = (spec: Spec | undefined): KubeObject => ({
  apiVersion: AR,
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name: 'demo-binding' },
  ...(spec === undefined ? {} : { spec }),
});

/** Defaults then validates a copy, as the REST handler does (ObjectMeta is its own concern). */
function errorsOf(strategy: Strategy, o: KubeObject): string[] {
  const copy = structuredClone(o);
  strategy.defaults?.(copy);
  return lines(strategy.validate?.(copy) ?? []);
}

const LABEL_NAME_ERROR =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS1035_ERROR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_ERROR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

void describe('ValidatingAdmissionPolicy defaults', () => {
  void test('failurePolicy Fail, match constraints Equivalent with empty selectors, rules of every scope', () => {
    const o = policy(
      policySpec({
        matchConstraints: { resourceRules: [rule()], excludeResourceRules: [rule({ resources: ['pods'] })] },
      }),
    );
    defaultValidatingAdmissionPolicy(o);
    assert.deepEqual(o.spec, {
      failurePolicy: 'Fail',
      matchConstraints: {
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        resourceRules: [{ ...rule(), scope: '*' }],
        excludeResourceRules: [{ ...rule({ resources: ['pods'] }), scope: '*' }],
      },
      validations: [{ expression: 'object.spec.replicas <= 5' }],
    });
  });

  void test('a policy without a spec gets one with failurePolicy; absent match constraints stay absent', () => {
    const o = policy(undefined);
    policies.defaults?.(o);
    assert.deepEqual(o.spec, { failurePolicy: 'Fail' });
  });

  void test('values that are set are kept', () => {
    const spec = policySpec({
      failurePolicy: 'Ignore',
      matchConstraints: {
        matchPolicy: 'Exact',
        namespaceSelector: { matchLabels: { a: 'b' } },
        objectSelector: { matchLabels: { c: 'd' } },
        resourceRules: [rule({ scope: 'Namespaced' })],
      },
    });
    const o = policy(structuredClone(spec));
    policies.defaults?.(o);
    assert.deepEqual(o.spec, spec);
  });

  void test('defaultMatchResources is the same for bindings', () => {
    const match: Spec = { resourceRules: [rule()] };
    defaultMatchResources(match);
    assert.deepEqual(match, {
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      resourceRules: [{ ...rule(), scope: '*' }],
    });
  });
});

void describe('ValidatingAdmissionPolicyBinding defaults', () => {
  void test('match resources get defaults; paramRef.parameterNotFoundAction is not defaulted in v1', () => {
    const o = binding(
      bindingSpec({
        paramRef: { name: 'limits', namespace: 'default' },
        matchResources: { excludeResourceRules: [rule()] },
      }),
    );
    defaultValidatingAdmissionPolicyBinding(o);
    assert.deepEqual(o.spec, {
      ...bindingSpec(),
      paramRef: { name: 'limits', namespace: 'default' },
      matchResources: {
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        excludeResourceRules: [{ ...rule(), scope: '*' }],
      },
    });
  });

  void test('a binding without match resources or spec is left alone', () => {
    const o = binding(bindingSpec());
    bindings.defaults?.(o);
    assert.deepEqual(o.spec, bindingSpec());
    const empty = binding(undefined);
    bindings.defaults?.(empty);
    assert.equal(empty.spec, undefined);
  });
});

void describe('ValidatingAdmissionPolicy validation', () => {
  const cases: [string, Spec | undefined, string[]][] = [
    ['a valid policy', policySpec(), []],
    [
      'a valid policy using every feature',
      policySpec({
        failurePolicy: 'Ignore',
        paramKind: { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit' },
        matchConstraints: {
          matchPolicy: 'Exact',
          namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
          resourceRules: [
            rule({ resourceNames: ['web', 'api'], resources: ['deployments', 'deployments/scale'] }),
          ],
          excludeResourceRules: [rule({ operations: ['*'], resources: ['*'], scope: 'Namespaced' })],
        },
        matchConditions: [
          { name: 'not-system', expression: "!request.namespace.startsWith('kube-')" },
          { name: 'has-params', expression: 'params != null' },
        ],
        variables: [
          { name: 'replicas', expression: 'object.spec.replicas' },
          { name: 'limit', expression: 'params.maxReplicas' },
          { name: 'over', expression: 'variables.replicas > variables.limit' },
        ],
        validations: [
          {
            expression: '!variables.over',
            message: 'too many replicas',
            messageExpression: "'at most ' + string(variables.limit)",
            reason: 'Forbidden',
          },
          { expression: "authorizer.group('apps').resource('deployments').check('scale').allowed()" },
        ],
        auditAnnotations: [
          { key: 'replicas', valueExpression: 'string(variables.replicas)' },
          { key: 'nothing', valueExpression: 'null' },
        ],
      }),
      [],
    ],
    [
      'spec required: validations or audit annotations and match constraints',
      undefined,
      [
        'spec.matchConstraints: Required value',
        'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
        'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
      ],
    ],
    [
      'failurePolicy Fail or Ignore',
      policySpec({ failurePolicy: 'other' }),
      ['spec.failurePolicy: Unsupported value: "other": supported values: "Fail", "Ignore"'],
    ],
    [
      'paramKind apiVersion and kind required',
      policySpec({ paramKind: {} }),
      ['spec.paramKind.apiVersion: Required value', 'spec.paramKind.kind: Required value'],
    ],
    [
      'paramKind apiVersion without a group is a version, which must be a DNS-1035 label',
      policySpec({ paramKind: { apiVersion: 'test.example.com', kind: 'Example' } }),
      [`spec.paramKind.apiVersion: Invalid value: "test.example.com": ${DNS1035_ERROR}`],
    ],
    [
      'paramKind group a DNS subdomain, version a DNS-1035 label',
      policySpec({ paramKind: { apiVersion: '!!!/V1', kind: 'ReplicaLimit' } }),
      [
        `spec.paramKind.apiVersion: Invalid value: "!!!": ${DNS1123_SUBDOMAIN_ERROR}`,
        `spec.paramKind.apiVersion: Invalid value: "V1": ${DNS1035_ERROR}`,
      ],
    ],
    [
      'paramKind version must be specified',
      policySpec({ paramKind: { apiVersion: 'example.com/', kind: 'ReplicaLimit' } }),
      ['spec.paramKind.apiVersion: Invalid value: "example.com/": version must be specified'],
    ],
    [
      'paramKind apiVersion with more than one slash',
      policySpec({ paramKind: { apiVersion: 'a/b/c', kind: 'ReplicaLimit' } }),
      ['spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c'],
    ],
    [
      'paramKind kind may have mixed case but is otherwise a DNS-1035 label',
      policySpec({ paramKind: { apiVersion: 'example.com/v1', kind: 'Replica_Limit' } }),
      [
        `spec.paramKind.kind: Invalid value: "Replica_Limit": may have mixed case, but should otherwise match: ${DNS1035_ERROR}`,
      ],
    ],
    [
      'matchConstraints needs resource rules',
      policySpec({ matchConstraints: {} }),
      ['spec.matchConstraints.resourceRules: Required value'],
    ],
    [
      'matchConstraints matchPolicy',
      policySpec({ matchConstraints: { matchPolicy: 'Loose', resourceRules: [rule()] } }),
      [
        'spec.matchConstraints.matchPolicy: Unsupported value: "Loose": supported values: "Equivalent", "Exact"',
      ],
    ],
    [
      'matchConstraints selectors are label selectors',
      policySpec({
        matchConstraints: {
          resourceRules: [rule()],
          namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] },
          objectSelector: { matchLabels: { 'bad key!': 'x' } },
        },
      }),
      [
        "spec.matchConstraints.namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        `spec.matchConstraints.objectSelector.matchLabels: Invalid value: "bad key!": ${LABEL_NAME_ERROR}`,
      ],
    ],
    [
      'resource rules: operations, groups, versions and resources required, in include and exclude rules',
      policySpec({
        matchConstraints: { resourceRules: [{}], excludeResourceRules: [{ resourceNames: [] }] },
      }),
      [
        'spec.matchConstraints.resourceRules[0].operations: Required value',
        'spec.matchConstraints.resourceRules[0].apiGroups: Required value',
        'spec.matchConstraints.resourceRules[0].apiVersions: Required value',
        'spec.matchConstraints.resourceRules[0].resources: Required value',
        'spec.matchConstraints.excludeResourceRules[0].operations: Required value',
        'spec.matchConstraints.excludeResourceRules[0].apiGroups: Required value',
        'spec.matchConstraints.excludeResourceRules[0].apiVersions: Required value',
        'spec.matchConstraints.excludeResourceRules[0].resources: Required value',
      ],
    ],
    [
      'resource rules: operations and wildcards as for webhooks',
      policySpec({
        matchConstraints: {
          resourceRules: [
            rule({ operations: ['CREATE', 'PATCH'] }),
            rule({ operations: ['*', 'CREATE'], resources: ['*', 'a'] }),
            rule({ resources: ['a/*', 'a/x', '*/*'], scope: 'Global' }),
          ],
        },
      }),
      [
        'spec.matchConstraints.resourceRules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
        'spec.matchConstraints.resourceRules[1].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if \'*\' is present, must not specify other operations',
        'spec.matchConstraints.resourceRules[1].resources: Invalid value: []string{"*", "a"}: if \'*\' is present, must not specify other resources without subresources',
        'spec.matchConstraints.resourceRules[2].resources[1]: Invalid value: "a/x": if \'a/*\' is present, must not specify a/x',
        'spec.matchConstraints.resourceRules[2].resources: Invalid value: []string{"a/*", "a/x", "*/*"}: if \'*/*\' is present, must not specify other resources',
        'spec.matchConstraints.resourceRules[2].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
      ],
    ],
    [
      'resourceNames are path segments and unique',
      policySpec({
        matchConstraints: { resourceRules: [rule({ resourceNames: ['/./.', 'x', '..', 'x'] })] },
      }),
      [
        'spec.matchConstraints.resourceRules[0].resourceNames[0]: Invalid value: "/./.": may not contain \'/\'',
        'spec.matchConstraints.resourceRules[0].resourceNames[2]: Invalid value: "..": may not be \'..\'',
        'spec.matchConstraints.resourceRules[0].resourceNames[3]: Duplicate value: "x"',
      ],
    ],
    [
      'validation expression required',
      policySpec({ validations: [{}, { expression: '  ' }] }),
      [
        'spec.validations[0].expression: Required value: expression is not specified',
        'spec.validations[1].expression: Required value: expression is not specified',
      ],
    ],
    [
      'validation expression must compile',
      policySpec({ validations: [{ expression: 'object.x in [1, 2, ' }] }),
      [
        'spec.validations[0].expression: Invalid value: "object.x in [1, 2, ": compilation failed: Unexpected token: EOF',
      ],
    ],
    [
      'validation expression must be a bool',
      policySpec({ validations: [{ expression: "'yes'" }] }),
      ['spec.validations[0].expression: Invalid value: "\'yes\'": must evaluate to bool'],
    ],
    [
      'params only with a paramKind',
      policySpec({ validations: [{ expression: 'object.x < params.max' }] }),
      [
        "spec.validations[0].expression: Invalid value: \"object.x < params.max\": compilation failed: undeclared reference to 'params' (in container '')",
      ],
    ],
    [
      'variables only when the policy declares some',
      policySpec({ validations: [{ expression: 'variables.x' }] }),
      [
        "spec.validations[0].expression: Invalid value: \"variables.x\": compilation failed: undeclared reference to 'variables' (in container '')",
      ],
    ],
    [
      'messageExpression: non-empty if set, compiles, a string, without authorizer',
      policySpec({
        validations: [
          { expression: 'true', messageExpression: ' ' },
          { expression: 'true', messageExpression: 'object.x in [1, 2, ' },
          { expression: 'true', messageExpression: '0 == 0' },
          { expression: 'true', messageExpression: "authorizer.path('/x').check('get').reason()" },
        ],
      }),
      [
        'spec.validations[0].messageExpression: Invalid value: " ": must be non-empty if specified',
        'spec.validations[1].messageExpression: Invalid value: "object.x in [1, 2, ": compilation failed: Unexpected token: EOF',
        'spec.validations[2].messageExpression: Invalid value: "0 == 0": must evaluate to string',
        "spec.validations[3].messageExpression: Invalid value: \"authorizer.path('/x').check('get').reason()\": compilation failed: undeclared reference to 'authorizer' (in container '')",
      ],
    ],
    [
      'message non-empty if set, without line breaks',
      policySpec({
        validations: [
          { expression: 'true', message: '   ' },
          { expression: 'true', message: 'first\nsecond' },
          { expression: 'true', message: 'carriage\rreturn' },
          { expression: 'true', message: ' trailing newline is trimmed\n' },
        ],
      }),
      [
        'spec.validations[0].message: Invalid value: "   ": message must be non-empty if specified',
        'spec.validations[1].message: Invalid value: "first\\nsecond": message must not contain line breaks',
        'spec.validations[2].message: Invalid value: "carriage\\rreturn": message must not contain line breaks',
      ],
    ],
    [
      'an expression over several lines needs no message (upstream never enforces it)',
      policySpec({ validations: [{ expression: 'true &&\n  true' }] }),
      [],
    ],
    [
      'reason among upstream supported reasons',
      policySpec({
        validations: [
          { expression: 'true', reason: 'Forbidden' },
          { expression: 'true', reason: 'RequestEntityTooLarge' },
          { expression: 'true', reason: 'Unauthorized' },
          { expression: 'true', reason: 'other' },
        ],
      }),
      [
        'spec.validations[2].reason: Unsupported value: "Unauthorized": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
        'spec.validations[3].reason: Unsupported value: "other": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
      ],
    ],
    [
      'variable names: required, CEL identifiers (not reserved words); expressions required and compiling',
      policySpec({
        variables: [
          { name: ' ', expression: 'true' },
          { name: '4ever', expression: '' },
          { name: 'namespace', expression: 'object.x in [1, 2, ' },
          { name: 'with-dash', expression: 'true' },
        ],
      }),
      [
        'spec.variables[0].name: Required value: name is not specified',
        'spec.variables[1].name: Invalid value: "4ever": name is not a valid CEL identifier',
        'spec.variables[1].expression: Required value: expression is not specified',
        'spec.variables[2].name: Invalid value: "namespace": name is not a valid CEL identifier',
        'spec.variables[2].expression: Invalid value: "object.x in [1, 2, ": compilation failed: Unexpected token: EOF',
        'spec.variables[3].name: Invalid value: "with-dash": name is not a valid CEL identifier',
      ],
    ],
    [
      'a variable sees the variables before it; other expressions see them all',
      policySpec({
        variables: [
          { name: 'a', expression: 'variables.b' },
          { name: 'b', expression: 'variables.a' },
        ],
        validations: [{ expression: 'variables.a == variables.b && variables.c' }],
      }),
      [
        'spec.variables[0].expression: Invalid value: "variables.b": compilation failed: undefined field \'b\'',
        'spec.validations[0].expression: Invalid value: "variables.a == variables.b && variables.c": compilation failed: undefined field \'c\'',
      ],
    ],
    [
      'variables of any type; the same name twice is accepted as upstream',
      policySpec({
        variables: [
          { name: 'n', expression: '1' },
          { name: 'n', expression: "'x'" },
        ],
      }),
      [],
    ],
    [
      'audit annotations: key qualified with the policy name, unique; value expression to a string or null',
      policySpec({
        validations: [],
        auditAnnotations: [
          { key: '@', valueExpression: "'x'" },
          { key: 'a', valueExpression: "'1'" },
          { key: 'a', valueExpression: "'2'" },
          { key: 'b', valueExpression: 'true' },
          { key: 'c', valueExpression: 'object.x in [1, 2, ' },
          { key: 'd', valueExpression: ' ' },
          { key: 'e', valueExpression: `'${'x'.repeat(5 * 1024)}'` },
        ],
      }),
      [
        `spec.auditAnnotations[0].key: Invalid value: "demo.example.com/@": ${LABEL_NAME_ERROR}`,
        'spec.auditAnnotations[2].key: Duplicate value: "a"',
        'spec.auditAnnotations[3].valueExpression: Invalid value: "true": must evaluate to one of [string null_type]',
        'spec.auditAnnotations[4].valueExpression: Invalid value: "object.x in [1, 2, ": compilation failed: Unexpected token: EOF',
        'spec.auditAnnotations[5].valueExpression: Required value: valueExpression is not specified',
        'spec.auditAnnotations[6].valueExpression: Required value: must not exceed 5120 bytes in length',
      ],
    ],
    [
      'match conditions as for webhooks, with params when the policy has a paramKind',
      policySpec({
        matchConditions: [
          { name: '', expression: ' ' },
          { name: 'one', expression: 'true' },
          { name: 'one', expression: '6' },
          { name: 'params', expression: 'params.x == 1' },
          { name: 'vars', expression: 'variables.x' },
        ],
      }),
      [
        'spec.matchConditions[0].expression: Required value',
        'spec.matchConditions[0].name: Required value',
        'spec.matchConditions[2].expression: Invalid value: "6": must evaluate to bool',
        'spec.matchConditions[2].name: Duplicate value: "one"',
        "spec.matchConditions[3].expression: Invalid value: \"params.x == 1\": compilation failed: undeclared reference to 'params' (in container '')",
        "spec.matchConditions[4].expression: Invalid value: \"variables.x\": compilation failed: undeclared reference to 'variables' (in container '')",
      ],
    ],
    [
      'match conditions: at most 64',
      policySpec({
        matchConditions: Array.from({ length: 65 }, (_, i) => ({ name: `c${i}`, expression: 'true' })),
      }),
      ['spec.matchConditions: Too many: 65: must have at most 64 items'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(errorsOf(policies, policy(spec)), want));
  }

  void test('match conditions and expressions may use params with a paramKind', () => {
    const spec = policySpec({
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConditions: [{ name: 'p', expression: "params.data.enabled == 'true'" }],
      validations: [{ expression: 'object.x < int(params.data.max)', messageExpression: 'params.data.msg' }],
      auditAnnotations: [{ key: 'max', valueExpression: 'params.data.max' }],
    });
    assert.deepEqual(errorsOf(policies, policy(spec)), []);
  });

  void test('audit annotation keys need the policy name', () => {
    const o = policy(policySpec({ auditAnnotations: [{ key: 'k', valueExpression: "'v'" }] }), '');
    assert.deepEqual(errorsOf(policies, o), [
      'spec.auditAnnotations[0].key: Invalid value: "k": requires metadata.name be non-empty',
    ]);
    const bad = policy(policySpec({ auditAnnotations: [{ key: 'k', valueExpression: "'v'" }] }), 'nope!');
    assert.deepEqual(errorsOf(policies, bad), [
      `spec.auditAnnotations[0].key: Invalid value: "nope!/k": prefix part ${DNS1123_SUBDOMAIN_ERROR}`,
    ]);
  });

  void test('at most 20 audit annotations', () => {
    const auditAnnotations = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, valueExpression: "'v'" }));
    const errors = errorsOf(policies, policy(policySpec({ auditAnnotations })));
    assert.equal(errors.length, 1);
    assert.ok(
      errors[0]!.startsWith(
        'spec.auditAnnotations: Invalid value: []admissionregistration.AuditAnnotation{admissionregistration.AuditAnnotation{Key:"k0", ValueExpression:"\'v\'"}, ',
      ),
      errors[0],
    );
    assert.ok(errors[0]!.endsWith('}: must not have more than 20 auditAnnotations'), errors[0]);
  });
});

void describe('ValidatingAdmissionPolicy status', () => {
  const withStatus = (status: Spec): KubeObject => ({ ...policy(policySpec()), status });

  void test('a status from the type checker is valid', () => {
    const status = {
      observedGeneration: 2,
      typeChecking: {
        expressionWarnings: [
          { fieldRef: 'spec.validations[0].expression', warning: 'no such key: replicas' },
        ],
      },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Checked',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          observedGeneration: 2,
        },
      ],
    };
    assert.deepEqual(errorsOf(policies, withStatus(status)), []);
  });

  void test('expression warnings need a warning and a JSONPath fieldRef', () => {
    const status = {
      typeChecking: {
        expressionWarnings: [
          {},
          { fieldRef: ' ', warning: 'w' },
          { fieldRef: 'spec.validations[0', warning: 'w' },
        ],
      },
    };
    assert.deepEqual(errorsOf(policies, withStatus(status)), [
      'status.typeChecking.expressionWarnings[0].warning: Required value',
      'status.typeChecking.expressionWarnings[0].fieldRef: Required value',
      'status.typeChecking.expressionWarnings[1].fieldRef: Required value',
      'status.typeChecking.expressionWarnings[2].fieldRef: Invalid value: "spec.validations[0": invalid JSONPath: unterminated array',
    ]);
  });

  void test('conditions as metav1 conditions', () => {
    const ok = { type: 'Ready', status: 'True', reason: 'Fine', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const status = {
      conditions: [
        ok,
        { ...ok },
        {
          type: 'bad type!',
          status: 'Maybe',
          observedGeneration: -1,
          lastTransitionTime: '0001-01-01T00:00:00Z',
        },
        { ...ok, type: 'Other', reason: '1bad', message: 'm'.repeat(32 * 1024 + 1) },
      ],
    };
    assert.deepEqual(errorsOf(policies, withStatus(status)), [
      'status.conditions[1].type: Duplicate value: "Ready"',
      `status.conditions[2].type: Invalid value: "bad type!": ${LABEL_NAME_ERROR}`,
      'status.conditions[2].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'status.conditions[2].observedGeneration: Invalid value: -1: must be greater than or equal to zero',
      'status.conditions[2].lastTransitionTime: Required value: must be set',
      'status.conditions[2].reason: Required value: must be set',
      "status.conditions[3].reason: Invalid value: \"1bad\": a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
      'status.conditions[3].message: Too long: may not be more than 32768 bytes',
    ]);
  });

  void test('a long reason', () => {
    const errs = validateConditions(
      [{ type: 'A', status: 'False', reason: 'R'.repeat(1025), lastTransitionTime: '2026-01-01T00:00:00Z' }],
      'status.conditions',
    );
    assert.deepEqual(lines(errs), ['status.conditions[0].reason: Too long: may not be more than 1024 bytes']);
  });

  void test('status writes are validated; other writes keep the stored status', () => {
    assert.equal(policies.validatesStatus, true);
    assert.equal(bindings.validatesStatus, undefined);
  });
});

void describe('ValidatingAdmissionPolicyBinding validation', () => {
  const cases: [string, Spec | undefined, string[]][] = [
    ['a valid binding', bindingSpec(), []],
    [
      'a valid binding with a named param and match resources',
      bindingSpec({
        validationActions: ['Warn', 'Audit'],
        paramRef: { name: 'limits', namespace: 'default', parameterNotFoundAction: 'Allow' },
        matchResources: {
          namespaceSelector: { matchLabels: { env: 'test' } },
          resourceRules: [rule({ resourceNames: ['web'] })],
        },
      }),
      [],
    ],
    [
      'a valid binding with a param selector',
      bindingSpec({ paramRef: { selector: {}, parameterNotFoundAction: 'Deny' } }),
      [],
    ],
    [
      'policyName and validationActions required',
      undefined,
      [
        'spec.policyName: Required value',
        'spec.validationActions: Required value: at least one validation action is required',
      ],
    ],
    [
      'policyName a DNS subdomain',
      bindingSpec({ policyName: 'Not_A_Name' }),
      [`spec.policyName: Invalid value: "Not_A_Name": ${DNS1123_SUBDOMAIN_ERROR}`],
    ],
    [
      'validationActions known and unique',
      bindingSpec({ validationActions: ['Audit', 'Log', 'Audit'] }),
      [
        'spec.validationActions[1]: Unsupported value: "Log": supported values: "Audit", "Deny", "Warn"',
        'spec.validationActions[2]: Duplicate value: "Audit"',
      ],
    ],
    [
      'validationActions not both Deny and Warn',
      bindingSpec({ validationActions: ['Deny', 'Warn'] }),
      [
        'spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ],
    ],
    [
      'paramRef: name or selector, and parameterNotFoundAction required',
      bindingSpec({ paramRef: {} }),
      [
        'spec.paramRef: Required value: one of name or selector must be specified',
        'spec.paramRef.parameterNotFoundAction: Required value',
      ],
    ],
    [
      'paramRef: name and selector are mutually exclusive, the selector is checked',
      bindingSpec({
        paramRef: {
          name: 'a',
          selector: { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['v'] }] },
          parameterNotFoundAction: 'Deny',
        },
      }),
      [
        'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
        "spec.paramRef.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
      ],
    ],
    [
      'paramRef: name a path segment, parameterNotFoundAction Deny or Allow',
      bindingSpec({ paramRef: { name: 'a/b', parameterNotFoundAction: 'Ignore' } }),
      [
        'spec.paramRef.name: Invalid value: "a/b": may not contain \'/\'',
        'spec.paramRef.parameterNotFoundAction: Unsupported value: "Ignore": supported values: "Deny", "Allow"',
      ],
    ],
    [
      'matchResources as a policy match constraints, without requiring resource rules',
      bindingSpec({
        matchResources: {
          matchPolicy: 'Other',
          objectSelector: { matchLabels: { a: 'b!' } },
          excludeResourceRules: [rule({ apiVersions: [''], resourceNames: ['x', 'x'] })],
        },
      }),
      [
        'spec.matchResources.matchPolicy: Unsupported value: "Other": supported values: "Equivalent", "Exact"',
        "spec.matchResources.objectSelector.matchLabels: Invalid value: \"b!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        'spec.matchResources.excludeResourceRules[0].resourceNames[1]: Duplicate value: "x"',
        'spec.matchResources.excludeResourceRules[0].apiVersions[0]: Required value',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(errorsOf(bindings, binding(spec)), want));
  }
});

void describe('policy CEL', () => {
  void test('CEL identifiers', () => {
    for (const ok of ['a', '_x', 'camelCase', 'with_1']) assert.equal(isCELIdentifier(ok), true, ok);
    for (const bad of ['', '1a', 'a-b', 'a.b', 'in', 'null', 'while', 'namespace']) {
      assert.equal(isCELIdentifier(bad), false, bad);
    }
  });

  void test('programs are cached per environment and evaluate', () => {
    const decls = { params: true, authorizer: true, variables: false };
    const program = compilePolicyExpression('object.spec.replicas <= params.max', decls);
    assert.ok(!(program instanceof Error));
    assert.equal(compilePolicyExpression('object.spec.replicas <= params.max', decls), program);
    assert.equal(program({ object: { spec: { replicas: 3n } }, params: { max: 5n } }), true);
    const other = compilePolicyExpression('object.spec.replicas <= params.max', { ...decls, params: false });
    assert.notEqual(other, program);
  });

  void test('problems: types are only reported when known', () => {
    const decls = { params: false, authorizer: true, variables: false };
    assert.equal(policyExpressionProblem('object.x', decls, ['bool']), undefined);
    assert.equal(policyExpressionProblem("'a'", decls, ['string', 'null_type']), undefined);
    assert.equal(policyExpressionProblem('null', decls, ['string', 'null_type']), undefined);
    assert.equal(policyExpressionProblem('1', decls, []), undefined);
    assert.equal(policyExpressionProblem('1', decls, ['bool']), 'must evaluate to bool');
    // A function this server lacks is not a compilation error here.
    assert.equal(policyExpressionProblem('object.x.unknownFn()', decls, ['bool']), undefined);
  });
});
