/** ValidatingAdmissionPolicies through the API: CEL validations applied by bindings, with params and actions. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ApiClient, R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

let s: TestServer;
let client: ApiClient;
before(async () => {
  s = await startTestServer();
  client = new ApiClient({ server: s.url });
});
after(() => s.close());

const policies = () => client.resource<any>(R.validatingAdmissionPolicies);
const bindings = () => client.resource<any>(R.validatingAdmissionPolicyBindings);

beforeEach(async () => {
  for (const b of (await bindings().list('')).items) await bindings().delete('', b.metadata.name);
  for (const p of (await policies().list('')).items) await policies().delete('', p.metadata.name);
});

type Err = Error & { status?: { code?: number; reason?: string; message?: string } };

const deploymentRules = {
  resourceRules: [
    {
      operations: ['CREATE', 'UPDATE'],
      apiGroups: ['apps'],
      apiVersions: ['v1'],
      resources: ['deployments'],
    },
  ],
};

function deployment(name: string, replicas: number, namespace = 'default'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  };
}

async function policy(
  name: string,
  spec: Record<string, unknown>,
  binding: Record<string, unknown>,
): Promise<void> {
  await policies().create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: { matchConstraints: deploymentRules, ...spec },
  });
  await bindings().create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `${name}-binding` },
    spec: { policyName: name, validationActions: ['Deny'], ...binding },
  });
}

/** Creates until the server has learnt the binding (it follows bindings through its watch). */
async function refused(make: () => Record<string, unknown>): Promise<Err> {
  return waitFor(async () => {
    try {
      const obj = make();
      const meta = obj.metadata as { name: string; namespace: string };
      await client.resource<any>(R.deployments).create(obj);
      await client.resource<any>(R.deployments).delete(meta.namespace, meta.name);
      return undefined;
    } catch (err) {
      return err as Err;
    }
  });
}

let seq = 0;
const next = (prefix: string) => `${prefix}-${++seq}`;

test('a Deny binding refuses what a validation rejects, with upstream message, reason and code', async () => {
  await policy('max-replicas', { validations: [{ expression: 'object.spec.replicas <= 5' }] }, {});
  const err = await refused(() => deployment(next('big'), 6));
  assert.equal(err.status?.code, 422);
  assert.equal(err.status?.reason, 'Invalid');
  assert.match(
    err.status?.message ?? '',
    /^deployments\.apps "big-\d+" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object\.spec\.replicas <= 5$/,
  );
  await client.resource<any>(R.deployments).create(deployment('small', 3));
});

test('message, messageExpression and reason shape the refusal', async () => {
  await policy(
    'named',
    {
      validations: [
        {
          expression: "object.metadata.name.startsWith('team-')",
          messageExpression: "'name ' + object.metadata.name + ' lacks the team- prefix'",
          reason: 'Forbidden',
        },
      ],
    },
    {},
  );
  const err = await refused(() => deployment(next('nameless'), 1));
  assert.equal(err.status?.code, 403);
  assert.equal(err.status?.reason, 'Forbidden');
  assert.match(err.status?.message ?? '', /name nameless-\d+ lacks the team- prefix$/);
});

test('params, variables and a Warn binding', async () => {
  await client.resource<any>(R.configMaps).create({
    metadata: { name: 'limits', namespace: 'default' },
    data: { max: '2' },
  });
  await policy(
    'param-max',
    {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      variables: [{ name: 'max', expression: 'int(params.data.max)' }],
      validations: [{ expression: 'object.spec.replicas <= variables.max', message: 'too many replicas' }],
    },
    {
      paramRef: { name: 'limits', namespace: 'default', parameterNotFoundAction: 'Deny' },
      validationActions: ['Warn'],
    },
  );
  const warned = await waitFor(async () => {
    const name = next('warned');
    const res = await fetch(`${s.url}/apis/apps/v1/namespaces/default/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(deployment(name, 4)),
    });
    assert.equal(res.status, 201);
    const warning = res.headers.get('warning') ?? '';
    return warning ? warning : undefined;
  });
  assert.match(
    warned,
    /Validation failed for ValidatingAdmissionPolicy 'param-max' with binding 'param-max-binding': too many replicas/,
  );
});

test('a missing param denies under Deny and lets through under Allow', async () => {
  await policy(
    'needs-param',
    { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }] },
    { paramRef: { name: 'absent', namespace: 'default', parameterNotFoundAction: 'Deny' } },
  );
  const err = await refused(() => deployment(next('unparam'), 1));
  assert.match(
    err.status?.message ?? '',
    /no params found for policy binding with `Deny` parameterNotFoundAction/,
  );
  const b = await bindings().get('', 'needs-param-binding');
  b.spec.paramRef.parameterNotFoundAction = 'Allow';
  await bindings().update(b);
  await waitFor(async () => {
    try {
      return await client.resource<any>(R.deployments).create(deployment(next('allowed'), 1));
    } catch {
      return undefined;
    }
  });
});

test('the failure policy decides what an expression error does; the binding can narrow the match', async () => {
  await client
    .resource<any>(R.namespaces)
    .create({ metadata: { name: 'strict', labels: { policy: 'strict' } } });
  await policy(
    'erring',
    { validations: [{ expression: 'object.spec.missing.field == 1' }], failurePolicy: 'Fail' },
    { matchResources: { namespaceSelector: { matchLabels: { policy: 'strict' } } } },
  );
  const err = await refused(() => deployment(next('errs'), 1, 'strict'));
  assert.match(err.status?.message ?? '', /expression 'object\.spec\.missing\.field == 1' resulted in error/);
  // Outside the binding's namespaces nothing is checked.
  await client.resource<any>(R.deployments).create(deployment('elsewhere', 1));
  const p = await policies().get('', 'erring');
  p.spec.failurePolicy = 'Ignore';
  await policies().update(p);
  await waitFor(async () => {
    try {
      return await client.resource<any>(R.deployments).create(deployment(next('ignored'), 1, 'strict'));
    } catch {
      return undefined;
    }
  });
});

test('a binding without paramRef runs with params null; configuration errors deny even a Warn binding', async () => {
  await policy(
    'optional-param',
    {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      validations: [{ expression: 'params == null || object.spec.replicas <= int(params.data.max)' }],
    },
    {},
  );
  // Without a paramRef, params is null and the validation passes.
  await waitFor(async () => {
    const b = await bindings().get('', 'optional-param-binding');
    return b ? true : undefined;
  });
  await client.resource<any>(R.deployments).create(deployment(next('no-param'), 9));
  const b = await bindings().get('', 'optional-param-binding');
  b.spec.paramRef = { name: 'absent', namespace: 'default', parameterNotFoundAction: 'Deny' };
  b.spec.validationActions = ['Warn'];
  await bindings().update(b);
  const err = await refused(() => deployment(next('warn-only'), 1));
  assert.match(
    err.status?.message ?? '',
    /no params found for policy binding with `Deny` parameterNotFoundAction/,
  );
});
