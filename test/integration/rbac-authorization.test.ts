import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthenticator } from '../../src/apiserver/auth/index.js';
import { call, openWatch } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { waitFor } from '../../src/util/wait.js';

/** Users by bearer token; `admin` is in system:masters. */
const TOKENS = [
  { token: 'admin-token', username: 'admin', uid: 'admin', groups: ['system:masters'] },
  { token: 'bob-token', username: 'bob', uid: 'bob', groups: ['dev'] },
  { token: 'eve-token', username: 'eve', uid: 'eve', groups: [] },
];

let srv: TestServer;
const as = (
  user: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => call(srv.url, method, path, body, { authorization: `Bearer ${user}-token`, ...headers });

const rbac = '/apis/rbac.authorization.k8s.io/v1';
const role = (name: string, rules: unknown[]) => ({
  kind: 'Role',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  metadata: { name },
  rules,
});
const roleBinding = (name: string, kind: string, ref: string, subjects: unknown[]) => ({
  kind: 'RoleBinding',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: ref },
  subjects,
});

async function until(user: string, method: string, path: string, status: number): Promise<void> {
  // RBAC objects reach the authorizer through the watch cache, a moment after the write is acknowledged.
  await waitFor(async () => (await as(user, method, path)).status === status, { timeoutMs: 5000 });
}

