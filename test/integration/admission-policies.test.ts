import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { R, resourcePath } from '../../src/client/resources.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.close();
});

/** A request as a plain HTTP client sends it, with its content type. */
const request = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
  call(server.url, method, path, body, { 'content-type': contentType, accept: 'application/json' });

const AR = 'admissionregistration.k8s.io/v1';
const policies = resourcePath(R.validatingAdmissionPolicies);
const bindings = resourcePath(R.validatingAdmissionPolicyBindings);

/** A policy that never refuses anything: its only validation is `true`, and no namespace carries the label. */
const policy = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: AR,
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name },
  spec: {
    matchConstraints: {
      resourceRules: [
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
      ],
      namespaceSelector: { matchLabels: { 'policy-test': 'never' } },
    },
    validations: [{ expression: 'true' }],
    ...spec,
  },
});

const binding = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: AR,
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName: 'replicas', validationActions: ['Audit'], ...spec },
});

describe('validating admission policies over HTTP', () => {
  test('discovery lists both kinds, cluster-scoped, in category api-extensions, the policy with status', async () => {
    const { status, json } = await request('GET', '/apis/admissionregistration.k8s.io/v1');
    assert.equal(status, 200);
    const byName = new Map((json.resources as any[]).map((r) => [r.name, r]));
    for (const [plural, kind] of [
      ['validatingadmissionpolicies', 'ValidatingAdmissionPolicy'],
      ['validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding'],
    ]) {
      const r = byName.get(plural);
      assert.equal(r?.kind, kind);
      assert.equal(r?.namespaced, false);
      assert.deepEqual(r?.categories, ['api-extensions']);
      assert.equal(r?.shortNames, undefined);
    }
    assert.equal(byName.get('validatingadmissionpolicies/status')?.kind, 'ValidatingAdmissionPolicy');
    assert.equal(byName.get('validatingadmissionpolicybindings/status'), undefined);
  });

  test('a policy is created defaulted, without the status it was sent with, at generation 1', async () => {
    const created = await request('POST', policies, {
      ...policy('replicas', {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        variables: [{ name: 'replicas', expression: 'object.spec.replicas' }],
        validations: [{ expression: 'variables.replicas <= int(params.data.max)', reason: 'Forbidden' }],
      }),
      status: { observedGeneration: 7 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const got = await request('GET', `${policies}/replicas`);
    assert.equal(got.status, 200);
    assert.equal(got.json.metadata.generation, 1);
    assert.equal(got.json.status, undefined);
    const spec = got.json.spec;
    assert.equal(spec.failurePolicy, 'Fail');
    assert.equal(spec.matchConstraints.matchPolicy, 'Equivalent');
    assert.deepEqual(spec.matchConstraints.objectSelector, {});
    assert.deepEqual(spec.matchConstraints.namespaceSelector, { matchLabels: { 'policy-test': 'never' } });
    assert.equal(spec.matchConstraints.resourceRules[0].scope, '*');
    assert.deepEqual(spec.matchConstraints.resourceRules[0].resources, ['configmaps']);
  });

  test('a binding is created with its match resources defaulted and no parameterNotFoundAction default', async () => {
    const created = await request(
      'POST',
      bindings,
      binding('replicas-binding', {
        paramRef: { name: 'limits', namespace: 'default', parameterNotFoundAction: 'Allow' },
        matchResources: {
          resourceRules: [
            { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] },
          ],
        },
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.metadata.generation, 1);
    assert.deepEqual(created.json.spec.matchResources, {
      resourceRules: [
        {
          operations: ['CREATE'],
          apiGroups: [''],
          apiVersions: ['v1'],
          resources: ['configmaps'],
          scope: '*',
        },
      ],
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
    });
    const missing = await request('POST', bindings, binding('no-action', { paramRef: { name: 'limits' } }));
    assert.equal(missing.status, 422);
    assert.deepEqual(
      (missing.json.details.causes as any[]).map((c) => [c.field, c.message]),
      [['spec.paramRef.parameterNotFoundAction', 'Required value']],
    );
  });

  test('an invalid policy is refused with 422 and one cause per field', async () => {
    const { status, json } = await request(
      'POST',
      policies,
      policy('bad', {
        failurePolicy: 'Sometimes',
        matchConstraints: { resourceRules: [] },
        validations: [
          { expression: 'object.x in [1, 2,', message: 'two\nlines' },
          { expression: 'params.max > 1', reason: 'Teapot' },
        ],
      }),
    );
    assert.equal(status, 422);
    assert.equal(json.reason, 'Invalid');
    assert.match(
      json.message,
      /^ValidatingAdmissionPolicy\.admissionregistration\.k8s\.io "bad" is invalid: /,
    );
    assert.deepEqual(
      (json.details.causes as any[]).map((c) => c.field),
      [
        'spec.failurePolicy',
        'spec.matchConstraints.resourceRules',
        'spec.validations[0].expression',
        'spec.validations[0].message',
        'spec.validations[1].expression',
        'spec.validations[1].reason',
      ],
    );
    const expression = (json.details.causes as any[]).find(
      (c) => c.field === 'spec.validations[0].expression',
    );
    assert.match(expression.message, /^Invalid value: "object.x in \[1, 2,": compilation failed: /);
  });

  test('an invalid binding is refused with 422', async () => {
    const { status, json } = await request(
      'POST',
      bindings,
      binding('bad-binding', { policyName: '', validationActions: ['Deny', 'Warn'] }),
    );
    assert.equal(status, 422);
    assert.deepEqual(
      (json.details.causes as any[]).map((c) => [c.field, c.message]),
      [
        ['spec.policyName', 'Required value'],
        [
          'spec.validationActions',
          'Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
        ],
      ],
    );
  });

  test('status is written only through the status subresource, and validated there', async () => {
    const path = `${policies}/replicas`;
    const current = (await request('GET', path)).json;
    const status = {
      observedGeneration: 1,
      typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning: 'w' }] },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Checked',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    // The main resource keeps the stored (absent) status.
    const main = await request('PUT', path, { ...current, status });
    assert.equal(main.status, 200, JSON.stringify(main.json));
    assert.equal(main.json.status, undefined);
    assert.equal(main.json.metadata.generation, 1);

    const written = await request('PUT', `${path}/status`, { ...main.json, status });
    assert.equal(written.status, 200, JSON.stringify(written.json));
    assert.deepEqual(written.json.status, status);
    assert.equal(written.json.metadata.generation, 1);

    const bad = await request('PUT', `${path}/status`, {
      ...written.json,
      status: { ...status, conditions: [{ type: 'Ready', status: 'Maybe', reason: 'X' }] },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      (bad.json.details.causes as any[]).map((c) => [c.field, c.message]),
      [
        [
          'status.conditions[0].status',
          'Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
        ],
        ['status.conditions[0].lastTransitionTime', 'Required value: must be set'],
      ],
    );
  });

  test('a strategic merge patch merges variables by name and bumps the generation; status stays', async () => {
    const path = `${policies}/replicas`;
    const patched = await request(
      'PATCH',
      path,
      { spec: { variables: [{ name: 'limit', expression: 'int(params.data.max)' }] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.deepEqual((patched.json.spec.variables as any[]).map((v) => `${v.name}=${v.expression}`).sort(), [
      'limit=int(params.data.max)',
      'replicas=object.spec.replicas',
    ]);
    assert.equal(patched.json.metadata.generation, 2);
    assert.equal(patched.json.status.observedGeneration, 1);
  });

  test('tables: validations and param kind; policy name and param reference', async () => {
    const table = async (path: string): Promise<any> => {
      const res = await fetch(`${server.url}${path}`, {
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      });
      return res.json();
    };
    const p = await table(policies);
    assert.deepEqual(
      (p.columnDefinitions as any[]).map((c) => c.name),
      ['Name', 'Validations', 'ParamKind', 'Age'],
    );
    assert.deepEqual((p.rows as any[]).find((r) => r.cells[0] === 'replicas')?.cells.slice(0, 3), [
      'replicas',
      1,
      'v1/ConfigMap',
    ]);
    const b = await table(bindings);
    assert.deepEqual(
      (b.columnDefinitions as any[]).map((c) => c.name),
      ['Name', 'PolicyName', 'ParamRef', 'Age'],
    );
    assert.deepEqual((b.rows as any[]).find((r) => r.cells[0] === 'replicas-binding')?.cells.slice(0, 3), [
      'replicas-binding',
      'replicas',
      'default/limits',
    ]);
  });
});
