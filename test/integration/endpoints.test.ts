/**
 * The endpoint and EndpointSlice controllers against a real API server: pods are created bound to a node and
 * their status (IP, phase, Ready) is written through the status subresource, as a kubelet would.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Container, Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { endpointController } from '../../src/controllers/endpoint/index.js';
import { endpointSliceController } from '../../src/controllers/endpointslice/index.js';
import { rfc3339 } from '../../src/util/clock.js';
import { sleep, waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitUntilGone } from '../helpers/gone.js';

let cluster: TestCluster;
let client: ApiClient;
const NS = 'default';
const NODE = 'ep-node';
const SLICE_MANAGER = 'endpointslice-controller.k8s.io';

before(async () => {
  cluster = await startTestCluster({ endpoint: endpointController, endpointslice: endpointSliceController });
  client = cluster.client;
  await client.resource<Node>(R.nodes).create({
    metadata: { name: NODE, labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
    spec: {},
  });
});
after(() => cluster.close());

const pods = () => client.resource<Pod>(R.pods);
const services = () => client.resource<Service>(R.services);
const endpoints = () => client.resource<Endpoints>(R.endpoints);
const slices = () => client.resource<EndpointSlice>(R.endpointSlices);

let nextIp = 1;
const ipOf = new Map<string, string>();

interface PodOpts {
  ready?: boolean;
  containers?: Container[];
  hostname?: string;
  subdomain?: string;
}

/** A pod bound to the node and running with an IP of its own, ready unless said otherwise. */
async function runPod(name: string, app: string, opts: PodOpts = {}): Promise<void> {
  const ip = `10.42.${Math.floor(nextIp / 250)}.${(nextIp % 250) + 1}`;
  nextIp++;
  ipOf.set(name, ip);
  await pods().create({
    metadata: { name, namespace: NS, labels: { app } },
    spec: {
      nodeName: NODE,
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(opts.subdomain ? { subdomain: opts.subdomain } : {}),
      containers: opts.containers ?? [{ name: 'c', image: 'busybox' }],
    },
  });
  await setReady(name, opts.ready ?? true);
}

async function setReady(name: string, ready: boolean): Promise<void> {
  const ip = ipOf.get(name) ?? '';
  const now = rfc3339(Date.now());
  await pods().patch(
    NS,
    name,
    'merge',
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
      },
    },
    { subresource: 'status' },
  );
}

async function createService(
  name: string,
  spec: Service['spec'],
  labels?: Record<string, string>,
): Promise<Service> {
  return services().create({
    metadata: { name, namespace: NS, ...(labels ? { labels } : {}) },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  });
}

/** The Endpoints of `name` once `check` accepts it. */
function endpointsOf(name: string, check: (ep: Endpoints) => boolean): Promise<Endpoints> {
  return waitFor(
    async () => {
      const ep = await endpoints().get(NS, name);
      return check(ep) ? ep : undefined;
    },
    { message: `Endpoints ${name}` },
  );
}

async function listSlices(service: string): Promise<EndpointSlice[]> {
  const list = await slices().list(NS, { labelSelector: `kubernetes.io/service-name=${service}` });
  return list.items;
}

/** The controller's EndpointSlices of `service` once `check` accepts them. */
function slicesOf(service: string, check: (s: EndpointSlice[]) => boolean): Promise<EndpointSlice[]> {
  return waitFor(
    async () => {
      const list = await listSlices(service);
      return check(list) ? list : undefined;
    },
    { message: `EndpointSlices of ${service}` },
  );
}

