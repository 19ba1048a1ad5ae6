import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nonResourceAttributes } from './attributes.js';
import {
  compactRules,
  compactString,
  ruleAllows,
  splitServiceAccountUsername,
  subjectMatches,
  uncoveredRules,
} from './rules.js';
import type { Attributes } from './types.js';

const bob = { username: 'bob', groups: ['dev', 'system:authenticated'] };

function attrs(partial: Partial<Attributes>): Attributes {
  return {
    user: bob,
    verb: 'get',
    resourceRequest: true,
    path: '',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    subresource: '',
    namespace: 'default',
    name: '',
    ...partial,
  };
}

describe('ruleAllows', () => {
  test('verbs, groups and resources must all match; * matches any', () => {
    const rule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
    assert.equal(ruleAllows(attrs({}), rule), true);
    assert.equal(ruleAllows(attrs({ verb: 'delete' }), rule), false);
    assert.equal(ruleAllows(attrs({ apiGroup: 'apps' }), rule), false);
    assert.equal(ruleAllows(attrs({ resource: 'services' }), rule), false);
    assert.equal(
      ruleAllows(attrs({ verb: 'delete', apiGroup: 'x' }), {
        verbs: ['*'],
        apiGroups: ['*'],
        resources: ['*'],
      }),
      true,
    );
  });

  test('a subresource needs resource/sub, */sub or *', () => {
    const exec = attrs({ verb: 'create', subresource: 'exec' });
    assert.equal(ruleAllows(exec, { verbs: ['create'], apiGroups: [''], resources: ['pods'] }), false);
    assert.equal(ruleAllows(exec, { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }), true);
    assert.equal(ruleAllows(exec, { verbs: ['create'], apiGroups: [''], resources: ['*/exec'] }), true);
    assert.equal(ruleAllows(exec, { verbs: ['create'], apiGroups: [''], resources: ['*/log'] }), false);
    assert.equal(ruleAllows(exec, { verbs: ['create'], apiGroups: [''], resources: ['*'] }), true);
  });

  test('resourceNames narrow the rule to those objects', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] };
    assert.equal(ruleAllows(attrs({ name: 'a' }), rule), true);
    assert.equal(ruleAllows(attrs({ name: 'b' }), rule), false);
    assert.equal(ruleAllows(attrs({ verb: 'list' }), { ...rule, verbs: ['list'] }), false);
  });

  test('non-resource URLs: exact, * and a trailing * prefix', () => {
    const healthz = nonResourceAttributes(bob, 'GET', '/healthz/etcd');
    assert.equal(ruleAllows(healthz, { verbs: ['get'], nonResourceURLs: ['/healthz'] }), false);
    assert.equal(ruleAllows(healthz, { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }), true);
    assert.equal(ruleAllows(healthz, { verbs: ['get'], nonResourceURLs: ['*'] }), true);
    assert.equal(ruleAllows(healthz, { verbs: ['post'], nonResourceURLs: ['*'] }), false);
    // A resource rule never grants a path.
    assert.equal(ruleAllows(healthz, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), false);
  });
});

describe('subjectMatches', () => {
  test('users by name, groups by membership, service accounts by namespace and name', () => {
    const sa = { username: 'system:serviceaccount:ci:builder', groups: [] };
    assert.equal(subjectMatches(bob, { kind: 'User', name: 'bob' }, ''), true);
    assert.equal(subjectMatches(bob, { kind: 'Group', name: 'dev' }, ''), true);
    assert.equal(subjectMatches(bob, { kind: 'Group', name: 'ops' }, ''), false);
    assert.equal(subjectMatches(sa, { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }, ''), true);
    // Without a namespace the binding's own is meant; a ClusterRoleBinding has none, so nobody matches.
    assert.equal(subjectMatches(sa, { kind: 'ServiceAccount', name: 'builder' }, 'ci'), true);
    assert.equal(subjectMatches(sa, { kind: 'ServiceAccount', name: 'builder' }, ''), false);
    assert.equal(subjectMatches(sa, { kind: 'ServiceAccount', name: 'builder' }, 'other'), false);
  });

  test('service account user names split into namespace and name', () => {
    assert.deepEqual(splitServiceAccountUsername('system:serviceaccount:ci:builder'), {
      namespace: 'ci',
      name: 'builder',
    });
    assert.equal(splitServiceAccountUsername('system:serviceaccount:ci'), undefined);
    assert.equal(splitServiceAccountUsername('bob'), undefined);
  });
});

describe('uncoveredRules', () => {
  test('every verb, group, resource and name of the servant must be held', () => {
    const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'services'] }];
    assert.deepEqual(uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), []);
    assert.deepEqual(
      uncoveredRules(owner, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]),
      [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }],
    );
  });

  test('named owner rules cover those names only; unnamed cover all', () => {
    const named = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
    assert.equal(uncoveredRules(named, [{ ...named[0]!, resourceNames: ['a'] }]).length, 0);
    assert.equal(uncoveredRules(named, [{ ...named[0]!, resourceNames: ['b'] }]).length, 1);
    assert.equal(
      uncoveredRules(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).length,
      1,
    );
  });

  test('* in the owner covers anything, but a servant * needs an owner *', () => {
    const all = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }];
    assert.equal(
      uncoveredRules(all, [{ verbs: ['delete'], apiGroups: ['apps'], resources: ['deployments'] }]).length,
      0,
    );
    assert.equal(
      uncoveredRules(
        [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
        [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }],
      ).length,
      1,
    );
    assert.equal(uncoveredRules(all, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]).length, 1);
  });
});

describe('uncoveredRules, subresources and paths', () => {
  test('non-resource URLs are held verb by verb', () => {
    const owner = [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }];
    assert.equal(uncoveredRules(owner, [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]).length, 0);
    assert.deepEqual(uncoveredRules(owner, [{ verbs: ['*'], nonResourceURLs: ['/healthz'] }]), [
      { verbs: ['*'], nonResourceURLs: ['/healthz'] },
    ]);
    assert.equal(
      uncoveredRules(owner, [{ verbs: ['get', 'post'], nonResourceURLs: ['/healthz'] }]).length,
      1,
    );
  });

  test('an any-resource subresource and a URL prefix cover what they name', () => {
    const owner = [
      { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] },
      { verbs: ['get'], nonResourceURLs: ['/logs/*'] },
    ];
    assert.equal(
      uncoveredRules(owner, [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }])
        .length,
      0,
    );
    assert.equal(
      uncoveredRules(owner, [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }]).length,
      1,
    );
    assert.equal(uncoveredRules(owner, [{ verbs: ['get'], nonResourceURLs: ['/logs/kube'] }]).length, 0);
    assert.equal(uncoveredRules(owner, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]).length, 1);
  });
});

describe('compactString', () => {
  test('prints rules as upstream, verbs of one resource merged', () => {
    const missing = compactRules([
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
    ]);
    assert.deepEqual(missing.map(compactString), [
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}',
    ]);
  });
});
