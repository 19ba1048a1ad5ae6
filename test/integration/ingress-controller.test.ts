/**
 * The ingress controller against a real API server, with real HTTP backends in a network namespace the test
 * makes: Services without a selector whose EndpointSlices the test writes, pointing at those servers.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import type { Node, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import WebSocket from 'ws';
import { hasReason } from '../../src/api/errors.js';
import { tugboatIngressClass } from '../../src/api/ingress-classes.js';
import { createCa, issueLeaf, type CertAndKey } from '../../src/apiserver/auth/x509.js';
import { R, type ApiClient } from '../../src/client/index.js';
import { IngressController } from '../../src/ingress/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { BACKEND_ADDRESS, BackendNetns, backendNetnsMissing } from '../helpers/backend-netns.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const NODE = 'ingress-node';

let cluster: TestCluster;
let client: ApiClient;
let controller: IngressController;
let ca: CertAndKey;
const missing = backendNetnsMissing();
const lab = new BackendNetns('ing');

const PORTS = { a1: 18001, a2: 18002, b1: 18003, c1: 18004, c2: 18005, d1: 18006, e1: 18007 };
const WS_PORT = 18100;
/** A port nothing listens on. */
const DEAD_PORT = 18200;

async function service(name: string, endpoints: { port: number; ready?: boolean }[]): Promise<void> {
  await client.resource<Service>(R.services).create({
    metadata: { name, namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  });
  await writeSlices(name, endpoints);
}

/** One slice per endpoint port (all at the backends' address), replacing the Service's earlier ones. */
async function writeSlices(name: string, endpoints: { port: number; ready?: boolean }[]): Promise<void> {
  const slices = client.resource<EndpointSlice>(R.endpointSlices);
  const old = await slices.list('default', { labelSelector: `kubernetes.io/service-name=${name}` });
  for (const s of old.items) await slices.delete('default', s.metadata!.name!);
  for (const ep of endpoints) {
    await slices.create({
      metadata: {
        name: `${name}-${ep.port}`,
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': name },
      },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: ep.port, protocol: 'TCP' }],
      endpoints: [{ addresses: [BACKEND_ADDRESS], conditions: { ready: ep.ready ?? true } }],
    });
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(path: string, host: string, opts: { method?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: controller.ports.http,
        path,
        method: opts.method ?? 'GET',
        headers: { host },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const nameAt = async (path: string, host: string): Promise<string> => {
  const a = await get(path, host);
  return a.status === 200 ? (JSON.parse(a.body) as { name: string }).name : `${a.status} ${a.body.trim()}`;
};

async function createIngress(ing: Ingress): Promise<void> {
  await client.resource<Ingress>(R.ingresses).create(ing);
}

void describe('ingress controller with backends in a network namespace', { skip: missing ?? false }, () => {
  before(async () => {
    await lab.start(PORTS, WS_PORT);
    cluster = await startTestCluster({});
    client = cluster.client;
    ca = await createCa('ingress-test-ca', 1);
    const node = await client.resource<Node>(R.nodes).create({ metadata: { name: NODE } });
    await client.resource<Node>(R.nodes).updateStatus({
      ...node,
      status: { addresses: [{ type: 'InternalIP', address: '192.0.2.10' }] },
    });
    await client
      .resource<IngressClass>(R.ingressClasses)
      .create(tugboatIngressClass())
      .catch((err: unknown) => {
        if (!hasReason(err, 'AlreadyExists')) throw err;
      });
    const defaultCertificate = await issueLeaf(ca, {
      commonName: 'default-ingress',
      usage: 'server',
      days: 1,
    });
    controller = new IngressController({
      client,
      nodeName: NODE,
      httpPort: 0,
      httpsPort: 0,
      bindAddress: '127.0.0.1',
      defaultCertificate,
      backendTimeoutMs: 2_000,
      logger: silentLogger,
    });
    await controller.start();
  });

  after(async () => {
    await controller?.stop();
    await cluster?.close();
    await lab.remove();
  });

  test('routes by host and path to the backend pods, balanced, with the forwarding headers', async () => {
    const { a1, a2, b1 } = PORTS;
    await service('app-a', [{ port: a1 }, { port: a2 }]);
    await service('app-b', [{ port: b1 }]);
    await createIngress({
      metadata: { name: 'shop', namespace: 'default' },
      spec: {
        ingressClassName: 'tugboat',
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'app-a', port: { number: 80 } } },
                },
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'app-b', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
    await waitFor(async () => (await nameAt('/api/items', 'shop.example.com')) === 'b1', {
      message: 'the Ingress is served',
    });
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(await nameAt('/index.html', 'shop.example.com'));
    assert.deepEqual([...seen].sort(), ['a1', 'a2'], 'both endpoints of app-a take requests');
    assert.match(await nameAt('/apis', 'shop.example.com'), /^a[12]$/, '/apis is not under /api');
    const posted = await get('/api/orders?x=1', 'shop.example.com:8080', { method: 'POST', body: 'hello' });
    assert.equal(posted.status, 200);
    const echo = JSON.parse(posted.body) as Record<string, string>;
    assert.equal(echo.url, '/api/orders?x=1');
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, 'hello');
    assert.equal(echo.host, 'shop.example.com:8080', 'the Host header passes unchanged');
    assert.equal(echo.forwardedFor, '127.0.0.1');
    assert.equal(echo.forwardedProto, 'http');
    assert.equal(echo.forwardedHost, 'shop.example.com:8080');
    assert.deepEqual(posted.headers['set-cookie'], ['a=1', 'b=2']);

    const other = await get('/', 'other.example.com');
    assert.equal(other.status, 404);
    assert.equal(other.body, '404 page not found\n');

    await waitFor(
      async () => {
        const ing = await client.resource<Ingress>(R.ingresses).get('default', 'shop');
        return ing.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.10';
      },
      { message: "the Ingress's status names the node's address" },
    );
  });

  test('follows endpoint changes: a not-ready endpoint gets no traffic, none gives 503, a dead one 502', async () => {
    const { c1, c2 } = PORTS;
    await service('app-c', [{ port: c1 }, { port: c2, ready: false }]);
    await createIngress({
      metadata: { name: 'cee', namespace: 'default' },
      spec: {
        rules: [
          {
            host: 'c.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'app-c', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    await waitFor(async () => (await nameAt('/', 'c.example.com')) === 'c1', {
      message: 'a class-less Ingress is served',
    });
    for (let i = 0; i < 3; i++) assert.equal(await nameAt('/', 'c.example.com'), 'c1');
    await writeSlices('app-c', [{ port: c2 }]);
    await waitFor(async () => (await nameAt('/', 'c.example.com')) === 'c2', {
      message: 'traffic moves to c2',
    });
    await writeSlices('app-c', []);
    await waitFor(async () => (await get('/', 'c.example.com')).status === 503, {
      message: 'no endpoints: 503',
    });
    // A port nothing listens on: the connection is refused.
    await writeSlices('app-c', [{ port: DEAD_PORT }]);
    await waitFor(async () => (await get('/', 'c.example.com')).status === 502, {
      message: 'unreachable: 502',
    });
  });

  test("an Ingress of another controller's class is left alone", async () => {
    await service('app-d', [{ port: PORTS.d1 }]);
    await client.resource<IngressClass>(R.ingressClasses).create({
      metadata: { name: 'other' },
      spec: { controller: 'example.com/other-controller' },
    });
    const paths = [
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'app-d', port: { number: 80 } } } },
    ];
    await createIngress({
      metadata: { name: 'not-ours', namespace: 'default' },
      spec: { ingressClassName: 'other', rules: [{ host: 'd.example.com', http: { paths } }] },
    });
    await createIngress({
      metadata: {
        name: 'legacy',
        namespace: 'default',
        annotations: { 'kubernetes.io/ingress.class': 'tugboat' },
      },
      spec: { rules: [{ host: 'legacy.example.com', http: { paths } }] },
    });
    await waitFor(async () => (await nameAt('/', 'legacy.example.com')) === 'd1', {
      message: 'the legacy class annotation naming our class is served',
    });
    assert.equal((await get('/', 'd.example.com')).status, 404);
    const notOurs = await client.resource<Ingress>(R.ingresses).get('default', 'not-ours');
    assert.equal(notOurs.status?.loadBalancer?.ingress, undefined, 'and its status is not ours to write');
  });

  test('HTTPS: the certificate of the Ingress naming the host, the default one otherwise', async () => {
    await service('app-e', [{ port: PORTS.e1 }]);
    const pair = await issueLeaf(ca, {
      commonName: 'secure.example.com',
      usage: 'server',
      dnsNames: ['secure.example.com'],
      days: 1,
    });
    await client.resource<Secret>(R.secrets).create({
      metadata: { name: 'secure-tls', namespace: 'default' },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(pair.certPem).toString('base64'),
        'tls.key': Buffer.from(pair.keyPem).toString('base64'),
      },
    });
    await createIngress({
      metadata: { name: 'secure', namespace: 'default' },
      spec: {
        tls: [{ hosts: ['secure.example.com'], secretName: 'secure-tls' }],
        rules: [
          {
            host: 'secure.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'app-e', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    const httpsGet = (servername: string): Promise<{ cn: string; body: string }> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect(
          {
            host: '127.0.0.1',
            port: controller.ports.https!,
            servername,
            ca: ca.certPem,
            checkServerIdentity: () => undefined,
          },
          () => {
            const cn = String(socket.getPeerCertificate().subject?.CN ?? '');
            socket.write(`GET /x HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
            let body = '';
            socket.setEncoding('utf8');
            socket.on('data', (c: string) => (body += c));
            socket.on('end', () => resolve({ cn, body }));
          },
        );
        socket.on('error', reject);
      });
    await waitFor(async () => (await httpsGet('secure.example.com')).cn === 'secure.example.com', {
      message: "the Ingress's certificate is served",
    });
    const answer = await httpsGet('secure.example.com');
    assert.match(answer.body, /^HTTP\/1\.1 200/);
    assert.match(answer.body, /"forwardedProto":"https"/);
    assert.match(answer.body, /"name":"e1"/);
    assert.equal((await httpsGet('elsewhere.example.com')).cn, 'default-ingress');
  });

  test('WebSocket connections are upgraded through to the backend', async () => {
    await service('app-ws', [{ port: WS_PORT }]);
    await createIngress({
      metadata: { name: 'ws', namespace: 'default' },
      spec: {
        rules: [
          {
            host: 'ws.example.com',
            http: {
              paths: [
                {
                  path: '/ws',
                  pathType: 'Exact',
                  backend: { service: { name: 'app-ws', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    await waitFor(async () => (await get('/ws', 'ws.example.com')).status === 426, {
      message: 'the route exists',
    });
    const reply = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${controller.ports.http}/ws`, {
        headers: { host: 'ws.example.com' },
      });
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (data: Buffer) => {
        resolve(data.toString('utf8'));
        ws.close();
      });
      ws.on('error', reject);
    });
    assert.equal(reply, 'echo:hi');
  });
});