before(async () => {
  srv = await startTestServer({ authenticator: createAuthenticator({ tokens: TOKENS }) });
  for (const ns of ['team', 'other'])
    assert.equal((await as('admin', 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  await as('admin', 'POST', '/api/v1/namespaces/team/configmaps', {
    metadata: { name: 'cm' },
    data: { a: 'b' },
  });
});
after(() => srv.close());

describe('RBAC authorization', () => {
  test('without a binding a user may do nothing, and is told so in upstream words', async () => {
    const list = await as('bob', 'GET', '/api/v1/namespaces/team/configmaps');
    assert.equal(list.status, 403);
    assert.equal(list.json.reason, 'Forbidden');
    assert.equal(
      list.json.message,
      'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "team"',
    );
    assert.deepEqual(list.json.details, { kind: 'configmaps', name: '' });
    const get = await as('bob', 'GET', '/apis/apps/v1/namespaces/team/deployments/web');
    assert.equal(
      get.json.message,
      'deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" in the namespace "team"',
    );
    // Discovery is open to every authenticated user (system:discovery); other paths are not.
    assert.equal((await as('bob', 'GET', '/apis')).status, 200);
    const path = await as('bob', 'GET', '/metrics');
    assert.equal(path.status, 403);
    assert.equal(path.json.message, 'forbidden: User "bob" cannot get path "/metrics"');
    assert.equal((await as('admin', 'GET', '/api/v1/namespaces/team/configmaps')).status, 200);
  });

  test('a RoleBinding grants its role in its namespace only, to the subjects it names', async () => {
    const r = await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/roles`,
      role('cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]),
    );
    assert.equal(r.status, 201, r.text);
    const b = await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('dev-reads', 'Role', 'cm-reader', [
        { kind: 'Group', name: 'dev', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    assert.equal(b.status, 201, b.text);
    await until('bob', 'GET', '/api/v1/namespaces/team/configmaps', 200);
    assert.equal((await as('bob', 'GET', '/api/v1/namespaces/team/configmaps/cm')).json.data.a, 'b');
    assert.equal((await as('bob', 'GET', '/api/v1/namespaces/other/configmaps')).status, 403);
    assert.equal(
      (await as('bob', 'GET', '/api/v1/configmaps')).status,
      403,
      'all namespaces needs a cluster grant',
    );
    assert.equal((await as('bob', 'DELETE', '/api/v1/namespaces/team/configmaps/cm')).status, 403);
    assert.equal((await as('eve', 'GET', '/api/v1/namespaces/team/configmaps')).status, 403);
    const watch = await openWatch(srv.url, '/api/v1/namespaces/team/configmaps?watch=true', {
      authorization: 'Bearer bob-token',
    });
    try {
      const [added] = await watch.waitFor(1);
      assert.equal(added.type, 'ADDED');
    } finally {
      watch.close();
    }
    // Deleting the binding takes the grant away.
    assert.equal((await as('admin', 'DELETE', `${rbac}/namespaces/team/rolebindings/dev-reads`)).status, 200);
    await until('bob', 'GET', '/api/v1/namespaces/team/configmaps', 403);
  });

  test('access reviews answer from RBAC', async () => {
    await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('eve-reads', 'Role', 'cm-reader', [
        { kind: 'User', name: 'eve', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    await until('eve', 'GET', '/api/v1/namespaces/team/configmaps', 200);
    const sar = (spec: unknown) =>
      as('admin', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec,
      });
    const yes = await sar({
      user: 'eve',
      resourceAttributes: { namespace: 'team', verb: 'get', resource: 'configmaps' },
    });
    assert.equal(yes.status, 201, yes.text);
    assert.deepEqual(yes.json.status, {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "eve-reads/team" of Role "cm-reader" to User "eve"',
    });
    const no = await sar({
      user: 'eve',
      resourceAttributes: { namespace: 'team', verb: 'delete', resource: 'configmaps' },
    });
    assert.deepEqual(no.json.status, { allowed: false });
    // Badly typed fields are read leniently, never a 500.
    const oddTypes = await sar({
      user: 'eve',
      groups: 5,
      extra: { a: 'b' },
      resourceAttributes: { namespace: 'team', verb: 'get', resource: 'configmaps' },
    });
    assert.equal(oddTypes.status, 201, oddTypes.text);
    assert.equal(oddTypes.json.status.allowed, true);
    const bad = await sar({ user: 'eve' });
    assert.equal(bad.status, 422);
    assert.match(
      bad.json.message,
      /exactly one of nonResourceAttributes or resourceAttributes must be specified/,
    );
    // eve may not ask the server about others.
    const eveAsks = await as('eve', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods' } },
    });
    assert.equal(eveAsks.status, 403);
    const local = await as(
      'admin',
      'POST',
      '/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews',
      {
        kind: 'LocalSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { namespace: 'team' },
        spec: {
          user: 'eve',
          resourceAttributes: { namespace: 'other', verb: 'get', resource: 'configmaps' },
        },
      },
    );
    assert.equal(local.status, 422);
    assert.match(
      local.json.message,
      /spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace/,
    );
    const rules = await as(
      'admin',
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      {
        kind: 'SelfSubjectRulesReview',
        apiVersion: 'authorization.k8s.io/v1',
        spec: { namespace: 'team' },
      },
      { 'impersonate-user': 'eve' },
    );
    assert.equal(rules.status, 201, rules.text);
    assert.deepEqual(
      rules.json.status.resourceRules.filter((r: { resources: string[] }) =>
        r.resources.includes('configmaps'),
      ),
      [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'] }],
    );
    assert.ok(
      !rules.json.status.resourceRules.some((r: { resources: string[] }) => r.resources.includes('secrets')),
    );
    assert.equal(rules.json.status.incomplete, false);
  });

  test('impersonation needs the impersonate verb, then acts as that user', async () => {
    const asEve = await as('bob', 'GET', '/api/v1/namespaces/team/configmaps', undefined, {
      'impersonate-user': 'eve',
    });
    assert.equal(asEve.status, 403);
    assert.equal(
      asEve.json.message,
      'users "eve" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const byAdmin = await as('admin', 'GET', '/api/v1/namespaces/other/configmaps', undefined, {
      'impersonate-user': 'eve',
    });
    assert.equal(byAdmin.status, 403);
    assert.match(byAdmin.json.message, /User "eve" cannot list/);
    const whoami = await as(
      'admin',
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' },
      { 'impersonate-user': 'eve', 'impersonate-group': 'dev' },
    );
    assert.deepEqual(whoami.json.status.userInfo, {
      username: 'eve',
      groups: ['dev', 'system:authenticated'],
    });
  });

  test('server-side apply that creates needs create, not only patch', async () => {
    await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/roles`,
      role('cm-patcher', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['patch', 'get'] }]),
    );
    await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('eve-patches', 'Role', 'cm-patcher', [
        { kind: 'User', name: 'eve', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    await until('eve', 'GET', '/api/v1/namespaces/team/configmaps/cm', 200);
    const apply = (name: string) =>
      as(
        'eve',
        'PATCH',
        `/api/v1/namespaces/team/configmaps/${name}?fieldManager=eve`,
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { x: '1' } }),
        { 'content-type': 'application/apply-patch+yaml' },
      );
    const created = await apply('fresh');
    assert.equal(created.status, 403);
    assert.equal(
      created.json.message,
      'configmaps "fresh" is forbidden: User "eve" cannot create resource "configmaps" in API group "" in the namespace "team"',
    );
    assert.equal((await apply('cm')).status, 200, 'applying to an existing object is a patch');
  });

  test('streams start only from GET or POST upgrades', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${srv.url}/api/v1/namespaces/team/pods/p/exec?command=id`, {
        method: 'PUT',
        headers: { authorization: 'Bearer admin-token', connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 405);
  });

  test('escalation: roles and bindings may grant only what the writer holds', async () => {
    // bob may manage roles and bindings in team, and read configmaps there, nothing more.
    await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/roles`,
      role('rbac-manager', [
        // Not `*`: that would include the bind and escalate verbs, which let a user past the checks.
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles', 'rolebindings'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      ]),
    );
    await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('bob-manages', 'Role', 'rbac-manager', [
        { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    await until('bob', 'GET', `${rbac}/namespaces/team/roles`, 200);
    const held = await as(
      'bob',
      'POST',
      `${rbac}/namespaces/team/roles`,
      role('small', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]),
    );
    assert.equal(held.status, 201, held.text);
    const more = await as(
      'bob',
      'POST',
      `${rbac}/namespaces/team/roles`,
      role('big', [{ apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'] }]),
    );
    assert.equal(more.status, 403);
    assert.equal(
      more.json.message,
      'roles.rbac.authorization.k8s.io "big" is forbidden: user "bob" (groups=["dev" "system:authenticated"]) is ' +
        'attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
    // Binding a role bob holds is fine; binding one he does not hold is not; a missing one is 404.
    const ok = await as(
      'bob',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('eve-small', 'Role', 'small', [
        { kind: 'User', name: 'eve', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    assert.equal(ok.status, 201, ok.text);
    await as(
      'admin',
      'POST',
      `${rbac}/namespaces/team/roles`,
      role('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
    );
    await waitFor(
      async () => (await as('admin', 'GET', `${rbac}/namespaces/team/roles/secret-reader`)).status === 200,
    );
    const escalate = await as(
      'bob',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('bob-secrets', 'Role', 'secret-reader', [
        { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    assert.equal(escalate.status, 403);
    assert.match(
      escalate.json.message,
      /rolebindings.rbac.authorization.k8s.io "bob-secrets" is forbidden: .*not currently held/s,
    );
    const missing = await as(
      'bob',
      'POST',
      `${rbac}/namespaces/team/rolebindings`,
      roleBinding('x', 'ClusterRole', 'nope', [
        { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' },
      ]),
    );
    assert.equal(missing.status, 404);
    // Raising a held role's rules by PATCH is checked too.
    const patch = await as(
      'bob',
      'PATCH',
      `${rbac}/namespaces/team/roles/small`,
      { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(patch.status, 403);
    assert.equal((await as('bob', 'GET', '/api/v1/namespaces/team/secrets')).status, 403);
  });
});
