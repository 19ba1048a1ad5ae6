import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { hasReason, isApiError } from '../../api/errors.js';
import type { StoredObject } from '../../api/meta.js';
import { parseRoute } from '../http/route.js';
import { requestAttributes } from './attributes.js';
import { Authorizer } from './authorizer.js';
import { RbacWriteGuard } from './escalation.js';
import { forbiddenError } from './forbidden.js';
import { impersonatedUser } from './impersonation.js';
import { RbacIndex } from './rbac-index.js';
import type { PolicyRule, Subject } from './types.js';

const stored = (o: Record<string, unknown>, name: string, namespace?: string): StoredObject =>
  ({ ...o, metadata: { name, ...(namespace ? { namespace } : {}), resourceVersion: '1' } }) as StoredObject;

function cluster(): { rbac: RbacIndex; authz: Authorizer } {
  const rbac = new RbacIndex();
  const authz = new Authorizer(rbac);
  return { rbac, authz };
}

const role = (rules: PolicyRule[]): Record<string, unknown> => ({ rules });
const binding = (kind: string, name: string, subjects: Subject[]): Record<string, unknown> => ({
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
  subjects,
});

const bob = { username: 'bob', groups: ['system:authenticated'] };

function attrsFor(user: typeof bob, method: string, path: string) {
  const url = new URL(`http://localhost${path}`);
  return requestAttributes(user, method, url, parseRoute(url.pathname));
}

describe('requestAttributes', () => {
  test('maps methods to verbs as upstream', () => {
    const verb = (m: string, p: string): string => attrsFor(bob, m, p).verb;
    assert.equal(verb('GET', '/api/v1/namespaces/a/pods'), 'list');
    assert.equal(verb('GET', '/api/v1/namespaces/a/pods?watch=true'), 'watch');
    assert.equal(verb('GET', '/api/v1/watch/namespaces/a/pods/x'), 'watch');
    assert.equal(verb('GET', '/api/v1/namespaces/a/pods/x'), 'get');
    assert.equal(verb('POST', '/api/v1/namespaces/a/pods'), 'create');
    assert.equal(verb('PUT', '/api/v1/namespaces/a/pods/x'), 'update');
    assert.equal(verb('PATCH', '/api/v1/namespaces/a/pods/x'), 'patch');
    assert.equal(verb('DELETE', '/api/v1/namespaces/a/pods/x'), 'delete');
    assert.equal(verb('DELETE', '/api/v1/namespaces/a/pods'), 'deletecollection');
    assert.equal(verb('GET', '/healthz'), 'get');
    assert.equal(verb('POST', '/api'), 'post');
  });

  test('resource, subresource, namespace and name; a Namespace is its own namespace', () => {
    const a = attrsFor(bob, 'POST', '/apis/apps/v1/namespaces/a/deployments/web/scale');
    assert.deepEqual(
      [a.apiGroup, a.apiVersion, a.resource, a.subresource, a.namespace, a.name],
      ['apps', 'v1', 'deployments', 'scale', 'a', 'web'],
    );
    assert.equal(attrsFor(bob, 'GET', '/api/v1/namespaces/team').namespace, 'team');
    assert.equal(attrsFor(bob, 'GET', '/api/v1/namespaces').namespace, '');
    assert.equal(attrsFor(bob, 'GET', '/api/v1/pods').namespace, '');
    assert.equal(attrsFor(bob, 'GET', '/apis').resourceRequest, false);
  });

  test('a list or watch narrowed by metadata.name names that object', () => {
    assert.equal(attrsFor(bob, 'GET', '/api/v1/namespaces/a/pods?fieldSelector=metadata.name%3Dx').name, 'x');
    assert.equal(
      attrsFor(bob, 'GET', '/api/v1/namespaces/a/pods?watch=1&fieldSelector=metadata.name%3D%3Dy').name,
      'y',
    );
    assert.equal(attrsFor(bob, 'GET', '/api/v1/namespaces/a/pods?fieldSelector=spec.nodeName%3Dn').name, '');
  });
});

