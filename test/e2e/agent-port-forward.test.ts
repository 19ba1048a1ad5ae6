/**
 * `kubectl port-forward` against `tugboat server` with its node agent on this host: a real runc container from
 * the loopback registry, reached through the API server over both handshakes kubectl uses (SPDY in a WebSocket
 * tunnel, and plain SPDY with KUBECTL_PORT_FORWARD_WEBSOCKETS=false). Needs root, runc or crun, conmon, the
 * CNI plugins and TUGBOAT_TEST_REGISTRY (.ci/run provides all of them).
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { agentMissing, startAgentServer, stopAgentServer } from '../helpers/agent-host.js';
import type { KubectlStream, ServerProcess } from '../helpers/kubectl.js';
import { forwardedPort, httpGet, readUntilClosed } from '../helpers/port-forward.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `${hostname().toLowerCase()}-pf`;

const skip = agentMissing(['nsenter']);
if (skip) console.log(`# agent port-forward e2e skipped: ${skip}`);

const TIMEOUT = { timeout: 120_000 };

const HANDSHAKES = [
  {
    name: 'SPDY in a WebSocket tunnel (the default)',
    env: {},
    upgrade: /GET https:\/\/\S+\/portforward 101/,
  },
  {
    name: 'plain SPDY (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)',
    env: { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' },
    upgrade: /POST https:\/\/\S+\/portforward 101/,
  },
];

void describe('kubectl port-forward to a real container', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  const forwards = new Set<KubectlStream>();

  async function ok(...args: string[]): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  /** `kubectl port-forward pod/web :REMOTE` (a free local port), stopped by PID when the test ends. */
  function portForward(remote: number, env: NodeJS.ProcessEnv): KubectlStream {
    const pf = s.kubectlStream(['port-forward', 'pod/web', `:${remote}`, '-v=6'], { env });
    forwards.add(pf);
    return pf;
  }
  /** SIGTERM by PID, SIGKILL if it has not exited within 5 s. */
  async function stop(pf: KubectlStream): Promise<void> {
    forwards.delete(pf);
    const kill = setTimeout(() => pf.child.kill('SIGKILL'), 5000);
    await pf.stop();
    clearTimeout(kill);
  }

  before(async () => {
    s = await startAgentServer(NODE);
    await ok('run', 'web', `--image=${registry}/tugboat-test/busybox:latest`, '--port=8080');
    await waitFor(
      async () => {
        const p = JSON.parse(await ok('get', 'pod', 'web', '-o', 'json')) as Pod;
        return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
      },
      { timeoutMs: 90_000, message: 'web Running and ready' },
    );
    // A file larger than SPDY's 64 KiB initial window, served by httpd.
    await ok('exec', 'web', '--', 'dd', 'if=/dev/zero', 'of=/www/big', 'bs=1024', 'count=3072');
  });

  after(async () => {
    for (const pf of [...forwards]) await stop(pf);
    await stopAgentServer(s);
  });

  for (const hs of HANDSHAKES) {
    /** Runs fn against a fresh `kubectl port-forward pod/web :8080`; failures carry kubectl's log. */
    async function throughForward(fn: (local: number) => Promise<void>): Promise<void> {
      const pf = portForward(8080, hs.env);
      try {
        await fn(await forwardedPort(pf, 8080));
        assert.match(pf.stderr(), hs.upgrade);
      } catch (err) {
        throw new Error(
          `${(err as Error).message}\nkubectl port-forward stderr:\n${pf.stderr().slice(-4000)}`,
        );
      } finally {
        await stop(pf);
      }
    }

    test(`HTTP requests reach the container one after another, over ${hs.name}`, TIMEOUT, () =>
      throughForward(async (local) => {
        for (let i = 0; i < 3; i++) {
          const r = await httpGet(local);
          assert.equal(r.status, 200);
          assert.match(r.body, /tugboat-test busybox/);
        }
        // busybox httpd closes after its answer: the local connection must close too.
        const raw = await readUntilClosed(local, 'GET / HTTP/1.0\r\n\r\n');
        assert.match(raw, /^HTTP\/1\.[01] 200 OK\r\n[\s\S]*tugboat-test busybox/);
      }),
    );

    test(`concurrent requests and a 3 MiB download, over ${hs.name}`, TIMEOUT, () =>
      throughForward(async (local) => {
        const all = await Promise.all(Array.from({ length: 6 }, () => httpGet(local)));
        for (const r of all) assert.match(r.body, /tugboat-test busybox/);
        // The end of a download once went missing (the connector exited before its stdout was flushed).
        for (let i = 0; i < 3; i++) assert.equal((await httpGet(local, '/big')).body.length, 3 << 20);
      }),
    );

    test(`a port nothing listens on is reported by kubectl, over ${hs.name}`, TIMEOUT, async () => {
      const pf = portForward(8089, hs.env);
      try {
        const local = await forwardedPort(pf, 8089);
        assert.equal(await readUntilClosed(local).catch(() => ''), '');
        const printed = await waitFor(
          () => /an error occurred forwarding \d+ -> 8089: .*/.exec(pf.stderr())?.[0],
          { timeoutMs: 20_000, message: `kubectl reporting the error (stderr: ${pf.stderr()})` },
        );
        assert.match(printed, /error forwarding port 8089 to pod default\/web, uid [\w-]+: /);
        assert.match(printed, /connection refused/);
      } finally {
        await stop(pf);
      }
    });
  }
});
