/**
 * One behavioural suite every RuntimeService must pass (the runtime counterpart of the store contract).
 * Each test gets a fresh state dir; "restart" = a second instance from makeRuntime over the same dir.
 * Commands use only `sh`, `sleep`, `cat` and `echo`, which both the busybox test image and a host provide.
 */
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { RuntimeService } from '../cri/services.js';
import type { ContainerConfig, ContainerState, PodSandboxConfig } from '../cri/types.js';
import { waitFor } from '../../util/wait.js';
import { readCriLog } from './common/cri-log.js';
import { isNotFound } from './common/errors.js';

export interface RuntimeContractOptions {
  /** Skip the whole suite with this reason (missing root, runc, CNI plugins…). */
  skip?: string;
  /** Image every container uses (the process runtime ignores it). */
  image: string;
  /** The runtime enforces memory limits, so a memory hog is OOM-killed (exit 137, reason OOMKilled). */
  enforcesMemoryLimit: boolean;
  /** Descriptions of anything the runtime left behind for this state dir after everything was removed. */
  leaks?: (stateDir: string) => Promise<string[]>;
  /** Runs once after the suite (remove the run's cgroup parent, bridge…). */
  cleanup?: () => Promise<void>;
  /** A runtime handler besides the default that the runtime has (none: it has no others). */
  otherHandler?: string;
}

export type MakeRuntime = (stateDir: string) => RuntimeService | Promise<RuntimeService>;

const TRAPS_TERM = 'trap "echo got TERM; exit 0" TERM; while true; do sleep 0.1; done';
const IGNORES_TERM = 'trap "" TERM; while true; do sleep 0.1; done';
const MEMORY_HOG = 'x=0123456789abcdef; while true; do x=$x$x; done';

