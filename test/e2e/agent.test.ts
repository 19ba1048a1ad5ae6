/**
 * `tugboat server` with its node agent on this host: real images from the loopback registry, real runc
 * containers on the CNI bridge, driven by the real kubectl. Needs root, runc or crun, conmon, the CNI plugins
 * and TUGBOAT_TEST_REGISTRY (.ci/run provides all of them).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import {
  agentMissing,
  podNetns,
  startAgentServer,
  stopAgentServer,
  podHttpGet,
} from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `e2e-agent-${process.pid}`;

const skip = agentMissing();
if (skip) console.log(`# agent e2e skipped: ${skip}`);

void describe('node agent on this host', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  let netnsBefore: string[] = [];

  async function ok(...args: string[]): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }
  const pod = async (name: string): Promise<Pod> =>
    JSON.parse(await ok('get', 'pod', name, '-o', 'json')) as Pod;

  before(async () => {
    netnsBefore = podNetns();
    s = await startAgentServer(NODE);
  });

  after(() => stopAgentServer(s));

  test('the node reports a real runtime and capacity', async () => {
    const node = JSON.parse(await ok('get', 'node', NODE, '-o', 'json')) as Node;
    assert.match(node.status?.nodeInfo?.containerRuntimeVersion ?? '', /^(runc|crun):\/\//);
    assert.ok(Number(node.status?.capacity?.cpu) >= 1);
    assert.match(node.spec?.podCIDR ?? '', /^10\.42\.\d+\.0\/24$/);
  });

  test('a pod runs a real container from the registry and serves on its pod IP', async () => {
    await ok('run', 'web', `--image=${registry}/tugboat-test/busybox:latest`, '--port=8080');
    const running = await waitFor(
      async () => {
        const p = await pod('web');
        return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
      },
      { timeoutMs: 90_000, message: 'web Running' },
    );
    assert.match(running.status?.podIP ?? '', /^10\.42\./);
    assert.equal(running.status?.containerStatuses?.[0]?.ready, true);
    assert.match(running.status?.containerStatuses?.[0]?.containerID ?? '', /^(runc|crun):\/\//);
    const body = await waitFor(() => podHttpGet(running.status!.podIP!, 8080), { timeoutMs: 20_000 });
    assert.match(body, /tugboat-test busybox/);
    const wide = await ok('get', 'pods', '-o', 'wide');
    assert.match(
      wide,
      new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${running.status?.podIP}\\s+${NODE}`),
    );
  });

  test('a crashing container is restarted with back-off and says why', async () => {
    await ok('run', 'crash', `--image=${registry}/tugboat-test/crash:latest`);
    const crashed = await waitFor(
      async () => {
        const st = (await pod('crash')).status?.containerStatuses?.[0];
        return st && (st.restartCount ?? 0) >= 1 && st.lastState?.terminated ? st : undefined;
      },
      { timeoutMs: 90_000, message: 'crash restarted' },
    );
    assert.equal(crashed.lastState?.terminated?.exitCode, 1);
    assert.equal(crashed.lastState?.terminated?.reason, 'Error');
  });

  test('deleting the pods removes their containers and network namespaces', async () => {
    await ok('delete', 'pod', 'web', 'crash', '--wait=true', '--timeout=60s');
    await waitFor(() => podNetns().filter((n) => !netnsBefore.includes(n)).length === 0, {
      timeoutMs: 30_000,
      message: 'pod network namespaces removed',
    });
  });
});

void describe('logs, exec and top through the node agent', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  const node = `${NODE}-stream`;

  async function ok(...args: string[]): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }
  const pod = async (name: string): Promise<Pod> =>
    JSON.parse(await ok('get', 'pod', name, '-o', 'json')) as Pod;
  const running = (name: string): Promise<Pod> =>
    waitFor(
      async () => {
        const p = await pod(name);
        return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
      },
      { timeoutMs: 90_000, message: `${name} running` },
    );

  before(async () => {
    s = await startAgentServer(node, { extraArgs: ['--metric-resolution', '2'] });
    await ok('run', 'web', `--image=${registry}/tugboat-test/busybox:latest`, '--port=8080');
    await running('web');
  });

  after(() => stopAgentServer(s));

  test('kubectl exec runs a command in the container', async () => {
    assert.match(await ok('exec', 'web', '--', 'cat', '/www/index.html'), /tugboat-test busybox/);
  });

  test('kubectl exec -i passes stdin through', async () => {
    const r = await s.kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], {
      input: 'hello\nworld\n',
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'HELLO\nWORLD\ndone\n');
  });

  test("a non-zero exit code becomes kubectl exec's exit code", async () => {
    const r = await s.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo oops >&2; exit 3'], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /oops/);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  test('kubectl logs, --tail and -f ending with the container', async () => {
    await ok(
      'run',
      'counter',
      `--image=${registry}/tugboat-test/busybox:latest`,
      '--restart=Never',
      '--command',
      '--',
      'sh',
      '-c',
      'for i in 1 2 3 4; do echo line $i; sleep 1; done',
    );
    await waitFor(async () => (await pod('counter')).status?.containerStatuses?.[0]?.containerID, {
      timeoutMs: 90_000,
      message: 'counter started',
    });
    const follow = await s.kubectl(['logs', '-f', 'counter'], { timeoutMs: 60_000 });
    assert.equal(follow.code, 0, follow.stderr);
    assert.equal(follow.stdout, 'line 1\nline 2\nline 3\nline 4\n');
    assert.equal(await ok('logs', 'counter', '--tail=2'), 'line 3\nline 4\n');
    assert.match(
      await ok('logs', 'counter', '--timestamps', '--tail=1'),
      /^\d{4}-\d\d-\d\dT[\d:.]+Z line 4\n$/,
    );
  });

  test('kubectl logs --previous shows the crashed container', async () => {
    await ok('run', 'crash', `--image=${registry}/tugboat-test/crash:latest`);
    await waitFor(
      async () => {
        const st = (await pod('crash')).status?.containerStatuses?.[0];
        return st && (st.restartCount ?? 0) >= 1 && st.lastState?.terminated ? st : undefined;
      },
      { timeoutMs: 90_000, message: 'crash restarted' },
    );
    assert.equal(await ok('logs', 'crash', '--previous'), 'tugboat-test/crash: exiting with status 1\n');
    const missing = await s.kubectl(['logs', 'web', '--previous']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /previous terminated container "web" in pod "web" not found/);
  });

  test("kubectl debug --target runs an ephemeral container that sees the target's processes", async () => {
    await ok(
      'debug',
      'web',
      `--image=${registry}/tugboat-test/busybox:latest`,
      '--target=web',
      '-c',
      'dbg',
      '--',
      'ps',
    );
    await waitFor(
      async () =>
        (await pod('web')).status?.ephemeralContainerStatuses?.find((c) => c.name === 'dbg')?.state
          ?.terminated,
      { timeoutMs: 90_000, message: 'the debug container ran' },
    );
    // The target's PID namespace: its httpd is there, as PID 1.
    assert.match(await ok('logs', 'web', '-c', 'dbg'), /^\s*1 .*httpd -f -p 8080/m);
    const status = (await pod('web')).status?.containerStatuses?.[0];
    assert.equal(status?.restartCount, 0, 'the app container was not disturbed');
  });

  test("kubectl top pods shows the pod's real usage", async () => {
    const out = await waitFor(
      async () => {
        const r = await s.kubectl(['top', 'pods']);
        return r.code === 0 && /^web\s+\d+m\s+\d+Mi/m.test(r.stdout) ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, message: 'kubectl top pods lists web' },
    );
    assert.match(out, /^web\s+\d+m\s+\d+Mi/m);
    const nodes = await ok('top', 'nodes');
    assert.match(nodes, new RegExp(`^${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi`, 'm'));
  });
});

void describe(
  'PersistentVolumeClaim through the built-in local-path provisioner',
  { skip: skip ?? false },
  () => {
    let s: ServerProcess;
    const node = `${NODE}-storage`;

    async function ok(args: string[], input?: string): Promise<string> {
      const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
      return r.stdout;
    }
    const phase = async (name: string): Promise<string | undefined> =>
      (JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod).status?.phase;
    const podUsingClaim = (name: string, script: string): string =>
      podWithVolume(name, script, { name: 'data', persistentVolumeClaim: { claimName: 'data' } });
    const podWithVolume = (name: string, script: string, volume: Volume): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'c',
              image: `${registry}/tugboat-test/busybox:latest`,
              command: ['sh', '-c', script],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [volume],
        },
      });
    const finished = (name: string): Promise<string> =>
      waitFor(
        async () => {
          const p = await phase(name);
          return p === 'Succeeded' || p === 'Failed' ? p : undefined;
        },
        { timeoutMs: 90_000, message: `${name} finished` },
      );

    before(async () => {
      s = await startAgentServer(node);
    });

    after(() => stopAgentServer(s));

    test('a file written into a claim is read back by a new pod; deleting the claim removes the volume', async () => {
      const claim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
      };
      await ok(['apply', '-f', '-'], JSON.stringify(claim));
      assert.equal(await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName}']), 'local-path');

      await ok(['apply', '-f', '-'], podUsingClaim('writer', 'echo kept > /data/file'));
      assert.equal(await finished('writer'), 'Succeeded');
      const pvc = JSON.parse(await ok(['get', 'pvc', 'data', '-o', 'json'])) as PersistentVolumeClaim;
      assert.equal(pvc.status?.phase, 'Bound');
      assert.equal(pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node'], node);
      const pv = JSON.parse(
        await ok(['get', 'pv', pvc.spec?.volumeName ?? '', '-o', 'json']),
      ) as PersistentVolume;
      const path = pv.spec?.local?.path ?? '';
      assert.match(path, new RegExp(`/storage/${pvc.metadata?.uid}_default_data$`));
      assert.equal(readFileSync(join(path, 'file'), 'utf8'), 'kept\n');

      await ok(['delete', 'pod', 'writer', '--wait=true', '--timeout=60s']);
      await ok(['apply', '-f', '-'], podUsingClaim('reader', 'test "$(cat /data/file)" = kept'));
      assert.equal(await finished('reader'), 'Succeeded');
      await ok(['delete', 'pod', 'reader', '--wait=true', '--timeout=60s']);

      await ok(['delete', 'pvc', 'data', '--wait=true', '--timeout=60s']);
      await waitFor(
        async () => {
          const r = await s.kubectl(['get', 'pv', pv.metadata?.name ?? '', '-o', 'name']);
          return r.code !== 0 && /NotFound|not found/.test(r.stderr);
        },
        { timeoutMs: 60_000, message: 'the provisioned volume deleted' },
      );
      assert.equal(existsSync(path), false);
    });

    test('a generic ephemeral volume is provisioned for its pod and removed with it', async () => {
      const volume: Volume = {
        name: 'data',
        ephemeral: {
          volumeClaimTemplate: {
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
          },
        },
      };
      const script = 'echo scratch > /data/file && test "$(cat /data/file)" = scratch';
      await ok(['apply', '-f', '-'], podWithVolume('scratch', script, volume));
      assert.equal(await finished('scratch'), 'Succeeded');
      const pvc = JSON.parse(await ok(['get', 'pvc', 'scratch-data', '-o', 'json'])) as PersistentVolumeClaim;
      assert.equal(pvc.status?.phase, 'Bound');
      assert.equal(pvc.metadata?.ownerReferences?.[0]?.name, 'scratch');
      const pv = JSON.parse(
        await ok(['get', 'pv', pvc.spec?.volumeName ?? '', '-o', 'json']),
      ) as PersistentVolume;
      const path = pv.spec?.local?.path ?? '';
      assert.equal(readFileSync(join(path, 'file'), 'utf8'), 'scratch\n');

      await ok(['delete', 'pod', 'scratch', '--wait=true', '--timeout=60s']);
      await waitFor(
        async () => {
          const r = await s.kubectl(['get', 'pv', pv.metadata?.name ?? '', '-o', 'name']);
          return r.code !== 0 && /NotFound|not found/.test(r.stderr);
        },
        { timeoutMs: 60_000, message: 'the claim and its volume deleted with the pod' },
      );
      assert.equal(existsSync(path), false);
    });
  },
);
