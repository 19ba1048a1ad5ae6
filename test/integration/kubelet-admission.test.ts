/**
 * The agent's admission of pods bound to its node (upstream kubelet admit handlers): a pod that does not fit ends
 * Failed with upstream's reason and "Pod was rejected: …" before anything starts; one that asks for AppArmor
 * waits Pending, Blocked; a pod that already runs is not judged again after a restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({
    kubelet: { appArmorProblem: () => Promise.resolve('AppArmor is not enabled on the host') },
  });
  h.images.addImage('docker.io/library/busybox:1.36');
});
after(() => h.close());

const nodes = () => h.client.resource<Node>(R.nodes);
const rejected = (name: string): Promise<Pod> =>
  h.waitPod(name, (p) => p.status?.phase === 'Failed', `${name} rejected`);
const running = (name: string): Promise<Pod> =>
  h.waitPod(name, (p) => p.status?.phase === 'Running', `${name} running`);

async function eventsOf(name: string): Promise<Event[]> {
  const list = await h.client
    .resource<Event>(R.events)
    .list('default', { fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

function sandboxesOf(p: Pod): number {
  return [...h.runtime.sandboxes.values()].filter((s) => s.config.metadata.uid === p.metadata?.uid).length;
}

void test('a pod asking for more cpu than the node has is rejected OutOfcpu, nothing started', async () => {
  const node = await nodes().get('', h.nodeName);
  await h.createPod('greedy', {
    containers: [{ name: 'app', image: 'busybox:1.36', resources: { requests: { cpu: '1000' } } }],
  });
  const p = await rejected('greedy');
  assert.equal(p.status?.reason, 'OutOfcpu');
  const capacity = String(Number(node.status?.allocatable?.cpu) * 1000);
  assert.match(
    p.status?.message ?? '',
    new RegExp(
      `^Pod was rejected: Node didn't have enough resource: cpu, requested: 1000000, used: \\d+, capacity: ${capacity}$`,
    ),
  );
  assert.equal(sandboxesOf(p), 0);
  const ev = await waitFor(async () => (await eventsOf('greedy')).find((e) => e.reason === 'OutOfcpu'), {
    message: 'OutOfcpu event',
  });
  assert.equal(ev.type, 'Warning');
  assert.match(ev.message ?? '', /^Node didn't have enough resource: cpu/);
});

void test('a nodeSelector the node does not match is rejected NodeAffinity', async () => {
  await h.createPod('elsewhere', {
    nodeSelector: { disk: 'ssd-that-is-not-here' },
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  const p = await rejected('elsewhere');
  assert.equal(p.status?.reason, 'NodeAffinity');
  assert.equal(
    p.status?.message,
    "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
  );
  assert.equal(sandboxesOf(p), 0);
});

void test('a host port another admitted pod holds is rejected NodePorts', async () => {
  const withPort = {
    containers: [{ name: 'app', image: 'busybox:1.36', ports: [{ containerPort: 80, hostPort: 18080 }] }],
  };
  await h.createPod('port-first', withPort);
  await running('port-first');
  await h.createPod('port-second', withPort);
  const p = await rejected('port-second');
  assert.equal(p.status?.reason, 'NodePorts');
  assert.equal(
    p.status?.message,
    "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
  );
});

void test("a NoExecute taint rejects pods that do not tolerate it; NoSchedule ones are the scheduler's", async () => {
  await nodes().patch('', h.nodeName, 'merge', {
    spec: {
      taints: [
        { key: 'drain', value: 'now', effect: 'NoExecute' },
        { key: 'quiet', effect: 'NoSchedule' },
      ],
    },
  });
  try {
    await h.createPod('intolerant', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    const p = await rejected('intolerant');
    assert.equal(p.status?.reason, 'TaintToleration');
    assert.equal(
      p.status?.message,
      "Pod was rejected: Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
    );
    await h.createPod('tolerant', {
      tolerations: [{ key: 'drain', operator: 'Exists', effect: 'NoExecute' }],
      containers: [{ name: 'app', image: 'busybox:1.36' }],
    });
    await running('tolerant');
  } finally {
    await nodes().patch('', h.nodeName, 'merge', { spec: { taints: null } });
  }
});

void test('a pod asking for AppArmor waits Pending with its containers Blocked', async () => {
  await h.createPod('confined', {
    securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  const p = await h.waitPod('confined', (x) => x.status?.reason === 'AppArmor', 'confined blocked');
  assert.equal(p.status?.phase, 'Pending');
  assert.equal(p.status?.message, 'Cannot enforce AppArmor: AppArmor is not enabled on the host');
  assert.equal(cstatus(p, 'app')?.state?.waiting?.reason, 'Blocked');
  assert.equal(sandboxesOf(p), 0);
  // Unconfined asks for nothing the host lacks.
  await h.createPod('unconfined', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        securityContext: { appArmorProfile: { type: 'Unconfined' } },
      },
    ],
  });
  await running('unconfined');
});

void test('a running pod is not judged again after a restart, though the node changed meanwhile', async () => {
  await nodes().patch('', h.nodeName, 'merge', { metadata: { labels: { 'admission-test': 'yes' } } });
  await h.createPod('settled', {
    nodeSelector: { 'admission-test': 'yes' },
    containers: [{ name: 'app', image: 'busybox:1.36' }],
  });
  const before = await running('settled');
  const id = h.containerId(before, 'app');
  await h.restartKubelet(async () => {
    await nodes().patch('', h.nodeName, 'merge', { metadata: { labels: { 'admission-test': null } } });
  });
  // Several syncs later it still runs the same container.
  await new Promise((r) => setTimeout(r, 1500));
  const after = await running('settled');
  assert.equal(h.containerId(after, 'app'), id);
  assert.equal(after.status?.reason, undefined);
});
