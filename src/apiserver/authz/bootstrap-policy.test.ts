import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { builtinControllers } from '../../controllers/registry.js';
import { aliasesByResource } from '../registry/conversion/index.js';
import { buildResourceDefs, Registry } from '../registry/index.js';
import { AGGREGATE_TO_EDIT, AGGREGATE_TO_VIEW } from './bootstrap-aggregated-roles.js';
import { bootstrapPolicy } from './bootstrap-policy.js';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABEL } from './policy-rule.js';
import { rulesCover } from './rules.js';

const policy = bootstrapPolicy();
const clusterRole = (name: string): ClusterRole => {
  const found = policy.clusterRoles.find((r) => r.metadata?.name === name);
  assert.ok(found, `cluster role ${name}`);
  return found;
};
const grants = (rules: PolicyRule[], verb: string, group: string, resource: string): boolean =>
  rulesCover(rules, { verbs: [verb], apiGroups: [group], resources: [resource] });

test('every default object is labelled and annotated, and names are unique per kind and namespace', () => {
  const all = [
    ...policy.clusterRoles,
    ...policy.clusterRoleBindings,
    ...policy.roles,
    ...policy.roleBindings,
  ];
  for (const o of all) {
    assert.equal(o.metadata?.labels?.[BOOTSTRAP_LABEL], 'rbac-defaults', o.metadata?.name);
    assert.equal(o.metadata?.annotations?.[AUTOUPDATE_ANNOTATION], 'true', o.metadata?.name);
    assert.equal(o.apiVersion, 'rbac.authorization.k8s.io/v1');
  }
  for (const list of [policy.clusterRoles, policy.clusterRoleBindings, policy.roles, policy.roleBindings]) {
    const keys = list.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
    assert.equal(new Set(keys).size, keys.length);
  }
});

