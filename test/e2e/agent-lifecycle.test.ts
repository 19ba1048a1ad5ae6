/**
 * The pod lifecycle of issue 4's acceptance, end to end: `tugboat server` with its node agent on this host,
 * real images from the loopback registry, real runc containers, driven by the real kubectl. Needs root, runc
 * or crun, conmon, the CNI plugins and TUGBOAT_TEST_REGISTRY (.ci/run provides all of them); the process
 * runtime part needs only root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { agentMissing, startAgentServer, stopAgentServer, podHttpGet } from '../helpers/agent-host.js';
import { kubectlBinary, type ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `${hostname()}-life`;
const BUSYBOX = `${registry}/tugboat-test/busybox:latest`;

function whyMissingForProcess(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!registry) return 'TUGBOAT_TEST_REGISTRY is not set (see .ci/run)';
  return undefined;
}

const skip = agentMissing(['script']);
if (skip) console.log(`# agent lifecycle e2e skipped: ${skip}`);
const skipProcess = whyMissingForProcess();
if (skipProcess) console.log(`# process runtime e2e skipped: ${skipProcess}`);

interface Ran {
  code: number | null;
  out: string;
}

/** Runs a command with stdin fed by `feed` (which may write over time); kills it after timeoutMs. */
function runFed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  feed: (write: (s: string) => void, output: () => string) => Promise<void>,
  timeoutMs = 60_000,
): Promise<Ran> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stdin.on('error', () => {});
  const closed = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ code, out })));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  void feed(
    (s) => child.stdin.write(s),
    () => out,
  ).catch(() => child.kill('SIGKILL'));
  return closed.finally(() => clearTimeout(timer));
}

