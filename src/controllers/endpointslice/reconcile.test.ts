import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { reconcileSlices, type ReconcileInput, type SliceChanges } from './reconcile.js';

const SERVICE: Service = {
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { tier: 'front' } },
  spec: {
    clusterIP: '10.43.0.1',
    ipFamilies: ['IPv4'],
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
  },
};

const pod = (i: number, opts: { ready?: boolean; port?: number; node?: string } = {}): Pod => ({
  metadata: {
    name: `p${String(i).padStart(3, '0')}`,
    namespace: 'ns',
    uid: `uid-${i}`,
    labels: { app: 'web' },
  },
  spec: {
    nodeName: opts.node ?? 'n1',
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: opts.port ?? 8080, protocol: 'TCP' }] }],
  },
  status: {
    phase: 'Running',
    podIP: `10.42.${Math.floor(i / 200)}.${i % 200}`,
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});
const pods = (n: number, from = 0): Pod[] => Array.from({ length: n }, (_, i) => pod(from + i));

const nodes: Record<string, Node> = { n1: { metadata: { name: 'n1' } } };

function plan(over: Partial<ReconcileInput> & { pods: Pod[] }, existing: EndpointSlice[] = []): SliceChanges {
  return reconcileSlices({
    service: SERVICE,
    existing,
    node: (n) => nodes[n],
    maxEndpointsPerSlice: 100,
    ...over,
  });
}

let serial = 0;
/** What the API server would hold after the creates and updates of a plan. */
function applied(changes: SliceChanges, existing: EndpointSlice[] = []): EndpointSlice[] {
  const byName = new Map(existing.map((s) => [s.metadata?.name ?? '', s]));
  for (const s of changes.delete) byName.delete(s.metadata?.name ?? '');
  for (const s of changes.update) byName.set(s.metadata?.name ?? '', s);
  for (const s of changes.create) {
    const name = `web-${++serial}`;
    byName.set(name, { ...s, metadata: { ...s.metadata, name, uid: `slice-${serial}` } });
  }
  return [...byName.values()];
}

const ips = (s: EndpointSlice | undefined): string[] => (s?.endpoints ?? []).map((e) => e.addresses[0] ?? '');
const counts = (c: SliceChanges): number[] => [c.create.length, c.update.length, c.delete.length];

void test('a new Service: one slice with its pods, labels, owner, ports; then nothing to do', () => {
  const changes = plan({ pods: [pod(1), pod(2, { ready: false })] });
  assert.deepEqual(counts(changes), [1, 0, 0]);
  const slice = changes.create[0]!;
  assert.deepEqual(slice.metadata, {
    generateName: 'web-',
    namespace: 'ns',
    labels: {
      tier: 'front',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    },
    ownerReferences: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: 'svc-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    slice.endpoints?.map((e) => [e.addresses, e.conditions?.ready, e.nodeName]),
    [
      [['10.42.0.1'], true, 'n1'],
      [['10.42.0.2'], false, 'n1'],
    ],
  );
  const state = applied(changes);
  assert.deepEqual(counts(plan({ pods: [pod(2, { ready: false }), pod(1)] }, state)), [0, 0, 0]);
});

void test('no pods: one empty placeholder slice, kept as it is', () => {
  const changes = plan({ pods: [] });
  assert.deepEqual(counts(changes), [1, 0, 0]);
  assert.deepEqual(changes.create[0]?.ports, []);
  assert.deepEqual(changes.create[0]?.endpoints, []);
  assert.deepEqual(counts(plan({ pods: [] }, applied(changes))), [0, 0, 0]);
});

void test('a pod turning not ready updates its slice only; the last pod going leaves the placeholder', () => {
  const state = applied(plan({ pods: pods(150) }));
  assert.equal(state.length, 2);
  const unready = pods(150);
  unready[120] = pod(120, { ready: false });
  const changes = plan({ pods: unready }, state);
  assert.deepEqual(counts(changes), [0, 1, 0]);
  assert.equal(
    changes.update[0]?.endpoints?.find((e) => e.targetRef?.name === 'p120')?.conditions?.ready,
    false,
  );

  const small = applied(plan({ pods: pods(2) }));
  const removed = plan({ pods: [pod(0)] }, small);
  assert.deepEqual(counts(removed), [0, 1, 0]);
  assert.deepEqual(ips(removed.update[0]), ['10.42.0.0']);
  // No pods left: the slice becomes the placeholder under its own name (an update, not delete + create).
  const none = plan({ pods: [] }, small);
  assert.deepEqual(counts(none), [0, 1, 0]);
  assert.equal(none.update[0]?.metadata?.name, small[0]?.metadata?.name);
  assert.deepEqual(none.update[0]?.endpoints, []);
  assert.deepEqual(none.update[0]?.ports, []);
});

void test('at most maxEndpointsPerSlice per slice; new pods go into the slice they fill best', () => {
  const state = applied(plan({ pods: pods(250) }));
  assert.deepEqual(
    state.map((s) => s.endpoints?.length),
    [100, 100, 50],
  );
  const grown = plan({ pods: pods(260) }, state);
  assert.deepEqual(counts(grown), [0, 1, 0]);
  assert.equal(grown.update[0]?.endpoints?.length, 60);
  const more = plan({ pods: pods(400) }, state);
  assert.deepEqual(counts(more), [1, 1, 0]);
  assert.equal(more.create[0]?.endpoints?.length, 100);
  assert.equal(more.update[0]?.endpoints?.length, 100);
});

void test('a changed slice is filled up before any other slice is touched', () => {
  const state = applied(plan({ pods: pods(250) }));
  const next = pods(251);
  next.splice(10, 1); // p010 goes from the first slice, p250 comes
  const changes = plan({ pods: next }, state);
  assert.deepEqual(counts(changes), [0, 1, 0]);
  assert.equal(changes.update[0]?.endpoints?.length, 100);
  assert.ok(ips(changes.update[0]).includes('10.42.1.50'));
});

void test('pods with other ports get their own slices', () => {
  const changes = plan({ pods: [pod(1), pod(2, { port: 9000 })] });
  assert.deepEqual(
    changes.create.map((s) => [s.ports?.[0]?.port, ips(s)]),
    [
      [8080, ['10.42.0.1']],
      [9000, ['10.42.0.2']],
    ],
  );
});

void test('slices not owned by the Service go (reused for new contents when possible)', () => {
  const foreign: EndpointSlice = {
    ...applied(plan({ pods: [pod(1)] }))[0]!,
    metadata: {
      name: 'web-old',
      namespace: 'ns',
      uid: 'x',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'old' }],
    },
  };
  const changes = plan({ pods: [pod(1)] }, [foreign]);
  assert.deepEqual(counts(changes), [1, 0, 1]);
  assert.equal(changes.delete[0]?.metadata?.name, 'web-old');
});