describe('Authorizer', () => {
  test('system:masters may do anything; others nothing without a binding', () => {
    const { authz } = cluster();
    const admin = { username: 'admin', groups: ['system:masters'] };
    assert.deepEqual(authz.authorize(attrsFor(admin, 'DELETE', '/api/v1/nodes/n')), {
      allowed: true,
      reason: '',
    });
    assert.deepEqual(authz.authorize(attrsFor(bob, 'GET', '/api/v1/namespaces/a/pods')), {
      allowed: false,
      reason: '',
    });
  });

  test('ClusterRoleBindings grant everywhere, RoleBindings in their namespace only', () => {
    const { rbac, authz } = cluster();
    rbac.putClusterRole(
      stored(role([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]), 'pod-reader'),
    );
    rbac.putRoleBinding(
      stored(binding('ClusterRole', 'pod-reader', [{ kind: 'User', name: 'bob' }]), 'bob-reads', 'a'),
    );
    const inA = authz.authorize(attrsFor(bob, 'GET', '/api/v1/namespaces/a/pods'));
    assert.deepEqual(inA, {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "bob-reads/a" of ClusterRole "pod-reader" to User "bob"',
    });
    assert.equal(authz.authorize(attrsFor(bob, 'GET', '/api/v1/namespaces/b/pods')).allowed, false);
    assert.equal(authz.authorize(attrsFor(bob, 'GET', '/api/v1/pods')).allowed, false);
    rbac.putClusterRoleBinding(
      stored(
        binding('ClusterRole', 'pod-reader', [{ kind: 'Group', name: 'system:authenticated' }]),
        'all-read',
      ),
    );
    assert.equal(
      authz.authorize(attrsFor(bob, 'GET', '/api/v1/pods')).reason,
      'RBAC: allowed by ClusterRoleBinding "all-read" of ClusterRole "pod-reader" to Group "system:authenticated"',
    );
    rbac.removeRoleBinding('bob-reads', 'a');
    assert.equal(authz.authorize(attrsFor(bob, 'DELETE', '/api/v1/namespaces/a/pods/x')).allowed, false);
  });

  test('a Role is read from the binding namespace; a missing role is reported', () => {
    const { rbac, authz } = cluster();
    rbac.putRole(stored(role([{ verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }]), 'apps-admin', 'a'));
    rbac.putRoleBinding(stored(binding('Role', 'apps-admin', [{ kind: 'User', name: 'bob' }]), 'x', 'a'));
    rbac.putRoleBinding(stored(binding('Role', 'apps-admin', [{ kind: 'User', name: 'bob' }]), 'x', 'b'));
    assert.equal(
      authz.authorize(attrsFor(bob, 'DELETE', '/apis/apps/v1/namespaces/a/deployments/d')).allowed,
      true,
    );
    const inB = authz.authorize(attrsFor(bob, 'DELETE', '/apis/apps/v1/namespaces/b/deployments/d'));
    assert.deepEqual(inB, {
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "apps-admin" not found',
      evaluationError: 'role.rbac.authorization.k8s.io "apps-admin" not found',
    });
  });
});

describe('a stale index', () => {
  test('refuses everyone but system:masters once the roles can no longer be followed', () => {
    const { rbac, authz } = cluster();
    rbac.putClusterRole(stored(role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]), 'all'));
    rbac.putClusterRoleBinding(stored(binding('ClusterRole', 'all', [{ kind: 'User', name: 'bob' }]), 'b'));
    assert.equal(authz.authorize(attrsFor(bob, 'GET', '/api/v1/pods')).allowed, true);
    rbac.stale = true;
    const d = authz.authorize(attrsFor(bob, 'GET', '/api/v1/pods'));
    assert.equal(d.allowed, false);
    assert.match(d.reason, /could not be followed/);
    assert.equal(
      authz.authorize(attrsFor({ username: 'a', groups: ['system:masters'] }, 'GET', '/api/v1/pods')).allowed,
      true,
    );
  });
});