void describe('pod lifecycle through the node agent', { skip: skip ?? false, concurrency: 4 }, () => {
  let s: ServerProcess;
  const hostDir = mkdtempSync(join(tmpdir(), `tugboat-life-${process.pid}-`));

  async function ok(args: string[], input?: string): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
    assert.equal(
      r.code,
      0,
      `kubectl ${args.join(' ')}\n${r.stderr}\nserver output:\n${s.output().slice(-3000)}`,
    );
    return r.stdout;
  }
  const apply = (obj: object): Promise<string> => ok(['apply', '-f', '-'], JSON.stringify(obj));
  const pod = async (name: string): Promise<Pod> =>
    JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod;
  const until = <T>(
    name: string,
    pick: (p: Pod) => T | undefined,
    message: string,
    timeoutMs = 90_000,
  ): Promise<NonNullable<T>> => {
    let last: Pod | undefined;
    return waitFor(
      async () => {
        last = await pod(name);
        return pick(last) ?? undefined;
      },
      { timeoutMs, intervalMs: 500, message },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last status: ${JSON.stringify(last?.status)}`);
    });
  };
  const running = (name: string, container?: string): Promise<Pod> =>
    until(
      name,
      (p) => {
        const cs = p.status?.containerStatuses ?? [];
        const st = container ? cs.find((c) => c.name === container) : cs[0];
        return st?.state?.running ? p : undefined;
      },
      `${name} running`,
    );
  const podSpec = (name: string, spec: Record<string, unknown>): object => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 5, ...spec },
  });
  const shell = (script: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'c',
    image: BUSYBOX,
    command: ['sh', '-c', script],
    ...extra,
  });
  const events = async (name: string): Promise<string> =>
    ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);

  before(async () => {
    s = await startAgentServer(NODE);
  });

  after(async () => {
    try {
      await stopAgentServer(s);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  test('a Deployment of the web server becomes Available and every pod IP answers from the host', async () => {
    await ok(['create', 'deployment', 'web', `--image=${BUSYBOX}`, '--replicas=2', '--port=8080']);
    await ok(['wait', '--for=condition=Available', 'deployment/web', '--timeout=90s']);
    const dep = JSON.parse(await ok(['get', 'deployment', 'web', '-o', 'json'])) as {
      status?: { availableReplicas?: number };
    };
    assert.equal(dep.status?.availableReplicas, 2);
    const pods = (JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: Pod[] })
      .items;
    assert.equal(pods.length, 2);
    const ips = pods.map((p) => p.status?.podIP ?? '');
    assert.equal(new Set(ips).size, 2, `distinct pod IPs: ${ips.join(', ')}`);
    for (const ip of ips) {
      assert.match(ip, /^10\.42\./);
      const body = await waitFor(() => podHttpGet(ip, 8080), { timeoutMs: 20_000, intervalMs: 250 });
      assert.match(body, /tugboat-test busybox/);
    }
  });

  test('a container that exits 1 goes into CrashLoopBackOff with growing delays', async () => {
    await ok(['run', 'crashloop', `--image=${registry}/tugboat-test/crash:latest`]);
    // As upstream, the first restart is immediate; from then on the container waits in back-off with its last
    // run in lastState: one finish time per restart count.
    const finishes = new Map<number, number>();
    await waitFor(
      async () => {
        const st = (await pod('crashloop')).status?.containerStatuses?.[0];
        const finished = st?.lastState?.terminated?.finishedAt;
        if (st?.state?.waiting?.reason === 'CrashLoopBackOff' && finished) {
          assert.equal(st.lastState?.terminated?.exitCode, 1);
          finishes.set(st.restartCount ?? 0, Date.parse(finished));
        }
        return finishes.has(1) && finishes.has(2) && finishes.has(3);
      },
      { timeoutMs: 75_000, intervalMs: 500, message: 'three runs of crashloop, each followed by back-off' },
    );
    const gap1 = finishes.get(2)! - finishes.get(1)!;
    const gap2 = finishes.get(3)! - finishes.get(2)!;
    assert.ok(gap1 >= 8_000, `the first back-off is about 10 s (was ${gap1} ms)`);
    assert.ok(gap2 > gap1 + 5_000, `the second back-off (${gap2} ms) is longer than the first (${gap1} ms)`);
    const table = await ok(['get', 'pod', 'crashloop']);
    assert.match(table, /crashloop\s+0\/1\s+(CrashLoopBackOff|Error)\s+[34]/);
    assert.match(await events('crashloop'), /Back-off restarting failed container/);
  });

  test('a memory hog over its limit is OOMKilled (137) and restarted', async () => {
    await apply(
      podSpec('hog', {
        containers: [
          {
            name: 'hog',
            image: `${registry}/tugboat-test/memory-hog:latest`,
            resources: { limits: { memory: '32Mi' } },
          },
        ],
      }),
    );
    const st = await until(
      'hog',
      (p) => {
        const c = p.status?.containerStatuses?.[0];
        return c && (c.restartCount ?? 0) >= 1 && c.lastState?.terminated ? c : undefined;
      },
      'hog OOM-killed and restarted',
    );
    assert.equal(st.lastState?.terminated?.reason, 'OOMKilled');
    assert.equal(st.lastState?.terminated?.exitCode, 137);
  });

  test('a failing liveness probe restarts the container', async () => {
    await apply(
      podSpec('live', {
        containers: [
          shell('touch /tmp/alive; exec sleep 3600', {
            livenessProbe: {
              exec: { command: ['cat', '/tmp/alive'] },
              periodSeconds: 1,
              failureThreshold: 2,
            },
          }),
        ],
      }),
    );
    await running('live');
    await waitFor(async () => (await s.kubectl(['exec', 'live', '--', 'cat', '/tmp/alive'])).code === 0, {
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    assert.equal((await pod('live')).status?.containerStatuses?.[0]?.restartCount, 0);
    await ok(['exec', 'live', '--', 'rm', '/tmp/alive']);
    const st = await until(
      'live',
      (p) => {
        const c = p.status?.containerStatuses?.[0];
        return (c?.restartCount ?? 0) >= 1 && c?.state?.running ? c : undefined;
      },
      'live restarted by its liveness probe',
      60_000,
    );
    assert.equal(st.lastState?.terminated?.exitCode, 137);
    const ev = await events('live');
    assert.match(ev, /"reason": "Unhealthy"/);
    assert.match(ev, /Liveness probe failed/);
    assert.match(ev, /"reason": "Killing"/);
  });

  test('a failing readiness probe clears Ready while the container keeps running', async () => {
    await apply(
      podSpec('ready', {
        containers: [
          shell('exec sleep 3600', {
            readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
          }),
        ],
      }),
    );
    const isReady = (p: Pod): boolean =>
      p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const first = await running('ready');
    assert.equal(first.status?.containerStatuses?.[0]?.ready, false);
    assert.equal(isReady(first), false);
    await ok(['exec', 'ready', '--', 'touch', '/tmp/ready']);
    await until('ready', (p) => (isReady(p) ? p : undefined), 'ready becomes Ready', 30_000);
    await ok(['exec', 'ready', '--', 'rm', '/tmp/ready']);
    const unready = await until(
      'ready',
      (p) => (isReady(p) ? undefined : p),
      'ready loses Ready after its probe fails',
      30_000,
    );
    const c = unready.status?.containerStatuses?.[0];
    assert.equal(c?.ready, false);
    assert.ok(c?.state?.running, 'the container keeps running');
    assert.equal(c?.restartCount, 0);
    assert.equal(unready.status?.conditions?.find((x) => x.type === 'ContainersReady')?.status, 'False');
  });

  test('ConfigMap and Secret as env and files; a changed ConfigMap shows in the file', async () => {
    const cm = (greeting: string): object => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config' },
      data: { greeting, 'app.properties': `color=blue\ngreeting=${greeting}\n` },
    });
    await apply(cm('hello'));
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app-secret' },
      stringData: { password: 's3cret', user: 'admin' },
    });
    await apply(
      podSpec('configured', {
        containers: [
          shell('exec sleep 3600', {
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
              { name: 'MESSAGE', value: '$(GREETING) world' },
            ],
            envFrom: [
              { prefix: 'CM_', configMapRef: { name: 'app-config' } },
              { prefix: 'S_', secretRef: { name: 'app-secret' } },
            ],
            volumeMounts: [
              { name: 'config', mountPath: '/etc/config' },
              { name: 'secret', mountPath: '/etc/secret', readOnly: true },
            ],
          }),
        ],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          { name: 'secret', secret: { secretName: 'app-secret', defaultMode: 0o400 } },
        ],
      }),
    );
    await running('configured');
    const env = await ok(['exec', 'configured', '--', 'env']);
    for (const line of [
      'GREETING=hello',
      'PASSWORD=s3cret',
      'MESSAGE=hello world',
      'CM_greeting=hello',
      'S_password=s3cret',
      'S_user=admin',
    ]) {
      assert.match(env, new RegExp(`^${line}$`, 'm'));
    }
    assert.equal(await ok(['exec', 'configured', '--', 'cat', '/etc/config/greeting']), 'hello');
    assert.equal(
      await ok(['exec', 'configured', '--', 'cat', '/etc/config/app.properties']),
      'color=blue\ngreeting=hello\n',
    );
    assert.equal(await ok(['exec', 'configured', '--', 'cat', '/etc/secret/password']), 's3cret');
    assert.match(
      await ok(['exec', 'configured', '--', 'stat', '-L', '-c', '%a', '/etc/secret/password']),
      /^400$/m,
    );

    await apply(cm('bonjour'));
    await waitFor(
      async () =>
        (await s.kubectl(['exec', 'configured', '--', 'cat', '/etc/config/greeting'])).stdout === 'bonjour',
      { timeoutMs: 60_000, intervalMs: 1000, message: 'the mounted ConfigMap file shows the new value' },
    );
    assert.equal(
      await ok(['exec', 'configured', '--', 'cat', '/etc/config/app.properties']),
      'color=blue\ngreeting=bonjour\n',
    );
    // Environment variables are fixed at container start.
    assert.match(await ok(['exec', 'configured', '--', 'env']), /^GREETING=hello$/m);
  });

  test('a missing ConfigMap key gives CreateContainerConfigError until the key exists', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'late-config' },
      data: { other: 'x' },
    });
    await apply(
      podSpec('needs-key', {
        containers: [
          shell('echo "mode=$MODE"; exec sleep 3600', {
            env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'late-config', key: 'mode' } } }],
          }),
        ],
      }),
    );
    const waiting = await until(
      'needs-key',
      (p) => {
        const w = p.status?.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === 'CreateContainerConfigError' ? w : undefined;
      },
      'needs-key waits with CreateContainerConfigError',
    );
    assert.match(waiting.message ?? '', /mode/);
    assert.match(await ok(['get', 'pod', 'needs-key']), /needs-key\s+0\/1\s+CreateContainerConfigError/);
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'late-config' },
      data: { other: 'x', mode: 'fast' },
    });
    await running('needs-key');
    await waitFor(async () => (await ok(['logs', 'needs-key'])) === 'mode=fast\n', {
      timeoutMs: 10_000,
      intervalMs: 250,
      message: 'needs-key prints the key',
    });
  });

  test('init containers run first and in order', async () => {
    const step = (n: number): Record<string, unknown> => ({
      name: `init-${n}`,
      image: BUSYBOX,
      command: ['sh', '-c', `echo "init-${n} $(ls /work | wc -l)" >> /work/order; sleep 1`],
      volumeMounts: [{ name: 'work', mountPath: '/work' }],
    });
    await apply(
      podSpec('initialized', {
        initContainers: [step(1), step(2)],
        containers: [
          shell('cat /work/order; echo app; exec sleep 3600', {
            name: 'app',
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          }),
        ],
        volumes: [{ name: 'work', emptyDir: {} }],
      }),
    );
    const p = await running('initialized', 'app');
    await waitFor(async () => (await ok(['logs', 'initialized', '-c', 'app'])).includes('app\n'), {
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    assert.equal(await ok(['logs', 'initialized', '-c', 'app']), 'init-1 0\ninit-2 1\napp\n');
    const inits = p.status?.initContainerStatuses ?? [];
    assert.deepEqual(
      inits.map((c) => [c.name, c.state?.terminated?.reason, c.state?.terminated?.exitCode, c.ready]),
      [
        ['init-1', 'Completed', 0, true],
        ['init-2', 'Completed', 0, true],
      ],
    );
    const end1 = Date.parse(inits[0]?.state?.terminated?.finishedAt ?? '');
    const start2 = Date.parse(inits[1]?.state?.terminated?.startedAt ?? '');
    assert.ok(start2 >= end1, 'init-2 starts after init-1 finished');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  });

  test('shareProcessNamespace: containers see each other and the pause process as PID 1', async () => {
    await apply(
      podSpec('shared-pids', {
        shareProcessNamespace: true,
        containers: [shell('exec sleep 3601', { name: 'a' }), shell('exec sleep 3602', { name: 'b' })],
      }),
    );
    await running('shared-pids', 'a');
    await running('shared-pids', 'b');
    const ps = await ok(['exec', 'shared-pids', '-c', 'a', '--', 'ps', '-o', 'pid,comm,args']);
    assert.match(ps, /^\s*1\s+catatonit\b/m, ps);
    assert.match(ps, /sleep 3601/, ps);
    assert.match(ps, /sleep 3602/, ps);
    // Killing b's process from a ends b, which the agent restarts.
    const bPid = /^\s*(\d+)\s+sleep\s+sleep 3602/m.exec(ps)?.[1];
    assert.ok(bPid, ps);
    await ok(['exec', 'shared-pids', '-c', 'a', '--', 'kill', bPid]);
    await until(
      'shared-pids',
      (p) => ((p.status?.containerStatuses ?? []).find((c) => c.name === 'b')?.restartCount ?? 0) >= 1,
      'b restarted after a killed it',
    );
    // Without the field each container has its own namespace, where its process is PID 1.
    await apply(podSpec('own-pids', { containers: [shell('exec sleep 3603')] }));
    await running('own-pids');
    assert.match(await ok(['exec', 'own-pids', '--', 'ps', '-o', 'pid,args']), /^\s*1\s+sleep 3603/m);
    await ok(['delete', 'pod', 'shared-pids', 'own-pids', '--wait=true']);
  });

  test('kubectl delete pod waits for the graceful stop, after the preStop hook', async () => {
    const log = '/host/trace';
    await apply(
      podSpec('graceful', {
        terminationGracePeriodSeconds: 30,
        containers: [
          shell(
            `trap 'echo term >> ${log}; sleep 2; echo exiting >> ${log}; exit 0' TERM; ` +
              `echo started >> ${log}; while true; do sleep 0.2; done`,
            {
              lifecycle: {
                postStart: { exec: { command: ['sh', '-c', 'echo poststart > /host/poststart'] } },
                preStop: { exec: { command: ['sh', '-c', `echo prestop >> ${log}`] } },
              },
              volumeMounts: [{ name: 'host', mountPath: '/host' }],
            },
          ),
        ],
        volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'Directory' } }],
      }),
    );
    await running('graceful');
    assert.equal(
      readFileSync(join(hostDir, 'poststart'), 'utf8'),
      'poststart\n',
      'postStart ran before Running',
    );
    const trace = join(hostDir, 'trace');
    await waitFor(() => existsSync(trace), { timeoutMs: 10_000, intervalMs: 100 });
    const t0 = Date.now();
    await ok(['delete', 'pod', 'graceful', '--wait=true', '--timeout=60s']);
    const took = Date.now() - t0;
    // The pod object is gone only now: the container must have finished its SIGTERM handler by then.
    assert.equal(readFileSync(trace, 'utf8'), 'started\nprestop\nterm\nexiting\n');
    assert.ok(took >= 2_000, `the delete waited for the 2 s SIGTERM handler (took ${took} ms)`);
    assert.ok(took < 25_000, `the container stopped well before its grace period (took ${took} ms)`);
  });

  test('a process that ignores SIGTERM is killed when its grace period ends', async () => {
    await apply(
      podSpec('stubborn', {
        terminationGracePeriodSeconds: 3,
        containers: [shell("trap '' TERM; while true; do sleep 0.2; done")],
      }),
    );
    await running('stubborn');
    const t0 = Date.now();
    await ok(['delete', 'pod', 'stubborn', '--wait=true', '--timeout=60s']);
    const took = Date.now() - t0;
    assert.ok(took >= 3_000, `the delete waited out the 3 s grace period (took ${took} ms)`);
    assert.ok(took < 15_000, `SIGKILL followed the grace period (took ${took} ms)`);
  });

  test('an init container that fails is restarted before the app starts', async () => {
    await apply(
      podSpec('init-retry', {
        initContainers: [
          {
            name: 'once-failing',
            image: BUSYBOX,
            command: ['sh', '-c', 'if [ -f /work/tried ]; then exit 0; fi; touch /work/tried; exit 1'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        containers: [shell('exec sleep 3600', { name: 'app' })],
        volumes: [{ name: 'work', emptyDir: {} }],
      }),
    );
    const p = await running('init-retry', 'app');
    const init = p.status?.initContainerStatuses?.[0];
    assert.equal(init?.restartCount, 1);
    assert.equal(init?.state?.terminated?.exitCode, 0);
    assert.equal(init?.lastState?.terminated?.exitCode, 1);
    assert.equal(init?.lastState?.terminated?.reason, 'Error');
  });

  test('httpGet readiness and tcpSocket liveness probes reach the pod IP', async () => {
    await apply(
      podSpec('slow', {
        containers: [
          {
            name: 'slow',
            image: `${registry}/tugboat-test/slow-start:latest`,
            env: [{ name: 'SLOW_START_SECONDS', value: '4' }],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
            livenessProbe: {
              tcpSocket: { port: 8080 },
              initialDelaySeconds: 8,
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
      }),
    );
    const early = await running('slow');
    assert.equal(early.status?.containerStatuses?.[0]?.ready, false, 'not ready while it sleeps');
    const ready = await until(
      'slow',
      (p) => (p.status?.containerStatuses?.[0]?.ready ? p : undefined),
      'slow becomes ready once it serves',
      30_000,
    );
    assert.match(await podHttpGet(ready.status?.podIP ?? '', 8080), /tugboat-test slow-start/);
    // Well past the liveness probe's initial delay: the server answers on its port, so no restart.
    await waitFor(
      async () => {
        const st = (await pod('slow')).status?.containerStatuses?.[0];
        const started = Date.parse(st?.state?.running?.startedAt ?? '');
        assert.equal(st?.restartCount, 0);
        return Date.now() - started > 12_000;
      },
      { timeoutMs: 30_000, intervalMs: 1000, message: 'slow keeps running past its liveness delay' },
    );
  });

  test('kubectl attach -it reaches a container started with a terminal', async () => {
    await apply(
      podSpec('console', {
        containers: [{ name: 'c', image: BUSYBOX, command: ['sh'], stdin: true, tty: true }],
      }),
    );
    await running('console');
    const cmd = [kubectlBinary(), 'attach', '-it', 'console'].join(' ');
    const r = await runFed(
      'script',
      ['-qec', cmd, '/dev/null'],
      { KUBECONFIG: s.kubeconfig, KUBECACHEDIR: s.cacheDir, TERM: 'dumb' },
      async (write, output) => {
        // No prompt is repeated on attach: type until the shell answers.
        await waitFor(
          () => {
            write('echo "sum=$((20+22))"\r');
            return /sum=42/.test(output());
          },
          { timeoutMs: 20_000, intervalMs: 1000 },
        );
        write('tty\r');
        await waitFor(() => /\/dev\/pts\/\d+/.test(output()), { timeoutMs: 10_000, intervalMs: 50 });
        throw new Error('done');
      },
    );
    assert.match(r.out, /sum=42/);
    assert.match(r.out, /\/dev\/pts\/\d+/);
    assert.equal((await pod('console')).status?.containerStatuses?.[0]?.restartCount, 0);
  });

  test('restart policies: Never ends Failed on exit 1, OnFailure ends Succeeded on exit 0', async () => {
    await apply(podSpec('never', { restartPolicy: 'Never', containers: [shell('echo bye; exit 1')] }));
    await apply(
      podSpec('onfailure', {
        restartPolicy: 'OnFailure',
        containers: [shell('echo done')],
      }),
    );
    const failed = await until(
      'never',
      (p) => (p.status?.phase === 'Failed' ? p : undefined),
      'never Failed',
    );
    const t = failed.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(t?.exitCode, 1);
    assert.equal(t?.reason, 'Error');
    assert.equal(failed.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.match(await ok(['get', 'pod', 'never']), /never\s+0\/1\s+Error\s+0/);
    const done = await until(
      'onfailure',
      (p) => (p.status?.phase === 'Succeeded' ? p : undefined),
      'onfailure Succeeded',
    );
    assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.match(await ok(['get', 'pod', 'onfailure']), /onfailure\s+0\/1\s+Completed\s+0/);
  });

  test('the downward API in env and in a volume', async () => {
    await apply({
      ...podSpec('downward', {
        containers: [
          shell('exec sleep 3600', {
            resources: { limits: { memory: '64Mi', cpu: '250m' } },
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              {
                name: 'MEM_LIMIT',
                valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
              },
            ],
            volumeMounts: [{ name: 'info', mountPath: '/etc/podinfo' }],
          }),
        ],
        volumes: [
          {
            name: 'info',
            downwardAPI: {
              items: [
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                {
                  path: 'cpu',
                  resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' },
                },
              ],
            },
          },
        ],
      }),
      metadata: { name: 'downward', labels: { tier: 'demo' } },
    });
    const p = await running('downward');
    // Limits only: requests default to them, a Guaranteed pod (the lowest oom_score_adj upstream gives).
    assert.equal(p.status?.qosClass, 'Guaranteed');
    const env = await ok(['exec', 'downward', '--', 'env']);
    assert.match(env, /^POD_NAME=downward$/m);
    assert.match(env, new RegExp(`^POD_IP=${(p.status?.podIP ?? 'x').replace(/\./g, '\\.')}$`, 'm'));
    assert.match(env, new RegExp(`^NODE=${NODE}$`, 'm'));
    assert.match(env, /^MEM_LIMIT=64$/m);
    assert.equal(await ok(['exec', 'downward', '--', 'cat', '/etc/podinfo/labels']), 'tier="demo"');
    assert.equal(await ok(['exec', 'downward', '--', 'cat', '/etc/podinfo/cpu']), '250');
  });

  test('a startup probe holds liveness and readiness until it succeeds', async () => {
    await apply(
      podSpec('starting', {
        containers: [
          shell('exec sleep 3600', {
            startupProbe: {
              exec: { command: ['cat', '/tmp/started'] },
              periodSeconds: 1,
              failureThreshold: 60,
            },
            livenessProbe: { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1000 },
            readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
          }),
        ],
      }),
    );
    await running('starting');
    // Not started: neither ready nor probed for readiness, for a few probe periods.
    for (let i = 0; i < 3; i++) {
      const c = (await pod('starting')).status?.containerStatuses?.[0];
      assert.equal(c?.started, false);
      assert.equal(c?.ready, false);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await ok(['exec', 'starting', '--', 'touch', '/tmp/started']);
    const c = await until(
      'starting',
      (p) => {
        const x = p.status?.containerStatuses?.[0];
        return x?.started && x.ready ? x : undefined;
      },
      'starting is started and ready',
      30_000,
    );
    assert.equal(c.restartCount, 0);
  });

  test('a failing postStart hook kills the container, which is restarted', async () => {
    await apply(
      podSpec('bad-hook', {
        containers: [
          shell('exec sleep 3600', {
            lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 7'] } } },
          }),
        ],
      }),
    );
    await until(
      'bad-hook',
      (p) => ((p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined),
      'bad-hook restarted after its postStart hook failed',
    );
    assert.match(await events('bad-hook'), /FailedPostStartHook/);
  });

  test('a rolling update of the Deployment replaces its pods', async () => {
    await ok(['create', 'deployment', 'roll', `--image=${BUSYBOX}`, '--replicas=2', '--port=8080']);
    await ok(['rollout', 'status', 'deployment/roll', '--timeout=90s']);
    const before = (
      JSON.parse(await ok(['get', 'pods', '-l', 'app=roll', '-o', 'json'])) as { items: Pod[] }
    ).items.map((p) => p.metadata?.name);
    await ok(['set', 'image', 'deployment/roll', `busybox=${registry}/tugboat-test/slow-start:latest`]);
    await ok(['rollout', 'status', 'deployment/roll', '--timeout=120s'], undefined);
    const pods = await waitFor(
      async () => {
        const items = (
          JSON.parse(await ok(['get', 'pods', '-l', 'app=roll', '-o', 'json'])) as { items: Pod[] }
        ).items;
        return items.length === 2 && items.every((p) => !before.includes(p.metadata?.name))
          ? items
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, message: 'only the new pods remain' },
    );
    for (const p of pods) {
      const body = await waitFor(() => podHttpGet(p.status?.podIP ?? '', 8080), {
        timeoutMs: 30_000,
        intervalMs: 500,
      });
      assert.match(body, /tugboat-test slow-start/);
    }
  });

  test('kubectl exec -it runs an interactive shell on a terminal', async () => {
    await ok(['run', 'shell', `--image=${BUSYBOX}`, '--command', '--', 'sleep', '3600']);
    await running('shell');
    const cmd = [kubectlBinary(), 'exec', '-it', 'shell', '--', 'sh'].join(' ');
    const r = await runFed(
      'script',
      ['-qec', cmd, '/dev/null'],
      { KUBECONFIG: s.kubeconfig, KUBECACHEDIR: s.cacheDir, TERM: 'dumb' },
      async (write, output) => {
        await waitFor(() => /\/ # /.test(output()), { timeoutMs: 20_000, intervalMs: 50 });
        write('tty; echo "answer=$((6*7))"\r');
        await waitFor(() => /answer=42/.test(output()), { timeoutMs: 10_000, intervalMs: 50 });
        write('exit 4\r');
      },
    );
    assert.match(r.out, /\/dev\/pts\/\d+/, `a terminal in the container: ${r.out}`);
    assert.match(r.out, /answer=42/);
    assert.equal(r.code, 4, `script exits with the shell's code: ${r.out}`);
  });

  test('kubectl attach shows the output of a running container and passes stdin', async () => {
    await apply(
      podSpec('talker', {
        containers: [
          shell('i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done', { name: 'ticker' }),
          shell('while read line; do echo "got: $line"; done', {
            name: 'echoer',
            stdin: true,
          }),
        ],
      }),
    );
    await running('talker', 'ticker');
    await running('talker', 'echoer');
    const attach = s.kubectlStream(['attach', 'talker', '-c', 'ticker']);
    try {
      const first = await attach.waitForLine(/^tick \d+$/, 20_000);
      const n = Number(first.split(' ')[1]);
      await attach.waitForLine(new RegExp(`^tick ${n + 1}$`), 10_000);
    } finally {
      await attach.stop();
    }
    const r = await runFed(
      kubectlBinary(),
      ['attach', '-i', 'talker', '-c', 'echoer'],
      { KUBECONFIG: s.kubeconfig, KUBECACHEDIR: s.cacheDir },
      async (write, output) => {
        // attach -i has no prompt: keep writing until the first line comes back.
        await waitFor(
          () => {
            write('hello\n');
            return /got: hello/.test(output());
          },
          { timeoutMs: 20_000, intervalMs: 500 },
        );
        throw new Error('done');
      },
    );
    assert.match(r.out, /got: hello/);
    assert.match(await ok(['logs', 'talker', '-c', 'echoer']), /^got: hello$/m);
  });

  test('kubectl cp copies a file into the container and back out', async () => {
    await ok(['run', 'files', `--image=${BUSYBOX}`, '--command', '--', 'sleep', '3600']);
    await running('files');
    const local = join(hostDir, 'in.txt');
    const content = `copied in by ${process.pid}\n${'x'.repeat(5000)}\n`;
    writeFileSync(local, content);
    await ok(['cp', local, 'files:/tmp/in.txt']);
    assert.equal(await ok(['exec', 'files', '--', 'cat', '/tmp/in.txt']), content);
    await ok(['exec', 'files', '--', 'sh', '-c', 'echo made inside > /tmp/out.txt']);
    const back = join(hostDir, 'out.txt');
    await ok(['cp', 'files:/tmp/out.txt', back]);
    assert.equal(readFileSync(back, 'utf8'), 'made inside\n');
  });
});

