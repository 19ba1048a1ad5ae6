/**
 * `tugboat server --api-workers 1`: a second process serves the API on the same port. Connections land on
 * either process (the kernel hands each to whichever accepts first), so every check here runs across both:
 * objects written through one are read, watched and updated through the other, Service addresses stay unique,
 * custom resources are served by both once their CRD is established, and the worker's requests are audited in
 * the main process's audit log.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let dir: string;
let token: string;
let workerPid: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-workers-'));
  writeFileSync(
    join(dir, 'audit-policy.yaml'),
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n' +
      'rules:\n- level: Metadata\n  resources: [{group: "", resources: [configmaps]}]\n',
  );
  s = await startServerProcess({
    dataDir: join(dir, 'data'),
    args: [
      '--api-workers',
      '1',
      '--audit-policy-file',
      join(dir, 'audit-policy.yaml'),
      '--audit-log-path',
      join(dir, 'audit.log'),
    ],
  });
  token = readFileSync(join(s.dataDir, 'server', 'token'), 'utf8').split(',')[0]!;
  // The kubeconfig is written as soon as the main process serves; the worker follows.
  const children = (): number[] =>
    readFileSync(`/proc/${s.pid}/task/${s.pid}/children`, 'utf8')
      .split(' ')
      .map(Number)
      .filter((n) => n > 0);
  await waitFor(() => children().length > 0 || undefined, { message: 'an API worker process' });
  await waitFor(() => s.output().includes('API worker process serving') || undefined, {
    message: 'the API worker serving',
  });
  assert.equal(children().length, 1, `one API worker process under the server: ${children().join(' ')}`);
  workerPid = children()[0]!;
});
after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

interface Answer {
  status: number;
  body: string;
  /** The server process whose socket answered. */
  servedBy: number;
  auditId: string;
}

