import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../../src/api/pods.js';
import { Informer, R, type ApiClient } from '../../src/client/index.js';
import { newDaemonSetController } from '../../src/controllers/daemonset/index.js';
import { rfc3339 } from '../../src/util/clock.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kubectl, kubectlBinary } from '../helpers/kubectl.js';

let cluster: TestCluster;
let client: ApiClient;
let stopBinder: () => void;
/** Pods the stand-in kubelet starts but never reports Ready. */
const neverReady = new Set<string>();

/** The node a daemon pod asks for through its `matchFields metadata.name In [node]` affinity. */
function requestedNode(pod: Pod): string | undefined {
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms?.[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
}

/**
 * Stands in for the scheduler and kubelets: binds each pod to the node its affinity names, reports it Running
 * (Ready unless listed in `neverReady`) and confirms graceful deletions at once.
 */
function simulateNodes(api: ApiClient): () => void {
  const pods = api.resource<Pod>(R.pods);
  const informer = new Informer<Pod>(pods);
  const handle = (pod: Pod): void => {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp) {
      void pods.delete(ns, name, { gracePeriodSeconds: 0 }).catch(() => {});
      return;
    }
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Failed') return;
    const node = requestedNode(pod);
    if (!node) return;
    const now = rfc3339(Date.now());
    const ready = !neverReady.has(name);
    void (async () => {
      if (!pod.spec?.nodeName) {
        await pods.createSubresource(ns, name, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name },
          target: { kind: 'Node', name: node },
        });
      }
      await pods.patch(
        ns,
        name,
        'merge',
        {
          status: {
            phase: 'Running',
            startTime: now,
            conditions: [
              { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
              { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
            ],
          },
        },
        { subresource: 'status' },
      );
    })().catch(() => {});
  };
  informer.addEventHandler({ add: handle, update: (_, p) => handle(p) });
  informer.start();
  return () => informer.stop();
}

before(async () => {
  cluster = await startTestCluster({ daemonset: newDaemonSetController });
  client = cluster.client;
  stopBinder = simulateNodes(client);
});
after(async () => {
  stopBinder();
  await cluster.close();
});

const sets = () => client.resource<DaemonSet>(R.daemonSets);
const pods = () => client.resource<Pod>(R.pods);
const nodes = () => client.resource<Node>(R.nodes);

async function addNode(
  name: string,
  labels: Record<string, string> = {},
  taints: Taint[] = [],
): Promise<void> {
  await nodes().create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: taints.length > 0 ? { taints } : {},
  });
}

function daemonSet(
  name: string,
  spec: Partial<NonNullable<DaemonSet['spec']>> = {},
  image = 'agent:1',
): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { ...(spec.template?.spec ?? {}), containers: [{ name: 'agent', image }] },
      },
      ...Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'template')),
    },
  };
}

/** Live (not terminating) pods of a DaemonSet by node. */
async function podsByNode(name: string): Promise<Map<string, Pod[]>> {
  const list = await pods().list('default', { labelSelector: `app=${name}` });
  const out = new Map<string, Pod[]>();
  for (const p of list.items) {
    if (p.metadata?.deletionTimestamp) continue;
    const node = p.spec?.nodeName ?? requestedNode(p) ?? '';
    out.set(node, [...(out.get(node) ?? []), p]);
  }
  return out;
}

/** What `kubectl rollout status daemonset/x` waits for. */
async function rolledOut(name: string, desired: number): Promise<DaemonSet | undefined> {
  const ds = await sets().get('default', name);
  const st = ds.status;
  const done =
    (st?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1) &&
    st?.desiredNumberScheduled === desired &&
    st.updatedNumberScheduled === desired &&
    st.numberAvailable === desired &&
    st.currentNumberScheduled === desired;
  return done ? ds : undefined;
}

const sortedNodes = async (name: string): Promise<string[]> => [...(await podsByNode(name)).keys()].sort();

