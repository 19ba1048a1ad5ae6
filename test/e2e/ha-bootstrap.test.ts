/**
 * Several `tugboat server` processes on one etcd as one cluster, as k3s servers with an external datastore: the
 * second server, given the same datastore and token, takes the cluster CA and service account key from the
 * bootstrap data the first one wrote, so clients and tokens of one server are good on the other.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { etcdMissing, testEtcdEndpoint } from '../helpers/etcd.js';
import { removeServerCluster, startLoopbackServerPair } from '../helpers/ha-servers.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const skip = await etcdMissing();
if (skip) console.log(`# ha-bootstrap e2e skipped: ${skip}`);

const TOKEN = 'ha-cluster-secret';
const prefix = `/tugboat-ha-${process.pid}-${Date.now()}`;
const datastore = `etcd://${testEtcdEndpoint}?prefix=${prefix}`;
const caFile = (s: ServerProcess): string =>
  readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8');

void describe('two servers on one etcd', { skip }, () => {
  let root: string;
  let a: ServerProcess;
  let b: ServerProcess;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tugboat-ha-'));
    a = await startServerProcess({
      dataDir: join(root, 'a'),
      datastoreEndpoint: datastore,
      args: ['--token', TOKEN],
    });
    b = await startServerProcess({
      dataDir: join(root, 'b'),
      datastoreEndpoint: datastore,
      args: ['--token', TOKEN],
    });
  });
  after(async () => {
    await removeServerCluster([a, b], prefix, root);
  });

  test('the second server takes the first one’s cluster CA', () => {
    assert.equal(caFile(b), caFile(a));
    assert.notEqual(
      readFileSync(join(b.dataDir, 'server', 'tls', 'serving-kube-apiserver.crt'), 'utf8'),
      readFileSync(join(a.dataDir, 'server', 'tls', 'serving-kube-apiserver.crt'), 'utf8'),
      'serving certificates stay per server',
    );
  });

  test('the first server’s admin kubeconfig works against the second', async () => {
    const r = await a.kubectl(['--server', b.server, 'get', 'ns', 'default', '-o', 'name']);
    assert.equal(expectOk(r, 'get ns through B').stdout.trim(), 'namespace/default');
  });

  test('a service account token made through the first server is accepted by the second', async () => {
    await waitFor(async () => (await a.kubectl(['get', 'serviceaccount', 'default'])).code === 0, {
      message: 'default service account',
    });
    const token = expectOk(await a.kubectl(['create', 'token', 'default']), 'create token').stdout.trim();
    // A kubeconfig with B's address and the CA only: with a client certificate kubectl would be admin.
    const kubeconfig = join(root, 'token-kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: b
  cluster: {server: '${b.server}', certificate-authority-data: ${Buffer.from(caFile(a)).toString('base64')}}
contexts:
- name: b
  context: {cluster: b, user: u}
current-context: b
users:
- name: u
  user: {}
`,
    );
    const r = await b.kubectl(['--kubeconfig', kubeconfig, '--token', token, 'auth', 'whoami', '-o', 'json']);
    const me = JSON.parse(expectOk(r, 'whoami on B').stdout) as {
      status: { userInfo: { username: string } };
    };
    assert.equal(me.status.userInfo.username, 'system:serviceaccount:default:default');
  });

  test('a server with another token, or none, is refused with the reason', async () => {
    for (const [name, args] of [
      ['c', ['--token', 'not-the-cluster-secret']],
      ['d', []],
    ] as const) {
      await assert.rejects(
        startServerProcess({ dataDir: join(root, name), datastoreEndpoint: datastore, args: [...args] }),
        /bootstrap data already found in the datastore and encrypted with a different token.*--token/,
        `server ${name}`,
      );
    }
  });

  test('a restarted server finds its token and the cluster’s data again', async () => {
    const ca = caFile(a);
    await a.stop();
    a = await startServerProcess({ dataDir: join(root, 'a'), datastoreEndpoint: datastore });
    assert.equal(caFile(a), ca);
    expectOk(await a.kubectl(['get', 'ns', 'default']), 'get ns after restart');
  });
});

void describe('two servers on one etcd share Service addresses and the kubernetes Service', { skip }, () => {
  const sharedPrefix = `/tugboat-ha-shared-${process.pid}-${Date.now()}`;
  const shared = `etcd://${testEtcdEndpoint}?prefix=${sharedPrefix}`;
  let root: string;
  let a: ServerProcess;
  let b: ServerProcess | undefined;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tugboat-ha-shared-'));
    ({ a, b } = await startLoopbackServerPair(root, shared, TOKEN));
  });
  after(async () => {
    await removeServerCluster([a, b], sharedPrefix, root);
  });

  const endpointIps = async (): Promise<string> =>
    expectOk(
      await a.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']),
      'kubernetes endpoints',
    ).stdout;

  test('the kubernetes Endpoints name both servers', async () => {
    await waitFor(async () => (await endpointIps()) === '127.0.0.2 127.0.0.3' || undefined, {
      timeoutMs: 30_000,
      message: 'both servers in the kubernetes Endpoints',
    });
  });

  test('Services created at once through both servers get distinct cluster IPs and node ports', async () => {
    const manifest = (name: string): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: Array.from({ length: 15 }, (_, i) => ({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `${name}-${i}` },
          spec: { type: 'NodePort', ports: [{ port: 80 }], selector: { app: name } },
        })),
      });
    const [viaA, viaB] = await Promise.all([
      a.kubectl(['create', '-f', '-'], { input: manifest('via-a') }),
      b!.kubectl(['create', '-f', '-'], { input: manifest('via-b') }),
    ]);
    expectOk(viaA, 'create through A');
    expectOk(viaB, 'create through B');
    const list = JSON.parse(
      expectOk(await a.kubectl(['get', 'services', '-o', 'json']), 'list services').stdout,
    ) as { items: { spec: { clusterIP: string; ports: { nodePort?: number }[] } }[] };
    const ips = list.items.map((s) => s.spec.clusterIP);
    const ports = list.items.flatMap((s) => s.spec.ports.map((p) => p.nodePort)).filter((p) => p);
    assert.equal(ips.length, 31, 'thirty Services and the kubernetes one');
    assert.equal(new Set(ips).size, ips.length, `cluster IPs are distinct: ${ips.join(' ')}`);
    assert.equal(ports.length, 30);
    assert.equal(new Set(ports).size, ports.length, `node ports are distinct: ${ports.join(' ')}`);
    // An address freed through one server is free for the other.
    const freed = list.items.find((s) => s.spec.clusterIP && s !== list.items[0])!.spec.clusterIP;
    const owner = (list.items as { metadata?: { name: string }; spec: { clusterIP: string } }[]).find(
      (s) => s.spec.clusterIP === freed,
    )!.metadata!.name;
    expectOk(await a.kubectl(['delete', 'service', owner]), 'delete through A');
    const again = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'reuse' },
      spec: { clusterIP: freed, ports: [{ port: 80 }] },
    });
    await waitFor(
      async () => (await b!.kubectl(['create', '-f', '-'], { input: again })).code === 0 || undefined,
      {
        timeoutMs: 10_000,
        message: 'the freed cluster IP taken through B',
      },
    );
  });

  test('a server that stops leaves the kubernetes Endpoints', async () => {
    await b!.stop();
    b = undefined;
    await waitFor(async () => (await endpointIps()) === '127.0.0.2' || undefined, {
      timeoutMs: 30_000,
      message: 'only A left in the kubernetes Endpoints',
    });
  });
});
