/**
 * `kind: List` manifests (what `kubectl get -o yaml` prints): kubectl validates them client-side against
 * `/openapi/v2`, and client-side apply then computes its patches from the v2 schemas.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectOk, startServerProcess, type KubectlVersion, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let dir: string;
const ns = `list-e2e-${process.pid}`;

before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  dir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-list-'));
  await ok('create', 'namespace', ns);
});
after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ok(...args: string[]): Promise<string> {
  return expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface ListOptions {
  prefix: string;
  image?: string;
  value?: string;
  /** Extra YAML lines inside the Deployment spec (indented by the caller). */
  deploymentSpecExtra?: string;
  sidecar?: boolean;
}

const SIDECAR = `        - name: sidecar
          image: busybox
`;

const list = ({
  prefix,
  image = 'nginx:1.25',
  value = 'one',
  deploymentSpecExtra = '',
  sidecar = true,
}: ListOptions): string => `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: ${prefix}-config
    namespace: ${ns}
  data:
    mode: ${value}
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ${prefix}-web
    namespace: ${ns}
  spec:
    replicas: 1
${deploymentSpecExtra}    selector:
      matchLabels:
        app: ${prefix}
    template:
      metadata:
        labels:
          app: ${prefix}
      spec:
        containers:
        - name: web
          image: ${image}
          ports:
          - containerPort: 80
          resources:
            limits:
              cpu: 100m
              memory: 64Mi
${sidecar ? SIDECAR : ''}- apiVersion: v1
  kind: Service
  metadata:
    name: ${prefix}-web
    namespace: ${ns}
  spec:
    selector:
      app: ${prefix}
    ports:
    - port: 80
      targetPort: http
- apiVersion: v1
  kind: Secret
  metadata:
    name: ${prefix}-secret
    namespace: ${ns}
  stringData:
    password: hunter2
`;

describe('kubectl with kind: List manifests', () => {
  test('apply -f creates every item, then applies changes', async () => {
    const path = file('apply.yaml', list({ prefix: 'apply' }));
    const out = await ok('apply', '-f', path);
    for (const line of [
      'configmap/apply-config created',
      'deployment.apps/apply-web created',
      'service/apply-web created',
      'secret/apply-secret created',
    ]) {
      assert.ok(out.includes(line), out);
    }
    assert.equal(await ok('get', 'cm', 'apply-config', '-n', ns, '-o', 'jsonpath={.data.mode}'), 'one');

    const again = await ok('apply', '-f', file('apply2.yaml', list({ prefix: 'apply', value: 'two' })));
    assert.match(again, /configmap\/apply-config configured/);
    assert.match(again, /deployment\.apps\/apply-web unchanged/);
    assert.equal(await ok('get', 'cm', 'apply-config', '-n', ns, '-o', 'jsonpath={.data.mode}'), 'two');
  });

  test('client-side apply patches containers by name (the v2 merge keys): removes one, keeps live env', async () => {
    await ok('apply', '-f', file('merge.yaml', list({ prefix: 'merge' })));
    await ok('set', 'env', 'deployment/merge-web', '-n', ns, '-c', 'web', 'ADDED_LIVE=1');
    // Dropping the sidecar from the manifest needs a `$patch: delete` keyed by name: without the merge key
    // kubectl would send the list whole, and our server (merging containers by name) would keep the sidecar.
    await ok(
      'apply',
      '-f',
      file('merge2.yaml', list({ prefix: 'merge', image: 'nginx:1.26', sidecar: false })),
    );
    const containers = JSON.parse(
      await ok('get', 'deployment', 'merge-web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers}'),
    ) as Array<{ name: string; image: string; env?: Array<{ name: string; value: string }> }>;
    assert.deepEqual(
      containers.map((c) => c.name),
      ['web'],
    );
    assert.equal(containers[0]?.image, 'nginx:1.26');
    assert.deepEqual(containers[0]?.env, [{ name: 'ADDED_LIVE', value: '1' }]);
  });

  test('create -f creates every item; a second create reports AlreadyExists', async () => {
    const path = file('create.yaml', list({ prefix: 'create' }));
    const out = await ok('create', '-f', path);
    assert.match(out, /configmap\/create-config created/);
    assert.match(out, /deployment\.apps\/create-web created/);
    assert.match(out, /service\/create-web created/);
    assert.match(out, /secret\/create-secret created/);
    const second = await s.kubectl(['create', '-f', path]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /configmaps "create-config" already exists/);
  });

  test('an unknown field in an item is rejected client-side, nothing is created', async () => {
    const bad = list({ prefix: 'bad', deploymentSpecExtra: '    foo: bar\n' });
    for (const verb of ['apply', 'create']) {
      const r = await s.kubectl([verb, '-f', file(`bad-${verb}.yaml`, bad)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /error validating data: ValidationError\(Deployment\.spec\): unknown field "foo" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/,
      );
      assert.match(r.stderr, /turn validation off with --validate=false/);
    }
    const cms = await ok('get', 'configmaps', '-n', ns, '-o', 'name');
    assert.doesNotMatch(cms, /bad-config/);
  });

  test('a wrong type in an item is rejected with kubectl’s type error', async () => {
    const bad = list({ prefix: 'badtype' }).replace('replicas: 1', 'replicas: three');
    const r = await s.kubectl(['apply', '-f', file('badtype.yaml', bad)]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"/,
    );
  });

  test('--validate=false skips client-side validation', async () => {
    const bad = list({ prefix: 'novalidate', deploymentSpecExtra: '    foo: bar\n' });
    const r = await s.kubectl(['apply', '--validate=false', '-f', file('novalidate.yaml', bad)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/novalidate-web created/);
  });

  test('kubectl get -o yaml piped back into kubectl apply -f -', async () => {
    const yaml = await ok('get', 'configmaps,services', '-n', ns, '-o', 'yaml');
    assert.match(yaml, /^apiVersion: v1\nitems:/);
    assert.match(yaml, /kind: List/);
    const r = await s.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/apply-config (configured|unchanged)/);
    assert.match(r.stdout, /service\/apply-web (configured|unchanged)/);
  });

  for (const version of ['1.29', '1.33'] as KubectlVersion[]) {
    test(`kubectl ${version}: apply -f of a List, and its unknown-field error`, async () => {
      const prefix = `v${version.replace('.', '-')}`;
      const r = await s.kubectl(['apply', '-f', file(`${prefix}.yaml`, list({ prefix }))], { version });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`deployment\\.apps/${prefix}-web created`));
      const bad = list({ prefix: `${prefix}-bad`, deploymentSpecExtra: '    foo: bar\n' });
      const b = await s.kubectl(['apply', '-f', file(`${prefix}-bad.yaml`, bad)], { version });
      assert.equal(b.code, 1);
      assert.match(b.stderr, /unknown field "foo" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
    });
  }
});
