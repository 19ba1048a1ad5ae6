import assert from 'node:assert/strict';
import { waitFor } from '../../src/util/wait.js';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let dir: string;
before(async () => {
  s = await startServerProcess();
  dir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-apply-'));
});
after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

const stack = (mode: string, image = 'nginx:1.25'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    tier: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: web
        image: ${image}
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  mode: ${mode}
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-secret
type: Opaque
stringData:
  password: hunter2
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('apply (client-side)', () => {
  const ns = 'apply';
  before(async () => {
    await ok('create', 'namespace', ns);
  });

  test('apply -f of a multi-document file creates every object', async () => {
    const out = await ok('apply', '-n', ns, '-f', file('stack.yaml', stack('blue')));
    assert.deepEqual(out.trim().split('\n'), [
      'deployment.apps/shop created',
      'service/shop created',
      'configmap/shop-config created',
      'secret/shop-secret created',
    ]);
    const annotation = await ok(
      'get',
      'cm',
      'shop-config',
      '-n',
      ns,
      '-o',
      'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}',
    );
    assert.equal(JSON.parse(annotation).data.mode, 'blue');
  });

  test('stringData of the applied Secret is stored base64-encoded under data', async () => {
    const out = await ok('get', 'secret', 'shop-secret', '-n', ns, '-o', 'jsonpath={.data.password}');
    assert.equal(out, Buffer.from('hunter2').toString('base64'));
  });

  test('apply of the same file again is unchanged', async () => {
    const out = await ok('apply', '-n', ns, '-f', join(dir, 'stack.yaml'));
    assert.deepEqual(out.trim().split('\n'), [
      'deployment.apps/shop unchanged',
      'service/shop unchanged',
      'configmap/shop-config unchanged',
      // stringData is folded into data on write, so kubectl always sends it again (as upstream: kubernetes#87736)
      'secret/shop-secret configured',
    ]);
  });

  test('diff -f exits 0 with no output when nothing changed', async () => {
    const r = await s.kubectl(['diff', '-n', ns, '-f', join(dir, 'stack.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  test('diff -f exits 1 and prints the change when the file differs', async () => {
    const r = await s.kubectl(['diff', '-n', ns, '-f', file('stack-green.yaml', stack('green'))]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^-\s+mode: blue$/m);
    assert.match(r.stdout, /^\+\s+mode: green$/m);
    assert.match(r.stdout, /v1\.ConfigMap\.apply\.shop-config/);
    assert.doesNotMatch(r.stdout, /Deployment/);
  });

  test('apply after an edit reports configured for the changed object only', async () => {
    const out = await ok('apply', '-n', ns, '-f', join(dir, 'stack-green.yaml'));
    assert.deepEqual(out.trim().split('\n'), [
      'deployment.apps/shop unchanged',
      'service/shop unchanged',
      'configmap/shop-config configured',
      // stringData is folded into data on write, so kubectl always sends it again (as upstream: kubernetes#87736)
      'secret/shop-secret configured',
    ]);
    assert.equal(await ok('get', 'cm', 'shop-config', '-n', ns, '-o', 'jsonpath={.data.mode}'), 'green');
  });

  test('apply --server-side reports serverside-applied and records the field manager', async () => {
    const out = await ok(
      'apply',
      '--server-side',
      '-n',
      ns,
      '-f',
      file('stack-ssa.yaml', stack('green', 'nginx:1.26')),
    );
    assert.deepEqual(out.trim().split('\n'), [
      'deployment.apps/shop serverside-applied',
      'service/shop serverside-applied',
      'configmap/shop-config serverside-applied',
      'secret/shop-secret serverside-applied',
    ]);
    const image = await ok(
      'get',
      'deploy',
      'shop',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    );
    assert.equal(image, 'nginx:1.26');
    const managers = await ok(
      'get',
      'deploy',
      'shop',
      '-n',
      ns,
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    );
    assert.ok(managers.split(' ').includes('kubectl'), `managers: ${managers}`);
  });

  test('apply --server-side of a new object creates it', async () => {
    const r = await s.kubectl(['apply', '--server-side', '-n', ns, '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-new\ndata:\n  k: v\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'configmap/ssa-new serverside-applied');
    assert.equal(await ok('get', 'cm', 'ssa-new', '-n', ns, '-o', 'jsonpath={.data.k}'), 'v');
  });
});

describe('changing objects in place', () => {
  const ns = 'mutate';
  const deploy = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: api
        image: nginx:1.25
`;
  const replicas = async (): Promise<string> =>
    ok('get', 'deploy', 'api', '-n', ns, '-o', 'jsonpath={.spec.replicas}');

  before(async () => {
    await ok('create', 'namespace', ns);
    expectOk(await s.kubectl(['apply', '-n', ns, '-f', '-'], { input: deploy(1) }), 'apply api');
    await ok('create', 'configmap', 'tags', '-n', ns, '--from-literal=a=1');
  });

  test('edit with EDITOR set to a script changes replicas', async () => {
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/^  replicas: [0-9]*/  replicas: 4/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = await s.kubectl(['edit', 'deployment', 'api', '-n', ns], {
      env: { EDITOR: editor, KUBE_EDITOR: editor },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/api edited');
    assert.equal(await replicas(), '4');
  });

  test('patch --type json', async () => {
    const out = await ok(
      'patch',
      'deployment',
      'api',
      '-n',
      ns,
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":5}]',
    );
    assert.equal(out.trim(), 'deployment.apps/api patched');
    assert.equal(await replicas(), '5');
  });

  test('patch --type merge', async () => {
    const out = await ok(
      'patch',
      'deployment',
      'api',
      '-n',
      ns,
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":6}}',
    );
    assert.equal(out.trim(), 'deployment.apps/api patched');
    assert.equal(await replicas(), '6');
  });

  test('patch --type strategic merges containers by name', async () => {
    const out = await ok(
      'patch',
      'deployment',
      'api',
      '-n',
      ns,
      '--type',
      'strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}',
    );
    assert.equal(out.trim(), 'deployment.apps/api patched');
    const names = await ok(
      'get',
      'deploy',
      'api',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.template.spec.containers[*].name}',
    );
    assert.deepEqual(names.split(' ').sort(), ['api', 'sidecar']);
  });

  test('a patch that changes nothing reports no change', async () => {
    // The deployment controller writes status while pods come and go; wait until the object stops changing,
    // or kubectl would see those writes as a change.
    let last = '';
    await waitFor(
      async () => {
        const rv = await ok(
          'get',
          'deployment',
          'api',
          '-n',
          ns,
          '-o',
          'jsonpath={.metadata.resourceVersion}',
        );
        const settled = rv === last;
        last = rv;
        return settled;
      },
      { timeoutMs: 30_000, intervalMs: 1000, message: 'deployment settled' },
    );
    const out = await ok(
      'patch',
      'deployment',
      'api',
      '-n',
      ns,
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":6}}',
    );
    assert.equal(out.trim(), 'deployment.apps/api patched (no change)');
  });

  test('scale deployment --replicas', async () => {
    assert.equal(
      (await ok('scale', 'deployment', 'api', '-n', ns, '--replicas=3')).trim(),
      'deployment.apps/api scaled',
    );
    assert.equal(await replicas(), '3');
    const stale = await s.kubectl([
      'scale',
      'deployment',
      'api',
      '-n',
      ns,
      '--replicas=2',
      '--current-replicas=9',
    ]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /Expected replicas to be 9, was 3/);
  });

  test('label: add, refuse to overwrite, --overwrite, remove with key-', async () => {
    assert.equal((await ok('label', 'cm', 'tags', '-n', ns, 'env=prod')).trim(), 'configmap/tags labeled');
    const refused = await s.kubectl(['label', 'cm', 'tags', '-n', ns, 'env=dev']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /'env' already has a value \(prod\), and --overwrite is false/);
    await ok('label', 'cm', 'tags', '-n', ns, 'env=dev', '--overwrite');
    assert.equal(await ok('get', 'cm', 'tags', '-n', ns, '-o', 'jsonpath={.metadata.labels.env}'), 'dev');
    assert.equal((await ok('label', 'cm', 'tags', '-n', ns, 'env-')).trim(), 'configmap/tags unlabeled');
    const labels = await ok('get', 'cm', 'tags', '-n', ns, '-o', 'json');
    assert.equal(JSON.parse(labels).metadata.labels?.env, undefined);
  });

  test('annotate: add, refuse to overwrite, --overwrite, remove with key-', async () => {
    assert.equal(
      (await ok('annotate', 'cm', 'tags', '-n', ns, 'note=one')).trim(),
      'configmap/tags annotated',
    );
    const refused = await s.kubectl(['annotate', 'cm', 'tags', '-n', ns, 'note=two']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /--overwrite is false but found the following declared annotation\(s\): 'note' already has a value \(one\)/,
    );
    await ok('annotate', 'cm', 'tags', '-n', ns, 'note=two', '--overwrite');
    assert.equal(
      await ok('get', 'cm', 'tags', '-n', ns, '-o', 'jsonpath={.metadata.annotations.note}'),
      'two',
    );
    await ok('annotate', 'cm', 'tags', '-n', ns, 'note-');
    const obj = JSON.parse(await ok('get', 'cm', 'tags', '-n', ns, '-o', 'json'));
    assert.equal(obj.metadata.annotations?.note, undefined);
  });
});

describe('delete and wait', () => {
  const ns = 'removal';
  before(async () => {
    await ok('create', 'namespace', ns);
  });

  test('delete -f removes every object of the file', async () => {
    const f = file('to-delete.yaml', stack('x'));
    await ok('apply', '-n', ns, '-f', f);
    const out = await ok('delete', '-n', ns, '-f', f);
    assert.deepEqual(out.trim().split('\n'), [
      'deployment.apps "shop" deleted',
      'service "shop" deleted',
      'configmap "shop-config" deleted',
      'secret "shop-secret" deleted',
    ]);
    const gone = await s.kubectl(['get', '-n', ns, '-f', f]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Error from server \(NotFound\): deployments\.apps "shop" not found/);
  });

  test('delete -l removes only the labelled objects', async () => {
    for (const n of ['l1', 'l2', 'keep']) await ok('create', 'configmap', n, '-n', ns);
    await ok('label', 'configmap', 'l1', 'l2', '-n', ns, 'batch=old');
    const out = await ok('delete', 'configmap', '-n', ns, '-l', 'batch=old');
    assert.deepEqual(out.trim().split('\n').sort(), ['configmap "l1" deleted', 'configmap "l2" deleted']);
    // kube-root-ca.crt: every namespace has it (root-ca-cert-publisher), as on any cluster.
    assert.deepEqual((await ok('get', 'configmap', '-n', ns, '-o', 'name')).trim().split('\n').sort(), [
      'configmap/keep',
      'configmap/kube-root-ca.crt',
    ]);
  });

  test('wait --for=delete returns once the object is gone', async () => {
    await ok('create', 'configmap', 'doomed', '-n', ns);
    const waiting = s.kubectl(['wait', '--for=delete', 'configmap/doomed', '-n', ns, '--timeout=30s']);
    await ok('delete', 'configmap', 'doomed', '-n', ns, '--wait=false');
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    // kubectl prints "condition met" when it saw the deletion, nothing when the object was already gone.
    assert.ok(r.stdout === '' || /configmap\/doomed condition met/.test(r.stdout), r.stdout);
  });

  test('delete namespace removes everything in it', async () => {
    await ok('create', 'namespace', 'doomed');
    await ok('create', 'configmap', 'c', '-n', 'doomed');
    await ok('create', 'secret', 'generic', 's', '-n', 'doomed', '--from-literal=a=b');
    await ok('create', 'deployment', 'd', '--image=nginx', '-n', 'doomed');
    const out = await ok('delete', 'namespace', 'doomed');
    assert.equal(out.trim(), 'namespace "doomed" deleted');
    const ns404 = await s.kubectl(['get', 'namespace', 'doomed']);
    assert.equal(ns404.code, 1);
    assert.match(ns404.stderr, /Error from server \(NotFound\): namespaces "doomed" not found/);
    // Recreate it: nothing from before may come back.
    await ok('create', 'namespace', 'doomed');
    const left = await ok('get', 'configmaps,secrets,deployments', '-n', 'doomed', '-o', 'name');
    // Only what the cluster puts in every new namespace: the CA bundle ConfigMap (maybe not published yet).
    assert.deepEqual(
      left.split('\n').filter((l) => l !== '' && l !== 'configmap/kube-root-ca.crt'),
      [],
    );
  });
});

describe('legacy Ingress manifests', () => {
  test('extensions/v1beta1 and networking.k8s.io/v1beta1 Ingresses with serviceName/servicePort apply under Strict validation', async () => {
    const manifest = (apiVersion: string, name: string): string => `apiVersion: ${apiVersion}
kind: Ingress
metadata:
  name: ${name}
spec:
  backend:
    serviceName: fallback
    servicePort: 80
  rules:
  - host: ${name}.example.com
    http:
      paths:
      - path: /api
        backend:
          serviceName: api
          servicePort: http
`;
    for (const [apiVersion, name] of [
      ['extensions/v1beta1', 'legacy-ext'],
      ['networking.k8s.io/v1beta1', 'legacy-net'],
    ] as const) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, manifest(apiVersion, name));
      const r = await s.kubectl(['apply', '-f', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`Warning: ${apiVersion.replace('.', '\\.')} Ingress is deprecated`));
      const current = JSON.parse(await ok('get', 'ingress.v1.networking.k8s.io', name, '-o', 'json')) as {
        spec: {
          defaultBackend: unknown;
          rules: { http: { paths: { backend: unknown; pathType: string }[] } }[];
        };
      };
      assert.deepEqual(current.spec.defaultBackend, { service: { name: 'fallback', port: { number: 80 } } });
      assert.deepEqual(current.spec.rules[0]?.http.paths[0], {
        path: '/api',
        pathType: 'ImplementationSpecific',
        backend: { service: { name: 'api', port: { name: 'http' } } },
      });
    }
    // A field neither version has is still refused.
    const bad = join(dir, 'legacy-bad.yaml');
    writeFileSync(
      bad,
      manifest('extensions/v1beta1', 'legacy-bad').replace(
        'servicePort: 80',
        'servicePort: 80\n    bogus: 1',
      ),
    );
    const r = await s.kubectl(['apply', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.backend\.bogus"/);
  });
});
