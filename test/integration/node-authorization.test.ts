/**
 * A node identity (`system:node:n1` in `system:nodes`) against a real API server: the Node authorizer lets it
 * read what the pods bound to it use, NodeRestriction keeps its writes to its own objects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator } from '../../src/apiserver/auth/index.js';
import { ApiClient, Informer, R, type ResourceType } from '../../src/client/index.js';
import { ClusterRecords } from '../../src/dns/cluster-records.js';
import { feedRecords } from '../../src/dns/informer-records.js';
import { LocalPathCleaner } from '../../src/kubelet/volumes/local-path-cleaner.js';
import { realClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { call } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

const TOKENS = [
  { token: 'admin-token', username: 'admin', uid: 'admin', groups: ['system:masters'] },
  { token: 'n1-token', username: 'system:node:n1', uid: 'n1', groups: ['system:nodes'] },
  { token: 'n2-token', username: 'system:node:n2', uid: 'n2', groups: ['system:nodes'] },
  // The name of a node, but not in system:nodes: RBAC alone decides.
  { token: 'fake-token', username: 'system:node:n1', uid: 'fake', groups: [] },
];

let srv: TestServer;
const as = (
  user: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => call(srv.url, method, path, body, { authorization: `Bearer ${user}-token`, ...headers });
const merge = { 'content-type': 'application/merge-patch+json' };
const strategic = { 'content-type': 'application/strategic-merge-patch+json' };

const ns = '/api/v1/namespaces/default';

async function created(res: Promise<{ status: number; text: string }>): Promise<void> {
  const r = await res;
  assert.ok(r.status === 201 || r.status === 200, `${r.status} ${r.text}`);
}

const secret = (name: string) => ({ metadata: { name }, data: { k: Buffer.from(name).toString('base64') } });
const pod = (name: string, nodeName: string | undefined, volumes: unknown[] = []) => ({
  metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }], volumes },
});
const secretVolume = (name: string) => ({ name: 'v', secret: { secretName: name } });

before(async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  srv = await startTestServer({
    authenticator: createAuthenticator({ tokens: TOKENS }),
    serviceAccount: { signingKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
  });
  // The ServiceAccount plugin needs the account (no controller runs here).
  await created(as('admin', 'POST', `${ns}/serviceaccounts`, { metadata: { name: 'default' } }));
  await created(as('admin', 'POST', '/api/v1/nodes', { metadata: { name: 'n2' } }));
  for (const name of ['s1', 's2', 's-n2', 'late', 'pending'])
    await created(as('admin', 'POST', `${ns}/secrets`, secret(name)));
  await created(as('admin', 'POST', `${ns}/pods`, pod('p1', 'n1', [secretVolume('s1')])));
  await created(as('admin', 'POST', `${ns}/pods`, pod('p2', 'n2', [secretVolume('s-n2')])));
  await created(as('admin', 'POST', `${ns}/pods`, pod('unbound', undefined, [secretVolume('pending')])));
});
after(() => srv.close());

const refused = (user: string, verb: string, resource: string, name: string, reason: string) =>
  `${resource} "${name}" is forbidden: User "system:node:${user}" cannot ${verb} resource "${resource}" in API group "" in the namespace "default": ${reason}`;

describe('Node authorizer', () => {
  test('a node reads the secrets of pods bound to it, and no other', async () => {
    const own = await as('n1', 'GET', `${ns}/secrets/s1`);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.metadata.name, 's1');
    for (const other of ['s2', 's-n2', 'pending']) {
      const r = await as('n1', 'GET', `${ns}/secrets/${other}`);
      assert.equal(r.status, 403, other);
      assert.equal(r.json.reason, 'Forbidden');
      assert.equal(
        r.json.message,
        refused('n1', 'get', 'secrets', other, "no relationship found between node 'n1' and this object"),
      );
    }
    assert.equal((await as('n2', 'GET', `${ns}/secrets/s-n2`)).status, 200);
    assert.equal((await as('n2', 'GET', `${ns}/secrets/s1`)).status, 403);
    // Not in system:nodes: not a node, and RBAC grants nothing.
    const fake = await as('fake', 'GET', `${ns}/secrets/s1`);
    assert.equal(fake.status, 403);
    assert.equal(fake.json.message, refused('n1', 'get', 'secrets', 's1', '').replace(/: $/, ''));
  });

  test('a list or watch of one secret by name, not of all', async () => {
    const one = await as('n1', 'GET', `${ns}/secrets?fieldSelector=metadata.name%3Ds1`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(
      one.json.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['s1'],
    );
    const all = await as('n1', 'GET', `${ns}/secrets`);
    assert.equal(all.status, 403);
    assert.equal(
      all.json.message,
      'secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found',
    );
    assert.equal((await as('n1', 'DELETE', `${ns}/secrets/s1`)).status, 403);
  });

  test('a pod bound a moment ago: its secret is readable at once', async () => {
    await created(as('admin', 'POST', `${ns}/pods`, pod('fresh', undefined, [secretVolume('late')])));
    assert.equal((await as('n1', 'GET', `${ns}/secrets/late`)).status, 403);
    await created(as('admin', 'POST', `${ns}/pods/fresh/binding`, { target: { kind: 'Node', name: 'n1' } }));
    const r = await as('n1', 'GET', `${ns}/secrets/late`);
    assert.equal(r.status, 200, r.text);
    // Deleted: the relationship is gone with the pod.
    await created(as('admin', 'DELETE', `${ns}/pods/fresh?gracePeriodSeconds=0`));
    const gone = await as('n1', 'GET', `${ns}/secrets/late`);
    assert.equal(gone.status, 403);
  });

  test("tokens only for the service accounts of the node's pods, bound to those pods", async () => {
    await created(as('admin', 'POST', `${ns}/serviceaccounts`, { metadata: { name: 'other' } }));
    const p1 = await as('admin', 'GET', `${ns}/pods/p1`);
    const p2 = await as('admin', 'GET', `${ns}/pods/p2`);
    const request = (sa: string, ref?: { name: string; uid: string }) =>
      as('n1', 'POST', `${ns}/serviceaccounts/${sa}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { ...(ref ? { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', ...ref } } : {}) },
      });
    const ok = await request('default', { name: 'p1', uid: p1.json.metadata.uid });
    assert.equal(ok.status, 201, ok.text);
    assert.ok(ok.json.status.token);
    const unbound = await request('default');
    assert.equal(unbound.status, 403);
    assert.equal(
      unbound.json.message,
      'serviceaccounts "default" is forbidden: node requested token not bound to a pod',
    );
    const elsewhere = await request('default', { name: 'p2', uid: p2.json.metadata.uid });
    assert.equal(
      elsewhere.json.message,
      'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
    );
    const otherAccount = await request('other', { name: 'p1', uid: p1.json.metadata.uid });
    assert.equal(otherAccount.status, 403);
    assert.match(otherAccount.json.message, /no relationship found between node 'n1' and this object$/);
  });
});

describe('NodeRestriction', () => {
  test('a node registers and reports on its own Node only', async () => {
    const reg = await as('n1', 'POST', '/api/v1/nodes', {
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux' } },
    });
    assert.equal(reg.status, 201, reg.text);
    const status = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } };
    const own = await as('n1', 'PATCH', '/api/v1/nodes/n1/status', status, strategic);
    assert.equal(own.status, 200, own.text);
    const other = await as('n1', 'PATCH', '/api/v1/nodes/n2/status', status, strategic);
    assert.equal(other.status, 403);
    assert.equal(other.json.message, 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    const steal = await as('n1', 'POST', '/api/v1/nodes', { metadata: { name: 'n3' } });
    assert.equal(steal.json.message, 'nodes "n3" is forbidden: node "n1" is not allowed to modify node "n3"');
    const role = await as(
      'n1',
      'PATCH',
      '/api/v1/nodes/n1',
      { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } },
      merge,
    );
    assert.equal(role.status, 403);
    assert.equal(
      role.json.message,
      'nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane',
    );
    const annotate = await as(
      'n1',
      'PATCH',
      '/api/v1/nodes/n1',
      { metadata: { annotations: { a: 'b' } } },
      merge,
    );
    assert.equal(annotate.status, 200, annotate.text);
    const untaint = await as(
      'admin',
      'PATCH',
      '/api/v1/nodes/n1',
      { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
      merge,
    );
    assert.equal(untaint.status, 200, untaint.text);
    const lift = await as('n1', 'PATCH', '/api/v1/nodes/n1', { spec: { taints: null } }, merge);
    assert.equal(lift.json.message, 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    // The Node authorizer lets it read any Node (upstream without AuthorizeNodeWithSelectors), not delete others.
    assert.equal((await as('n1', 'GET', '/api/v1/nodes/n2')).status, 200);
    assert.equal((await as('n1', 'DELETE', '/api/v1/nodes/n2')).status, 403);
  });

  test('pod status of its own pods only; no pods of its own making', async () => {
    const status = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const own = await as('n1', 'PATCH', `${ns}/pods/p1/status`, status, strategic);
    assert.equal(own.status, 200, own.text);
    const other = await as('n1', 'PATCH', `${ns}/pods/p2/status`, status, strategic);
    assert.equal(other.status, 403);
    assert.equal(
      other.json.message,
      'pods "p2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    );
    const plain = await as('n1', 'POST', `${ns}/pods`, pod('mine', 'n1'));
    assert.equal(plain.status, 403);
    assert.equal(
      plain.json.message,
      'pods "mine" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
    );
    const evict = await as('n1', 'POST', `${ns}/pods/p2/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p2', namespace: 'default' },
    });
    assert.equal(evict.status, 403);
    assert.equal(
      evict.json.message,
      'pods "p2" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
    );
    const del = await as('n1', 'DELETE', `${ns}/pods/p2`);
    assert.equal(del.status, 403);
    assert.equal(
      del.json.message,
      'pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
    );
    const update = await as('n1', 'PATCH', `${ns}/pods/p1`, { metadata: { labels: { a: 'b' } } }, merge);
    assert.equal(update.status, 403, 'not a kubelet rule');
  });

  test('its own Lease in kube-node-lease', async () => {
    const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    const lease = (name: string) => ({
      metadata: { name },
      spec: { holderIdentity: name, leaseDurationSeconds: 40 },
    });
    assert.equal((await as('n1', 'POST', leases, lease('n1'))).status, 201);
    const renew = await as(
      'n1',
      'PATCH',
      `${leases}/n1`,
      { spec: { renewTime: '2025-01-01T00:00:00.000000Z' } },
      merge,
    );
    assert.equal(renew.status, 200, renew.text);
    const other = await as('n1', 'POST', leases, lease('n2'));
    assert.equal(other.status, 403);
    assert.equal(
      other.json.message,
      'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    await created(as('n2', 'POST', leases, lease('n2')));
    const read = await as('n1', 'GET', `${leases}/n2`);
    assert.equal(
      read.json.message,
      'leases.coordination.k8s.io "n2" is forbidden: User "system:node:n1" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node',
    );
    const elsewhere = await as(
      'n1',
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/default/leases',
      lease('n1'),
    );
    assert.equal(elsewhere.status, 403);
    assert.match(elsewhere.json.message, /can only access leases in the "kube-node-lease" system namespace$/);
  });

  test('can-i --list for a node is incomplete, as upstream', async () => {
    const r = await as('n1', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      spec: { namespace: 'default' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status.incomplete, true);
    assert.equal(r.json.status.evaluationError, 'node authorizer does not support user rule resolution');
  });
});

/** Resolves with the promise, or rejects after ms (an informer refused its list retries forever). */
const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref(),
    ),
  ]);