describe('forbiddenError', () => {
  test('words refusals as upstream', () => {
    const err = (m: string, p: string): string => forbiddenError(attrsFor(bob, m, p), '').message;
    assert.equal(
      err('GET', '/api/v1/namespaces/default/pods'),
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    assert.equal(
      err('GET', '/apis/apps/v1/deployments/x'),
      'deployments.apps "x" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" at the cluster scope',
    );
    assert.equal(
      err('POST', '/api/v1/namespaces/a/pods/p/exec'),
      'pods "p" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "a"',
    );
    assert.equal(err('GET', '/metrics'), 'forbidden: User "bob" cannot get path "/metrics"');
    const e = forbiddenError(attrsFor(bob, 'GET', '/api/v1/nodes'), 'RBAC: x');
    assert.ok(hasReason(e, 'Forbidden') && e.code === 403);
    assert.match(e.message, /at the cluster scope: RBAC: x$/);
  });
});

function request(headers: Record<string, string[]>): IncomingMessage {
  const rawHeaders = Object.entries(headers).flatMap(([k, vs]) => vs.flatMap((v) => [k, v]));
  return { headersDistinct: headers, rawHeaders } as unknown as IncomingMessage;
}

describe('impersonatedUser', () => {
  const { rbac, authz } = cluster();
  rbac.putClusterRole(
    stored(
      role([
        { verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['jane'] },
        { verbs: ['impersonate'], apiGroups: [''], resources: ['groups'], resourceNames: ['devs'] },
        { verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] },
      ]),
      'impersonator',
    ),
  );
  rbac.putClusterRoleBinding(
    stored(binding('ClusterRole', 'impersonator', [{ kind: 'User', name: 'bob' }]), 'b'),
  );

  test('no headers: the user itself', () => {
    assert.equal(impersonatedUser(authz, bob, request({})), bob);
  });

  test('an allowed user gets system:authenticated; groups given replace it', () => {
    assert.deepEqual(impersonatedUser(authz, bob, request({ 'impersonate-user': ['jane'] })), {
      username: 'jane',
      groups: ['system:authenticated'],
    });
    assert.deepEqual(
      impersonatedUser(authz, bob, request({ 'impersonate-user': ['jane'], 'impersonate-group': ['devs'] })),
      { username: 'jane', groups: ['devs', 'system:authenticated'] },
    );
  });

  test('a service account gets its groups', () => {
    const u = impersonatedUser(
      authz,
      bob,
      request({ 'impersonate-user': ['system:serviceaccount:ci:builder'] }),
    );
    assert.deepEqual(u.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:ci',
      'system:authenticated',
    ]);
  });

  test('extra keys are lower-cased, then unescaped; an invalid service account name is a plain user', () => {
    const admin = { username: 'root', groups: ['system:masters'] };
    const u = impersonatedUser(
      authz,
      admin,
      request({ 'impersonate-user': ['jane'], 'impersonate-extra-scope%4A': ['a', 'b'] }),
    );
    assert.deepEqual(u.extra, { scopeJ: ['a', 'b'] });
    assert.throws(
      () => impersonatedUser(authz, bob, request({ 'impersonate-user': ['system:serviceaccount:Bad:x'] })),
      (e: unknown) => isApiError(e) && /users "system:serviceaccount:Bad:x" is forbidden/.test(e.message),
    );
  });

  test('anything not allowed is refused as upstream words it', () => {
    assert.throws(
      () => impersonatedUser(authz, bob, request({ 'impersonate-user': ['root'] })),
      (e: unknown) =>
        isApiError(e) &&
        e.code === 403 &&
        e.message ===
          'users "root" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    assert.throws(
      () =>
        impersonatedUser(authz, bob, request({ 'impersonate-user': ['jane'], 'impersonate-group': ['ops'] })),
      (e: unknown) => isApiError(e) && e.code === 403 && /groups "ops" is forbidden/.test(e.message),
    );
    assert.throws(
      () => impersonatedUser(authz, bob, request({ 'impersonate-group': ['devs'] })),
      (e: unknown) => hasReason(e, 'BadRequest'),
    );
  });
});

