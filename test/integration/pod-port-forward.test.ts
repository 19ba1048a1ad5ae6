/**
 * `kubectl port-forward` end to end over the fake runtime: the real kubectl → API server (WebSocket tunnel or
 * plain SPDY) → the agent's SPDY endpoint → the runtime's portForward, here a connection to a local server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensurePki, issueAgentServingCert } from '../../src/apiserver/auth/pki.js';
import { forwardToLocalPort } from '../../src/kubelet/runtimes/common/port-forward.js';
import { AgentServer } from '../../src/kubelet/server/index.js';
import { waitFor } from '../../src/util/wait.js';
import { kubectlStream, type KubectlStream } from '../helpers/kubectl.js';
import { forwardedPort, httpGet, readUntilClosed } from '../helpers/port-forward.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

function kubectlMissing(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'kubectl is not installed';
  }
}

async function listen(server: Server | HttpServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const HTTP_PORT = 8080;
const BYE_PORT = 9000;
const CLOSED_PORT = 8081;

const HANDSHAKES = [
  { name: 'the WebSocket tunnel', env: {}, request: /GET https?:\/\/\S+\/portforward 101/ },
  {
    name: 'plain SPDY',
    env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' },
    request: /POST https?:\/\/\S+\/portforward 101/,
  },
];

describe('kubectl port-forward through the agent endpoint', { skip: kubectlMissing() }, () => {
  let h: KubeletHarness;
  let agent: AgentServer;
  let pkiDir: string;
  let web: HttpServer;
  let bye: Server;
  const podPorts = new Map<number, number>();
  const running = new Set<KubectlStream>();

  const portForward = (remote: number, env: NodeJS.ProcessEnv): KubectlStream => {
    const pf = kubectlStream(
      ['--kubeconfig', h.server.kubeconfig, 'port-forward', 'pod/web', `:${remote}`, '-v=6'],
      { env },
    );
    running.add(pf);
    return pf;
  };
  const stop = async (pf: KubectlStream): Promise<void> => {
    running.delete(pf);
    await pf.stop();
  };

  before(async () => {
    pkiDir = mkdtempSync(join(tmpdir(), `tugboat-pf-pki-${process.pid}-`));
    const pki = await ensurePki(pkiDir, { hosts: [], ips: [] });
    const serving = await issueAgentServingCert({ certPem: pki.caCert, keyPem: pki.caKey }, 'node', [], []);
    let served = 0;
    const big = Buffer.alloc(4 << 20, 'z');
    web = createHttpServer((req, res) => {
      if (req.url === '/big') {
        res.end(big);
      } else if (req.method === 'POST') {
        let n = 0;
        req.on('data', (c: Buffer) => (n += c.length));
        req.on('end', () => res.end(`received ${n}\n`));
      } else {
        res.end(`hello ${req.url} #${++served}\n`);
      }
    });
    podPorts.set(HTTP_PORT, await listen(web));
    bye = createServer((s) => s.end('bye\n'));
    podPorts.set(BYE_PORT, await listen(bye));
    const closed = createServer();
    podPorts.set(CLOSED_PORT, await listen(closed));
    await new Promise<void>((r) => closed.close(() => r()));

    const probe = createServer();
    const kubeletPort = await listen(probe);
    await new Promise<void>((r) => probe.close(() => r()));
    h = await startKubeletHarness({ kubelet: { nodeIP: '127.0.0.1', kubeletPort } });
    // The fake runtime's "pod network": remote ports map to the local servers above.
    h.runtime.portForward = (_id, port, stream) => forwardToLocalPort(podPorts.get(port) ?? port, stream);
    agent = new AgentServer({
      runtime: h.runtime,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: pki.caCert },
      port: kubeletPort,
      bindAddress: '127.0.0.1',
    });
    await agent.listen();
    h.server.server.context.kubeletClient = {
      caPem: pki.caCert,
      certPem: pki.kubeletClientCert,
      keyPem: pki.kubeletClientKey,
    };
    await h.createPod('web', { containers: [{ name: 'c', image: 'busybox' }] });
    await h.waitPod('web', (p) => p.status?.phase === 'Running');
  });

  after(async () => {
    for (const pf of running) await pf.stop();
    await agent?.close();
    await h?.close();
    web?.closeAllConnections();
    web?.close();
    bye?.close();
    rmSync(pkiDir, { recursive: true, force: true });
  });

  for (const hs of HANDSHAKES) {
    it(`forwards HTTP requests, one after another and at once, over ${hs.name}`, async () => {
      const pf = portForward(HTTP_PORT, hs.env);
      try {
        const local = await forwardedPort(pf, HTTP_PORT);
        for (let i = 0; i < 3; i++) {
          const r = await httpGet(local, `/seq${i}`);
          assert.equal(r.status, 200);
          assert.match(r.body, new RegExp(`^hello /seq${i} #\\d+\\n$`));
        }
        const all = await Promise.all(Array.from({ length: 8 }, (_, i) => httpGet(local, `/par${i}`)));
        all.forEach((r, i) => assert.match(r.body, new RegExp(`^hello /par${i} #\\d+\\n$`)));
        const big = await httpGet(local, '/big');
        assert.equal(big.body.length, 4 << 20);
        assert.match(big.body, /^z+$/);
        const upload = await httpGet(local, '/upload', Buffer.alloc(3 << 20, 'u'));
        assert.equal(upload.body, `received ${3 << 20}\n`);
        assert.match(pf.stderr(), hs.request);
      } finally {
        await stop(pf);
      }
    });

    it(`closes the local connection when the pod closes its side, over ${hs.name}`, async () => {
      const pf = portForward(BYE_PORT, hs.env);
      try {
        const local = await forwardedPort(pf, BYE_PORT);
        assert.equal(await readUntilClosed(local), 'bye\n');
        assert.equal(await readUntilClosed(local, 'hi'), 'bye\n');
      } finally {
        await stop(pf);
      }
    });

    it(`reports a port nothing listens on, over ${hs.name}`, async () => {
      const pf = portForward(CLOSED_PORT, hs.env);
      try {
        const local = await forwardedPort(pf, CLOSED_PORT);
        await readUntilClosed(local).catch(() => '');
        const printed = await waitFor(
          () => /an error occurred forwarding \d+ -> 8081: .*/.exec(pf.stderr())?.[0],
          { timeoutMs: 15_000, message: `kubectl reporting the error (stderr: ${pf.stderr()})` },
        );
        assert.match(printed, /: error forwarding port 8081 to pod default\/web, uid [\w-]+: /);
        assert.match(pf.stderr(), /connection refused/);
      } finally {
        await stop(pf);
      }
    });
  }
});
