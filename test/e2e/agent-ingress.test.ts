/**
 * Ingress end to end with real containers: a Deployment exposed by a Service, an Ingress made with
 * `kubectl create ingress` (class defaulted to `tugboat`), reached through the server's ingress controller on
 * loopback by host and path, over HTTP and over HTTPS with a certificate from a `kubectl create secret tls`.
 * The same pods through the API server's proxy subresources (`kubectl get --raw`), and the node's agent too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { createCa, issueLeaf, type CertAndKey } from '../../src/apiserver/auth/x509.js';
import { waitFor } from '../../src/util/wait.js';
import { agentMissing, startAgentServer, stopAgentServer } from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `e2e-ing-${process.pid}`;

const skip = agentMissing();
if (skip) console.log(`# agent ingress e2e skipped: ${skip}`);

/** A port free on loopback right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function httpGet(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

function httpsGet(port: number, servername: string, ca: string): Promise<{ cn: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      const cn = String(socket.getPeerCertificate().subject?.CN ?? '');
      socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
      let body = '';
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (body += c));
      socket.on('end', () => resolve({ cn, body }));
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
  });
}

void describe('ingress through the server', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  let httpPort: number;
  let httpsPort: number;
  let ca: CertAndKey;
  let dir: string;

  async function ok(args: string[]): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    httpPort = await freePort();
    httpsPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'tugboat-ingress-e2e-'));
    ca = await createCa('ingress-e2e-ca', 1);
    s = await startAgentServer(NODE, {
      extraArgs: ['--ingress-http-port', String(httpPort), '--ingress-https-port', String(httpsPort)],
    });
  });

  after(async () => {
    await stopAgentServer(s);
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl create ingress routes a host to a Deployment behind its Service', async () => {
    assert.match(await ok(['get', 'ingressclass']), /^tugboat\s+tugboat\.dev\/ingress-controller/m);
    await ok([
      'create',
      'deployment',
      'web',
      `--image=${registry}/tugboat-test/busybox:latest`,
      '--replicas=2',
    ]);
    await ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    await ok(['create', 'ingress', 'web', '--rule=web.example.com/*=web:80']);
    const ing = JSON.parse(await ok(['get', 'ingress', 'web', '-o', 'json'])) as Ingress;
    assert.equal(ing.spec?.ingressClassName, 'tugboat', 'the default class is set on create');

    await waitFor(
      async () => {
        const r = await httpGet(httpPort, 'web.example.com', '/index.html').catch(() => undefined);
        return r?.status === 200 && /tugboat-test busybox/.test(r.body);
      },
      { timeoutMs: 90_000, message: 'the pods answer through the ingress' },
    );
    assert.equal((await httpGet(httpPort, 'other.example.com')).status, 404);

    const node = JSON.parse(await ok(['get', 'node', NODE, '-o', 'json'])) as {
      status: { addresses: { type: string; address: string }[] };
    };
    const nodeIp = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
    await waitFor(
      async () =>
        new RegExp(
          `^web\\s+tugboat\\s+web\\.example\\.com\\s+${nodeIp.replaceAll('.', '\\.')}\\s+80\\b`,
          'm',
        ).test(await ok(['get', 'ingress', 'web', '--no-headers'])),
      {
        timeoutMs: 20_000,
        message: "kubectl get ingress shows the node's address",
      },
    );

    // Scaled to nothing, the backend has no endpoints.
    await ok(['scale', 'deployment', 'web', '--replicas=0']);
    await waitFor(async () => (await httpGet(httpPort, 'web.example.com')).status === 503, {
      timeoutMs: 60_000,
      message: 'no endpoints: 503',
    });
    await ok(['scale', 'deployment', 'web', '--replicas=1']);
  });

  test('HTTPS with the certificate of a kubectl create secret tls', async () => {
    const pair = await issueLeaf(ca, {
      commonName: 'secure.example.com',
      usage: 'server',
      dnsNames: ['secure.example.com'],
      days: 1,
    });
    writeFileSync(join(dir, 'tls.crt'), pair.certPem);
    writeFileSync(join(dir, 'tls.key'), pair.keyPem);
    await ok([
      'create',
      'secret',
      'tls',
      'secure-tls',
      `--cert=${join(dir, 'tls.crt')}`,
      `--key=${join(dir, 'tls.key')}`,
    ]);
    await ok(['create', 'ingress', 'secure', '--rule=secure.example.com/*=web:80,tls=secure-tls']);
    await waitFor(
      async () => {
        const r = await httpsGet(httpsPort, 'secure.example.com', ca.certPem).catch(() => undefined);
        return (
          r?.cn === 'secure.example.com' &&
          /^HTTP\/1\.1 200/.test(r.body) &&
          /tugboat-test busybox/.test(r.body)
        );
      },
      { timeoutMs: 90_000, message: 'the pod answers over HTTPS with the Ingress certificate' },
    );
  });

  test('the API server proxies to the Service, a pod and the node agent', async () => {
    const service = await waitFor(
      async () => {
        const r = await s.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/web:80/proxy/']);
        return r.code === 0 && /tugboat-test busybox/.test(r.stdout) ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, message: 'the service proxy reaches a web pod' },
    );
    assert.match(service, /tugboat-test busybox/);
    const pod = (
      await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])
    ).trim();
    assert.match(
      await ok(['get', '--raw', `/api/v1/namespaces/default/pods/${pod}:8080/proxy/`]),
      /tugboat-test busybox/,
    );
    const metrics = await ok(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/metrics/resource`]);
    assert.match(metrics, /^node_cpu_usage_seconds_total /m);
  });
});