describe('RbacWriteGuard', () => {
  const { rbac, authz } = cluster();
  const guard = new RbacWriteGuard(authz);
  rbac.putClusterRole(
    stored(role([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]), 'reader'),
  );
  rbac.putClusterRole(stored(role([{ verbs: ['*'], apiGroups: [''], resources: ['secrets'] }]), 'secrets'));
  rbac.putRoleBinding(stored(binding('ClusterRole', 'reader', [{ kind: 'User', name: 'bob' }]), 'r', 'a'));
  const rbacKind = (plural: string) => ({ group: 'rbac.authorization.k8s.io', plural });
  const newRole = (rules: PolicyRule[], namespace = 'a') => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'mine', namespace },
    rules,
  });

  test('a role may hold only rules the writer holds there', async () => {
    await guard.check(
      bob,
      rbacKind('roles'),
      newRole([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]),
      undefined,
    );
    await assert.rejects(
      () =>
        guard.check(
          bob,
          rbacKind('roles'),
          newRole([{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }]),
          undefined,
        ),
      (e: unknown) =>
        isApiError(e) &&
        e.code === 403 &&
        e.message ===
          'roles.rbac.authorization.k8s.io "mine" is forbidden: user "bob" (groups=["system:authenticated"]) is ' +
            'attempting to grant RBAC permissions not currently held:\n' +
            '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
            '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
    );
    await assert.rejects(() =>
      guard.check(
        bob,
        rbacKind('roles'),
        newRole([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], 'b'),
        undefined,
      ),
    );
  });

  test('escalate limited to named roles covers updates of them, not creates', async () => {
    const { rbac: r, authz: a } = cluster();
    const g = new RbacWriteGuard(a);
    r.putClusterRole(
      stored(
        role([
          {
            verbs: ['escalate'],
            apiGroups: ['rbac.authorization.k8s.io'],
            resources: ['roles'],
            resourceNames: ['mine'],
          },
        ]),
        'escalator',
      ),
    );
    r.putRoleBinding(stored(binding('ClusterRole', 'escalator', [{ kind: 'User', name: 'bob' }]), 'e', 'a'));
    const big = newRole([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    await assert.rejects(() => g.check(bob, rbacKind('roles'), big, undefined));
    await g.check(bob, rbacKind('roles'), big, newRole([]));
  });

  test('binding a role needs its rules or the bind verb; a missing role is 404', async () => {
    const rb = (ref: string) => ({
      metadata: { name: 'rb', namespace: 'a' },
      ...binding('ClusterRole', ref, [{ kind: 'User', name: 'eve' }]),
    });
    await guard.check(bob, rbacKind('rolebindings'), rb('reader'), undefined);
    await assert.rejects(
      () => guard.check(bob, rbacKind('rolebindings'), rb('secrets'), undefined),
      (e: unknown) => isApiError(e) && e.code === 403,
    );
    await assert.rejects(
      () => guard.check(bob, rbacKind('rolebindings'), rb('nope'), undefined),
      (e: unknown) => hasReason(e, 'NotFound'),
    );
    rbac.putClusterRole(
      stored(
        role([
          {
            verbs: ['bind'],
            apiGroups: ['rbac.authorization.k8s.io'],
            resources: ['clusterroles'],
            resourceNames: ['secrets'],
          },
        ]),
        'binder',
      ),
    );
    rbac.putRoleBinding(
      stored(binding('ClusterRole', 'binder', [{ kind: 'User', name: 'bob' }]), 'binder', 'a'),
    );
    await guard.check(bob, rbacKind('rolebindings'), rb('secrets'), undefined);
  });

  test('aggregation rules need full authority; masters and other groups pass untouched', async () => {
    const agg = {
      metadata: { name: 'agg' },
      rules: [],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] },
    };
    rbac.putClusterRoleBinding(
      stored(binding('ClusterRole', 'reader', [{ kind: 'User', name: 'bob' }]), 'c'),
    );
    await assert.rejects(
      () => guard.check(bob, rbacKind('clusterroles'), agg, undefined),
      (e: unknown) =>
        isApiError(e) && /must have cluster-admin privileges to use the aggregationRule/.test(e.message),
    );
    await guard.check(
      { username: 'admin', groups: ['system:masters'] },
      rbacKind('clusterroles'),
      agg,
      undefined,
    );
    await guard.check(bob, { group: '', plural: 'roles' }, agg, undefined);
  });

  test('changing only owners or finalizers is not checked', async () => {
    const old = newRole([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    const changed = { ...old, metadata: { ...old.metadata, finalizers: ['x'] } };
    await guard.check(bob, rbacKind('roles'), changed, old);
    await assert.rejects(() =>
      guard.check(
        bob,
        rbacKind('roles'),
        { ...changed, metadata: { ...changed.metadata, labels: { a: 'b' } } },
        old,
      ),
    );
  });
});
