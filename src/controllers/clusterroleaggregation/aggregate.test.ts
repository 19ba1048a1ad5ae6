import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { aggregatedRules, aggregatorsSelecting, sameRules } from './aggregate.js';

const VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';
const r = (verb: string, resource: string): PolicyRule => ({
  apiGroups: [''],
  resources: [resource],
  verbs: [verb],
});

function role(name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  return { metadata: { name, ...(labels ? { labels } : {}) }, rules };
}

function aggregator(
  name: string,
  selectors: Record<string, string>[],
  labels?: Record<string, string>,
): ClusterRole {
  return {
    metadata: { name, ...(labels ? { labels } : {}) },
    aggregationRule: { clusterRoleSelectors: selectors.map((matchLabels) => ({ matchLabels })) },
  };
}

test('union of the selected roles: sorted by name, rules in order, duplicates dropped', () => {
  const view = aggregator('view', [{ [VIEW]: 'true' }]);
  const roles = [
    view,
    role('zeta', [r('get', 'pods'), r('list', 'pods')], { [VIEW]: 'true' }),
    role('alpha', [r('get', 'services'), r('get', 'pods')], { [VIEW]: 'true' }),
    role('unlabelled', [r('get', 'secrets')]),
    role('other-value', [r('get', 'nodes')], { [VIEW]: 'false' }),
  ];
  assert.deepEqual(aggregatedRules(view, roles), [r('get', 'services'), r('get', 'pods'), r('list', 'pods')]);
});

test('selectors in order; a role matched by two selectors contributes once', () => {
  const agg = aggregator('agg', [{ b: 'true' }, { a: 'true' }]);
  const roles = [
    agg,
    role('one', [r('get', 'a')], { a: 'true' }),
    role('two', [r('get', 'b')], { a: 'true', b: 'true' }),
  ];
  assert.deepEqual(aggregatedRules(agg, roles), [r('get', 'b'), r('get', 'a')]);
});

test('the role never aggregates itself, even when its labels match its own selector', () => {
  const self = { ...aggregator('self', [{ x: 'y' }], { x: 'y' }), rules: [r('delete', 'pods')] };
  assert.deepEqual(aggregatedRules(self, [self, role('src', [r('get', 'pods')], { x: 'y' })]), [
    r('get', 'pods'),
  ]);
});

test('rules compare as upstream: empty and absent lists are the same', () => {
  const a: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: [] };
  const b: PolicyRule = { verbs: ['get'], resources: ['pods'], apiGroups: [''] };
  assert.ok(sameRules([a], [b]));
  assert.ok(!sameRules([a], [b, b]));
  assert.ok(!sameRules([a], [{ ...b, verbs: ['list'] }]));
  const agg = aggregator('agg', [{ a: 'true' }]);
  assert.deepEqual(
    aggregatedRules(agg, [agg, role('x', [a], { a: 'true' }), role('y', [b], { a: 'true' })]),
    [a],
  );
});

test('aggregators selecting a role by its labels', () => {
  const roles = [
    aggregator('view', [{ [VIEW]: 'true' }]),
    aggregator('edit', [{ e: 'true' }]),
    role('plain', []),
  ];
  assert.deepEqual(aggregatorsSelecting({ [VIEW]: 'true' }, roles), ['view']);
  assert.deepEqual(aggregatorsSelecting(undefined, roles), []);
});
