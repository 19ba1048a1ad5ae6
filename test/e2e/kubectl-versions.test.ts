import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  kubectlBinary,
  startServerProcess,
  type KubectlVersion,
  type ServerProcess,
} from '../helpers/kubectl.js';

let s: ServerProcess;
before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
});
after(async () => {
  await s?.stop();
});

const manifest = (ns: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${ns}
data:
  mode: blue
`;

for (const version of ['1.29', '1.33'] as KubectlVersion[]) {
  describe(`kubectl ${version} smoke`, () => {
    const ns = `v${version.replace('.', '-')}`;
    const run = (args: string[], input?: string) =>
      s.kubectl(args, { version, ...(input !== undefined ? { input } : {}) });
    const ok = async (args: string[], input?: string): Promise<string> => {
      const r = await run(args, input);
      assert.equal(r.code, 0, `kubectl ${version} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };

    test('the versioned binary is installed', () => {
      const bin = kubectlBinary(version);
      assert.ok(
        bin.endsWith(`kubectl.${version}`) && existsSync(bin),
        `kubectl.${version} not found (got ${bin})`,
      );
    });

    test('version, api-resources and auth', async () => {
      const v = await ok(['version']);
      assert.match(v, new RegExp(`^Client Version: v${version.replace('.', '\\.')}\\.`, 'm'));
      assert.match(v, /^Server Version: v1\.\d+\.\d+/m);
      assert.match(await ok(['api-resources']), /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.equal((await ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
    });

    test('create namespace and imperative creates', async () => {
      assert.equal((await ok(['create', 'namespace', ns])).trim(), `namespace/${ns} created`);
      assert.equal(
        (await ok(['create', 'secret', 'generic', 'creds', '-n', ns, '--from-literal=k=v'])).trim(),
        'secret/creds created',
      );
      assert.equal(
        (await ok(['create', 'serviceaccount', 'robot', '-n', ns])).trim(),
        'serviceaccount/robot created',
      );
    });

    test('apply: created, unchanged, configured; server-side apply', async () => {
      assert.deepEqual((await ok(['apply', '-f', '-'], manifest(ns))).trim().split('\n'), [
        'deployment.apps/web created',
        'configmap/settings created',
      ]);
      assert.deepEqual((await ok(['apply', '-f', '-'], manifest(ns))).trim().split('\n'), [
        'deployment.apps/web unchanged',
        'configmap/settings unchanged',
      ]);
      const green = manifest(ns).replace('mode: blue', 'mode: green');
      assert.deepEqual((await ok(['apply', '-f', '-'], green)).trim().split('\n'), [
        'deployment.apps/web unchanged',
        'configmap/settings configured',
      ]);
      assert.deepEqual((await ok(['apply', '--server-side', '-f', '-'], green)).trim().split('\n'), [
        'deployment.apps/web serverside-applied',
        'configmap/settings serverside-applied',
      ]);
    });

    test('get, patch, scale, label, describe', async () => {
      assert.match(
        await ok(['get', 'deploy', '-n', ns, '-o', 'wide']),
        /^web\s+0\/1\s+.*nginx:1\.25\s+app=web$/m,
      );
      await ok(['patch', 'deploy', 'web', '-n', ns, '--type', 'merge', '-p', '{"spec":{"replicas":2}}']);
      assert.equal(
        (await ok(['scale', 'deploy', 'web', '-n', ns, '--replicas=3'])).trim(),
        'deployment.apps/web scaled',
      );
      assert.equal(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '3');
      await ok(['label', 'cm', 'settings', '-n', ns, 'tier=x']);
      assert.equal(await ok(['get', 'cm', '-n', ns, '-l', 'tier=x', '-o', 'name']), 'configmap/settings\n');
      assert.match(await ok(['describe', 'deploy', 'web', '-n', ns]), /^Replicas:\s+3 desired/m);
    });

    test('errors: conflict and strict decoding', async () => {
      const old = await ok(['get', 'cm', 'settings', '-n', ns, '-o', 'yaml']);
      await ok(['label', 'cm', 'settings', '-n', ns, 'bump=1']);
      const conflict = await run(['replace', '-f', '-'], old);
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /Error from server \(Conflict\)/);
      const unknown = await run(
        ['create', '-f', '-'],
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\n  namespace: ${ns}\nbogus: 1\n`,
      );
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /strict decoding error: unknown field "bogus"/);
    });

    test('delete namespace', async () => {
      // kubectl waits until the namespace is gone; --timeout turns a namespace stuck in Terminating into an error.
      assert.equal(
        (await ok(['delete', 'namespace', ns, '--timeout=20s'])).trim(),
        `namespace "${ns}" deleted`,
      );
      const gone = await run(['get', 'namespace', ns]);
      assert.match(gone.stderr, /Error from server \(NotFound\)/);
      const r = await run(['get', 'configmaps', '-n', ns, '-o', 'name']);
      assert.equal(r.stdout, '');
    });
  });
}
