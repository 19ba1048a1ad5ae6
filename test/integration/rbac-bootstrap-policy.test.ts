import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role } from 'kubernetes-types/rbac/v1.js';
import { ApiClient, R, type ResourceType } from '../../src/client/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

const rbac = (resource: string, kind: string, namespaced: boolean): ResourceType => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource,
  kind,
  namespaced,
});
const KINDS = [
  R.clusterRoles,
  rbac('clusterrolebindings', 'ClusterRoleBinding', false),
  rbac('roles', 'Role', true),
  rbac('rolebindings', 'RoleBinding', true),
];
const [CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, ROLES] = KINDS as [ResourceType, ResourceType, ResourceType];
const BOOTSTRAPPING = 'kubernetes.io/bootstrapping';
const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';

const store = new MemoryStore();
let running: { server: TestServer; client: ApiClient } | undefined;

/** Starts (or restarts) the API server over the same store. */
async function start(): Promise<ApiClient> {
  await stop();
  const server = await startTestServer({ store });
  running = { server, client: new ApiClient({ server: server.url }) };
  return running.client;
}

async function stop(): Promise<void> {
  if (!running) return;
  running.client.close();
  await running.server.server.close();
  rmSync(running.server.dir, { recursive: true, force: true });
  running = undefined;
}

after(async () => {
  await stop();
  await store.close();
});

/** `kind namespace/name` → resourceVersion of every RBAC object. */
async function versions(client: ApiClient): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const kind of KINDS) {
    for (const o of (await client.resource(kind).listAll()).items) {
      out.set(
        `${kind.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`,
        o.metadata?.resourceVersion ?? '',
      );
    }
  }
  return out;
}

const grants = (rules: PolicyRule[] | undefined, verb: string, resource: string): boolean =>
  (rules ?? []).some(
    (r) => r.apiGroups?.includes('') && r.resources?.includes(resource) && r.verbs.includes(verb),
  );

test('the default policy exists after start, labelled and annotated', async () => {
  const client = await start();
  for (const name of [
    'cluster-admin',
    'admin',
    'edit',
    'view',
    'system:discovery',
    'system:aggregate-to-view',
  ]) {
    const role = await client.resource<ClusterRole>(CLUSTER_ROLES).get('', name);
    assert.equal(role.metadata?.labels?.[BOOTSTRAPPING], 'rbac-defaults', name);
    assert.equal(role.metadata?.annotations?.[AUTOUPDATE], 'true', name);
  }
  const binding = await client.resource<ClusterRoleBinding>(CLUSTER_ROLE_BINDINGS).get('', 'cluster-admin');
  assert.equal(binding.metadata?.labels?.[BOOTSTRAPPING], 'rbac-defaults');
  assert.deepEqual(binding.roleRef, {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'cluster-admin',
  });
  assert.deepEqual(binding.subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
  ]);

  const toView = await client.resource<ClusterRole>(CLUSTER_ROLES).get('', 'system:aggregate-to-view');
  for (const verb of ['get', 'list', 'watch']) assert.ok(grants(toView.rules, verb, 'pods'), verb);
  assert.ok(!grants(toView.rules, 'get', 'secrets'));
  const toEdit = await client.resource<ClusterRole>(CLUSTER_ROLES).get('', 'system:aggregate-to-edit');
  assert.ok(grants(toEdit.rules, 'get', 'secrets'));
  assert.ok(grants(toEdit.rules, 'create', 'pods/exec'));

  const leaderLocking = await client
    .resource<Role>(ROLES)
    .get('kube-system', 'system::leader-locking-kube-scheduler');
  assert.equal(leaderLocking.metadata?.labels?.[BOOTSTRAPPING], 'rbac-defaults');
});

test('a restart over the same store writes nothing', async () => {
  const before = await versions(running!.client);
  assert.ok(before.size > 80, `${before.size} RBAC objects`);
  const client = await start();
  assert.deepEqual(await versions(client), before);
});

test('a restart restores what users took from default objects, keeps what they added, and respects autoupdate false', async () => {
  let client = running!.client;
  const roles = () => client.resource<ClusterRole>(CLUSTER_ROLES);
  const bindings = () => client.resource<ClusterRoleBinding>(CLUSTER_ROLE_BINDINGS);

  // A user drops the pods rule from system:aggregate-to-view and adds one of their own.
  const toView = await roles().get('', 'system:aggregate-to-view');
  const mine: PolicyRule = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] };
  const kept = (toView.rules ?? []).filter((r) => !r.resources?.includes('pods'));
  assert.equal(kept.length, (toView.rules ?? []).length - 1);
  await roles().update({ ...toView, rules: [...kept, mine] });
  // Another opts system:heapster out of reconciliation and narrows it.
  const heapster = await roles().get('', 'system:heapster');
  const narrowed: PolicyRule[] = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }];
  await roles().update({
    ...heapster,
    metadata: { ...heapster.metadata, annotations: { [AUTOUPDATE]: 'false' } },
    rules: narrowed,
  });
  // A third binds system:kube-dns to another role (roleRef is immutable: delete and create).
  await bindings().delete('', 'system:kube-dns');
  const replaced = await bindings().create({
    metadata: { name: 'system:kube-dns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dns' }],
  });
  // And deletes a namespaced default role.
  await client.resource(ROLES).delete('kube-system', 'extension-apiserver-authentication-reader');

  client = await start();
  const restored = await roles().get('', 'system:aggregate-to-view');
  for (const verb of ['get', 'list', 'watch']) assert.ok(grants(restored.rules, verb, 'pods'), verb);
  assert.ok(
    restored.rules?.some((r) => r.apiGroups?.includes('example.com')),
    'the rule the user added stays',
  );
  const untouched = await roles().get('', 'system:heapster');
  assert.deepEqual(untouched.rules, narrowed);
  assert.equal(untouched.metadata?.annotations?.[AUTOUPDATE], 'false');
  const dns = await bindings().get('', 'system:kube-dns');
  assert.equal(dns.roleRef.name, 'system:kube-dns');
  assert.notEqual(dns.metadata?.uid, replaced.metadata?.uid);
  assert.deepEqual(dns.subjects, [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }]);
  await client.resource(ROLES).get('kube-system', 'extension-apiserver-authentication-reader');

  // Reconciled once, the next restart writes nothing again.
  const reconciled = await versions(client);
  client = await start();
  assert.deepEqual(await versions(client), reconciled);
});
