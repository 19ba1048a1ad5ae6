import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
});
after(async () => {
  await s?.stop();
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

/** The PolicyRule row of `kubectl describe` for a resource: its columns split on runs of spaces. */
const ruleRow = (describe: string, resource: string): string | undefined =>
  describe.split('\n').find((line) => line.trim().split(/\s{2,}/)[0] === resource);

test('kubectl get clusterroles lists the default roles', async () => {
  const names = (await ok('get', 'clusterroles', '-o', 'name')).split('\n');
  for (const name of ['admin', 'edit', 'view', 'cluster-admin', 'system:discovery']) {
    assert.ok(names.includes(`clusterrole.rbac.authorization.k8s.io/${name}`), name);
  }
  const binding = await ok('get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide');
  assert.match(binding, /ClusterRole\/cluster-admin\s+\S+\s+system:masters/);
});

test('kubectl describe clusterrole view shows the aggregated rules', async () => {
  const view = await waitFor(
    async () => {
      const out = await ok('describe', 'clusterrole', 'view');
      return ruleRow(out, 'pods') ? out : undefined;
    },
    { message: 'view aggregated', timeoutMs: 20_000 },
  );
  assert.match(view, /^Labels:\s+kubernetes\.io\/bootstrapping=rbac-defaults$/m);
  assert.match(ruleRow(view, 'pods') ?? '', /\[get list watch\]$/);
  assert.match(ruleRow(view, 'deployments.apps') ?? '', /\[get list watch\]$/);
  assert.match(ruleRow(view, 'pods.metrics.k8s.io') ?? '', /\[get list watch\]$/);
  assert.equal(ruleRow(view, 'secrets'), undefined);

  // `kubectl create clusterrole` would check the resource against discovery: applied from a manifest instead.
  const manifest = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: widget-reader }
rules: [{ apiGroups: [example.com], resources: [widgets], verbs: [get, list] }]
`;
  expectOk(await s.kubectl(['apply', '-f', '-'], { input: manifest }), 'kubectl apply widget-reader');
  await ok('label', 'clusterrole', 'widget-reader', 'rbac.authorization.k8s.io/aggregate-to-view=true');
  const withWidgets = await waitFor(
    async () => ruleRow(await ok('describe', 'clusterrole', 'view'), 'widgets.example.com'),
    { message: 'widgets in view', timeoutMs: 20_000 },
  );
  assert.match(withWidgets, /\[get list\]$/);
});
