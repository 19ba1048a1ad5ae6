/**
 * The pod network's gateway address exists before the first pod (ensureGateway), so a host service bound to it
 * (the node-local cluster DNS) serves pods from the start; the bridge plugin then takes the bridge as it is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PodSandboxConfig } from '../../cri/types.js';
import { run } from '../common/run.js';
import type { OciRuntime } from './runtime.js';
import { ociTestEnv } from './testing-env.js';
import { busyboxContainer } from './testing.js';

const env = await ociTestEnv('g');
if (env.skip) console.log(`# oci gateway tests skipped: ${env.skip}`);

void describe('pod network gateway', { skip: env.skip ?? false }, () => {
  let root: string;
  let rt: OciRuntime;
  let server: Server | undefined;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tugboat-gw-'));
    rt = env.make(path.join(root, 'state'));
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
    await env.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  test('a host server on the gateway, bound before any pod, is reachable from pods', async () => {
    const gateway = await rt.cni.ensureGateway();
    assert.equal(gateway, env.podCidr.replace(/0\/24$/, '1'));
    assert.equal(await rt.cni.ensureGateway(), gateway, 'a second call changes nothing');
    const addrs = (await run(['ip', '-o', '-4', 'addr', 'show', 'dev', env.names.bridge])).stdout;
    assert.equal(addrs.match(/inet /g)?.length, 1, addrs);
    assert.ok(addrs.includes(` ${gateway}/24 `), addrs);

    server = createServer((_req, res) => res.end('from the host\n'));
    await new Promise<void>((resolve) => server!.listen(0, gateway, resolve));
    const port = (server.address() as { port: number }).port;

    const config: PodSandboxConfig = {
      metadata: { name: 'gw', uid: `gw-${process.pid}`, namespace: 'default', attempt: 0 },
      hostname: 'gw',
      logDirectory: path.join(root, 'logs'),
      portMappings: [],
      labels: {},
      annotations: {},
      linux: {
        cgroupParent: `${env.names.cgroupTop}/gw`,
        namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' },
      },
    };
    const sb = await rt.runPodSandbox(config);
    const c = await rt.createContainer(sb, busyboxContainer(['sleep', '600']), config);
    await rt.startContainer(c);
    // busybox 1.35's `wget -T` segfaults: bound the request with `timeout` instead.
    const r = await rt.execSync(
      c,
      ['timeout', '5', 'wget', '-q', '-O', '-', `http://${gateway}:${port}/`],
      10,
    );
    assert.equal(r.stdout.toString(), 'from the host\n', r.stderr.toString());
    const after = (await run(['ip', '-o', '-4', 'addr', 'show', 'dev', env.names.bridge])).stdout;
    assert.equal(after.match(/inet /g)?.length, 1, 'the bridge plugin kept the one gateway address');
    await rt.removePodSandbox(sb);
  });
});