const readyIps = (ep: Endpoints): string[] =>
  (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
const notReadyIps = (ep: Endpoints): string[] =>
  (ep.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();
const sliceEndpoints = (list: EndpointSlice[]) => list.flatMap((s) => s.endpoints ?? []);
const endpointOf = (list: EndpointSlice[], pod: string) =>
  sliceEndpoints(list).find((e) => e.targetRef?.name === pod);
const ips = (...names: string[]): string[] => names.map((n) => ipOf.get(n) ?? '').sort();

test('a Service gets Endpoints and an EndpointSlice listing its ready pods', async () => {
  await runPod('web-1', 'web');
  await runPod('web-2', 'web');
  const svc = await createService('web', { selector: { app: 'web' } }, { tier: 'front' });

  const ep = await endpointsOf('web', (e) => readyIps(e).length === 2);
  assert.deepEqual(readyIps(ep), ips('web-1', 'web-2'));
  assert.deepEqual(ep.subsets?.[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const address = ep.subsets?.[0]?.addresses?.find((a) => a.targetRef?.name === 'web-1');
  assert.equal(address?.nodeName, NODE);
  assert.deepEqual(
    { ...address?.targetRef },
    { kind: 'Pod', namespace: NS, name: 'web-1', uid: address?.targetRef?.uid },
  );
  assert.ok(address?.targetRef?.uid);
  assert.equal(ep.metadata?.labels?.tier, 'front');
  assert.equal(ep.metadata?.labels?.['service.kubernetes.io/headless'], undefined);
  assert.match(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /Z$/);

  const [slice, ...others] = await slicesOf('web', (l) => sliceEndpoints(l).length === 2);
  assert.equal(others.length, 0);
  assert.equal(slice?.addressType, 'IPv4');
  assert.match(slice?.metadata?.name ?? '', /^web-/);
  assert.equal(slice?.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], SLICE_MANAGER);
  assert.equal(slice?.metadata?.labels?.tier, 'front');
  assert.deepEqual(slice?.metadata?.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'Service',
      name: 'web',
      uid: svc.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(slice?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const e = endpointOf([slice], 'web-2');
  assert.deepEqual(e?.addresses, ips('web-2'));
  assert.deepEqual(e?.conditions, { ready: true, serving: true, terminating: false });
  assert.equal(e?.nodeName, NODE);
  assert.equal(e?.zone, 'zone-a');
  assert.equal(e?.targetRef?.kind, 'Pod');

  // Nothing changed for either controller: a Service annotation and a pod label outside the selector.
  const epVersion = ep.metadata?.resourceVersion;
  const sliceVersion = slice?.metadata?.resourceVersion;
  await services().patch(NS, 'web', 'merge', { metadata: { annotations: { note: 'x' } } });
  await pods().patch(NS, 'web-1', 'merge', { metadata: { labels: { extra: 'y' } } });
  await sleep(500);
  assert.equal((await endpoints().get(NS, 'web')).metadata?.resourceVersion, epVersion);
  assert.equal((await listSlices('web'))[0]?.metadata?.resourceVersion, sliceVersion);
});

test('a pod turning not ready moves to notReadyAddresses and ready=false; deleted pods leave', async () => {
  await runPod('flip-1', 'flip');
  await runPod('flip-2', 'flip');
  await runPod('flip-3', 'flip');
  await createService('flip', { selector: { app: 'flip' } });
  await endpointsOf('flip', (e) => readyIps(e).length === 3);

  await setReady('flip-1', false);
  const ep = await endpointsOf('flip', (e) => notReadyIps(e).length === 1);
  assert.deepEqual(notReadyIps(ep), ips('flip-1'));
  assert.deepEqual(readyIps(ep), ips('flip-2', 'flip-3'));
  const list = await slicesOf('flip', (l) => endpointOf(l, 'flip-1')?.conditions?.ready === false);
  assert.deepEqual(endpointOf(list, 'flip-1')?.conditions, {
    ready: false,
    serving: false,
    terminating: false,
  });

  // A graceful deletion: the pod terminates on its node; Endpoints drop it, the slice marks it terminating.
  await pods().delete(NS, 'flip-2');
  await endpointsOf('flip', (e) => !readyIps(e).includes(ipOf.get('flip-2') ?? ''));
  const terminating = await slicesOf(
    'flip',
    (l) => endpointOf(l, 'flip-2')?.conditions?.terminating === true,
  );
  assert.deepEqual(endpointOf(terminating, 'flip-2')?.conditions, {
    ready: false,
    serving: true,
    terminating: true,
  });

  // Gone for good.
  await pods().delete(NS, 'flip-2', { gracePeriodSeconds: 0 });
  await pods().delete(NS, 'flip-3', { gracePeriodSeconds: 0 });
  const left = await endpointsOf('flip', (e) => readyIps(e).length === 0);
  assert.deepEqual(notReadyIps(left), ips('flip-1'));
  const remaining = await slicesOf('flip', (l) => sliceEndpoints(l).length === 1);
  assert.equal(endpointOf(remaining, 'flip-1')?.conditions?.ready, false);
});

test('a named targetPort resolves per pod; pods without it get no address for it', async () => {
  const container = (port?: number): Container[] => [
    { name: 'c', image: 'busybox', ...(port ? { ports: [{ name: 'web', containerPort: port }] } : {}) },
  ];
  await runPod('named-1', 'named', { containers: container(8080) });
  await runPod('named-2', 'named', { containers: container(9090) });
  await runPod('named-3', 'named', { containers: container() });
  await createService('named', {
    selector: { app: 'named' },
    ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }],
  });
  const ep = await endpointsOf('named', (e) => readyIps(e).length === 2);
  const byPort = (ep.subsets ?? []).map((s) => [s.ports?.[0]?.port, (s.addresses ?? []).map((a) => a.ip)]);
  assert.deepEqual(
    byPort.sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [8080, ips('named-1')],
      [9090, ips('named-2')],
    ],
  );
  // One slice per set of ports; the pod without the port is listed with none (as upstream).
  const list = await slicesOf('named', (l) => sliceEndpoints(l).length === 3);
  const portsOf = (pod: string) =>
    list.find((s) => (s.endpoints ?? []).some((e) => e.targetRef?.name === pod))?.ports?.map((p) => p.port);
  assert.deepEqual(portsOf('named-1'), [8080]);
  assert.deepEqual(portsOf('named-2'), [9090]);
  assert.deepEqual(portsOf('named-3'), []);
});

test('headless Service: the headless label on both, hostnames for pods of its subdomain', async () => {
  await runPod('db-0', 'db', { hostname: 'db-0', subdomain: 'db' });
  await runPod('db-x', 'db', { hostname: 'db-x', subdomain: 'other' });
  await createService('db', { selector: { app: 'db' }, clusterIP: 'None' });
  const ep = await endpointsOf('db', (e) => readyIps(e).length === 2);
  assert.equal(ep.metadata?.labels?.['service.kubernetes.io/headless'], '');
  const hostnames = (ep.subsets ?? [])
    .flatMap((s) => s.addresses ?? [])
    .map((a) => [a.targetRef?.name, a.hostname]);
  assert.deepEqual(hostnames.sort(), [
    ['db-0', 'db-0'],
    ['db-x', undefined],
  ]);
  const list = await slicesOf('db', (l) => sliceEndpoints(l).length === 2);
  assert.equal(list[0]?.metadata?.labels?.['service.kubernetes.io/headless'], '');
  assert.equal(endpointOf(list, 'db-0')?.hostname, 'db-0');
  assert.equal(endpointOf(list, 'db-x')?.hostname, undefined);
});

test('publishNotReadyAddresses lists not-ready pods as ready addresses', async () => {
  await runPod('pub-1', 'pub', { ready: false });
  await createService('pub', { selector: { app: 'pub' }, publishNotReadyAddresses: true });
  const ep = await endpointsOf('pub', (e) => readyIps(e).length === 1);
  assert.deepEqual(notReadyIps(ep), []);
  const list = await slicesOf('pub', (l) => sliceEndpoints(l).length === 1);
  assert.deepEqual(endpointOf(list, 'pub-1')?.conditions, {
    ready: true,
    serving: false,
    terminating: false,
  });
});

test('a Service without selector keeps the Endpoints its user wrote, and gets no slices', async () => {
  await createService('manual', {});
  const mine = await endpoints().create({
    metadata: { name: 'manual', namespace: NS },
    subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 8080, protocol: 'TCP' }] }],
  });
  // Give the controllers their chance: a selector-based Service created after it gets its objects...
  await runPod('later-1', 'later');
  await createService('later', { selector: { app: 'later' } });
  await endpointsOf('later', (e) => readyIps(e).length === 1);
  await slicesOf('later', (l) => l.length === 1);
  // ...while the user's Endpoints are as written, and no slice names the manual Service.
  assert.equal(
    (await endpoints().get(NS, 'manual')).metadata?.resourceVersion,
    mine.metadata?.resourceVersion,
  );
  assert.deepEqual(await listSlices('manual'), []);
  // Deleting the Service leaves the user's Endpoints alone; so for the API server's own `kubernetes` ones.
  await services().delete(NS, 'manual');
  await sleep(300);
  await endpoints().get(NS, 'manual');
  const kubernetes = await endpoints().get(NS, 'kubernetes');
  assert.equal(kubernetes.metadata?.labels?.['endpoints.kubernetes.io/managed-by'], undefined);
});