describe("the node agent's other components, as the node", () => {
  let client: ApiClient;
  before(() => {
    client = new ApiClient({ server: srv.url, token: 'n1-token', userAgent: 'tugboat-kubelet/n1' });
  });
  after(() => client.close());

  test('the informers of the service proxy, the cluster DNS and the NetworkPolicy agent sync', async () => {
    const types: [string, ResourceType][] = [
      ['pods', R.pods],
      ['services', R.services],
      ['endpointslices', R.endpointSlices],
      ['namespaces', R.namespaces],
      ['networkpolicies', R.networkPolicies],
      ['persistentvolumes', R.persistentVolumes],
    ];
    const informers = types.map(([name, type]) => [name, new Informer(client.resource(type))] as const);
    try {
      for (const [, i] of informers) i.start();
      for (const [name, i] of informers) await within(i.waitForSync(), 5000, name);
    } finally {
      for (const [, i] of informers) i.stop();
    }
    const records = new ClusterRecords(realClock);
    const feed = feedRecords(client, records, silentLogger);
    try {
      await within(feed.synced, 5000, 'DNS records');
    } finally {
      feed.stop();
    }
  });

  // Node n1 registered itself in the NodeRestriction tests above.
  test("the local-path cleaner deletes the node's released volumes, and the node no others", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tugboat-node-authz-'));
    const volume = (name: string, host: string) => ({
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'tugboat.dev/local-path' } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'local-path',
        hostPath: { path: join(dir, name) },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] },
            ],
          },
        },
      },
    });
    const release = async (name: string) => {
      const r = await as('admin', 'PUT', `/api/v1/persistentvolumes/${name}/status`, {
        ...(await as('admin', 'GET', `/api/v1/persistentvolumes/${name}`)).json,
        status: { phase: 'Released' },
      });
      assert.equal(r.status, 200, r.text);
    };
    for (const [name, host] of [
      ['pv-n1', 'n1'],
      ['pv-n2', 'n2'],
    ] as const) {
      mkdirSync(join(dir, name));
      await created(as('admin', 'POST', '/api/v1/persistentvolumes', volume(name, host)));
      await release(name);
    }
    const refused = await as('n1', 'DELETE', '/api/v1/persistentvolumes/pv-n2');
    assert.equal(refused.status, 403);
    assert.equal(
      refused.json.message,
      'persistentvolumes "pv-n2" is forbidden: node "n1" can only delete released volumes of the "tugboat.dev/local-path" provisioner with a node affinity for itself',
    );
    const cleaner = new LocalPathCleaner({ client, nodeName: 'n1', hostname: 'n1', dir, retryMs: 50 });
    try {
      cleaner.start();
      // Deleted: it stays until the pv-protection controller (not run here) takes its finalizer away.
      await waitFor(
        async () =>
          !!(await as('admin', 'GET', '/api/v1/persistentvolumes/pv-n1')).json.metadata?.deletionTimestamp,
        { message: 'pv-n1 deleted by the node' },
      );
      assert.equal(existsSync(join(dir, 'pv-n1')), false);
      await waitFor(
        async () =>
          (await as('admin', 'GET', '/api/v1/nodes/n1')).json.metadata.annotations?.[
            'tugboat.dev/local-path-dir'
          ] === dir,
        { message: 'directory published on the Node' },
      );
    } finally {
      cleaner.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal((await as('admin', 'GET', '/api/v1/persistentvolumes/pv-n2')).status, 200);
  });
});