test('a DaemonSet runs one pod on every node, and on a node added later', async () => {
  for (const n of ['n1', 'n2', 'n3']) await addNode(n, { group: 'all' });
  await sets().create(daemonSet('all'));
  const ds = await waitFor(() => rolledOut('all', 3), { message: 'all rolled out' });
  assert.deepEqual(await sortedNodes('all'), ['n1', 'n2', 'n3']);
  assert.equal(ds.status?.numberReady, 3);
  assert.equal(ds.status?.numberMisscheduled, 0);
  assert.equal(ds.status?.numberUnavailable, 0);

  const pod = (await podsByNode('all')).get('n1')![0]!;
  assert.equal(requestedNode(pod), 'n1');
  assert.ok(pod.metadata?.labels?.['controller-revision-hash']);
  assert.equal(pod.metadata?.labels?.['pod-template-generation'], '1');
  assert.ok(pod.metadata?.name?.startsWith('all-'));
  const tolerated = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
  for (const t of [
    'node.kubernetes.io/not-ready:NoExecute',
    'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/pid-pressure:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
  ]) {
    assert.ok(tolerated.includes(t), t);
  }
  const hash = pod.metadata?.labels?.['controller-revision-hash'];
  await client.resource(R.controllerRevisions).get('default', `all-${hash}`);

  await addNode('n4', { group: 'all' });
  await waitFor(() => rolledOut('all', 4), { message: 'n4 covered' });
  assert.deepEqual(await sortedNodes('all'), ['n1', 'n2', 'n3', 'n4']);

  const events = await client.resource<Event>(R.events).list('default');
  assert.ok(
    events.items.some(
      (e) =>
        e.involvedObject.name === 'all' &&
        e.reason === 'SuccessfulCreate' &&
        /^Created pod: all-/.test(e.message ?? ''),
    ),
  );
  await sets().delete('default', 'all');
});

test('nodeSelector picks nodes; a node that stops matching loses its pod', async () => {
  await addNode('s1', { disk: 'ssd' });
  await addNode('s2', { disk: 'ssd' });
  await addNode('h1', { disk: 'hdd' });
  await sets().create(
    daemonSet('ssd', { template: { spec: { nodeSelector: { disk: 'ssd' }, containers: [] } } }),
  );
  await waitFor(() => rolledOut('ssd', 2));
  assert.deepEqual(await sortedNodes('ssd'), ['s1', 's2']);

  await nodes().patch('', 'h1', 'merge', { metadata: { labels: { disk: 'ssd' } } });
  await waitFor(() => rolledOut('ssd', 3));
  await nodes().patch('', 's1', 'merge', { metadata: { labels: { disk: 'hdd' } } });
  await waitFor(async () => (await sortedNodes('ssd')).join() === 'h1,s2' && (await rolledOut('ssd', 2)));
  const events = await client.resource<Event>(R.events).list('default');
  assert.ok(events.items.some((e) => e.involvedObject.name === 'ssd' && e.reason === 'SuccessfulDelete'));
  await sets().delete('default', 'ssd');
});

test('taints the pods do not tolerate exclude nodes; cordoned nodes still run daemons', async () => {
  await addNode('t1', { tainted: 'test' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
  await addNode('t2', { tainted: 'test' });
  await addNode('t3', { tainted: 'test' }, [
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  ]);
  const selector = { nodeSelector: { tainted: 'test' }, containers: [] };
  await sets().create(daemonSet('plain', { template: { spec: selector } }));
  await waitFor(() => rolledOut('plain', 2));
  assert.deepEqual(await sortedNodes('plain'), ['t2', 't3']);

  await sets().create(
    daemonSet('tolerant', {
      template: {
        spec: { ...selector, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }] },
      },
    }),
  );
  await waitFor(() => rolledOut('tolerant', 3));
  assert.deepEqual(await sortedNodes('tolerant'), ['t1', 't2', 't3']);

  // A NoExecute taint the pods do not tolerate evicts the daemon pod from that node.
  await nodes().patch('', 't2', 'merge', { spec: { taints: [{ key: 'gone', effect: 'NoExecute' }] } });
  await waitFor(async () => (await sortedNodes('plain')).join() === 't3' && (await rolledOut('plain', 1)));
  await sets().delete('default', 'plain');
  await sets().delete('default', 'tolerant');
});

/** Follows every pod of a DaemonSet and records the most nodes ever without an available pod. */
async function watchUnavailable(
  name: string,
  nodeNames: string[],
): Promise<{ max: () => number; stop: () => void }> {
  const informer = new Informer<Pod>(pods(), { namespace: 'default', labelSelector: `app=${name}` });
  let max = 0;
  let synced = false;
  const check = (): void => {
    if (!synced) return;
    const live = informer.list().filter((p) => !p.metadata?.deletionTimestamp && isPodReady(p));
    const covered = new Set(live.map((p) => p.spec?.nodeName));
    max = Math.max(max, nodeNames.filter((n) => !covered.has(n)).length);
  };
  informer.addEventHandler({ add: check, update: check, delete: check });
  informer.start();
  await informer.waitForSync();
  synced = true;
  check();
  return { max: () => max, stop: () => informer.stop() };
}