test('the API server writes the `kubernetes` EndpointSlice itself, and the controller leaves it alone', async () => {
  const [endpoint] = (await endpoints().get(NS, 'kubernetes')).subsets?.[0]?.addresses ?? [];
  const slice = await slices().get(NS, 'kubernetes');
  assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'kubernetes');
  assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], undefined);
  assert.deepEqual(slice.endpoints, [{ addresses: [endpoint?.ip], conditions: { ready: true } }]);
  assert.equal(slice.ports?.[0]?.name, 'https');
  await sleep(300);
  assert.equal(
    (await slices().get(NS, 'kubernetes')).metadata?.resourceVersion,
    slice.metadata?.resourceVersion,
  );
});

test('a slice or Endpoints deleted by somebody else comes back', async () => {
  await runPod('back-1', 'back');
  await createService('back', { selector: { app: 'back' } });
  const [slice] = await slicesOf('back', (l) => sliceEndpoints(l).length === 1);
  await endpointsOf('back', (e) => readyIps(e).length === 1);
  await slices().delete(NS, slice?.metadata?.name ?? '');
  await endpoints().delete(NS, 'back');
  await slicesOf('back', (l) => l.length === 1 && l[0]?.metadata?.uid !== slice?.metadata?.uid);
  await endpointsOf('back', (e) => readyIps(e).length === 1);
});

test('deleting the Service removes its Endpoints and EndpointSlices', async () => {
  await runPod('bye-1', 'bye');
  await createService('bye', { selector: { app: 'bye' } });
  await endpointsOf('bye', (e) => readyIps(e).length === 1);
  await slicesOf('bye', (l) => sliceEndpoints(l).length === 1);
  await services().delete(NS, 'bye');
  await waitUntilGone(() => endpoints().get(NS, 'bye'), 'Endpoints bye deleted');
  await slicesOf('bye', (l) => l.length === 0);
});

test('more than 100 pods are spread over several slices of at most 100', async () => {
  const count = 120;
  for (let i = 0; i < count; i++) await runPod(`many-${i}`, 'many');
  await createService('many', { selector: { app: 'many' } });
  const list = await slicesOf('many', (l) => sliceEndpoints(l).length === count);
  assert.equal(list.length, 2);
  assert.ok(list.every((s) => (s.endpoints ?? []).length <= 100));
  const listed = new Set(sliceEndpoints(list).map((e) => e.targetRef?.name));
  assert.equal(listed.size, count);
  const ep = await endpointsOf('many', (e) => readyIps(e).length === count);
  assert.equal(ep.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
});
