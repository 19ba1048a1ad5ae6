import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { clusterRoleBindingStrategy as crb, roleBindingStrategy as rb } from './rbac-bindings.js';
import { clusterRoleStrategy, roleStrategy } from './rbac-roles.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

void describe('Role and ClusterRole', () => {
  const cases: [string, unknown, string[]][] = [
    ['valid', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, []],
    [
      'resource names need a single resource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods', 'services'], resourceNames: ['x'] },
      ['rules[0].resourceNames: Required value: resource names cannot apply to multiple resources'],
    ],
    [
      'verbs required',
      { apiGroups: [''], resources: ['pods'] },
      ['rules[0].verbs: Required value: verbs must contain at least one value'],
    ],
    [
      'groups and resources required',
      { verbs: ['get'] },
      [
        'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[0].resources: Required value: resource rules must supply at least one resource',
      ],
    ],
    [
      'no non-resource URLs in namespaced rules',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      [
        'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
      ],
    ],
  ];
  for (const [name, rule, want] of cases) {
    void test(name, () => assert.deepEqual(lines(roleStrategy.validate?.({ rules: [rule] })), want));
  }

  void test('cluster roles may use non-resource URLs, not mixed with resources', () => {
    assert.deepEqual(
      lines(clusterRoleStrategy.validate?.({ rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] })),
      [],
    );
    assert.deepEqual(
      lines(
        clusterRoleStrategy.validate?.({
          rules: [{ verbs: ['get'], nonResourceURLs: ['/x'], resources: ['pods'] }],
        }),
      ),
      [
        'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
      ],
    );
  });

  void test('aggregation rule needs selectors', () => {
    assert.deepEqual(lines(clusterRoleStrategy.validate?.({ aggregationRule: {} })), [
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
  });
});

void describe('RoleBinding and ClusterRoleBinding', () => {
  const binding = (extra: Record<string, unknown> = {}): KubeObject => ({
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'ns' },
    ],
    ...extra,
  });

  void test('apiGroup defaults', () => {
    const obj = binding();
    rb.defaults?.(obj);
    assert.deepEqual(obj.roleRef, {
      kind: 'ClusterRole',
      name: 'view',
      apiGroup: 'rbac.authorization.k8s.io',
    });
    assert.deepEqual(obj.subjects, [
      { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'ns' },
    ]);
    assert.deepEqual(lines(rb.validate?.(obj)), []);
  });

  const cases: [string, KubeObject, string[]][] = [
    ['roleRef name required', binding({ roleRef: { kind: 'Role' } }), ['roleRef.name: Required value']],
    [
      'roleRef kind',
      binding({ roleRef: { kind: 'Thing', name: 'x' } }),
      ['roleRef.kind: Unsupported value: "Thing": supported values: "Role", "ClusterRole"'],
    ],
    [
      'subject kind',
      binding({ subjects: [{ kind: 'Robot', name: 'r2' }] }),
      ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'],
    ],
    [
      'user name required',
      binding({ subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io' }] }),
      ['subjects[0].name: Required value', 'subjects[0].name: Invalid value: "": user name cannot be empty'],
    ],
    [
      'service account apiGroup',
      binding({ subjects: [{ kind: 'ServiceAccount', name: 'sa', apiGroup: 'rbac.authorization.k8s.io' }] }),
      ['subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""'],
    ],
  ];
  for (const [name, obj, want] of cases) {
    void test(name, () => {
      rb.defaults?.(obj);
      assert.deepEqual(lines(rb.validate?.(obj)), want);
    });
  }

  void test('cluster bindings: ClusterRole only, SA namespace required', () => {
    const obj = binding({
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa' }],
    });
    crb.defaults?.(obj);
    assert.deepEqual(lines(crb.validate?.(obj)), [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
    ]);
  });

  void test('roleRef is immutable', () => {
    const old = binding();
    rb.defaults?.(old);
    const next = binding({ roleRef: { kind: 'ClusterRole', name: 'edit' } });
    rb.defaults?.(next);
    assert.deepEqual(lines(rb.validateUpdate?.(next, old)), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
    assert.deepEqual(lines(rb.validateUpdate?.(structuredClone(old), old)), []);
  });
});