test('bindings name default roles; cluster-admin goes to system:masters', () => {
  const clusterRoles = new Set(policy.clusterRoles.map((r) => r.metadata?.name));
  for (const b of policy.clusterRoleBindings) assert.ok(clusterRoles.has(b.roleRef.name), b.roleRef.name);
  const roles = new Set(policy.roles.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`));
  for (const b of policy.roleBindings) {
    assert.ok(roles.has(`${b.metadata?.namespace}/${b.roleRef.name}`), b.metadata?.name);
  }
  const admin = policy.clusterRoleBindings.find((b) => b.metadata?.name === 'cluster-admin');
  assert.deepEqual(admin?.subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
  ]);
});

test('view reads workloads but not secrets; edit adds secrets, exec and writes; admin adds RBAC', () => {
  const view = clusterRole('system:aggregate-to-view').rules!;
  for (const verb of ['get', 'list', 'watch']) {
    for (const r of ['pods', 'pods/log', 'pods/status', 'services', 'endpoints', 'configmaps']) {
      assert.ok(grants(view, verb, '', r), `view ${verb} ${r}`);
    }
    assert.ok(grants(view, verb, 'apps', 'deployments'));
  }
  assert.ok(!grants(view, 'get', '', 'secrets'));
  assert.ok(!grants(view, 'create', '', 'pods'));
  assert.ok(!grants(view, 'get', '', 'pods/exec'));

  const edit = clusterRole('system:aggregate-to-edit').rules!;
  for (const r of ['pods/exec', 'pods/attach', 'pods/portforward'])
    assert.ok(grants(edit, 'create', '', r), r);
  assert.ok(grants(edit, 'get', '', 'secrets'));
  for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) {
    assert.ok(grants(edit, verb, 'apps', 'deployments'), verb);
  }
  assert.ok(!grants(edit, 'create', 'rbac.authorization.k8s.io', 'roles'));

  const admin = clusterRole('system:aggregate-to-admin').rules!;
  assert.ok(grants(admin, 'create', 'rbac.authorization.k8s.io', 'rolebindings'));
  assert.ok(grants(admin, 'create', 'authorization.k8s.io', 'localsubjectaccessreviews'));

  // The aggregated roles select them, and each other, as upstream's labels say.
  assert.equal(clusterRole('view').metadata?.labels?.[AGGREGATE_TO_EDIT], 'true');
  assert.deepEqual(clusterRole('view').aggregationRule?.clusterRoleSelectors, [
    { matchLabels: { [AGGREGATE_TO_VIEW]: 'true' } },
  ]);
  assert.equal(clusterRole('view').rules, undefined);
  const metrics = clusterRole('system:aggregated-metrics-reader');
  assert.equal(metrics.metadata?.labels?.[AGGREGATE_TO_VIEW], 'true');
  assert.ok(grants(metrics.rules!, 'list', 'metrics.k8s.io', 'pods'));
});

/** Resources upstream's rules name in groups Tugboat serves, which Tugboat does not serve (yet). */
const NAMED_BUT_NOT_SERVED = new Set([
  '/bindings',
  '/nodes/log',
  '/nodes/metrics',
  '/nodes/stats',
  '/pods/finalizers',
  '/replicationcontrollers/finalizers',
  '/services/finalizers',
  'apps/daemonsets/finalizers',
  'apps/deployments/finalizers',
  'apps/deployments/rollback',
  'apps/replicasets/finalizers',
  'apps/statefulsets/finalizers',
  'batch/cronjobs/finalizers',
  'batch/jobs/finalizers',
  // Not served upstream either: names for authorization checks of the certificate controllers and admission.
  'certificates.k8s.io/certificatesigningrequests/nodeclient',
  'certificates.k8s.io/certificatesigningrequests/selfnodeclient',
  'certificates.k8s.io/signers',
  'extensions/daemonsets/finalizers',
  'extensions/deployments/finalizers',
  'extensions/deployments/rollback',
  'extensions/replicasets/finalizers',
  'extensions/replicationcontrollers/scale',
  'storage.k8s.io/csidrivers',
  'storage.k8s.io/csinodes',
  'storage.k8s.io/csistoragecapacities',
  'storage.k8s.io/volumeattachments',
]);

test('rules for the built-in kinds name resources as Tugboat serves them', () => {
  const registry = new Registry(buildResourceDefs({ aliases: aliasesByResource }));
  const served = new Set<string>(['metrics.k8s.io/pods', 'metrics.k8s.io/nodes']);
  const groups = new Set<string>(['metrics.k8s.io']);
  for (const def of registry.defs) {
    for (const group of [def.group, ...(def.aliases ?? []).map((a) => a.group)]) {
      groups.add(group);
      served.add(`${group}/${def.plural}`);
      for (const sub of def.subresources ?? []) served.add(`${group}/${def.plural}/${sub}`);
    }
  }
  const rules = [...policy.clusterRoles, ...policy.roles].flatMap((r) => r.rules ?? []);
  const unknown = new Set<string>();
  for (const r of rules) {
    for (const group of r.apiGroups ?? []) {
      if (!groups.has(group)) continue;
      for (const resource of r.resources ?? []) {
        if (resource.includes('*')) continue;
        const key = `${group}/${resource}`;
        if (!served.has(key) && !NAMED_BUT_NOT_SERVED.has(key)) unknown.add(key);
      }
    }
  }
  assert.deepEqual([...unknown], []);
  assert.deepEqual(
    [...NAMED_BUT_NOT_SERVED].filter((key) => served.has(key)),
    [],
    'listed as not served, but served',
  );
});

/** The service account each Tugboat controller would run as under upstream's per-controller credentials. */
const CONTROLLER_IDENTITY: Record<string, string | undefined> = {
  'garbage-collector': 'generic-garbage-collector',
  namespace: 'namespace-controller',
  serviceaccount: 'service-account-controller',
  // Upstream runs the tokens controller with the controller-manager's own credentials.
  'serviceaccount-token': undefined,
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  csrsigning: 'certificate-controller',
  csrcleaner: 'certificate-controller',
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  deployment: 'deployment-controller',
  daemonset: 'daemon-set-controller',
  statefulset: 'statefulset-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  'ttl-after-finished': 'ttl-after-finished-controller',
  'horizontal-pod-autoscaler': 'horizontal-pod-autoscaler',
  disruption: 'disruption-controller',
  endpoint: 'endpoint-controller',
  endpointslice: 'endpointslice-controller',
  'node-ipam-controller': 'node-controller',
  'node-lifecycle': 'node-controller',
  'taint-eviction-controller': 'node-controller',
  podgc: 'pod-garbage-collector',
  resourcequota: 'resourcequota-controller',
  'persistentvolume-binder': 'persistent-volume-binder',
  'local-path-provisioner': 'local-path-provisioner',
  'ephemeral-volume-controller': 'ephemeral-volume-controller',
  'pvc-protection': 'pvc-protection-controller',
  'pv-protection': 'pv-protection-controller',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'service-lb': 'service-lb-controller',
  'cluster-dns-service': 'cluster-dns-service-controller',
};

test('every controller Tugboat runs has its system:controller role, bound to its service account', () => {
  for (const controller of Object.keys(builtinControllers)) {
    assert.ok(controller in CONTROLLER_IDENTITY, `identity of controller ${controller}`);
    const account = CONTROLLER_IDENTITY[controller];
    if (!account) continue;
    clusterRole(`system:controller:${account}`);
    const binding = policy.clusterRoleBindings.find(
      (b) => b.metadata?.name === `system:controller:${account}`,
    );
    assert.deepEqual(binding?.subjects, [
      { kind: 'ServiceAccount', name: account, namespace: 'kube-system' },
    ]);
  }
});
