/**
 * pods/log, pods/exec and pods/attach end to end over the fake runtime: the real kubectl → API server → the
 * agent's HTTPS endpoint (client-certificate auth) → the runtime, plus the agent's /metrics/resource.
 * Port-forward: pod-port-forward.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ensurePki, issueAgentServingCert, type Pki } from '../../src/apiserver/auth/pki.js';
import type { StreamOptions } from '../../src/kubelet/cri/types.js';
import { AgentServer } from '../../src/kubelet/server/index.js';
import { rfc3339Nano } from '../../src/kubelet/runtimes/common/cri-log.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { WebSocket } from 'ws';
import { V4_PROTOCOL } from '../../src/kubelet/server/index.js';
import { kubectl, kubectlStream } from '../helpers/kubectl.js';
import { startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';
import { startWebhookServer } from '../helpers/webhook-server.js';

function kubectlMissing(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'kubectl is not installed';
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A fake exec: `echo ARGS`, `cat` (stdin to stdout), `fail` (stderr, exit 3). */
async function fakeExec(cmd: string[], streams: StreamOptions): Promise<number> {
  if (cmd[0] === 'echo') {
    streams.stdout?.write(`${cmd.slice(1).join(' ')}\n`);
    return 0;
  }
  if (cmd[0] === 'cat') {
    for await (const chunk of streams.stdin ?? []) streams.stdout?.write(chunk as Buffer);
    return 0;
  }
  streams.stderr?.write('failing\n');
  return 3;
}

