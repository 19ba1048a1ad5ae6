import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const NS = 'informed';

let s: ServerProcess;
let kc: k8s.KubeConfig;
before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  expectOk(await s.kubectl(['create', 'namespace', NS]), 'create namespace');
});
after(async () => {
  await s?.stop();
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

const notCaBundle = (text: string | undefined): boolean => !text?.includes('kube-root-ca.crt');

describe('@kubernetes/client-node against the server', () => {
  test('CoreV1Api reads what kubectl wrote', async () => {
    await ok('create', 'configmap', 'seed', '-n', NS, '--from-literal=k=v');
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const cm = await api.readNamespacedConfigMap({ name: 'seed', namespace: NS });
    assert.equal(cm.data?.k, 'v');
    const list = await api.listNamespacedConfigMap({ namespace: NS });
    // Every namespace also holds the cluster's CA bundle (kube-root-ca.crt), as on any cluster.
    assert.deepEqual(list.items.map((i) => i.metadata?.name).filter(notCaBundle), ['seed']);
  });

  test('an informer on configmaps sees ADDED, MODIFIED and DELETED from kubectl', async () => {
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer<k8s.V1ConfigMap>(kc, `/api/v1/namespaces/${NS}/configmaps`, () =>
      api.listNamespacedConfigMap({ namespace: NS }),
    );
    const events: string[] = [];
    const errors: unknown[] = [];
    informer.on(k8s.ADD, (o) => events.push(`ADDED ${o.metadata?.name} ${o.data?.color ?? ''}`.trim()));
    informer.on(k8s.UPDATE, (o) => events.push(`MODIFIED ${o.metadata?.name} ${o.data?.color ?? ''}`.trim()));
    informer.on(k8s.DELETE, (o) => events.push(`DELETED ${o.metadata?.name}`));
    informer.on(k8s.ERROR, (err) => errors.push(err));
    await informer.start();
    try {
      // The initial list is delivered as ADDED.
      await waitFor(() => events.includes('ADDED seed'), { message: `initial ADDED (events: ${events})` });

      await ok('create', 'configmap', 'paint', '-n', NS, '--from-literal=color=red');
      await waitFor(() => events.includes('ADDED paint red'), { message: `ADDED paint (events: ${events})` });

      await ok('patch', 'configmap', 'paint', '-n', NS, '--type', 'merge', '-p', '{"data":{"color":"blue"}}');
      await waitFor(() => events.includes('MODIFIED paint blue'), {
        message: `MODIFIED paint (events: ${events})`,
      });

      await ok('delete', 'configmap', 'paint', '-n', NS);
      await waitFor(() => events.includes('DELETED paint'), { message: `DELETED paint (events: ${events})` });

      // The informer's cache follows the same changes (makeInformer returns a ListWatch, which is a cache).
      assert.deepEqual(
        (informer as unknown as k8s.ObjectCache<k8s.V1ConfigMap>)
          .list()
          .map((o) => o.metadata?.name)
          .filter(notCaBundle),
        ['seed'],
      );
      assert.deepEqual(errors, []);
      assert.deepEqual(events.filter(notCaBundle), [
        'ADDED seed',
        'ADDED paint red',
        'MODIFIED paint blue',
        'DELETED paint',
      ]);
    } finally {
      await informer.stop();
    }
  });

  test('Watch delivers events to a callback', async () => {
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    const req = await watch.watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      {
        resourceVersion: (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedConfigMap({ namespace: NS }))
          .metadata?.resourceVersion,
      },
      (type: string, obj: k8s.V1ConfigMap) => seen.push(`${type} ${obj.metadata?.name}`),
      () => {},
    );
    try {
      await ok('create', 'configmap', 'watched', '-n', NS);
      await waitFor(() => seen.includes('ADDED watched'), { message: `watch ADDED (seen: ${seen})` });
    } finally {
      req.abort();
    }
  });
});
