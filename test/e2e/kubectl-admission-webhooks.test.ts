/** Admission webhooks with the real kubectl: apply a configuration, see a refusal and a mutation as users do. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.js';

let s: ServerProcess;
let hook: WebhookServer;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-webhooks-'));
  s = await startServerProcess({ dataDir: join(dir, 'data') });
  hook = await startWebhookServer();
  hook.handle('/validate', (req) =>
    req.object?.data?.forbidden
      ? { allowed: false, status: { message: 'the key "forbidden" is not allowed' } }
      : { allowed: true },
  );
  hook.handle('/mutate', () => ({
    allowed: true,
    patch: [{ op: 'add', path: '/metadata/labels', value: { 'policy.example.com/checked': 'true' } }],
    warnings: ['labelled by policy.example.com'],
  }));
});
after(async () => {
  await hook?.close();
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const configurations = () => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: policy
webhooks:
- name: validate.policy.example.com
  clientConfig:
    url: https://127.0.0.1:${hook.port}/validate
    caBundle: ${hook.caBundle}
  rules:
  - operations: [CREATE, UPDATE]
    apiGroups: [""]
    apiVersions: [v1]
    resources: [configmaps]
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: policy
webhooks:
- name: mutate.policy.example.com
  clientConfig:
    url: https://127.0.0.1:${hook.port}/mutate
    caBundle: ${hook.caBundle}
  rules:
  - operations: [CREATE]
    apiGroups: [""]
    apiVersions: [v1]
    resources: [configmaps]
  sideEffects: None
  admissionReviewVersions: [v1]
`;

test('kubectl applies webhook configurations and shows them', async () => {
  const out = await ok('apply', '-f', file('webhooks.yaml', configurations()));
  assert.match(out, /validatingwebhookconfiguration.admissionregistration.k8s.io\/policy created/);
  assert.match(out, /mutatingwebhookconfiguration.admissionregistration.k8s.io\/policy created/);
  const table = await ok('get', 'validatingwebhookconfigurations');
  assert.match(table, /^NAME\s+WEBHOOKS\s+AGE\n/);
  assert.match(table, /^policy\s+1\s+/m);
  const yaml = await ok('get', 'mutatingwebhookconfiguration', 'policy', '-o', 'yaml');
  assert.match(yaml, /failurePolicy: Fail/);
  assert.match(yaml, /reinvocationPolicy: Never/);
});

test('a refusal is printed as upstream, and a mutation lands with its warning', async () => {
  await ok('apply', '-f', file('webhooks.yaml', configurations()));
  const refused = await waitFor(async () => {
    const r = await s.kubectl(['create', 'configmap', `bad-${Date.now()}`, '--from-literal=forbidden=1']);
    return r.code !== 0 ? r : undefined;
  });
  assert.match(
    refused.stderr,
    /error: failed to create configmap: configmaps "bad-\d+" is forbidden: admission webhook "validate\.policy\.example\.com" denied the request: the key "forbidden" is not allowed/,
  );
  const created = await s.kubectl(['create', 'configmap', 'fine', '--from-literal=a=1']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stderr, /Warning: labelled by policy\.example\.com/);
  assert.equal(
    await ok('get', 'configmap', 'fine', '-o', 'jsonpath={.metadata.labels.policy\\.example\\.com/checked}'),
    'true',
  );
});

test('deleting the configuration stops the calls', async () => {
  await ok('delete', 'validatingwebhookconfiguration', 'policy');
  await waitFor(async () => {
    const r = await s.kubectl(['create', 'configmap', `after-${Date.now()}`, '--from-literal=forbidden=1']);
    return r.code === 0 ? true : undefined;
  });
});

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  validations:
  - expression: object.spec.replicas <= 5
    message: at most 5 replicas
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit-binding
spec:
  policyName: replica-limit
  validationActions: [Deny]
`;

test('kubectl sees a ValidatingAdmissionPolicy refuse a deployment, and lists policies', async () => {
  await ok('apply', '-f', file('policy.yaml', POLICY));
  assert.match(await ok('get', 'validatingadmissionpolicies'), /^replica-limit\s+1\s+<unset>\s+/m);
  assert.match(
    await ok('get', 'validatingadmissionpolicybindings'),
    /^replica-limit-binding\s+replica-limit\s+<unset>\s+/m,
  );
  const refused = await waitFor(async () => {
    const r = await s.kubectl(['create', 'deployment', `big-${Date.now()}`, '--image=nginx', '--replicas=6']);
    return r.code !== 0 ? r : undefined;
  });
  assert.match(
    refused.stderr,
    /deployments\.apps "big-\d+" is forbidden: ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-binding' denied request: at most 5 replicas/,
  );
  await ok('create', 'deployment', 'fits', '--image=nginx', '--replicas=5');
  // An update is checked too (the rule names deployments, not deployments/scale, as upstream would read it).
  const patched = await s.kubectl(['patch', 'deployment', 'fits', '-p', '{"spec":{"replicas":9}}']);
  assert.notEqual(patched.code, 0);
  assert.match(patched.stderr, /denied request: at most 5 replicas/);
});
