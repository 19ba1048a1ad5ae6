import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Event, Node } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import type { HostReadings } from '../../src/kubelet/node/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

const GiB = 1024 ** 3;
const readings: HostReadings = {
  cpuCores: 4,
  memoryTotalBytes: 8 * GiB,
  memoryAvailableBytes: 6 * GiB,
  fsCapacityBytes: 100 * GiB,
  fsAvailableBytes: 50 * GiB,
  fsInodes: 1_000_000,
  fsInodesFree: 900_000,
  pidMax: 4_194_304,
  pidsInUse: 300,
};
const cidrs: string[] = [];
let h: KubeletHarness;
before(async () => {
  h = await startKubeletHarness({
    start: false,
    kubelet: {
      readings: () => Promise.resolve({ ...readings }),
      reserved: { cpu: '500m', memory: '512Mi' },
      onPodCIDR: (c) => void cidrs.push(c),
      kubeletVersion: 'v1.32.0-test',
    },
  });
  h.images.addImage('docker.io/library/busybox:1.36');
  await h.kubelet.start();
});
after(() => h.close());

const getNode = () => h.client.resource<Node>(R.nodes).get('', h.nodeName);
const condition = (n: Node, type: string) => n.status?.conditions?.find((c) => c.type === type);

void test('the node registers with capacity, allocatable, addresses, nodeInfo and conditions', async () => {
  const n = await getNode();
  assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], h.nodeName);
  assert.equal(n.metadata?.labels?.['kubernetes.io/os'], 'linux');
  assert.deepEqual(n.status?.capacity, {
    cpu: '4',
    memory: `${8 * 1024 * 1024}Ki`,
    pods: '110',
    'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
  });
  assert.deepEqual(n.status?.allocatable, {
    cpu: '3500m',
    memory: `${8 * 1024 * 1024 - 512 * 1024 - 100 * 1024}Ki`,
    pods: '110',
    'ephemeral-storage': String(Math.floor(100 * GiB * 0.9)),
  });
  assert.deepEqual(n.status?.addresses, [
    { type: 'InternalIP', address: '192.0.2.10' },
    { type: 'Hostname', address: h.nodeName },
  ]);
  const info = n.status?.nodeInfo;
  assert.equal(info?.containerRuntimeVersion, 'fake://0.1.0');
  assert.equal(info?.kubeletVersion, 'v1.32.0-test');
  assert.equal(info?.operatingSystem, 'linux');
  assert.ok(info?.kernelVersion);
  assert.ok(info?.osImage);
  assert.ok(['amd64', 'arm64'].includes(info?.architecture ?? ''));
  assert.deepEqual(n.status?.images, [{ names: ['docker.io/library/busybox:1.36'], sizeBytes: 1024 }]);
  assert.deepEqual(
    n.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ],
  );
});

void test('node events: Starting and the condition events', async () => {
  const reasons = await waitFor(async () => {
    const list = await h.client.resource<Event>(R.events).list('default');
    const mine = list.items.filter(
      (e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === h.nodeName,
    );
    const r = mine.map((e) => e.reason);
    return r.includes('NodeReady') ? r : undefined;
  });
  for (const r of ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) {
    assert.ok(reasons.includes(r), r);
  }
});

void test('the Lease in kube-node-lease is renewed', async () => {
  const leases = h.client.resource<Lease>(R.leases);
  const first = await waitFor(() => leases.get('kube-node-lease', h.nodeName));
  assert.equal(first.spec?.holderIdentity, h.nodeName);
  assert.equal(first.spec?.leaseDurationSeconds, 40);
  assert.equal(first.metadata?.ownerReferences?.[0]?.kind, 'Node');
  await waitFor(
    async () => (await leases.get('kube-node-lease', h.nodeName)).spec?.renewTime !== first.spec?.renewTime,
    {
      message: 'lease renewed',
    },
  );
});

void test('pressure and runtime problems show in the conditions', async () => {
  readings.memoryAvailableBytes = 50 * 1024 * 1024;
  h.runtime.conditions = [
    { type: 'RuntimeReady', status: true },
    {
      type: 'NetworkReady',
      status: false,
      reason: 'NetworkPluginNotReady',
      message: 'cni config uninitialized',
    },
  ];
  const n = await waitFor(async () => {
    const x = await getNode();
    return condition(x, 'Ready')?.status === 'False' && condition(x, 'MemoryPressure')?.status === 'True'
      ? x
      : undefined;
  });
  assert.equal(
    condition(n, 'Ready')?.message,
    'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni config uninitialized',
  );
  assert.equal(condition(n, 'MemoryPressure')?.reason, 'KubeletHasInsufficientMemory');
  // Pods wait for the network (hostNetwork pods do not). They request memory: under memory pressure a node
  // refuses BestEffort pods.
  const app = { name: 'app', image: 'busybox:1.36', resources: { requests: { memory: '16Mi' } } };
  await h.createPod('needs-net', { containers: [app] });
  await h.createPod('host-net', { hostNetwork: true, containers: [app] });
  await h.createPod('best-effort', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
  const refused = await h.waitPod('best-effort', (x) => x.status?.phase === 'Failed');
  assert.equal(refused.status?.reason, 'Evicted');
  assert.equal(refused.status?.message, 'Pod was rejected: The node had condition: [MemoryPressure]. ');
  const hostNet = await h.waitPod('host-net', (x) => x.status?.phase === 'Running');
  assert.equal(hostNet.status?.podIP, '192.0.2.10');
  const waiting = await h.waitPod('needs-net', (x) => Boolean(x.status?.startTime));
  assert.equal(waiting.status?.phase, 'Pending');
  assert.equal(h.containerId(waiting, 'app'), undefined);
  readings.memoryAvailableBytes = 6 * GiB;
  h.runtime.conditions = [
    { type: 'RuntimeReady', status: true },
    { type: 'NetworkReady', status: true },
  ];
  h.runtime.warnings = ['process runtime: no isolation'];
  await h.waitPod('needs-net', (x) => x.status?.phase === 'Running');
  const back = await waitFor(async () => {
    const x = await getNode();
    return condition(x, 'Ready')?.status === 'True' ? x : undefined;
  });
  assert.equal(
    condition(back, 'Ready')?.message,
    'kubelet is posting ready status. WARNING: process runtime: no isolation',
  );
});

void test('the pod CIDR the server assigns is handed out', async () => {
  await h.client
    .resource<Node>(R.nodes)
    .patch('', h.nodeName, 'merge', { spec: { podCIDR: '10.42.7.0/24' } });
  await waitFor(() => cidrs.includes('10.42.7.0/24'), { message: 'podCIDR seen' });
  assert.equal(h.kubelet.podCIDR, '10.42.7.0/24');
});

void test('the downward API reports node allocatable for a container without limits', async () => {
  await h.createPod('limits', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        env: [
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        ],
      },
    ],
  });
  const p = await h.waitPod('limits', (x) => x.status?.phase === 'Running');
  const env = Object.fromEntries(
    h.runtime.containers.get(h.containerId(p, 'app')!)!.config.envs.map((e) => [e.key, e.value]),
  );
  assert.equal(env.MEM, String(8192 - 512 - 100));
  assert.equal(env.CPU, '3500');
});

void test('stopping the kubelet marks the node NotReady', async () => {
  await h.kubelet.stop();
  const n = await getNode();
  assert.equal(condition(n, 'Ready')?.status, 'False');
  assert.equal(condition(n, 'Ready')?.message, 'node is shutting down');
});
