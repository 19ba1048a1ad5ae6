/**
 * kill -9 of `tugboat server` with its agent, then a restart on the same data dir: running containers are
 * adopted (same ids, pids, IPs, no restarts, no duplicates), pods converge, and deleting them afterwards
 * leaves nothing on the host (runtime containers, network namespaces, cgroups, mounts, IPs, iptables rules).
 * Needs root, runc or crun, conmon, the CNI plugins and TUGBOAT_TEST_REGISTRY; runs alone (`npm run test:agent`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pod, PodList } from 'kubernetes-types/core/v1.js';
import { POD_UID_LABEL } from '../../src/kubelet/labels.js';
import { waitFor } from '../../src/util/wait.js';
import {
  agentMissing,
  iptablesSave,
  mountsUnder,
  OciState,
  podCgroups,
  podNetns,
  processAlive,
  podHttpGet,
  removeHostLeftovers,
  startAgentServer,
} from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `e2e-agent-${process.pid}-restart`;
const IMAGE = `${registry}/tugboat-test/busybox:latest`;
const HOST_PORT = 20_000 + (process.pid % 10_000);
const skip = agentMissing();
if (skip) console.log(`# agent restart e2e skipped: ${skip}`);

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 2,
        containers: [{ name: 'web', image: IMAGE, ports: [{ containerPort: 8080 }] }],
      },
    },
  },
};

const pod = (name: string, extra: Record<string, unknown> = {}): object => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name } },
  spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: IMAGE, ...extra }] },
});

/** What a running pod looks like from the API and from the host, to compare across the restart. */
interface PodSnapshot {
  name: string;
  uid: string;
  containerID: string;
  podIP: string;
  restartCount: number;
  pid: number;
  conmonPid: number;
  conmonTicks: number;
}

