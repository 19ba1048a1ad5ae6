/**
 * The whole control plane as users run it: the built `tugboat server` (API server, controllers, scheduler),
 * hollow nodes in separate processes, and the real kubectl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { startHollowNodes, type HollowNodesProcess } from '../helpers/hollow.js';
import { startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
const hollows: HollowNodesProcess[] = [];
const ns = ['-n', 'acceptance'];
// Renewed every 3 s, well inside the 8 s grace period the server is given: live nodes never look silent.
const lease = { leaseDurationSeconds: 12 };

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(args, { timeoutMs: 180_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

async function apply(manifest: object): Promise<void> {
  const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  assert.equal(r.code, 0, r.stderr);
}

async function pods(selector: string): Promise<Pod[]> {
  const out = await ok('get', 'pods', ...ns, '-l', selector, '-o', 'json');
  return (JSON.parse(out) as { items: Pod[] }).items;
}

const running = (list: Pod[]): Pod[] =>
  list.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);

async function readyNodes(): Promise<string[]> {
  const out = await ok('get', 'nodes', '-o', 'json');
  const nodes = (
    JSON.parse(out) as {
      items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
    }
  ).items;
  return nodes
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata.name);
}

before(async () => {
  s = await startServerProcess({
    args: [
      '--node-monitor-grace-period',
      '8',
      '--default-not-ready-toleration-seconds',
      '4',
      '--default-unreachable-toleration-seconds',
      '4',
    ],
  });
  hollows.push(
    startHollowNodes(s.kubeconfig, 2, 'a-', lease),
    startHollowNodes(s.kubeconfig, 1, 'b-', lease),
  );
  await waitFor(async () => (await readyNodes()).length === 3, {
    timeoutMs: 60_000,
    message: '3 Ready nodes',
  });
  await ok('create', 'namespace', 'acceptance');
});

after(async () => {
  for (const h of hollows) await h.stop();
  await s?.stop();
});

describe('a cluster of hollow nodes driven by kubectl', { concurrency: false }, () => {
  test('a Deployment of 6 spreads over the nodes and rolls out, back and again', async () => {
    await ok('create', 'deployment', 'web', '--image=nginx', '--replicas=6', ...ns);
    await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=120s');
    const first = running(await pods('app=web'));
    assert.equal(first.length, 6);
    assert.equal(new Set(first.map((p) => p.spec?.nodeName)).size, 3, 'every node runs some');

    await ok('set', 'image', 'deployment/web', 'nginx=nginx:1.27', ...ns);
    await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=120s');
    await waitFor(
      async () => {
        const now = running(await pods('app=web'));
        return now.length === 6 && now.every((p) => p.spec?.containers[0]?.image === 'nginx:1.27');
      },
      { timeoutMs: 60_000, message: 'all pods on nginx:1.27' },
    );
    assert.match(await ok('rollout', 'history', 'deployment/web', ...ns), /^2\s/m);

    await ok('rollout', 'undo', 'deployment/web', ...ns);
    await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=120s');
    await waitFor(
      async () => {
        const now = running(await pods('app=web'));
        return now.length === 6 && now.every((p) => p.spec?.containers[0]?.image === 'nginx');
      },
      { timeoutMs: 60_000, message: 'back on nginx' },
    );
  });

  test('scale, and a deleted pod is replaced', async () => {
    await ok('scale', 'deployment/web', '--replicas=3', ...ns);
    await waitFor(async () => running(await pods('app=web')).length === 3, { timeoutMs: 60_000 });
    const victim = running(await pods('app=web'))[0]!.metadata!.name!;
    await ok('delete', 'pod', victim, ...ns);
    await waitFor(
      async () => {
        const now = running(await pods('app=web'));
        return now.length === 3 && now.every((p) => p.metadata?.name !== victim);
      },
      { timeoutMs: 60_000, message: 'replacement pod' },
    );
  });

  test('a DaemonSet covers every node, including one added later', async () => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'acceptance' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'a', image: 'busybox' }] },
        },
      },
    });
    await ok('rollout', 'status', 'daemonset/agent', ...ns, '--timeout=120s');
    assert.equal(running(await pods('app=agent')).length, 3);
    hollows.push(startHollowNodes(s.kubeconfig, 1, 'c-', lease));
    await waitFor(
      async () => {
        const now = running(await pods('app=agent'));
        return now.length === 4 && now.some((p) => p.spec?.nodeName === 'c-0');
      },
      { timeoutMs: 90_000, message: 'a daemon pod on the new node' },
    );
  });

  test('a StatefulSet creates web-0..2 and a Job with completions=5 completes', async () => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'acceptance' },
      spec: {
        serviceName: 'db',
        replicas: 3,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'postgres' }] },
        },
      },
    });
    await apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'count', namespace: 'acceptance' },
      spec: {
        completions: 5,
        parallelism: 2,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] },
        },
      },
    });
    await ok('rollout', 'status', 'statefulset/db', ...ns, '--timeout=120s');
    assert.deepEqual(
      running(await pods('app=db'))
        .map((p) => p.metadata?.name)
        .sort(),
      ['db-0', 'db-1', 'db-2'],
    );
    await ok('wait', '--for=condition=complete', 'job/count', ...ns, '--timeout=120s');
    assert.equal((await ok('get', 'job', 'count', ...ns, '-o', 'jsonpath={.status.succeeded}')).trim(), '5');
  });

  test('an unschedulable pod explains itself node by node', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge', namespace: 'acceptance' },
      spec: { containers: [{ name: 'h', image: 'nginx', resources: { requests: { cpu: '64' } } }] },
    });
    const described = await waitFor(
      async () => {
        const out = await ok('describe', 'pod', 'huge', ...ns);
        return /FailedScheduling/.test(out) ? out : undefined;
      },
      { timeoutMs: 60_000, message: 'FailedScheduling event' },
    );
    assert.match(described, /0\/4 nodes are available: .*Insufficient cpu/);
    assert.match(described, /a-0: Insufficient cpu \(requested 64, free [\d.]+\)/);
    await ok('delete', 'pod', 'huge', ...ns);
  });

  test('stopping a node process gets its pods replaced on the other nodes', async () => {
    const onB = running(await pods('app=web')).filter((p) => p.spec?.nodeName === 'b-0');
    await hollows[1]!.stop();
    await waitFor(
      async () => {
        const now = running(await pods('app=web'));
        return now.length === 3 && now.every((p) => p.spec?.nodeName !== 'b-0');
      },
      { timeoutMs: 120_000, message: `web pods off b-0 (had ${onB.length})` },
    );
    const taints = await ok('get', 'node', 'b-0', '-o', 'jsonpath={.spec.taints[*].key}');
    // A node agent that stops cleanly reports NotReady first, so the taint is not-ready (unreachable if it died).
    assert.match(taints, /node\.kubernetes\.io\/(not-ready|unreachable)/);
    // StatefulSet pods evicted from the dead node stay Terminating (nothing confirms their stop) until the
    // operator marks the node out of service; then the pod GC removes them.
    await ok('taint', 'node', 'b-0', 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute');
    let db: Pod[] = [];
    await waitFor(
      async () => {
        db = await pods('app=db');
        return db.every((p) => p.spec?.nodeName !== 'b-0');
      },
      { timeoutMs: 90_000, message: 'no db pod left on b-0' },
    ).catch((err: Error) => {
      const seen = db.map(
        (p) =>
          `${p.metadata?.name}@${p.spec?.nodeName}:${p.status?.phase}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`,
      );
      throw new Error(`${err.message}; db pods: ${seen.join(', ')}`);
    });
    await waitFor(async () => running(await pods('app=db')).length === 3, {
      timeoutMs: 60_000,
      message: 'the StatefulSet back at 3 running pods',
    }).catch(async (err: Error) => {
      const seen = (await pods('app=db')).map(
        (p) =>
          `${p.metadata?.name}@${p.spec?.nodeName}:${p.status?.phase}${p.metadata?.deletionTimestamp ? ' terminating' : ''}`,
      );
      console.log(s.output());
      throw new Error(`${err.message}; db pods: ${seen.join(', ')}`);
    });
  });

  test('cordon, drain and uncordon', async () => {
    await ok('cordon', 'a-1');
    await ok('drain', 'a-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s');
    await waitFor(
      async () => {
        const now = running(await pods('app=web'));
        return now.length === 3 && now.every((p) => p.spec?.nodeName !== 'a-1');
      },
      { timeoutMs: 90_000, message: 'web pods off a-1' },
    );
    assert.equal((await ok('get', 'node', 'a-1', '-o', 'jsonpath={.spec.unschedulable}')).trim(), 'true');
    await ok('uncordon', 'a-1');
  });

  test('delete --cascade=orphan keeps the ReplicaSets; foreground removes everything', async () => {
    await ok('delete', 'deployment', 'web', ...ns, '--cascade=orphan');
    const rs = await ok('get', 'rs', ...ns, '-l', 'app=web', '-o', 'name');
    assert.ok(rs.trim().length > 0, 'ReplicaSets stay');
    await ok('delete', 'statefulset', 'db', ...ns, '--cascade=foreground', '--timeout=90s');
    await waitFor(async () => (await pods('app=db')).length === 0, {
      timeoutMs: 60_000,
      message: 'db pods gone',
    });
  });
});
