import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { startServerProcess } from '../helpers/kubectl.js';

test('--disable-local-storage: no default StorageClass, and no provisioner for a local-path claim', async () => {
  const server = await startServerProcess({
    datastoreEndpoint: 'memory://',
    args: ['--disable-local-storage'],
  });
  try {
    const run = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
      const r = await server.kubectl(args, { timeoutMs: 60_000, ...(input ? { input } : {}) });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
      return r;
    };
    assert.match((await run(['get', 'storageclass'])).stderr, /No resources found/);
    const claim = (name: string, storageClassName?: string): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Mi' } },
          ...(storageClassName ? { storageClassName } : {}),
        },
      });
    await run(['apply', '-f', '-'], claim('plain'));
    const plain = JSON.parse((await run(['get', 'pvc', 'plain', '-o', 'json'])).stdout) as {
      spec: { storageClassName?: string };
    };
    assert.equal(plain.spec.storageClassName, undefined, 'no default class to give it');

    // A claim of a class naming the built-in provisioner, handed to it with its node chosen (as the binder and
    // the scheduler would): nobody provisions it.
    await run(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'local-path' },
        provisioner: 'tugboat.dev/local-path',
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
      }),
    );
    await run(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }),
    );
    const handed = JSON.parse(claim('local', 'local-path')) as { metadata: Record<string, unknown> };
    handed.metadata.annotations = {
      'volume.kubernetes.io/storage-provisioner': 'tugboat.dev/local-path',
      'volume.kubernetes.io/selected-node': 'n1',
    };
    await run(['apply', '-f', '-'], JSON.stringify(handed));
    // The controllers are up (the Deployment got its ReplicaSet) and have had the claim for a while.
    await run(['create', 'deployment', 'd', '--image=nginx']);
    await waitFor(async () => (await run(['get', 'rs', '-l', 'app=d', '-o', 'name'])).stdout.trim() !== '', {
      timeoutMs: 30_000,
      message: 'controllers running',
    });
    await new Promise((r) => setTimeout(r, 2000));
    assert.match((await run(['get', 'pv'])).stderr, /No resources found/);
    assert.equal((await run(['get', 'pvc', 'local', '-o', 'jsonpath={.status.phase}'])).stdout, 'Pending');
  } finally {
    await server.stop();
  }
});
