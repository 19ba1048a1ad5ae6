import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseFlags, UsageError, type CliIo } from './command.js';
import { agentFlags, resolveAgentOptions, type AgentCommandOptions } from './agent-options.js';

const TOKEN = `K10${'a'.repeat(64)}::server:secret`;

function io(uid: number, env: NodeJS.ProcessEnv = {}, cwd = '/srv/here'): CliIo {
  return { stdout: () => {}, stderr: () => {}, env, uid, home: '/home/jo', cwd, hostname: 'Box-2' };
}

function resolve(args: string[], cliIo = io(0)): AgentCommandOptions {
  return resolveAgentOptions(parseFlags('agent', agentFlags, args), cliIo);
}

function usage(args: string[], pattern: RegExp, cliIo = io(0)): void {
  assert.throws(
    () => resolve(args, cliIo),
    (err: unknown) => err instanceof UsageError && pattern.test(err.message),
  );
}

test('an agent joins the server it is given with the token, under the host name', () => {
  assert.deepEqual(resolve(['--server', 'https://10.0.0.1:6443/', '--token', TOKEN]), {
    server: 'https://10.0.0.1:6443',
    token: TOKEN,
    dataDir: '/var/lib/tugboat',
    nodeName: 'box-2',
    containerRuntime: 'auto',
    kubeletPort: 10250,
    proxyHealthzAddress: { host: '0.0.0.0', port: 10256 },
    lbServerPort: 0,
    imageGcHighThresholdPercent: 85,
    imageGcLowThresholdPercent: 80,
    containerLogMaxSizeBytes: 10 * 1024 * 1024,
    containerLogMaxFiles: 5,
    logLevel: 'info',
  });
});

test('server and token may come from the environment, as k3s reads K3S_URL and K3S_TOKEN', () => {
  const o = resolve(
    ['--node-ip', '192.0.2.7'],
    io(1000, { TUGBOAT_URL: 'https://cp:6443', TUGBOAT_TOKEN: 'pw' }),
  );
  assert.equal(o.server, 'https://cp:6443');
  assert.equal(o.token, 'pw');
  assert.equal(o.nodeIp, '192.0.2.7');
  assert.equal(o.dataDir, '/home/jo/.tugboat');
});

test('the token may be read from a file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-opts-'));
  try {
    await writeFile(join(dir, 'node-token'), `${TOKEN}\n`);
    const o = resolve(['-s', 'https://cp:6443', '--token-file', 'node-token'], io(0, {}, dir));
    assert.equal(o.token, TOKEN);
    usage(['-s', 'https://cp:6443', '--token-file', 'missing'], /--token-file: ENOENT/, io(0, {}, dir));
    usage(['-s', 'https://cp:6443', '--token-file', 'node-token', '-t', 'x'], /not both/, io(0, {}, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad or missing flags are usage errors naming the flag', () => {
  usage(['--token', TOKEN], /--server is required/);
  usage(['--server', 'https://cp:6443'], /--token is required/);
  usage(['--server', 'http://cp:6443', '--token', TOKEN], /--server: must be an https:\/\/ URL/);
  usage(['--server', 'cp:6443', '--token', TOKEN], /--server/);
  usage(['--server', 'https://cp:6443/api', '--token', TOKEN], /must have no path/);
  usage(['--server', 'https://cp:6443', '--token', 'K10zz::server:pw'], /--token: the CA hash/);
  usage(['--server', 'https://cp:6443', '--token', TOKEN, '--node-ip', 'eth0'], /--node-ip/);
  usage(['--server', 'https://cp:6443', '--token', TOKEN, '--node-name', 'Bad_Name'], /--node-name/);
  usage(['--server', 'https://cp:6443', '--token', TOKEN, '--kubelet-port', '70000'], /--kubelet-port/);
  usage(['--server', 'https://cp:6443', '--token', TOKEN, '--lb-server-port', 'x'], /--lb-server-port/);
  usage(
    ['--server', 'https://cp:6443', '--token', TOKEN, '--eviction-hard', 'imagefs.available<5%'],
    /invalid value "imagefs.available<5%" for --eviction-hard: unsupported eviction signal imagefs.available/,
  );
});

test('--eviction-hard reaches the node agent', () => {
  const opts = resolve(['-s', 'https://cp:6443', '-t', TOKEN, '--eviction-hard', 'memory.available<1Gi']);
  assert.deepEqual(opts.evictionHard, { 'memory.available': { quantity: 1024 ** 3 } });
});
