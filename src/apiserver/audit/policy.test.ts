import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nonResourceAttributes } from '../authz/attributes.js';
import type { Attributes } from '../authz/types.js';
import { evaluatePolicy, parseAuditPolicy } from './policy.js';

const ADMIN = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

function resource(over: Partial<Attributes> = {}): Attributes {
  return {
    user: ADMIN,
    verb: 'get',
    resourceRequest: true,
    path: '/api/v1/namespaces/default/pods/web',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    subresource: '',
    namespace: 'default',
    name: 'web',
    ...over,
  };
}

function nonResource(path: string): Attributes {
  return nonResourceAttributes(ADMIN, 'GET', path);
}

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["pods/log", "pods/status"]
  - level: Request
    resources:
      - group: ""
        resources: ["configmaps"]
        resourceNames: ["controller-leader"]
    omitStages: [ResponseStarted]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "*/scale"]
      - group: "apps"
        resources: ["deployments/*"]
  - level: Request
    userGroups: ["system:serviceaccounts"]
  - level: Metadata
    namespaces: ["kube-system"]
    omitManagedFields: true
  - level: None
    resources: [{ group: "" }]
  - level: Metadata
`;

test('the first matching rule decides level and stages; stages union with the policy’s', () => {
  const p = parseAuditPolicy(POLICY);
  const check = (attrs: Attributes) => evaluatePolicy(p, attrs);
  assert.equal(
    check(resource({ user: { username: 'system:kube-proxy', groups: [] }, verb: 'watch' })).level,
    'None',
  );
  assert.equal(check(resource({ user: { username: 'system:kube-proxy', groups: [] } })).level, 'None');
  assert.equal(check(nonResource('/healthz/etcd')).level, 'None');
  assert.equal(check(nonResource('/version')).level, 'None');
  assert.equal(check(nonResource('/versions')).level, 'Metadata');
  assert.equal(check(resource({ subresource: 'log' })).level, 'RequestResponse');
  const leader = check(
    resource({ resource: 'configmaps', name: 'controller-leader', namespace: 'kube-system' }),
  );
  assert.equal(leader.level, 'Request');
  assert.deepEqual([...leader.omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
  // Another ConfigMap in kube-system falls through to the namespace rule.
  const other = check(resource({ resource: 'configmaps', name: 'x', namespace: 'kube-system' }));
  assert.deepEqual(other, { level: 'Metadata', omitStages: ['RequestReceived'], omitManagedFields: true });
  assert.equal(check(resource({ resource: 'secrets' })).level, 'Metadata');
  assert.equal(
    check(resource({ resource: 'replicasets', subresource: 'scale', apiGroup: 'apps' })).level,
    'Metadata',
  );
  assert.equal(
    check(resource({ resource: 'deployments', subresource: 'status', apiGroup: 'apps' })).level,
    'Metadata',
  );
  // `deployments/*` is for subresources: the deployment itself falls through (apps is not the core group).
  assert.equal(check(resource({ resource: 'deployments', apiGroup: 'apps' })).level, 'Metadata');
  assert.equal(
    check(resource({ user: { username: 'system:serviceaccount:a:b', groups: ['system:serviceaccounts'] } }))
      .level,
    'Request',
  );
  // A group with no resources listed matches the whole group.
  assert.equal(check(resource({ resource: 'services' })).level, 'None');
  assert.equal(check(resource({ resource: 'services', apiGroup: 'x.dev' })).level, 'Metadata');
});

test('no rule matching means None, with the policy’s own stages', () => {
  const p = parseAuditPolicy(
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: ["Panic"]\nrules: [{level: Metadata, verbs: [create]}]',
  );
  assert.deepEqual(evaluatePolicy(p, resource()), {
    level: 'None',
    omitStages: ['Panic'],
    omitManagedFields: false,
  });
  assert.equal(evaluatePolicy(p, resource({ verb: 'create' })).level, 'Metadata');
});

test('a request without a user (failed authentication) misses user and group rules', () => {
  const p = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: RequestResponse
    userGroups: ["system:unauthenticated"]
  - level: Metadata
`);
  assert.equal(evaluatePolicy(p, resource({ user: { username: '', groups: [] } })).level, 'Metadata');
});

test('policies are validated as upstream, every error reported', () => {
  const errorOf = (text: string): string => {
    try {
      parseAuditPolicy(text);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.equal(
    errorOf('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []'),
    'loaded illegal policy with 0 rules',
  );
  assert.equal(
    errorOf('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]'),
    'failed decoding: no kind "Policy" is registered for version "audit.k8s.io/v1beta1"',
  );
  assert.equal(errorOf('rules: []'), "failed decoding: Object 'Kind' is missing");
  assert.equal(
    errorOf('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{verbs: [get]}]'),
    'rules[0].level: Required value',
  );
  assert.equal(
    errorOf(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [Sometimes]
rules:
  - level: Everything
    nonResourceURLs: ["healthz", "/a*b"]
    namespaces: [default]
    resources: [{group: "apps/v1", resourceNames: [x]}]
`),
    '[omitStages[0]: Invalid value: "Sometimes": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic, ' +
      'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse", ' +
      'rules[0].nonResourceURLs[0]: Invalid value: "healthz": non-resource URL rules must begin with a \'/\' character, ' +
      'rules[0].nonResourceURLs[1]: Invalid value: "/a*b": non-resource URL wildcards \'*\' must be the final character of the rule, ' +
      "rules[0].resources.group: Invalid value: \"apps/v1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), " +
      'rules[0].resources.resourceNames: Invalid value: ["x"]: using resourceNames requires at least one resource, ' +
      'rules[0].nonResourceURLs: Invalid value: ["healthz","/a*b"]: rules cannot apply to both regular resources and non-resource URLs]',
  );
});

test('omitManagedFields: a rule’s own setting wins over the policy’s', () => {
  const p = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: true
rules:
  - level: Request
    verbs: [create]
    omitManagedFields: false
  - level: Request
`);
  assert.equal(evaluatePolicy(p, resource({ verb: 'create' })).omitManagedFields, false);
  assert.equal(evaluatePolicy(p, resource()).omitManagedFields, true);
});