void describe('kill -9 of the server and its agent, then a restart', { skip: skip ?? false }, () => {
  const root = mkdtempSync(join(tmpdir(), `tugboat-restart-${process.pid}-`));
  const dataDir = join(root, 'data');
  const oci = new OciState(dataDir);
  let s: ServerProcess | undefined;
  let netnsBefore: string[] = [];
  let cgroupsBefore: string[] = [];
  const sandboxIdsSeen = new Set<string>();

  async function ok(...args: string[]): Promise<string> {
    const r = await s!.kubectl(args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }
  const apply = async (obj: object): Promise<void> => {
    const r = await s!.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj), timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
  };
  const pods = async (): Promise<Pod[]> =>
    (JSON.parse(await ok('get', 'pods', '-o', 'json')) as PodList).items;
  const allRunning = (want: number): Promise<Pod[]> =>
    waitFor(
      async () => {
        const list = await pods();
        const ready = list.filter(
          (p) =>
            p.status?.phase === 'Running' &&
            !p.metadata?.deletionTimestamp &&
            p.status.containerStatuses?.every((c) => c.ready && c.state?.running),
        );
        return ready.length === want && list.length === want ? list : undefined;
      },
      { timeoutMs: 120_000, message: `${want} pods Running and ready` },
    );
  const rememberSandboxes = (): void => {
    for (const sb of oci.sandboxes()) sandboxIdsSeen.add(sb.id);
  };
  /** OCI containers that run, per pod uid (a duplicate shows as two for one pod). */
  const runningPerPod = (): Map<string, number> => {
    const byId = new Map(oci.containers().map((c) => [c.id, c]));
    const out = new Map<string, number>();
    for (const c of oci.runtimeContainers()) {
      if (c.status !== 'running') continue;
      const uid = byId.get(c.id)?.config.labels[POD_UID_LABEL] ?? `unrecorded:${c.id}`;
      out.set(uid, (out.get(uid) ?? 0) + 1);
    }
    return out;
  };
  const snapshot = (list: Pod[]): PodSnapshot[] => {
    const records = new Map(oci.containers().map((c) => [c.id, c]));
    return list
      .map((p) => {
        const st = p.status!.containerStatuses![0]!;
        const id = (st.containerID ?? '').replace(/^\w+:\/\//, '');
        const rec = records.get(id);
        assert.ok(rec?.conmon, `container record of ${p.metadata?.name} with its monitor`);
        return {
          name: p.metadata!.name!,
          uid: p.metadata!.uid!,
          containerID: st.containerID ?? '',
          podIP: p.status!.podIP ?? '',
          restartCount: st.restartCount,
          pid: rec.pid,
          conmonPid: rec.conmon.pid,
          conmonTicks: rec.conmon.startTicks,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  const restart = async (): Promise<void> => {
    rememberSandboxes();
    await s!.kill9();
    s = await startAgentServer(NODE, { dataDir });
  };

  before(async () => {
    netnsBefore = podNetns();
    cgroupsBefore = podCgroups();
    s = await startAgentServer(NODE, { dataDir });
  });

  after(async () => {
    if (s) {
      await s.kubectl(['delete', 'deployment', '--all', '--wait=true', '--timeout=60s']);
      await s.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
      await s.stop();
    }
    removeHostLeftovers();
    rmSync(root, { recursive: true, force: true });
  });

  test('running containers are adopted, not restarted or duplicated', async () => {
    await apply(deployment);
    await apply(pod('solo'));
    await apply(pod('hostport', { ports: [{ containerPort: 8080, hostPort: HOST_PORT }] }));
    const before = snapshot(await allRunning(5));
    assert.equal(before.length, 5);
    assert.deepEqual(
      [...runningPerPod().values()],
      before.map(() => 1),
    );
    const hostportSandbox = oci.sandboxes().find((sb) => sb.config.metadata.name === 'hostport');
    assert.ok(hostportSandbox);
    const rules = iptablesSave();
    assert.ok(rules.includes(hostportSandbox.id), 'CNI rules name the hostPort sandbox');
    assert.match(rules, new RegExp(`--dport ${HOST_PORT}\\b`), 'a hostPort DNAT rule');

    rememberSandboxes();
    await s!.kill9();
    for (const p of before) {
      assert.ok(processAlive(p.conmonPid, p.conmonTicks), `conmon of ${p.name} survives kill -9`);
      assert.ok(processAlive(p.pid), `container of ${p.name} survives kill -9`);
    }
    s = await startAgentServer(NODE, { dataDir });

    const afterList = await allRunning(5);
    // Give the restarted agent a few relists and a resync to do something wrong; nothing may change.
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const counts = runningPerPod();
      assert.equal(counts.size, 5, `one running container per pod: ${JSON.stringify([...counts])}`);
      for (const [uid, n] of counts) assert.equal(n, 1, `pod ${uid} has ${n} running containers`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const adopted = snapshot(await allRunning(5));
    assert.deepEqual(adopted, before);
    assert.equal(afterList.length, 5);
    for (const p of adopted) {
      assert.ok(processAlive(p.conmonPid, p.conmonTicks), `conmon of ${p.name} still the same process`);
      const body = await waitFor(() => podHttpGet(p.podIP, 8080), { timeoutMs: 20_000 });
      assert.match(body, /tugboat-test busybox/);
    }
    assert.equal(oci.containers().length, 5, 'no container records beyond the five');
    assert.equal(oci.sandboxes().length, 5, 'no sandbox records beyond the five');
  });

  test('a pod deleted after the restart is torn down completely', async () => {
    const solo = oci.sandboxes().find((sb) => sb.config.metadata.name === 'solo');
    assert.ok(solo?.netnsName && solo.ip);
    await ok('delete', 'pod', 'solo', '--wait=true', '--timeout=60s');
    await waitFor(() => !podNetns().includes(solo.netnsName!), {
      timeoutMs: 30_000,
      message: 'the deleted pod netns removed',
    });
    assert.ok(!oci.allocatedIps().includes(solo.ip), 'its IP released');
    assert.ok(
      !podCgroups().some((c) => c.endsWith(`/pod${solo.config.metadata.uid}`)),
      'its cgroups removed',
    );
    assert.ok(!iptablesSave().includes(solo.id), 'no iptables rules name its sandbox');
    assert.equal(runningPerPod().size, 4);
  });

  for (const moment of ['sandbox', 'network', 'container'] as const) {
    test(`kill -9 while a pod's ${moment} is being created: the pod still converges, once`, async () => {
      const name = `late-${moment}`;
      await apply(pod(name));
      // Kill the moment the runtime has recorded the pod's sandbox, made its network namespace (CNI ADD
      // under way) or recorded its container.
      await waitFor(
        () => {
          const sb = oci.sandboxes().find((x) => x.config.metadata.name === name);
          if (!sb) return false;
          if (moment === 'network') return !!sb.netnsName && existsSync(`/var/run/netns/${sb.netnsName}`);
          return moment === 'sandbox' || oci.containers().some((c) => c.podSandboxId === sb.id);
        },
        { timeoutMs: 60_000, intervalMs: 2, message: `${name}'s ${moment} recorded` },
      );
      await restart();
      const list = await allRunning(5);
      const uid = list.find((p) => p.metadata?.name === name)?.metadata?.uid ?? '';
      await waitFor(() => oci.sandboxes().filter((sb) => sb.config.metadata.uid === uid).length === 1, {
        timeoutMs: 30_000,
        message: `one sandbox left for ${name}`,
      });
      const counts = runningPerPod();
      assert.equal(counts.get(uid), 1, `${name} runs exactly one container`);
      assert.equal(counts.size, 5);
      await ok('delete', 'pod', name, '--wait=true', '--timeout=60s');
      await allRunning(4);
    });
  }

  test('kill -9 while a pod is being torn down: it is removed after the restart', async () => {
    await apply(pod('doomed'));
    const list = await allRunning(5);
    const uid = list.find((p) => p.metadata?.name === 'doomed')?.metadata?.uid ?? '';
    const r = await s!.kubectl(['delete', 'pod', 'doomed', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    // Its container stopped, its sandbox not yet removed.
    await waitFor(() => !runningPerPod().has(uid), {
      timeoutMs: 30_000,
      intervalMs: 10,
      message: "doomed's container stopped",
    });
    await restart();
    await waitFor(async () => !(await pods()).some((p) => p.metadata?.uid === uid), {
      timeoutMs: 60_000,
      message: 'doomed removed from the API',
    });
    assert.deepEqual(
      oci.sandboxes().filter((sb) => sb.config.metadata.uid === uid),
      [],
    );
    assert.ok(!podCgroups().some((c) => c.endsWith(`/pod${uid}`)), 'its cgroups removed');
    await allRunning(4);
  });

  test('scaling down and deleting everything after the restarts leaves nothing behind', async () => {
    rememberSandboxes();
    await ok('scale', 'deployment', 'web', '--replicas=0');
    await ok('delete', 'pod', 'hostport', '--wait=true', '--timeout=60s');
    await waitFor(async () => (await pods()).length === 0, {
      timeoutMs: 60_000,
      message: 'all pods gone',
    });
    await waitFor(() => oci.sandboxes().length === 0 && oci.containers().length === 0, {
      timeoutMs: 30_000,
      message: 'runtime records removed',
    });
    assert.deepEqual(oci.runtimeContainers(), [], 'no OCI containers left');
    assert.deepEqual(
      podNetns().filter((n) => !netnsBefore.includes(n)),
      [],
      'no pod network namespaces left',
    );
    assert.deepEqual(
      podCgroups().filter((c) => !cgroupsBefore.includes(c)),
      [],
      'no pod cgroups left',
    );
    assert.deepEqual(mountsUnder(dataDir), [], 'no overlay or namespace mounts left');
    assert.deepEqual(oci.allocatedIps(), [], 'every pod IP released');
    const rules = iptablesSave();
    const leaked = [...sandboxIdsSeen].filter((id) => rules.includes(id));
    assert.deepEqual(leaked, [], 'no iptables rules name a sandbox of ours');
    assert.doesNotMatch(rules, new RegExp(`--dport ${HOST_PORT}\\b`), 'no hostPort rule left');
  });
});