test('RollingUpdate replaces pods while at most maxUnavailable nodes lack one', async () => {
  const group = ['r1', 'r2', 'r3', 'r4'];
  for (const n of group) await addNode(n, { group: 'rolling' });
  await sets().create(
    daemonSet('roll', {
      template: { spec: { nodeSelector: { group: 'rolling' }, containers: [] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    }),
  );
  const before = await waitFor(() => rolledOut('roll', 4));
  const oldHash = (await podsByNode('roll')).get('r1')![0]!.metadata?.labels?.['controller-revision-hash'];
  const watcher = await watchUnavailable('roll', group);
  await sets().patch('default', 'roll', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } },
  });
  const after = await waitFor(async () => {
    const ds = await rolledOut('roll', 4);
    return ds && ds.metadata?.generation !== before.metadata?.generation ? ds : undefined;
  });
  watcher.stop();
  assert.equal(watcher.max(), 1, 'one node at a time went without a ready pod');
  const byNode = await podsByNode('roll');
  assert.deepEqual([...byNode.keys()].sort(), group);
  for (const [, list] of byNode) {
    assert.equal(list.length, 1);
    assert.equal(list[0]?.spec?.containers[0]?.image, 'agent:2');
    assert.notEqual(list[0]?.metadata?.labels?.['controller-revision-hash'], oldHash);
    assert.equal(list[0]?.metadata?.labels?.['pod-template-generation'], '2');
  }
  assert.equal(after.status?.updatedNumberScheduled, 4);
  const revisions = await client.resource(R.controllerRevisions).list('default');
  const owned = revisions.items.filter((r) => r.metadata?.ownerReferences?.[0]?.name === 'roll');
  assert.equal(owned.length, 2);
  await sets().delete('default', 'roll');
});

test('RollingUpdate with maxSurge starts the new pod before removing the old one', async () => {
  const group = ['u1', 'u2', 'u3'];
  for (const n of group) await addNode(n, { group: 'surge' });
  await sets().create(
    daemonSet('surge', {
      template: { spec: { nodeSelector: { group: 'surge' }, containers: [] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    }),
  );
  const before = await waitFor(() => rolledOut('surge', 3));
  const watcher = await watchUnavailable('surge', group);
  await sets().patch('default', 'surge', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } },
  });
  await waitFor(async () => {
    const ds = await rolledOut('surge', 3);
    const byNode = await podsByNode('surge');
    const single = [...byNode.values()].every(
      (l) => l.length === 1 && l[0]?.spec?.containers[0]?.image === 'agent:2',
    );
    return ds && ds.metadata?.generation !== before.metadata?.generation && byNode.size === 3 && single;
  });
  watcher.stop();
  assert.equal(watcher.max(), 0, 'every node kept a ready pod throughout');
  await sets().delete('default', 'surge');
});

test('OnDelete: pods keep the old template until they are deleted', async () => {
  await addNode('o1', { group: 'ondelete' });
  await addNode('o2', { group: 'ondelete' });
  await sets().create(
    daemonSet('ondel', {
      template: { spec: { nodeSelector: { group: 'ondelete' }, containers: [] } },
      updateStrategy: { type: 'OnDelete' },
    }),
  );
  await waitFor(() => rolledOut('ondel', 2));
  await sets().patch('default', 'ondel', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } },
  });
  const ds = await waitFor(async () => {
    const cur = await sets().get('default', 'ondel');
    return cur.status?.observedGeneration === cur.metadata?.generation ? cur : undefined;
  });
  assert.equal(ds.status?.updatedNumberScheduled, 0);
  const o1 = (await podsByNode('ondel')).get('o1')![0]!;
  assert.equal(o1.spec?.containers[0]?.image, 'agent:1');
  await pods().delete('default', o1.metadata?.name ?? '');
  await waitFor(async () => {
    const p = (await podsByNode('ondel')).get('o1')?.[0];
    return p?.spec?.containers[0]?.image === 'agent:2' && isPodReady(p);
  });
  assert.equal((await podsByNode('ondel')).get('o2')![0]!.spec?.containers[0]?.image, 'agent:1');
  await waitFor(async () => (await sets().get('default', 'ondel')).status?.updatedNumberScheduled === 1);
  await sets().delete('default', 'ondel');
});

test('a failed daemon pod is deleted and replaced', async () => {
  await addNode('f1', { group: 'failing' });
  await sets().create(
    daemonSet('failing', { template: { spec: { nodeSelector: { group: 'failing' }, containers: [] } } }),
  );
  await waitFor(() => rolledOut('failing', 1));
  const first = (await podsByNode('failing')).get('f1')![0]!;
  await pods().patch(
    'default',
    first.metadata?.name ?? '',
    'merge',
    { status: { phase: 'Failed' } },
    { subresource: 'status' },
  );
  await waitFor(async () => {
    const p = (await podsByNode('failing')).get('f1')?.[0];
    return p && p.metadata?.uid !== first.metadata?.uid && isPodReady(p);
  });
  const events = await client.resource<Event>(R.events).list('default');
  const failed = events.items.find(
    (e) => e.involvedObject.name === 'failing' && e.reason === 'FailedDaemonPod',
  );
  assert.equal(failed?.type, 'Warning');
  assert.match(
    failed?.message ?? '',
    /^Found failed daemon pod default\/failing-\w+ on node f1, will try to kill it$/,
  );
  await sets().delete('default', 'failing');
});