void describe('the process runtime (no isolation)', { skip: skipProcess ?? false }, () => {
  let s: ServerProcess;
  const node = `${NODE}-proc`;

  async function ok(args: string[], input?: string): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    s = await startAgentServer(node, { extraArgs: ['--container-runtime', 'process'] });
  });

  after(async () => {
    if (!s) return;
    await s.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
    await s.stop();
  });

  test('the node warns that there is no isolation', async () => {
    const n = JSON.parse(await ok(['get', 'node', node, '-o', 'json'])) as Node;
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.match(ready?.message ?? '', /NO isolation/);
    assert.match(n.status?.nodeInfo?.containerRuntimeVersion ?? '', /^process:\/\//);
  });

  test('a command pod runs as a host process to Completed', async () => {
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hello' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'c',
              image: BUSYBOX,
              command: ['sh', '-c', 'echo "hello from $HOSTNAME as $GREETING"'],
              env: [{ name: 'GREETING', value: 'a process' }],
            },
          ],
        },
      }),
    );
    const p = await waitFor(
      async () => {
        const pod = JSON.parse(await ok(['get', 'pod', 'hello', '-o', 'json'])) as Pod;
        return pod.status?.phase === 'Succeeded' ? pod : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'hello Succeeded' },
    );
    assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(await ok(['logs', 'hello']), 'hello from hello as a process\n');
    assert.match(await ok(['get', 'pod', 'hello']), /hello\s+0\/1\s+Completed\s+0/);
  });
});