/** One request on a connection of its own; tells which process held the server side of it. */
function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  return new Promise((resolve, reject) => {
    const req = request(
      `${s.server}${path}`,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        // The connection stays open (keep-alive) until the agent goes.
        const servedBy = serverSideOwner(res.socket.localPort!);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          agent.destroy();
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            servedBy,
            auditId: String(res.headers['audit-id']),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Which of the two server processes owns the accepted socket of the client connection from clientPort. */
function serverSideOwner(clientPort: number): number {
  const hex = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
  let inode: string | undefined;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === `0100007F:${hex(s.port)}` && f[2] === `0100007F:${hex(clientPort)}`) inode = f[9];
  }
  assert.ok(inode, `the server side of the connection from port ${clientPort}`);
  for (const pid of [s.pid, workerPid]) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  assert.fail(`no server process holds socket ${inode}`);
}

void describe('API worker processes', () => {
  void test('both processes serve, and each reads what the other wrote at once', async () => {
    const servedBy = new Set<number>();
    const answers: Answer[] = [];
    for (let i = 0; i < 40; i++) {
      const name = `cm-${i}`;
      const created = await call('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name },
        data: { i: String(i) },
      });
      assert.equal(created.status, 201, created.body);
      const read = await call('GET', `/api/v1/namespaces/default/configmaps/${name}`);
      assert.equal(read.status, 200, read.body);
      const rv = (JSON.parse(created.body) as { metadata: { resourceVersion: string } }).metadata
        .resourceVersion;
      assert.equal(
        (JSON.parse(read.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
        rv,
      );
      servedBy.add(created.servedBy).add(read.servedBy);
      answers.push(created, read);
    }
    assert.deepEqual([...servedBy].sort(), [s.pid, workerPid].sort(), 'requests reached both processes');
    // Every request's audit event is in the one log, whichever process served it.
    const workerIds = answers.filter((a) => a.servedBy === workerPid).map((a) => a.auditId);
    assert.ok(workerIds.length > 0);
    const logged = await waitFor(() => {
      const ids = new Set(
        readFileSync(join(dir, 'audit.log'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { auditID: string }).auditID),
      );
      return answers.every((a) => ids.has(a.auditId)) ? ids : undefined;
    });
    assert.ok(logged.size >= answers.length);
    // A write conflict is decided by the one store, whichever process each writer reached.
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/cm-0', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm-0', resourceVersion: '1' },
      data: { i: 'stale' },
    });
    assert.equal(stale.status, 409, stale.body);
  });

  void test('Service addresses are unique across the processes, and freed ones are reused', async () => {
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const created = await call('POST', '/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}` },
        spec: { type: 'NodePort', ports: [{ port: 80 }] },
      });
      assert.equal(created.status, 201, created.body);
      const spec = (
        JSON.parse(created.body) as { spec: { clusterIP: string; ports: { nodePort: number }[] } }
      ).spec;
      ips.add(spec.clusterIP);
      ports.add(spec.ports[0]!.nodePort);
    }
    assert.equal(ips.size, 12, [...ips].join(' '));
    assert.equal(ports.size, 12, [...ports].join(' '));
    // Asking for a taken address is refused whichever process is asked.
    const taken = [...ips][0]!;
    for (let i = 0; i < 4; i++) {
      const clash = await call('POST', '/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `clash-${i}` },
        spec: { clusterIP: taken, ports: [{ port: 80 }] },
      });
      assert.equal(clash.status, 422, clash.body);
      assert.match(clash.body, /already allocated/);
    }
    // Deleted Services give their addresses back to the one allocator.
    const gone = await call('DELETE', '/api/v1/namespaces/default/services/svc-0');
    assert.equal(gone.status, 200, gone.body);
    await waitFor(async () => {
      const again = await call('POST', '/api/v1/namespaces/default/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'reuse' },
        spec: { clusterIP: taken, ports: [{ port: 80 }] },
      });
      return again.status === 201 || undefined;
    });
  });

  void test('kubectl: a watch sees changes made through other connections; custom resources are served', async () => {
    const watch = s.kubectlStream([
      'get',
      'deployments',
      '-w',
      '-o',
      'jsonpath={.metadata.name} {.spec.replicas} {.metadata.labels.tier}{"\\n"}',
    ]);
    try {
      await ok('create', 'deployment', 'web', '--image=nginx', '--replicas=2');
      await ok('scale', 'deployment', 'web', '--replicas=3');
      await ok('label', 'deployment', 'web', 'tier=front');
      await watch.waitForLine(/^web 3 front$/, 20_000);
      assert.equal(await ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'), '3');
    } finally {
      await watch.stop();
    }

    const crd = join(dir, 'crd.yaml');
    writeFileSync(
      crd,
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
`,
    );
    await ok('apply', '-f', crd);
    await ok('wait', '--for=condition=Established', 'crd/widgets.example.com');
    // Every create is a new kubectl, so a new connection: both processes must know the kind.
    await waitFor(
      async () => {
        for (let i = 0; i < 8; i++) {
          const r = await call('GET', '/apis/example.com/v1/namespaces/default/widgets');
          if (r.status !== 200) return undefined;
        }
        return true;
      },
      { message: 'both processes serve widgets' },
    );
    for (let i = 0; i < 6; i++) {
      const w = join(dir, `w${i}.yaml`);
      writeFileSync(
        w,
        `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w${i}}\nspec: {size: ${i}}\n`,
      );
      await ok('apply', '-f', w);
    }
    assert.equal((await ok('get', 'widgets', '-o', 'name')).trim().split('\n').length, 6);
  });

  void test('discovery and metrics.k8s.io answer alike from both processes', async () => {
    const bodies = new Map<number, string>();
    for (let i = 0; i < 12; i++) {
      const groups = await call('GET', '/apis');
      assert.equal(groups.status, 200, groups.body);
      const before = bodies.get(groups.servedBy);
      assert.ok(before === undefined || before === groups.body);
      bodies.set(groups.servedBy, groups.body);
      const usage = await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
      assert.equal(usage.status, 200, usage.body);
      assert.equal((JSON.parse(usage.body) as { kind: string }).kind, 'NodeMetricsList');
    }
    const [one, other] = [...bodies.values()];
    if (other !== undefined) assert.deepEqual(JSON.parse(other), JSON.parse(one!));
  });

  void test('a namespace deleted through either process is emptied and removed', async () => {
    await ok('create', 'namespace', 'scratch');
    for (let i = 0; i < 5; i++)
      await ok('create', 'configmap', `c${i}`, '-n', 'scratch', '--from-literal=a=b');
    await ok('delete', 'namespace', 'scratch', '--wait=true');
    const r = await s.kubectl(['get', 'namespace', 'scratch']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound/);
  });

  void test('SIGTERM stops the worker with the server, which exits 0', async () => {
    assert.equal(await s.stop(), 0, s.output());
    await waitFor(() => !existsSync(`/proc/${workerPid}`) || undefined, { message: 'the worker gone' });
  });
});