test('a node that stops being Ready keeps its daemon pods (not-ready taint tolerated)', async () => {
  await addNode('nr1', { group: 'notready' }, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]);
  neverReady.clear();
  await sets().create(
    daemonSet('nr', { template: { spec: { nodeSelector: { group: 'notready' }, containers: [] } } }),
  );
  await waitFor(() => rolledOut('nr', 1));
  assert.deepEqual(await sortedNodes('nr'), ['nr1']);
  await sets().delete('default', 'nr');
});

test('kubectl rollout status daemonset/x completes after an update', async (t) => {
  if (!existsSync(kubectlBinary())) return t.skip('kubectl is not installed');
  await addNode('k1', { group: 'kubectl' });
  await addNode('k2', { group: 'kubectl' });
  await sets().create(
    daemonSet('ro', { template: { spec: { nodeSelector: { group: 'kubectl' }, containers: [] } } }),
  );
  await sets().patch('default', 'ro', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } },
  });
  const env = { KUBECONFIG: cluster.server.kubeconfig };
  const res = await kubectl(['rollout', 'status', 'daemonset/ro', '--timeout=60s'], { env });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /daemon set "ro" successfully rolled out/);
  await sets().delete('default', 'ro');
});

test('an orphan daemon pod on a node is adopted instead of a second pod being created', async () => {
  await addNode('a1', { group: 'adopt' });
  await addNode('a2', { group: 'adopt' });
  const orphan = await pods().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'adopt-orphan', namespace: 'default', labels: { app: 'adopt' } },
    spec: { nodeName: 'a1', containers: [{ name: 'agent', image: 'agent:1' }] },
  });
  await pods().patch(
    'default',
    'adopt-orphan',
    'merge',
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    { subresource: 'status' },
  );
  // OnDelete: a rolling update would replace the adopted pod, which carries no revision label.
  await sets().create(
    daemonSet('adopt', {
      template: { spec: { nodeSelector: { group: 'adopt' }, containers: [] } },
      updateStrategy: { type: 'OnDelete' },
    }),
  );
  await waitFor(async () => (await sets().get('default', 'adopt')).status?.currentNumberScheduled === 2);
  const byNode = await podsByNode('adopt');
  assert.deepEqual(
    byNode.get('a1')?.map((p) => p.metadata?.uid),
    [orphan.metadata?.uid],
  );
  const adopted = await pods().get('default', 'adopt-orphan');
  assert.equal(adopted.metadata?.ownerReferences?.find((r) => r.controller)?.name, 'adopt');
  await sets().delete('default', 'adopt');
});

test('kubectl rollout history and undo work from the ControllerRevisions', async (t) => {
  if (!existsSync(kubectlBinary())) return t.skip('kubectl is not installed');
  await addNode('h1x', { group: 'history' });
  await sets().create(
    daemonSet('hist', { template: { spec: { nodeSelector: { group: 'history' }, containers: [] } } }),
  );
  await waitFor(() => rolledOut('hist', 1));
  await sets().patch('default', 'hist', 'merge', {
    spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } } },
  });
  await waitFor(async () => {
    const ds = await rolledOut('hist', 1);
    return ds?.metadata?.generation === 2;
  });
  const env = { KUBECONFIG: cluster.server.kubeconfig };
  const history = await kubectl(['rollout', 'history', 'daemonset/hist'], { env });
  assert.equal(history.code, 0, history.stderr);
  assert.match(history.stdout, /REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
  const undo = await kubectl(['rollout', 'undo', 'daemonset/hist'], { env });
  assert.equal(undo.code, 0, undo.stderr);
  await waitFor(async () => {
    const ds = await rolledOut('hist', 1);
    const p = (await podsByNode('hist')).get('h1x')?.[0];
    return (
      ds?.spec?.template.spec?.containers[0]?.image === 'agent:1' &&
      p?.spec?.containers[0]?.image === 'agent:1'
    );
  });
  // The old revision is reused (renumbered 3), not duplicated.
  const revisions = await client.resource(R.controllerRevisions).list('default');
  const owned = revisions.items.filter((r) => r.metadata?.ownerReferences?.[0]?.name === 'hist');
  assert.equal(owned.length, 2);
  assert.deepEqual(owned.map((r) => (r as { revision?: number }).revision).sort(), [2, 3]);
  await sets().delete('default', 'hist');
});
