import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { clusterRoleAggregationController } from '../../src/controllers/clusterroleaggregation/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let client: ApiClient;

before(async () => {
  cluster = await startTestCluster({ 'clusterrole-aggregation': clusterRoleAggregationController });
  client = cluster.client;
});
after(() => cluster.close());

const roles = () => client.resource<ClusterRole>(R.clusterRoles);
const has = (rules: PolicyRule[] | undefined, group: string, resource: string, verb: string): boolean =>
  (rules ?? []).some(
    (r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb),
  );

/** The role once its rules satisfy `ok`. */
const rulesOf = (name: string, ok: (rules: PolicyRule[] | undefined) => boolean, message: string) =>
  waitFor(
    async () => {
      const role = await roles().get('', name);
      return ok(role.rules) ? role : undefined;
    },
    { message },
  );

const WIDGETS: PolicyRule = {
  apiGroups: ['widgets.example.com'],
  resources: ['widgets'],
  verbs: ['get', 'list'],
};

test('view, edit and admin get the rules of the roles labelled for them, and of each other', async () => {
  const view = await rulesOf('view', (r) => has(r, '', 'pods', 'list'), 'view aggregated');
  assert.ok(has(view.rules, '', 'pods/log', 'get'));
  assert.ok(
    has(view.rules, 'metrics.k8s.io', 'pods', 'list'),
    'metrics from system:aggregated-metrics-reader',
  );
  assert.ok(!has(view.rules, '', 'secrets', 'get'), 'view does not read secrets');

  // edit selects aggregate-to-edit, which view itself carries: view's rules reach edit, then admin.
  const edit = await rulesOf(
    'edit',
    (r) => has(r, '', 'secrets', 'get') && has(r, '', 'pods', 'list'),
    'edit',
  );
  assert.ok(has(edit.rules, '', 'pods/exec', 'create'));
  assert.ok(!has(edit.rules, 'rbac.authorization.k8s.io', 'roles', 'create'));
  await rulesOf(
    'admin',
    (r) => has(r, 'rbac.authorization.k8s.io', 'rolebindings', 'create') && has(r, '', 'pods/exec', 'create'),
    'admin',
  );
});

test('a user role labelled aggregate-to-view joins view until the label goes', async () => {
  await roles().create({
    metadata: { name: 'widget-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
    rules: [WIDGETS],
  });
  const view = await rulesOf(
    'view',
    (r) => has(r, 'widgets.example.com', 'widgets', 'list'),
    'widgets in view',
  );
  // Once: the rule sits after the defaults (sorted by role name), and edit and admin inherit it.
  assert.equal(view.rules?.filter((r) => r.apiGroups?.includes('widgets.example.com')).length, 1);
  await rulesOf('admin', (r) => has(r, 'widgets.example.com', 'widgets', 'get'), 'widgets in admin');

  const reader = await roles().get('', 'widget-reader');
  await roles().update({ ...reader, metadata: { ...reader.metadata, labels: {} } });
  await rulesOf('view', (r) => !has(r, 'widgets.example.com', 'widgets', 'list'), 'widgets gone from view');
  await rulesOf('admin', (r) => !has(r, 'widgets.example.com', 'widgets', 'list'), 'widgets gone from admin');
});

test('a rule added to a selected role reaches the aggregate; a deleted role takes its rules along', async () => {
  await roles().create({
    metadata: { name: 'extra-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
    rules: [],
  });
  const extra = await roles().get('', 'extra-view');
  await roles().update({ ...extra, rules: [WIDGETS] });
  await rulesOf('view', (r) => has(r, 'widgets.example.com', 'widgets', 'get'), 'updated rule in view');
  await roles().delete('', 'extra-view');
  await rulesOf(
    'view',
    (r) => !has(r, 'widgets.example.com', 'widgets', 'get'),
    'deleted role gone from view',
  );
});

test('an aggregated role of a user is filled too, without its own rules', async () => {
  await roles().create({
    metadata: { name: 'team-lead', labels: { team: 'lead' } },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: 'member' } }] },
  });
  await roles().create({ metadata: { name: 'member-a', labels: { team: 'member' } }, rules: [WIDGETS] });
  const lead = await rulesOf('team-lead', (r) => (r ?? []).length === 1, 'team-lead aggregated');
  assert.deepEqual(lead.rules, [WIDGETS]);
});
