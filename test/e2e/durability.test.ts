import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { waitFor } from '../../src/util/wait.js';
import { startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

interface AdminClient {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): void;
}

/** An HTTPS client authenticated with the admin client certificate from the kubeconfig. */
function adminClient(kubeconfig: string): AdminClient {
  const doc = parseYaml(readFileSync(kubeconfig, 'utf8'));
  const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
  const server = new URL(doc.clusters[0].cluster.server as string);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 64,
    ca: b64(doc.clusters[0].cluster['certificate-authority-data']),
    cert: b64(doc.users[0].user['client-certificate-data']),
    key: b64(doc.users[0].user['client-key-data']),
  });
  return {
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: server.hostname,
            port: server.port,
            method,
            path,
            agent,
            headers: payload
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {},
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => {
              let json: unknown;
              try {
                json = JSON.parse(text);
              } catch {
                json = undefined;
              }
              resolve({ status: res.statusCode ?? 0, json });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}

/** The data every streamed ConfigMap carries: derived from its index so a torn write is detectable. */
function dataFor(i: number): Record<string, string> {
  const blob = createHash('sha256').update(`blob-${i}`).digest('hex').repeat(32); // 2 KiB
  return { index: String(i), blob, checksum: createHash('sha256').update(blob).digest('hex') };
}

const NS = 'durable';
const ACKED_BEFORE_KILL = 400;
const WORKERS = 32;

let dataRoot: string | undefined;
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop();
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
});

describe('restart on the same data dir (sqlite)', () => {
  test('after a clean stop (SIGTERM) the server starts again and serves the old objects', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tugboat-e2e-restart-'));
    const dataDir = join(root, 'data');
    let s: ServerProcess | undefined;
    try {
      s = await startServerProcess({ dataDir });
      const created = await s.kubectl(['create', 'configmap', 'kept', '--from-literal=a=1']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(await s.stop(), 0, `exit code of a SIGTERM-stopped server\n${s.output()}`);
      assert.match(s.output(), /stopped/);
      s = await startServerProcess({ dataDir });
      const r = await s.kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.a}']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '1');
    } finally {
      await s?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('durability across SIGKILL (sqlite)', () => {
  test('every acknowledged create survives a crash and no object is half-written', async () => {
    dataRoot = mkdtempSync(join(tmpdir(), 'tugboat-e2e-durability-'));
    const dataDir = join(dataRoot, 'data');
    server = await startServerProcess({ dataDir });
    let client = adminClient(server.kubeconfig);
    const ns = await client.call('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    assert.equal(ns.status, 201, JSON.stringify(ns.json));

    const leasesBefore = await embeddedLeases(client);

    const acked = new Set<number>();
    const failedStatus: string[] = [];
    let next = 0;
    let killed: Promise<void> | undefined;
    let inFlight = 0;
    let inFlightAtKill = 0;
    const victim = server;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        inFlight++;
        try {
          const r = await client.call('POST', `/api/v1/namespaces/${NS}/configmaps`, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `cm-${i}`, labels: { stream: 'yes' } },
            data: dataFor(i),
          });
          if (r.status === 201) acked.add(i);
          else failedStatus.push(`${i}: ${r.status} ${JSON.stringify(r.json)}`);
        } catch {
          return; // the connection died with the server: stop streaming
        } finally {
          inFlight--;
        }
        // Kill while the other workers' requests are still in flight.
        if (acked.size >= ACKED_BEFORE_KILL && !killed) {
          inFlightAtKill = inFlight;
          killed = victim.kill9();
        }
        if (killed) {
          if (next > ACKED_BEFORE_KILL + WORKERS * 50) return; // a server that outlives SIGKILL is caught below
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, () => worker()));
    await killed;
    client.close();
    assert.deepEqual(failedStatus, [], 'creates answered with a non-201 status before the kill');
    assert.ok(acked.size >= ACKED_BEFORE_KILL, `only ${acked.size} creates acknowledged`);
    assert.ok(inFlightAtKill > 0, 'the server was killed with no request in flight');

    server = await startServerProcess({ dataDir });
    const restartedAt = Date.now();
    client = adminClient(server.kubeconfig);
    const list = await client.call('GET', `/api/v1/namespaces/${NS}/configmaps?labelSelector=stream%3Dyes`);
    assert.equal(list.status, 200, JSON.stringify(list.json));
    const stored = new Map<number, any>();
    for (const item of list.json.items as any[]) {
      const m = /^cm-(\d+)$/.exec(item.metadata.name);
      assert.ok(m, `unexpected object ${item.metadata.name}`);
      stored.set(Number(m[1]), item);
    }

    const lost = [...acked].filter((i) => !stored.has(i)).sort((a, b) => a - b);
    assert.deepEqual(lost, [], `acknowledged creates lost after the crash (${lost.length} of ${acked.size})`);

    const torn: string[] = [];
    for (const [i, item] of stored) {
      const got = await client.call('GET', `/api/v1/namespaces/${NS}/configmaps/cm-${i}`);
      if (got.status !== 200) torn.push(`cm-${i}: GET ${got.status}`);
      else if (JSON.stringify(got.json.data) !== JSON.stringify(dataFor(i)))
        torn.push(`cm-${i}: data differs`);
      else if (!/^\d+$/.test(item.metadata.resourceVersion) || !item.metadata.uid)
        torn.push(`cm-${i}: bad metadata`);
    }
    assert.deepEqual(torn, []);

    // The revision counter survived too: a new write is newer than everything stored.
    const maxRv = Math.max(...[...stored.values()].map((o) => Number(o.metadata.resourceVersion)));
    const fresh = await client.call('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'after-restart' },
    });
    assert.equal(fresh.status, 201, JSON.stringify(fresh.json));
    assert.ok(
      Number(fresh.json.metadata.resourceVersion) > maxRv,
      'resourceVersion went backwards after restart',
    );
    // A name acknowledged before the crash is still taken.
    const first = [...acked][0]!;
    const dup = await client.call('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${first}` },
    });
    assert.equal(dup.status, 409);

    // The restarted server's scheduler and controller-manager renew their leases under the identity they had,
    // without a transition, well before the crashed holder's 15 s lease expires.
    assert.deepEqual(await embeddedLeases(client, restartedAt), leasesBefore);
    client.close();
  });
});

/** Holder and transition count of the embedded components' leases, once both are held (renewed since `since`). */
async function embeddedLeases(client: ReturnType<typeof adminClient>, since = 0): Promise<string[]> {
  const read = async (name: string): Promise<string | undefined> => {
    const r = await client.call('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`);
    const spec = r.status === 200 ? r.json.spec : undefined;
    if (!spec?.holderIdentity || !(Date.parse(spec.renewTime) > since)) return undefined;
    return `${name} ${spec.holderIdentity} ${spec.leaseTransitions ?? 0}`;
  };
  return waitFor(
    async () => {
      const both = [await read('kube-scheduler'), await read('kube-controller-manager')];
      return both.every(Boolean) ? (both as string[]) : undefined;
    },
    { timeoutMs: 10_000, message: 'the embedded components hold their leases' },
  );
}
