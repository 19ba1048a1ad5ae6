/**
 * `kubectl set env/resources/serviceaccount/selector/subject` with the real kubectl against an in-process API
 * server: each is a client-side edit sent as a strategic merge patch, so the objects read back must carry it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { R } from '../../src/client/index.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kubectlWith, type KubeconfigKubectl } from '../helpers/kubectl.js';

let cluster: TestCluster;
let k: KubeconfigKubectl;

before(async () => {
  cluster = await startTestCluster({});
  k = kubectlWith(cluster.server.kubeconfig);
});
after(async () => {
  await cluster.close();
  k.close();
});

const ok = (...args: string[]): Promise<string> => k.ok(...args);

const container = async () =>
  (await cluster.client.resource<Deployment>(R.deployments).get('default', 'web')).spec?.template.spec
    ?.containers[0];

test('set env: literal values, from a ConfigMap with a prefix, listed, and removed', async () => {
  await ok('create', 'deployment', 'web', '--image=nginx');
  await ok('create', 'configmap', 'settings', '--from-literal=mode=fast', '--from-literal=level=3');
  assert.match(
    await ok('set', 'env', 'deployment/web', 'FOO=bar', 'LOG=debug'),
    /deployment.apps\/web env updated/,
  );
  await ok('set', 'env', 'deployment/web', '--from=configmap/settings', '--prefix=APP_');
  assert.deepEqual((await container())?.env, [
    { name: 'FOO', value: 'bar' },
    { name: 'LOG', value: 'debug' },
    { name: 'APP_LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } },
    { name: 'APP_MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
  ]);
  const listed = await ok('set', 'env', 'deployment/web', '--list');
  assert.match(listed, /^# Deployment web, container nginx$/m);
  assert.match(listed, /^FOO=bar$/m);
  assert.match(listed, /^# APP_MODE from configmap settings, key mode$/m);
  await ok('set', 'env', 'deployment/web', 'FOO-', 'APP_LEVEL-');
  assert.deepEqual(
    (await container())?.env?.map((e) => e.name),
    ['LOG', 'APP_MODE'],
  );
});

test('set resources and set serviceaccount change the pod template (a new generation)', async () => {
  const before = (await cluster.client.resource<Deployment>(R.deployments).get('default', 'web')).metadata
    ?.generation;
  assert.match(
    await ok(
      'set',
      'resources',
      'deployment',
      'web',
      '--limits=cpu=200m,memory=512Mi',
      '--requests=cpu=100m',
    ),
    /resource requirements updated/,
  );
  assert.deepEqual((await container())?.resources, {
    limits: { cpu: '200m', memory: '512Mi' },
    requests: { cpu: '100m' },
  });
  await ok('create', 'serviceaccount', 'bot');
  assert.match(await ok('set', 'serviceaccount', 'deployment', 'web', 'bot'), /serviceaccount updated/);
  const d = await cluster.client.resource<Deployment>(R.deployments).get('default', 'web');
  assert.equal(d.spec?.template.spec?.serviceAccountName, 'bot');
  assert.equal(d.metadata?.generation, (before ?? 0) + 2);
  // A request above its limit is the server's 422, as kubectl prints it.
  const bad = await k.run('set', 'resources', 'deployment', 'web', '--requests=cpu=2', '--limits=cpu=1');
  assert.notEqual(bad.code, 0);
  assert.equal(
    bad.stderr,
    'error: failed to patch resources update to pod template Deployment.apps "web" is invalid: ' +
      'spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1\n',
  );
});

test('set selector replaces a Service selector; set subject adds subjects to a RoleBinding', async () => {
  await ok('create', 'service', 'clusterip', 'web', '--tcp=80:8080');
  assert.match(await ok('set', 'selector', 'service', 'web', 'app=web2,tier=front'), /selector updated/);
  const svc = await cluster.client.resource<Service>(R.services).get('default', 'web');
  assert.deepEqual(svc.spec?.selector, { app: 'web2', tier: 'front' });

  await ok('create', 'rolebinding', 'readers', '--clusterrole=view', '--user=alice');
  assert.match(
    await ok('set', 'subject', 'rolebinding', 'readers', '--serviceaccount=default:bot', '--group=auditors'),
    /subjects updated/,
  );
  const rb = JSON.parse(await ok('get', 'rolebinding', 'readers', '-o', 'json')) as RoleBinding;
  assert.deepEqual(rb.subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' },
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'auditors' },
    { kind: 'ServiceAccount', name: 'bot', namespace: 'default' },
  ]);
});
