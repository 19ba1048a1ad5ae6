/**
 * Pod networking of the oci runtime through the real CNI plugins: pod-to-pod over the bridge, pod IPs from the
 * host, hostPort through portmap (on the host's address and on 127.0.0.1), port-forward into the netns, and
 * nothing left behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { PodSandboxConfig } from '../../cri/types.js';
import { waitFor } from '../../../util/wait.js';
import { run } from '../common/run.js';
import type { OciRuntime } from './runtime.js';
import { ociTestEnv } from './testing-env.js';
import { busyboxContainer } from './testing.js';

const env = await ociTestEnv('n');
if (env.skip) console.log(`# oci network tests skipped: ${env.skip}`);

async function natRules(): Promise<string> {
  return (await run(['iptables', '-w', '-t', 'nat', '-S'])).stdout;
}

/** Removes portmap's shared chains and the jumps to them from the nat table. */
async function removeHostportChains(): Promise<void> {
  const rules = (await natRules()).split('\n');
  for (const rule of rules) {
    if (rule.startsWith('-A ') && /-j CNI-HOSTPORT-/.test(rule) && !rule.startsWith('-A CNI-HOSTPORT-')) {
      await run(['iptables', '-w', '-t', 'nat', '-D', ...splitRule(rule.slice(3))]).catch(() => {});
    }
  }
  for (const chain of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK']) {
    await run(['iptables', '-w', '-t', 'nat', '-F', chain]).catch(() => {});
  }
  for (const chain of ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK']) {
    await run(['iptables', '-w', '-t', 'nat', '-X', chain]).catch(() => {});
  }
}

/** iptables -S output back into arguments (quoted comments stay one argument). */
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/index.html', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

void describe('oci runtime networking', { skip: env.skip ?? false }, () => {
  let root: string;
  let stateDir: string;
  let rt: OciRuntime;
  const hostPort = 20000 + (process.pid % 20000);

  const sandboxConfig = (name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => ({
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
  });
  async function pod(name: string, command: string[], extra: Partial<PodSandboxConfig> = {}) {
    const config = sandboxConfig(name, extra);
    const sb = await rt.runPodSandbox(config);
    const c = await rt.createContainer(sb, busyboxContainer(command), config);
    await rt.startContainer(c);
    const ip = (await rt.podSandboxStatus(sb)).network?.ip ?? '';
    return { sb, c, ip };
  }

  // portmap creates shared CNI-HOSTPORT-* chains on first use and never removes them: remove them after the
  // tests when they were not there before (another CNI user's chains are left alone).
  let hostportChainsBefore = true;
  before(async () => {
    hostportChainsBefore = (await natRules()).includes('-N CNI-HOSTPORT-DNAT');
    root = await mkdtemp(path.join(tmpdir(), 'tugboat-net-'));
    stateDir = path.join(root, 'state');
    rt = env.make(stateDir);
  });
  after(async () => {
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
    await env.cleanup();
    await rm(root, { recursive: true, force: true });
    if (!hostportChainsBefore) await removeHostportChains();
  });

  test('two pods reach each other over the bridge, and the host reaches pod IPs and hostPorts', async () => {
    const web = await pod('web', ['httpd', '-f', '-p', '80', '-h', '/var/www'], {
      portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort }],
    });
    const client = await pod('client', ['sleep', '600']);
    assert.notEqual(web.ip, client.ip);
    // busybox 1.35's `wget -T` segfaults: bound the request with `timeout` instead.
    const fetched = await waitFor(
      async () => {
        const r = await rt.execSync(
          client.c,
          ['timeout', '5', 'wget', '-q', '-O', '-', `http://${web.ip}/index.html`],
          10,
        );
        return r.exitCode === 0 ? r.stdout.toString() : undefined;
      },
      { timeoutMs: 10_000, message: 'pod-to-pod HTTP' },
    );
    assert.equal(fetched, 'hello from busybox\n');

    assert.equal(await get(web.ip, 80), 'hello from busybox\n', 'pod IP from the host');

    const gateway = web.ip.replace(/\.\d+$/, '.1');
    assert.equal(await get(gateway, hostPort), 'hello from busybox\n', 'hostPort on a host address');
    assert.equal(
      await get('127.0.0.1', hostPort),
      'hello from busybox\n',
      'hostPort on 127.0.0.1 (portmap sets route_localnet)',
    );

    await rt.checkNetwork(web.sb);

    await rt.removePodSandbox(web.sb);
    await rt.removePodSandbox(client.sb);
    assert.deepEqual(await env.leaks(stateDir), []);
    const nat = (await run(['iptables-save', '-t', 'nat'])).stdout;
    assert.ok(!nat.includes(`--dport ${hostPort} `), 'hostPort DNAT rule removed');
  });

  test('port-forward connects to a port inside the pod network namespace', async () => {
    const web = await pod('pf', ['httpd', '-f', '-p', '8080', '-h', '/var/www']);
    const server = createServer((socket) => {
      rt.portForward(web.sb, 8080, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await waitFor(() => get('127.0.0.1', port).catch(() => undefined), {
        message: 'port-forward',
      });
      assert.equal(body, 'hello from busybox\n');
    } finally {
      server.close();
    }
    const nothing = new PassThrough();
    await assert.rejects(
      rt.portForward(web.sb, 9, nothing),
      /failed to connect to localhost:9: dial tcp4 127.0.0.1:9: connect: connection refused/,
    );
    await rt.removePodSandbox(web.sb);
    assert.deepEqual(await env.leaks(stateDir), []);
  });
});
