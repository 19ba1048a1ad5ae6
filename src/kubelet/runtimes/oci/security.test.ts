/**
 * The oci runtime with real runc: securityContext, cgroup limits, injected /etc files, shared pod namespaces,
 * volumes and host namespaces, checked from inside the containers and from the host's cgroup files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ContainerConfig, LinuxContainerSecurityContext, PodSandboxConfig } from '../../cri/types.js';
import { waitFor } from '../../../util/wait.js';
import { readCriLog } from '../common/cri-log.js';
import { RunAsNonRootError } from './user.js';
import type { OciRuntime } from './runtime.js';
import { CGROUP_ROOT, cpuWeightFromShares, openCgroups } from './cgroups.js';
import { ociTestEnv } from './testing-env.js';
import { BUSYBOX_IMAGE } from './testing.js';

const env = await ociTestEnv('s');
if (env.skip) console.log(`# oci security tests skipped: ${env.skip}`);
const APP_IMAGE = 'sha256:tugboat-test-busybox-app-user';

void describe('oci runtime: security, limits and pod plumbing', { skip: env.skip ?? false }, () => {
  let root: string;
  let stateDir: string;
  let rt: OciRuntime;
  let n = 0;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tugboat-sec-'));
    stateDir = path.join(root, 'state');
    rt = env.make(stateDir);
    const base = await env.images.layers(BUSYBOX_IMAGE);
    env.images.add(APP_IMAGE, base.layerDirs, { user: 'app' });
  });
  after(async () => {
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
    await env.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  function sandboxConfig(extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
    const name = `sec${n++}`;
    return {
      metadata: { name, uid: `${name}-${process.pid}`, namespace: 'default', attempt: 0 },
      hostname: name,
      logDirectory: path.join(root, 'logs', name),
      portMappings: [],
      labels: {},
      annotations: {},
      linux: {
        cgroupParent: `${env.names.cgroupTop}/${name}`,
        namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
      },
      ...extra,
    };
  }

  function containerConfig(
    script: string,
    sc: Partial<LinuxContainerSecurityContext> = {},
    extra: Partial<ContainerConfig> = {},
  ): ContainerConfig {
    return {
      metadata: { name: `c${n++}`, attempt: 0 },
      image: { image: BUSYBOX_IMAGE },
      command: ['sh', '-c', script],
      args: [],
      envs: [],
      mounts: [],
      labels: {},
      annotations: {},
      logPath: `c${n}.log`,
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
      ...extra,
    };
  }

  /** Runs one container to completion in a fresh (or given) sandbox; returns its exit code and stdout+stderr. */
  async function runToEnd(config: ContainerConfig, sb?: { id: string; config: PodSandboxConfig }) {
    const sandbox = sb ?? { config: sandboxConfig(), id: '' };
    if (!sb) sandbox.id = await rt.runPodSandbox(sandbox.config);
    const id = await rt.createContainer(sandbox.id, config, sandbox.config);
    await rt.startContainer(id);
    const s = await waitFor(async () => {
      const st = await rt.containerStatus(id);
      return st.state === 'exited' ? st : undefined;
    });
    const output = readCriLog(await readFile(s.logPath, 'utf8'))
      .map((e) => e.text)
      .join('');
    if (!sb) await rt.removePodSandbox(sandbox.id);
    return { exitCode: s.exitCode, output };
  }

  test('runAsNonRoot refuses a root image with a clear error and leaves nothing behind', async () => {
    const config = sandboxConfig();
    const sb = await rt.runPodSandbox(config);
    await assert.rejects(
      rt.createContainer(sb, containerConfig('id', { runAsNonRoot: true }), config),
      (err) => {
        assert.ok(err instanceof RunAsNonRootError);
        assert.match(err.message, /runAsNonRoot and image will run as root/);
        return true;
      },
    );
    assert.deepEqual(await rt.listContainers({ podSandboxId: sb }), []);
    assert.deepEqual(
      (await readFile('/proc/self/mountinfo', 'utf8'))
        .split('\n')
        .filter((l) => l.includes(path.join(stateDir, 'c'))),
      [],
    );
    await rt.removePodSandbox(sb);
  });

  test('runAsUser, runAsGroup, supplementalGroups and the image USER', async () => {
    const r = await runToEnd(
      containerConfig('id', { runAsUser: 1000, runAsGroup: 2000, supplementalGroups: [3000] }),
    );
    assert.equal(r.output.trim(), 'uid=1000(app) gid=2000 groups=3000');
    const img = await runToEnd(
      containerConfig('id -u', { runAsNonRoot: true }, { image: { image: APP_IMAGE } }),
    );
    assert.equal(img.exitCode, 0);
    assert.equal(img.output.trim(), '1000');
  });

  test('read-only rootfs, noNewPrivileges, capability add/drop and privileged', async () => {
    const ro = await runToEnd(
      containerConfig('touch /x 2>&1; echo rc=$?; echo ok > /etc/hosts && echo etc-writable', {
        readonlyRootfs: true,
      }),
    );
    assert.match(ro.output, /Read-only file system/);
    assert.match(ro.output, /rc=1/);
    assert.match(ro.output, /etc-writable/);

    const caps = await runToEnd(
      containerConfig('grep -E "^(CapEff|NoNewPrivs)" /proc/self/status', {
        noNewPrivs: true,
        capabilities: { addCapabilities: [], dropCapabilities: ['ALL'] },
      }),
    );
    assert.match(caps.output, /CapEff:\s+0000000000000000/);
    assert.match(caps.output, /NoNewPrivs:\s+1/);

    const netAdmin = await runToEnd(
      containerConfig('ip addr add 10.9.9.9/32 dev lo && echo added', {
        capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: [] },
      }),
    );
    assert.match(netAdmin.output, /added/);
    const noNetAdmin = await runToEnd(
      containerConfig('ip addr add 10.9.9.9/32 dev lo 2>/dev/null || echo refused'),
    );
    assert.match(noNetAdmin.output, /refused/);

    const priv = await runToEnd(
      containerConfig('grep CapEff /proc/self/status; ls /dev | grep -c .', { privileged: true }),
    );
    const own = /^CapBnd:\s*(\S+)$/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1];
    assert.match(
      priv.output,
      new RegExp(`CapEff:\\s+${own}`),
      'privileged gets every capability the agent holds',
    );
  });

  test('seccomp: RuntimeDefault filters, capabilities re-allow their calls, Localhost profiles are enforced', async () => {
    const status = 'grep -E "^Seccomp:" /proc/self/status; ';
    const unshareUts = 'unshare -u true 2>&1 && echo unshared || echo refused';
    const confined = await runToEnd(
      containerConfig(status + unshareUts, {
        seccomp: { profileType: 'RuntimeDefault' },
        capabilities: { addCapabilities: [], dropCapabilities: [] },
      }),
    );
    assert.match(confined.output, /Seccomp:\s+2/);
    assert.match(confined.output, /refused/);
    const sysAdmin = await runToEnd(
      containerConfig(status + unshareUts, {
        seccomp: { profileType: 'RuntimeDefault' },
        capabilities: { addCapabilities: ['SYS_ADMIN'], dropCapabilities: [] },
      }),
    );
    assert.match(sysAdmin.output, /Seccomp:\s+2/);
    assert.match(sysAdmin.output, /unshared/);
    const unconfined = await runToEnd(containerConfig(status, { seccomp: { profileType: 'Unconfined' } }));
    assert.match(unconfined.output, /Seccomp:\s+0/);

    // A profile in Docker's format that refuses mkdir: nothing but the filter would stop root doing that.
    const profile = path.join(root, 'seccomp', 'no-mkdir.json');
    await mkdir(path.dirname(profile), { recursive: true });
    await writeFile(
      profile,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
      }),
    );
    const local = await runToEnd(
      containerConfig('mkdir /made 2>&1; touch /file && echo touched', {
        seccomp: { profileType: 'Localhost', localhostRef: profile },
      }),
    );
    assert.match(local.output, /Operation not permitted/);
    assert.match(local.output, /touched/);

    const config = sandboxConfig();
    const sb = await rt.runPodSandbox(config);
    const missing = path.join(root, 'seccomp', 'absent.json');
    await assert.rejects(
      rt.createContainer(
        sb,
        containerConfig('true', { seccomp: { profileType: 'Localhost', localhostRef: missing } }),
        config,
      ),
      new RegExp(`cannot load seccomp profile "${missing}": ENOENT`),
    );
    assert.deepEqual(await rt.listContainers({ podSandboxId: sb }), []);
    await rt.removePodSandbox(sb);
  });

  test('cgroup limits of the container and of the pod land in the cgroup files of the host layout', async () => {
    const config = sandboxConfig({});
    config.linux.resources = { memoryLimitInBytes: 256 << 20, cpuShares: 1024 };
    const sb = await rt.runPodSandbox(config);
    const c = containerConfig('sleep 60');
    c.linux.resources = {
      memoryLimitInBytes: 64 << 20,
      cpuShares: 512,
      cpuQuota: 50_000,
      cpuPeriod: 100_000,
      pidsLimit: 100,
    };
    const id = await rt.createContainer(sb, c, config);
    await rt.startContainer(id);
    const layout = await openCgroups();
    // v1: a directory per controller; v2: one tree.
    const cg = (controller: string, rel: string, file: string) =>
      readFile(path.join(CGROUP_ROOT, layout.version === 1 ? controller : '', rel, file), 'utf8').then((s) =>
        s.trim(),
      );
    const pod = config.linux.cgroupParent;
    const ctr = `${pod}/${id}`;
    if (layout.version === 1) {
      assert.equal(await cg('memory', ctr, 'memory.limit_in_bytes'), String(64 << 20));
      assert.equal(await cg('cpu', ctr, 'cpu.shares'), '512');
      assert.equal(await cg('cpu', ctr, 'cpu.cfs_quota_us'), '50000');
      assert.equal(await cg('cpu', ctr, 'cpu.cfs_period_us'), '100000');
      assert.equal(await cg('pids', ctr, 'pids.max'), '100');
      assert.equal(await cg('memory', pod, 'memory.limit_in_bytes'), String(256 << 20));
    } else {
      assert.equal(await cg('memory', ctr, 'memory.max'), String(64 << 20));
      assert.equal(await cg('cpu', ctr, 'cpu.weight'), String(cpuWeightFromShares(512)));
      assert.equal(await cg('cpu', ctr, 'cpu.max'), '50000 100000');
      assert.equal(await cg('pids', ctr, 'pids.max'), '100');
      assert.equal(await cg('memory', pod, 'memory.max'), String(256 << 20));
      assert.equal(await cg('cpu', pod, 'cpu.weight'), String(cpuWeightFromShares(1024)));
    }
    await rt.removePodSandbox(sb);
    for (const dir of await layout.paths(pod)) await assert.rejects(readdir(dir), /ENOENT/);
  });

  test('hostname, /etc/hosts with aliases and resolv.conf from dnsConfig; IPC and UTS shared in the pod', async () => {
    const config = sandboxConfig({
      dnsConfig: {
        servers: ['10.43.0.10'],
        searches: ['default.svc.cluster.local', 'svc.cluster.local'],
        options: ['ndots:5'],
      },
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }],
    });
    const sb = await rt.runPodSandbox(config);
    const ip = (await rt.podSandboxStatus(sb)).network?.ip;
    const script =
      'hostname; cat /etc/resolv.conf; cat /etc/hosts; for ns in ipc uts net; do readlink /proc/self/ns/$ns; done';
    const a = await runToEnd(containerConfig(script), { id: sb, config });
    const b = await runToEnd(containerConfig('for ns in ipc uts net; do readlink /proc/self/ns/$ns; done'), {
      id: sb,
      config,
    });
    assert.match(a.output, new RegExp(`^${config.hostname}\\n`));
    assert.match(
      a.output,
      /nameserver 10\.43\.0\.10\nsearch default\.svc\.cluster\.local svc\.cluster\.local\noptions ndots:5/,
    );
    assert.match(a.output, new RegExp(`${ip!.replace(/\./g, '\\.')}\\t${config.hostname}`));
    assert.match(a.output, /10\.1\.2\.3\tfoo\.local\tbar\.local/);
    const nsA = a.output.trim().split('\n').slice(-3);
    const nsB = b.output.trim().split('\n');
    assert.deepEqual(nsA, nsB, 'containers of a pod share IPC, UTS and network namespaces');
    assert.notEqual(nsA[2], await readlink('/proc/self/ns/net'));
    assert.notEqual(nsA[0], await readlink('/proc/self/ns/ipc'));
    await rt.removePodSandbox(sb);
  });

  test('volumes: a read-only bind and a sized tmpfs', async () => {
    const hostDir = path.join(root, 'vol');
    await mkdir(hostDir, { recursive: true });
    await writeFile(path.join(hostDir, 'f'), 'from host\n');
    const r = await runToEnd(
      containerConfig(
        'cat /data/f; touch /data/g 2>/dev/null || echo ro; df -k /mem | tail -1',
        {},
        {
          mounts: [
            { containerPath: '/data', hostPath: hostDir, readonly: true },
            { containerPath: '/mem', hostPath: '', readonly: false, tmpfsSizeBytes: 4 << 20 },
          ],
        },
      ),
    );
    assert.match(r.output, /from host\nro\n/);
    assert.match(r.output, /tmpfs\s+4096 /);
  });

  test('a tty container gets a terminal from conmon and its output is logged', async () => {
    const r = await runToEnd(containerConfig('tty; echo done', {}, { tty: true }));
    assert.equal(r.exitCode, 0);
    assert.match(r.output, /^\/dev\/pts\/\d+\r?\ndone/);
  });

  test('a hostNetwork pod uses the host network namespace and reports the host IP', async () => {
    const config = sandboxConfig();
    config.linux.namespaceOptions = { network: 'node', pid: 'container', ipc: 'node' };
    const sb = await rt.runPodSandbox(config);
    assert.equal((await rt.podSandboxStatus(sb)).network?.ip, '127.0.0.1');
    const c = containerConfig('readlink /proc/self/ns/net', {
      namespaceOptions: { network: 'node', pid: 'container', ipc: 'node' },
    });
    const r = await runToEnd(c, { id: sb, config });
    assert.equal(r.output.trim(), await readlink('/proc/self/ns/net'));
    await rt.removePodSandbox(sb);
    assert.deepEqual(await env.leaks(stateDir), []);
  });
});
