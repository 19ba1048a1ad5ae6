import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js';
import { reconcileBinding, reconcileRole, type BindingLike, type RoleLike } from './reconcile-decisions.js';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABEL, groupSubject, rule, userSubject } from './policy-rule.js';

const podsRead = rule(['get', 'list', 'watch'], [''], ['pods']);
const secretsRead = rule(['get'], [''], ['secrets']);
const custom = rule(['get'], ['example.com'], ['widgets']);
const defaults = {
  labels: { [BOOTSTRAP_LABEL]: 'rbac-defaults' },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
};

function expectedRole(rules: PolicyRule[], extra: Partial<RoleLike> = {}): RoleLike {
  return { metadata: { name: 'r', ...defaults }, rules, ...extra };
}

function storedRole(
  rules: PolicyRule[],
  annotations: Record<string, string> = {},
  extra: Partial<RoleLike> = {},
) {
  return {
    metadata: { name: 'r', uid: 'u1', resourceVersion: '7', labels: { ...defaults.labels }, annotations },
    rules,
    ...extra,
  } as RoleLike;
}

void describe('reconcileRole', () => {
  void test('a missing role is created as the default', () => {
    const expected = expectedRole([podsRead]);
    assert.deepEqual(reconcileRole(undefined, expected), { op: 'create', object: expected });
  });

  void test('a role that already grants everything is not written', () => {
    const stored = storedRole([podsRead, custom], { [AUTOUPDATE_ANNOTATION]: 'true' });
    assert.deepEqual(reconcileRole(stored, expectedRole([podsRead])), { op: 'none' });
  });

  void test('coverage, not equality, decides: a wildcard rule covers the default ones', () => {
    const stored = storedRole([rule(['*'], [''], ['*'])], { [AUTOUPDATE_ANNOTATION]: 'true' });
    assert.deepEqual(reconcileRole(stored, expectedRole([podsRead, secretsRead])), { op: 'none' });
  });

  void test('autoupdate true: missing rules are appended after the stored ones, which stay', () => {
    const stored = storedRole([custom], { [AUTOUPDATE_ANNOTATION]: 'true' });
    const d = reconcileRole(stored, expectedRole([podsRead, secretsRead]));
    assert.equal(d.op, 'update');
    assert.ok(d.op === 'update');
    assert.deepEqual(d.object.rules, [custom, podsRead, secretsRead]);
    assert.equal(d.object.metadata?.uid, 'u1');
    assert.equal(d.object.metadata?.resourceVersion, '7');
  });

  void test('a partly covered default rule is added whole', () => {
    const stored = storedRole([rule(['get'], [''], ['pods'])], { [AUTOUPDATE_ANNOTATION]: 'true' });
    const d = reconcileRole(stored, expectedRole([podsRead]));
    assert.ok(d.op === 'update');
    assert.deepEqual(d.object.rules, [rule(['get'], [''], ['pods']), podsRead]);
  });

  void test('missing labels and annotations are merged in; the stored values win', () => {
    const stored = {
      metadata: { name: 'r', labels: { team: 'a', [BOOTSTRAP_LABEL]: 'mine' } },
      rules: [podsRead],
    } as RoleLike;
    const d = reconcileRole(stored, expectedRole([podsRead]));
    assert.ok(d.op === 'update');
    assert.deepEqual(d.object.metadata?.labels, { team: 'a', [BOOTSTRAP_LABEL]: 'mine' });
    assert.deepEqual(d.object.metadata?.annotations, { [AUTOUPDATE_ANNOTATION]: 'true' });
  });

  void test('autoupdate false: the role is left as the user made it', () => {
    const stored: RoleLike = {
      metadata: { name: 'r', annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } },
      rules: [],
    };
    assert.deepEqual(reconcileRole(stored, expectedRole([podsRead])), { op: 'none' });
  });

  void test('aggregation selectors: missing ones are appended, a user-added one stays', () => {
    const select = (label: string) => ({ matchLabels: { [label]: 'true' } });
    const expected = expectedRole([], { aggregationRule: { clusterRoleSelectors: [select('view')] } });
    const mine = storedRole(
      [custom],
      { [AUTOUPDATE_ANNOTATION]: 'true' },
      {
        aggregationRule: { clusterRoleSelectors: [select('mine')] },
      },
    );
    const d = reconcileRole(mine, expected);
    assert.ok(d.op === 'update');
    assert.deepEqual(d.object.aggregationRule?.clusterRoleSelectors, [select('mine'), select('view')]);
    // The aggregated rules the controller wrote are not the reconciler's business.
    assert.deepEqual(d.object.rules, [custom]);

    const done = storedRole(
      [custom],
      { [AUTOUPDATE_ANNOTATION]: 'true' },
      {
        aggregationRule: { clusterRoleSelectors: [select('view')] },
      },
    );
    assert.deepEqual(reconcileRole(done, expected), { op: 'none' });
  });

  void test('an aggregation rule the default does not have is dropped', () => {
    const stored = storedRole(
      [podsRead],
      { [AUTOUPDATE_ANNOTATION]: 'true' },
      {
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] },
      },
    );
    const d = reconcileRole(stored, expectedRole([podsRead]));
    assert.ok(d.op === 'update');
    assert.equal(d.object.aggregationRule, undefined);
  });

  void test('label key order does not count as a change', () => {
    const stored: RoleLike = {
      metadata: {
        name: 'r',
        labels: { z: '1', [BOOTSTRAP_LABEL]: 'rbac-defaults' },
        annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
      },
      rules: [podsRead],
    };
    assert.deepEqual(reconcileRole(stored, expectedRole([podsRead])), { op: 'none' });
  });
});

function expectedBinding(subjects: Subject[], roleName = 'view'): BindingLike {
  return {
    metadata: { name: 'b', ...defaults },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

void describe('reconcileBinding', () => {
  const masters = groupSubject('system:masters');
  const alice = userSubject('alice');

  void test('a missing binding is created', () => {
    const expected = expectedBinding([masters]);
    assert.deepEqual(reconcileBinding(undefined, expected), { op: 'create', object: expected });
  });

  void test('missing subjects are appended; subjects a user added stay', () => {
    const stored: BindingLike = {
      ...expectedBinding([alice]),
      metadata: { name: 'b', uid: 'u', ...defaults },
    };
    const d = reconcileBinding(stored, expectedBinding([masters, alice]));
    assert.ok(d.op === 'update');
    assert.deepEqual(d.object.subjects, [alice, masters]);
    assert.equal(d.object.metadata?.uid, 'u');
  });

  void test('nothing missing: no write', () => {
    assert.deepEqual(reconcileBinding(expectedBinding([alice, masters]), expectedBinding([masters])), {
      op: 'none',
    });
  });

  void test('a different roleRef: the binding is recreated as the default', () => {
    const expected = expectedBinding([masters], 'cluster-admin');
    assert.deepEqual(reconcileBinding(expectedBinding([alice], 'view'), expected), {
      op: 'recreate',
      object: expected,
    });
  });

  void test('autoupdate false: left alone, even with another roleRef', () => {
    const stored: BindingLike = {
      ...expectedBinding([], 'view'),
      metadata: { name: 'b', annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } },
    };
    assert.deepEqual(reconcileBinding(stored, expectedBinding([masters], 'cluster-admin')), { op: 'none' });
  });
});