function getMetrics(
  port: number,
  cert?: { certPem: string; keyPem: string },
  ca?: string,
): Promise<{ code: number; body: string; keepAlive: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/metrics/resource',
        ca,
        ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (s: string) => (body += s));
        res.on('end', () =>
          resolve({ code: res.statusCode ?? 0, body, keepAlive: res.headers['keep-alive'] }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const skip = kubectlMissing();

describe('pod logs, exec and attach through the agent endpoint', { skip }, () => {
  let h: KubeletHarness;
  let agent: AgentServer;
  let pki: Pki;
  let pkiDir: string;
  let pod: Pod;
  let logPath: string;
  const k = (...args: string[]) =>
    kubectl(['--kubeconfig', h.server.kubeconfig, ...args], { timeoutMs: 20_000 });

  before(async () => {
    pkiDir = mkdtempSync(join(tmpdir(), `tugboat-stream-pki-${process.pid}-`));
    pki = await ensurePki(pkiDir, { hosts: [], ips: [] });
    const serving = await issueAgentServingCert({ certPem: pki.caCert, keyPem: pki.caKey }, 'node', [], []);
    const port = await freePort();
    h = await startKubeletHarness({ kubelet: { nodeIP: '127.0.0.1', kubeletPort: port } });
    h.runtime.exec = (_id, cmd, streams) => fakeExec(cmd, streams);
    agent = new AgentServer({
      runtime: h.runtime,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: pki.caCert },
      port,
      bindAddress: '127.0.0.1',
      logPollMs: 20,
    });
    await agent.listen();
    h.server.server.context.kubeletClient = {
      caPem: pki.caCert,
      certPem: pki.kubeletClientCert,
      keyPem: pki.kubeletClientKey,
    };
    await h.createPod('web', { containers: [{ name: 'c', image: 'busybox' }] });
    pod = await h.waitPod('web', (p) => p.status?.containerStatuses?.[0]?.state?.running !== undefined);
    const status = await h.runtime.containerStatus(h.containerId(pod, 'c')!);
    logPath = status.logPath;
    mkdirSync(dirname(logPath), { recursive: true });
    const t = (s: number): string => rfc3339Nano(Date.parse('2026-01-01T00:00:00Z') + s * 1000);
    writeFileSync(
      logPath,
      `${t(0)} stdout F line one\n${t(1)} stderr F line two\n${t(2)} stdout F line three\n`,
    );
  });

  after(async () => {
    await agent?.close();
    await h?.close();
    rmSync(pkiDir, { recursive: true, force: true });
  });

  it('kubectl logs prints the log, with --tail, --timestamps and --limit-bytes', async () => {
    assert.equal((await k('logs', 'web')).stdout, 'line one\nline two\nline three\n');
    assert.equal((await k('logs', 'web', '--tail=1')).stdout, 'line three\n');
    assert.equal(
      (await k('logs', 'web', '--tail=1', '--timestamps')).stdout,
      '2026-01-01T00:00:02.000000000Z line three\n',
    );
    assert.equal((await k('logs', 'web', '--limit-bytes=6')).stdout, 'line o');
  });

  it('refuses an unknown container and a missing previous instance as upstream', async () => {
    const bad = await k('logs', 'web', '-c', 'nope');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
    const prev = await k('logs', 'web', '--previous');
    assert.notEqual(prev.code, 0);
    assert.match(prev.stderr, /previous terminated container "c" in pod "web" not found/);
  });

  it('kubectl logs -f streams new lines and ends when the container exits; --previous then reads the old one', async () => {
    const f = kubectlStream(['--kubeconfig', h.server.kubeconfig, 'logs', '-f', 'web', '--tail=1']);
    try {
      await f.waitForLine(/^line three$/);
      appendFileSync(logPath, `${rfc3339Nano(Date.now())} stdout F line four\n`);
      await f.waitForLine(/^line four$/);
      h.runtime.exitContainer(h.containerId(pod, 'c')!, 1);
      await waitFor(() => f.child.exitCode !== null, {
        timeoutMs: 10_000,
        message: 'kubectl logs -f to end',
      });
      assert.equal(f.child.exitCode, 0, f.stderr());
    } finally {
      await f.stop();
    }
    await h.waitPod(
      'web',
      (p) =>
        (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 &&
        !!p.status?.containerStatuses?.[0]?.lastState?.terminated,
    );
    const prev = await k('logs', 'web', '--previous', '--tail=2');
    assert.equal(prev.code, 0, prev.stderr);
    assert.equal(prev.stdout, 'line three\nline four\n');
    pod = (await h.getPod('web'))!;
  });

  it('kubectl exec runs commands, passes stdin and propagates the exit code', async () => {
    await h.waitPod('web', (p) => p.status?.containerStatuses?.[0]?.state?.running !== undefined);
    const echo = await k('exec', 'web', '--', 'echo', 'hello', 'world');
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout, 'hello world\n');
    const cat = await kubectl(['--kubeconfig', h.server.kubeconfig, 'exec', '-i', 'web', '--', 'cat'], {
      input: 'from stdin\n',
      timeoutMs: 20_000,
    });
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, 'from stdin\n');
    const fail = await k('exec', 'web', '--', 'fail');
    assert.equal(fail.code, 3);
    assert.match(fail.stderr, /failing/);
    assert.match(fail.stderr, /command terminated with exit code 3/);
  });

  it('exec into a missing container fails with a message', async () => {
    const r = await k('exec', 'web', '-c', 'nope', '--', 'echo');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod web/);
  });

  type Instance = { id: string; state: string; createdAt: number };
  /** Makes the agent see the container's instances as `change` rewrites them (until t.mock.restoreAll). */
  const rewriteInstances = (t: TestContext, change: (instances: Instance[]) => Instance[]): void => {
    type Lookup = { containers: (target: unknown) => Promise<Instance[]> };
    const lookup = agent as unknown as Lookup;
    const real = lookup.containers.bind(agent);
    t.mock.method(lookup, 'containers', async (target: unknown) => change(await real(target)));
  };

  it('a refusal by the agent is what kubectl prints, not that its SPDY retry is unsupported', async (t) => {
    // The API server still sees the container running; the agent finds it exited.
    rewriteInstances(t, (instances) => instances.map((c) => ({ ...c, state: 'exited' })));
    const r = await k('exec', 'web', '--', 'echo');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container c is not running \(state: exited\)/);
    assert.doesNotMatch(r.stderr, /SPDY/);
    t.mock.restoreAll();
    assert.equal((await k('exec', 'web', '--', 'echo', 'back')).stdout, 'back\n');
  });

  it('exec goes to the running instance when a newer one is only created', async (t) => {
    rewriteInstances(t, (instances) => {
      const newest = instances[0]!;
      return [
        { ...newest, id: 'never-started', state: 'created', createdAt: newest.createdAt + 1 },
        ...instances,
      ];
    });
    const r = await k('exec', 'web', '--', 'echo', 'still', 'here');
    t.mock.restoreAll();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'still here\n');
  });

  it('kubectl attach relays the main process output', async () => {
    h.runtime.attach = (_id, streams) => {
      streams.stdout?.write('attached output\n');
      return Promise.resolve();
    };
    const r = await k('attach', 'web');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /attached output/);
  });

  it('speaks v4.channel.k8s.io too', async () => {
    const url = `${h.server.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/exec?command=fail&stdout=true&stderr=true`;
    const ws = new WebSocket(url, [V4_PROTOCOL]);
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    const code = await new Promise<number>((resolve, reject) => {
      ws.on('close', (c) => resolve(c));
      ws.on('error', reject);
    });
    assert.equal(ws.protocol, V4_PROTOCOL);
    assert.equal(code, 1000);
    assert.deepEqual(
      frames.map((f) => f[0]),
      [2, 3],
    );
    assert.equal(frames[0]!.subarray(1).toString(), 'failing\n');
    const status = JSON.parse(frames[1]!.subarray(1).toString()) as { reason: string };
    assert.equal(status.reason, 'NonZeroExitCode');
  });

  it('the agent endpoint serves metrics only to the API server client certificate', async () => {
    const ok = await getMetrics(
      agent.port,
      { certPem: pki.kubeletClientCert, keyPem: pki.kubeletClientKey },
      pki.caCert,
    );
    assert.equal(ok.code, 200);
    // The kubelet's idle timeout: the scraper's connection outlives its pause between two scrapes.
    assert.equal(ok.keepAlive, 'timeout=90');
    assert.match(
      ok.body,
      /^container_cpu_usage_seconds_total\{container="c",namespace="default",pod="web"\} /m,
    );
    assert.match(ok.body, /^node_memory_working_set_bytes \d+/m);
    const admin = await getMetrics(agent.port, { certPem: pki.adminCert, keyPem: pki.adminKey }, pki.caCert);
    assert.equal(admin.code, 403);
    await assert.rejects(getMetrics(agent.port, undefined, pki.caCert));
  });

  it('a validating webhook on pods/exec (CONNECT) refuses kubectl exec with its message', async () => {
    const hook = await startWebhookServer();
    try {
      hook.handle('/no-exec', (req) => ({
        allowed: false,
        status: { message: `no exec of ${String((req.object?.command as string[] | undefined)?.join(' '))}` },
      }));
      await h.client.resource<any>(R.validatingWebhookConfigurations).create({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'no-exec' },
        webhooks: [
          {
            name: 'no-exec.example.com',
            clientConfig: { url: `https://127.0.0.1:${hook.port}/no-exec`, caBundle: hook.caBundle },
            rules: [
              { operations: ['CONNECT'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/exec'] },
            ],
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
          },
        ],
      });
      const r = await waitFor(async () => {
        const res = await k('exec', 'web', '--', 'echo', 'hi');
        return res.code !== 0 ? res : undefined;
      });
      assert.match(
        r.stderr,
        /admission webhook "no-exec.example.com" denied the request: no exec of echo hi/,
      );
      const seen = hook.seen[0]!.request;
      assert.equal(seen.operation, 'CONNECT');
      assert.equal(seen.subResource, 'exec');
      assert.deepEqual(seen.kind, { group: '', version: 'v1', kind: 'PodExecOptions' });
      assert.equal(seen.object?.container, 'c');
      await h.client.resource<any>(R.validatingWebhookConfigurations).delete('', 'no-exec');
      await waitFor(async () => ((await k('exec', 'web', '--', 'echo', 'ok')).code === 0 ? true : undefined));
    } finally {
      await hook.close();
    }
  });
});
