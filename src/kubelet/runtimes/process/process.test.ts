import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ContainerConfig, LinuxContainerSecurityContext, PodSandboxConfig } from '../../cri/types.js';
import { waitFor } from '../../../util/wait.js';
import { runRuntimeContract } from '../contract.js';
import { pidsMentioning } from '../common/proc.js';
import { RunAsNonRootError } from '../oci/user.js';
import { NO_ISOLATION_WARNING, ProcessRuntime } from './runtime.js';

runRuntimeContract('process', (stateDir) => new ProcessRuntime({ stateDir }), {
  image: 'host',
  enforcesMemoryLimit: false,
  leaks: async (stateDir) => {
    const leaks = (await pidsMentioning(stateDir)).map((p) => `process ${p}`);
    for (const f of await readdir(`${stateDir}/c`).catch(() => [])) leaks.push(`container dir ${f}`);
    return leaks;
  },
});

void describe('process runtime specifics', () => {
  const isRoot = process.getuid?.() === 0;
  const sandboxConfig = (logDirectory: string): PodSandboxConfig => ({
    metadata: { name: 'p', uid: `p-${process.pid}`, namespace: 'default', attempt: 0 },
    hostname: 'p',
    logDirectory,
    portMappings: [],
    labels: {},
    annotations: {},
    linux: { cgroupParent: 'unused', namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' } },
  });
  const containerConfig = (
    command: string[],
    sc: Partial<LinuxContainerSecurityContext> = {},
  ): ContainerConfig => ({
    metadata: { name: 'c', attempt: 0 },
    image: { image: 'host' },
    command,
    args: [],
    envs: [],
    mounts: [],
    labels: {},
    annotations: {},
    logPath: 'c.log',
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
        ...sc,
      },
    },
  });

  test('status carries the loud no-isolation warning', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tugboat-proc-'));
    const rt = new ProcessRuntime({ stateDir: root });
    const s = await rt.status();
    assert.deepEqual(s.warnings, [NO_ISOLATION_WARNING]);
    assert.match(s.conditions[0]?.message ?? '', /NO isolation/);
    await rm(root, { recursive: true, force: true });
  });

  test('the warning says why the oci runtime was not used', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tugboat-proc-'));
    try {
      const why = ['runc not found', '/sys/fs/cgroup is a cgroup v2 (unified) hierarchy'];
      const s = await new ProcessRuntime({ stateDir: root, ociRejected: why }).status();
      const expected = `${NO_ISOLATION_WARNING} (the oci runtime was not used: ${why.join('; ')})`;
      assert.deepEqual(s.warnings, [expected]);
      assert.equal(s.conditions[0]?.message, expected);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test(
    'runAsUser applies to the command and to execs; runAsNonRoot refuses root',
    { skip: isRoot ? false : 'needs root to switch users' },
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'tugboat-proc-'));
      const rt = new ProcessRuntime({ stateDir: path.join(root, 'state') });
      const sbConfig = sandboxConfig(path.join(root, 'logs'));
      const sb = await rt.runPodSandbox(sbConfig);
      await assert.rejects(
        rt.createContainer(sb, containerConfig(['id', '-u'], { runAsNonRoot: true }), sbConfig),
        RunAsNonRootError,
      );
      const id = await rt.createContainer(
        sb,
        containerConfig(['sh', '-c', 'id -u; sleep 30'], {
          runAsUser: 65534,
          runAsGroup: 65534,
          runAsNonRoot: true,
        }),
        sbConfig,
      );
      await rt.startContainer(id);
      const r = await rt.execSync(id, ['id', '-u'], 5);
      assert.equal(r.stdout.toString().trim(), '65534');
      const logPath = (await rt.containerStatus(id)).logPath;
      await waitFor(async () => (await readFile(logPath, 'utf8')).includes('stdout F 65534'));
      await rt.removePodSandbox(sb);
      await rm(root, { recursive: true, force: true });
    },
  );
});