export function runRuntimeContract(
  name: string,
  makeRuntime: MakeRuntime,
  options: RuntimeContractOptions,
): void {
  void describe(`Runtime contract: ${name}`, { skip: options.skip ?? false }, () => {
    const roots: string[] = [];
    const runtimes: { rt: RuntimeService; stateDir: string }[] = [];
    let n = 0;

    const removePods = async (list: typeof runtimes): Promise<void> => {
      for (const { rt } of list) {
        for (const s of await rt.listPodSandbox().catch(() => []))
          await rt.removePodSandbox(s.id).catch(() => {});
      }
    };

    // A test that fails before its own removeAllAndCheck would leave its pods to the next test's leak check.
    let cleaned = 0;
    afterEach(async () => {
      await removePods(runtimes.slice(cleaned));
      cleaned = runtimes.length;
    });

    after(async () => {
      await removePods(runtimes);
      await options.cleanup?.();
      for (const r of roots) await rm(r, { recursive: true, force: true });
    });

    interface Env {
      rt: RuntimeService;
      stateDir: string;
      logDir: string;
      restart(): Promise<RuntimeService>;
      sandboxConfig(extra?: Partial<PodSandboxConfig>): PodSandboxConfig;
      containerConfig(script: string, extra?: Partial<ContainerConfig>): ContainerConfig;
    }

    async function fresh(): Promise<Env> {
      const root = await mkdtemp(path.join(tmpdir(), 'tugboat-rt-'));
      roots.push(root);
      const stateDir = path.join(root, 'state');
      const logDir = path.join(root, 'logs');
      const rt = await makeRuntime(stateDir);
      runtimes.push({ rt, stateDir });
      const env: Env = {
        rt,
        stateDir,
        logDir,
        async restart() {
          const next = await makeRuntime(stateDir);
          runtimes.push({ rt: next, stateDir });
          env.rt = next;
          return next;
        },
        sandboxConfig(extra = {}) {
          const i = n++;
          return {
            metadata: { name: `pod${i}`, uid: `uid-${process.pid}-${i}`, namespace: 'default', attempt: 0 },
            hostname: `pod${i}`,
            logDirectory: path.join(logDir, `pod${i}`),
            portMappings: [],
            labels: { app: 'contract', pod: `pod${i}` },
            annotations: {},
            linux: {
              cgroupParent: `tugboat-contract-${process.pid}/pod${i}`,
              namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
            },
            ...extra,
          };
        },
        containerConfig(script, extra = {}) {
          const i = n++;
          return {
            metadata: { name: `c${i}`, attempt: 0 },
            image: { image: options.image },
            command: ['sh', '-c', script],
            args: [],
            envs: [],
            mounts: [],
            labels: { container: `c${i}` },
            annotations: {},
            logPath: `c${i}/0.log`,
            stdin: false,
            stdinOnce: false,
            tty: false,
            linux: {
              resources: {},
              securityContext: {
                privileged: false,
                namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
                readonlyRootfs: false,
                supplementalGroups: [],
                noNewPrivs: false,
              },
            },
            ...extra,
          };
        },
      };
      return env;
    }

    async function startContainer(e: Env, script: string, extra: Partial<ContainerConfig> = {}) {
      const sbConfig = e.sandboxConfig();
      const sb = await e.rt.runPodSandbox(sbConfig);
      const config = e.containerConfig(script, extra);
      const id = await e.rt.createContainer(sb, config, sbConfig);
      await e.rt.startContainer(id);
      return { sb, sbConfig, id, config };
    }

    async function waitState(rt: RuntimeService, id: string, state: ContainerState, timeoutMs = 10_000) {
      return waitFor(
        async () => {
          const s = await rt.containerStatus(id);
          return s.state === state ? s : undefined;
        },
        { timeoutMs, message: `container ${id} ${state}` },
      );
    }

    async function removeAllAndCheck(e: Env): Promise<void> {
      for (const s of await e.rt.listPodSandbox()) await e.rt.removePodSandbox(s.id);
      assert.deepEqual(await e.rt.listPodSandbox(), []);
      assert.deepEqual(await e.rt.listContainers(), []);
      if (options.leaks) assert.deepEqual(await options.leaks(e.stateDir), [], 'leaked resources');
    }

    test('version and status report a ready runtime', async () => {
      const e = await fresh();
      const v = await e.rt.version();
      assert.ok(v.runtimeName);
      assert.equal(v.runtimeApiVersion, 'v1');
      const s = await e.rt.status();
      assert.equal(s.conditions.find((c) => c.type === 'RuntimeReady')?.status, true);
    });

    test('runtime handlers: a sandbox of another handler runs and lists it; an unknown one is refused', async () => {
      const e = await fresh();
      const status = await e.rt.status();
      const before = await e.rt.listPodSandbox();
      await assert.rejects(e.rt.runPodSandbox(e.sandboxConfig(), 'no-such-handler'), {
        message: 'no runtime for "no-such-handler" is configured',
      });
      assert.deepEqual(await e.rt.listPodSandbox(), before, 'nothing made for a refused handler');
      const other = options.otherHandler;
      if (!other) return;
      assert.ok(status.handlers?.includes(other), `${other} in ${status.handlers?.join(',') ?? ''}`);
      const sbConfig = e.sandboxConfig();
      const sb = await e.rt.runPodSandbox(sbConfig, other);
      assert.equal((await e.rt.podSandboxStatus(sb)).runtimeHandler, other);
      const id = await e.rt.createContainer(sb, e.containerConfig('sleep 30'), sbConfig);
      await e.rt.startContainer(id);
      await waitState(e.rt, id, 'running');
      const out = await e.rt.execSync(id, ['sh', '-c', 'echo from-handler'], 10);
      assert.equal(out.stdout.toString().trim(), 'from-handler');
      await e.rt.stopContainer(id, 0);
      await waitState(e.rt, id, 'exited');
      await removeAllAndCheck(e);
    });

    test('sandbox lifecycle: run, status, list with filters, stop, remove', async () => {
      const e = await fresh();
      const config = e.sandboxConfig();
      const id = await e.rt.runPodSandbox(config);
      const status = await e.rt.podSandboxStatus(id);
      assert.equal(status.state, 'ready');
      assert.deepEqual(status.metadata, config.metadata);
      assert.match(status.network?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      assert.deepEqual(
        (await e.rt.listPodSandbox({ labelSelector: { pod: config.metadata.name } })).map((s) => s.id),
        [id],
      );
      assert.deepEqual(await e.rt.listPodSandbox({ labelSelector: { pod: 'other' } }), []);
      await e.rt.stopPodSandbox(id);
      assert.equal((await e.rt.podSandboxStatus(id)).state, 'notready');
      assert.deepEqual(
        (await e.rt.listPodSandbox({ state: 'notready' })).map((s) => s.id),
        [id],
      );
      await e.rt.removePodSandbox(id);
      await assert.rejects(e.rt.podSandboxStatus(id), isNotFound);
      await removeAllAndCheck(e);
    });

    test('a container runs its command with env and workingDir, and its exit code and logs are kept', async () => {
      const e = await fresh();
      const { id, sbConfig, config } = await startContainer(
        e,
        'echo "out $GREETING"; pwd; echo err >&2; exit 3',
        {
          envs: [{ key: 'GREETING', value: 'hello' }],
          workingDir: '/tmp',
        },
      );
      const s = await waitState(e.rt, id, 'exited');
      assert.equal(s.exitCode, 3);
      assert.equal(s.reason, 'Error');
      assert.ok(s.startedAt !== undefined && s.finishedAt !== undefined && s.finishedAt >= s.createdAt);
      assert.equal(s.logPath, path.join(sbConfig.logDirectory, config.logPath));
      const log = await waitFor(async () => {
        const text = await readFile(s.logPath, 'utf8');
        return text.includes('stderr F err') ? text : undefined;
      });
      assert.match(log, /^\S+ stdout F out hello$/m);
      assert.match(log, /^\S+ stdout F \/tmp$/m);
      assert.deepEqual(
        readCriLog(log).filter((l) => l.stream === 'stderr'),
        [{ stream: 'stderr', text: 'err\n' }],
      );
      const ok = await startContainer(e, 'exit 0');
      const okStatus = await waitState(e.rt, ok.id, 'exited');
      assert.equal(okStatus.exitCode, 0);
      assert.equal(okStatus.reason, 'Completed');
      await removeAllAndCheck(e);
    });

    test('created, running and exited states, listed with filters', async () => {
      const e = await fresh();
      const sbConfig = e.sandboxConfig();
      const sb = await e.rt.runPodSandbox(sbConfig);
      const config = e.containerConfig('sleep 30');
      const id = await e.rt.createContainer(sb, config, sbConfig);
      assert.equal((await e.rt.containerStatus(id)).state, 'created');
      await e.rt.startContainer(id);
      assert.equal((await e.rt.containerStatus(id)).state, 'running');
      assert.deepEqual(
        (await e.rt.listContainers({ podSandboxId: sb, state: 'running' })).map((c) => c.id),
        [id],
      );
      assert.deepEqual(await e.rt.listContainers({ labelSelector: { container: 'nope' } }), []);
      await e.rt.stopContainer(id, 0);
      assert.equal((await e.rt.containerStatus(id)).state, 'exited');
      await removeAllAndCheck(e);
    });

    test('stop: a process that traps TERM exits within the grace period', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, TRAPS_TERM);
      await sleepMs(300); // let the shell install its trap
      const t0 = performance.now();
      await e.rt.stopContainer(id, 10);
      const elapsed = performance.now() - t0;
      const s = await e.rt.containerStatus(id);
      assert.equal(s.state, 'exited');
      assert.equal(s.exitCode, 0);
      assert.ok(elapsed < 5000, `stopped gracefully in ${elapsed} ms`);
      await waitFor(async () => (await readFile(s.logPath, 'utf8')).includes('got TERM'));
      await removeAllAndCheck(e);
    });

    test('stop: a process that ignores TERM is killed after the grace period', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, IGNORES_TERM);
      await sleepMs(300); // let the shell install its trap
      const t0 = performance.now();
      await e.rt.stopContainer(id, 1);
      const elapsed = performance.now() - t0;
      const s = await e.rt.containerStatus(id);
      assert.equal(s.state, 'exited');
      assert.equal(s.exitCode, 137);
      assert.ok(elapsed >= 900, `waited the grace period (${elapsed} ms)`);
      await removeAllAndCheck(e);
    });

    test('stop and remove are idempotent', async () => {
      const e = await fresh();
      const { id, sb } = await startContainer(e, 'exit 0');
      await waitState(e.rt, id, 'exited');
      await e.rt.stopContainer(id, 1);
      await e.rt.stopContainer(id, 0);
      await e.rt.removeContainer(id);
      await e.rt.removeContainer(id);
      await e.rt.stopContainer(id, 0);
      await assert.rejects(e.rt.containerStatus(id), isNotFound);
      await e.rt.stopPodSandbox(sb);
      await e.rt.stopPodSandbox(sb);
      await e.rt.removePodSandbox(sb);
      await e.rt.removePodSandbox(sb);
      await e.rt.stopPodSandbox(sb);
      await removeAllAndCheck(e);
    });

    test('a created container that never started can be stopped and removed', async () => {
      const e = await fresh();
      const sbConfig = e.sandboxConfig();
      const sb = await e.rt.runPodSandbox(sbConfig);
      const id = await e.rt.createContainer(sb, e.containerConfig('sleep 60'), sbConfig);
      await e.rt.stopContainer(id, 5);
      assert.notEqual((await e.rt.containerStatus(id)).state, 'running');
      await e.rt.removeContainer(id);
      await assert.rejects(e.rt.containerStatus(id), isNotFound);
      await removeAllAndCheck(e);
    });

    test('removing a sandbox stops and removes its running containers', async () => {
      const e = await fresh();
      const { id, sb } = await startContainer(e, 'sleep 60');
      await e.rt.removePodSandbox(sb);
      await assert.rejects(e.rt.containerStatus(id), isNotFound);
      await removeAllAndCheck(e);
    });

    test('a new instance over the same state adopts sandboxes and containers without restarting them', async () => {
      const e = await fresh();
      const running = await startContainer(e, 'echo started; sleep 60');
      const quick = await startContainer(e, 'sleep 0.5; exit 7');
      const before = await e.rt.containerStatus(running.id);
      const rt2 = await e.restart();
      // The first instance is no longer used: the exit of `quick` happens while "the agent is down".
      assert.deepEqual((await rt2.listPodSandbox()).map((s) => s.id).sort(), [running.sb, quick.sb].sort());
      const after = await rt2.containerStatus(running.id);
      assert.equal(after.state, 'running');
      assert.equal(after.startedAt, before.startedAt);
      const q = await waitState(rt2, quick.id, 'exited');
      assert.equal(q.exitCode, 7);
      const log = await readFile(after.logPath, 'utf8');
      assert.equal(log.match(/started/g)?.length, 1, 'not restarted');
      await rt2.stopContainer(running.id, 5);
      assert.equal((await rt2.containerStatus(running.id)).state, 'exited');
      await removeAllAndCheck(e);
    });

    test('execSync returns output, exit code and honours its timeout', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'sleep 60', { envs: [{ key: 'FROM_CONFIG', value: 'yes' }] });
      const r = await e.rt.execSync(id, ['sh', '-c', 'echo "hi $FROM_CONFIG"; echo e >&2; exit 5'], 10);
      assert.equal(r.stdout.toString(), 'hi yes\n');
      assert.equal(r.stderr.toString(), 'e\n');
      assert.equal(r.exitCode, 5);
      assert.equal(r.timedOut, false);
      const t0 = performance.now();
      const slow = await e.rt.execSync(id, ['sleep', '10'], 1);
      assert.equal(slow.timedOut, true);
      assert.ok(performance.now() - t0 < 8000);
      await removeAllAndCheck(e);
    });

    test('exec streams stdin, stdout and stderr and resolves with the exit code', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'sleep 60');
      const stdin = new PassThrough();
      const stdout = collect();
      const stderr = collect();
      const done = e.rt.exec(id, ['sh', '-c', 'cat; echo bye >&2; exit 4'], {
        stdin,
        stdout: stdout.stream,
        stderr: stderr.stream,
        tty: false,
      });
      stdin.end('from stdin\n');
      assert.equal(await done, 4);
      assert.equal(stdout.text(), 'from stdin\n');
      assert.equal(stderr.text(), 'bye\n');
      await removeAllAndCheck(e);
    });

    test('exec with a tty gives the command a terminal', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'sleep 60');
      const out = collect();
      const code = await e.rt.exec(id, ['sh', '-c', 'tty; exit 3'], {
        stdin: null,
        stdout: out.stream,
        stderr: null,
        tty: true,
      });
      assert.equal(code, 3);
      assert.match(out.text(), /^\/dev\/pts\/\d+\r?\n/);
      await removeAllAndCheck(e);
    });

    test('attach writes stdin to a container started with stdin and streams its output', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'read line; echo "got $line"; sleep 0.2', { stdin: true });
      await waitState(e.rt, id, 'running');
      const stdin = new PassThrough();
      const out = collect();
      const attached = e.rt.attach(id, { stdin, stdout: out.stream, stderr: null, tty: false });
      stdin.write('hello\n');
      await attached;
      assert.match(out.text(), /got hello\n/);
      await removeAllAndCheck(e);
    });

    test('attach streams the output of a running container until it exits', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'sleep 0.5; echo late; sleep 0.3');
      await waitState(e.rt, id, 'running');
      const out = collect();
      await e.rt.attach(id, { stdin: null, stdout: out.stream, stderr: null, tty: false });
      assert.match(out.text(), /late\n/);
      await removeAllAndCheck(e);
    });

    test('reopenContainerLog: after the log file is renamed, output continues in a new file at the log path', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done');
      const { logPath } = await waitState(e.rt, id, 'running');
      await waitFor(async () => (await readFile(logPath, 'utf8').catch(() => '')).includes('line 2'), {
        message: 'first lines logged',
      });
      await rename(logPath, `${logPath}.rotated`);
      await e.rt.reopenContainerLog!(id);
      const fresh2 = await waitFor(
        async () => {
          const text = await readFile(logPath, 'utf8').catch(() => '');
          return readCriLog(text).length >= 2 ? text : undefined;
        },
        { message: 'lines in the reopened log' },
      );
      const first = Number(/line (\d+)/.exec(readCriLog(fresh2)[0]!.text)?.[1]);
      const old = readCriLog(await readFile(`${logPath}.rotated`, 'utf8'));
      const lastOld = Number(/line (\d+)/.exec(old[old.length - 1]!.text)?.[1]);
      assert.ok(first > lastOld, `the new file continues after the old one (${lastOld} → ${first})`);
      await removeAllAndCheck(e);
    });

    test('stats report cpu time and memory of a running container', async () => {
      const e = await fresh();
      const { id } = await startContainer(e, 'while true; do :; done');
      const stats = await waitFor(async () => {
        const s = await e.rt.containerStats(id);
        return s.cpuUsageCoreNanoSeconds > 50_000_000 ? s : undefined;
      });
      assert.equal(stats.containerId, id);
      assert.ok(stats.memoryWorkingSetBytes > 0);
      assert.deepEqual(
        (await e.rt.listContainerStats({ id })).map((s) => s.containerId),
        [id],
      );
      await removeAllAndCheck(e);
    });

    // Only runtimes that enforce memory limits have this behaviour to test (not a skip: nothing to check).
    const memoryTest = options.enforcesMemoryLimit ? test : (..._: unknown[]): void => {};
    void memoryTest('a container over its memory limit is OOM-killed', async () => {
      const e = await fresh();
      const config = e.containerConfig(MEMORY_HOG);
      config.linux.resources.memoryLimitInBytes = 32 * 1024 * 1024;
      const sbConfig = e.sandboxConfig();
      const sb = await e.rt.runPodSandbox(sbConfig);
      const id = await e.rt.createContainer(sb, config, sbConfig);
      await e.rt.startContainer(id);
      const s = await waitState(e.rt, id, 'exited', 30_000);
      assert.equal(s.exitCode, 137);
      assert.equal(s.reason, 'OOMKilled');
      const again = await (await e.restart()).containerStatus(id);
      assert.equal(again.reason, 'OOMKilled', 'the reason survives a restart');
      await removeAllAndCheck(e);
    });
  });
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (b: Buffer) => chunks.push(b));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