void test('a Service label change updates the slice labels alone', () => {
  const state = applied(plan({ pods: [pod(1)] }));
  const relabelled = { ...SERVICE, metadata: { ...SERVICE.metadata, labels: { tier: 'back' } } };
  const changes = plan({ service: relabelled, pods: [pod(1)] }, state);
  assert.deepEqual(counts(changes), [0, 1, 0]);
  assert.equal(changes.update[0]?.metadata?.labels?.tier, 'back');
  assert.deepEqual(changes.update[0]?.endpoints, state[0]?.endpoints);
});

void test('headless Service: the headless label, and no ports needed', () => {
  const headless = { ...SERVICE, spec: { ...SERVICE.spec, clusterIP: 'None', ports: [] } };
  const changes = plan({ service: headless, pods: [pod(1)] });
  assert.equal(changes.create[0]?.metadata?.labels?.['service.kubernetes.io/headless'], '');
  assert.deepEqual(changes.create[0]?.ports, []);
  assert.deepEqual(ips(changes.create[0]), ['10.42.0.1']);
});

void test('pods on unknown nodes are left out and reported, unless not-ready addresses are published', () => {
  const changes = plan({ pods: [pod(1), pod(2, { node: 'gone' })] });
  assert.deepEqual(ips(changes.create[0]), ['10.42.0.1']);
  assert.deepEqual(changes.podsWithoutNode, ['p002']);
  const publish = { ...SERVICE, spec: { ...SERVICE.spec, publishNotReadyAddresses: true } };
  const published = plan({ service: publish, pods: [pod(1), pod(2, { node: 'gone' })] });
  assert.deepEqual(ips(published.create[0]), ['10.42.0.1', '10.42.0.2']);
  assert.deepEqual(published.podsWithoutNode, []);
});

void test('slices of an address type the Service no longer has go', () => {
  const state = applied(plan({ pods: [pod(1)] }));
  const v6 = { ...SERVICE, spec: { ...SERVICE.spec, ipFamilies: ['IPv6'] } };
  const changes = plan({ service: v6, pods: [pod(1)] }, state);
  // The IPv4 slice goes; IPv4-only pods give an IPv6 placeholder, which cannot reuse an IPv4 slice.
  assert.deepEqual(counts(changes), [1, 0, 1]);
  assert.equal(changes.create[0]?.addressType, 'IPv6');
});

void test('the inputs are never modified', () => {
  const state = applied(plan({ pods: pods(120) }));
  const frozen = JSON.stringify(state);
  const input = pods(130);
  input[5] = pod(5, { ready: false });
  plan({ pods: input }, state);
  plan({ pods: [] }, state);
  assert.equal(JSON.stringify(state), frozen);
});
