/**
 * The `proxy` subresources of pods and services against a real API server, forwarding to HTTP servers in a
 * network namespace the test makes (objects may not name loopback addresses).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import WebSocket from 'ws';
import { ApiClient, R } from '../../src/client/index.js';
import { BACKEND_ADDRESS, BackendNetns, backendNetnsMissing } from '../helpers/backend-netns.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

const PORTS = { first: 18011, second: 18012 };
const WS_PORT = 18110;
const missing = backendNetnsMissing();
const lab = new BackendNetns('prx');

void describe('proxy subresources with backends in a network namespace', { skip: missing ?? false }, () => {
  let t: TestServer;
  let client: ApiClient;

  before(async () => {
    await lab.start(PORTS, WS_PORT);
    t = await startTestServer();
    client = new ApiClient({ server: t.url });
    const pods = client.resource<Pod>(R.pods);
    const pod = await pods.create({
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: PORTS.first }] }],
      },
    });
    await pods.updateStatus({ ...pod, status: { phase: 'Running', podIP: BACKEND_ADDRESS } });
    await client.resource<Service>(R.services).create({
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'ws', port: 81, targetPort: 8081 },
        ],
      },
    });
    await client.resource<Endpoints>(R.endpoints).create({
      metadata: { name: 'web', namespace: 'default' },
      subsets: [
        {
          addresses: [{ ip: BACKEND_ADDRESS }],
          ports: [
            { name: 'http', port: PORTS.second, protocol: 'TCP' },
            { name: 'ws', port: WS_PORT, protocol: 'TCP' },
          ],
        },
      ],
    });
  });

  after(async () => {
    client?.close();
    await t?.close();
    await lab.remove();
  });

  test('a pod by its first container port, a named port or a number; path and query pass unchanged', async () => {
    const byDefault = await call(
      t.url,
      'GET',
      '/api/v1/namespaces/default/pods/web/proxy/a/b%20c/?x=1&y=%2F',
    );
    assert.equal(byDefault.status, 200);
    assert.equal(byDefault.json.name, 'first');
    assert.equal(byDefault.json.url, '/a/b%20c/?x=1&y=%2F');
    assert.equal(
      (await call(t.url, 'GET', '/api/v1/namespaces/default/pods/web:http/proxy/')).json.name,
      'first',
    );
    const byNumber = await call(t.url, 'GET', `/api/v1/namespaces/default/pods/web:${PORTS.second}/proxy`);
    assert.equal(byNumber.json.name, 'second');
    assert.equal(byNumber.json.url, '/');
    const refused = await call(t.url, 'GET', '/api/v1/namespaces/default/pods/web:18999/proxy/');
    assert.equal(refused.status, 503);
    assert.match(refused.json.message, /error trying to reach 198\.18\.251\.2:18999/);
  });

  test("a service by its port's name or number reaches an endpoint; the caller's token stays behind", async () => {
    const posted = await call(
      t.url,
      'POST',
      '/api/v1/namespaces/default/services/web:http/proxy/orders',
      'hello',
      { authorization: 'Bearer secret-token', 'content-type': 'text/plain' },
    );
    assert.equal(posted.status, 200);
    assert.equal(posted.json.name, 'second');
    assert.equal(posted.json.method, 'POST');
    assert.equal(posted.json.body, 'hello');
    assert.equal(posted.json.authorization, undefined);
    assert.equal(
      (await call(t.url, 'GET', '/api/v1/namespaces/default/services/web:80/proxy/')).json.name,
      'second',
    );
    const noPort = await call(t.url, 'GET', '/api/v1/namespaces/default/services/web:9/proxy/');
    assert.equal(noPort.status, 503);
    assert.equal(noPort.json.message, 'no service port "9" found for service "web"');
    await client.resource<Service>(R.services).create({
      metadata: { name: 'empty', namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    });
    const empty = await call(t.url, 'GET', '/api/v1/namespaces/default/services/empty/proxy/');
    assert.equal(empty.status, 503);
    assert.equal(empty.json.message, 'no endpoints available for service "empty"');
    const gone = await call(t.url, 'GET', '/api/v1/namespaces/default/services/nope/proxy/');
    assert.equal(gone.status, 404);
  });

  test('WebSocket connections are relayed through the pod and service proxies', async () => {
    const echo = async (path: string): Promise<string> => {
      const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}${path}`);
      try {
        await new Promise<void>((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        const answer = new Promise<string>((resolve) =>
          ws.once('message', (d: Buffer) => resolve(d.toString())),
        );
        ws.send('hello');
        return await answer;
      } finally {
        ws.close();
      }
    };
    assert.equal(await echo(`/api/v1/namespaces/default/pods/web:${WS_PORT}/proxy/ws`), 'echo:hello');
    assert.equal(await echo('/api/v1/namespaces/default/services/web:ws/proxy/ws?x=1'), 'echo:hello');
  });

  test('an upgrade to an unreachable target is a 503 Status', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${t.url}/api/v1/namespaces/default/pods/web:18999/proxy/ws`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, 503);
    assert.match(
      (JSON.parse(answer.body) as { message: string }).message,
      /^error trying to reach 198\.18\.251\.2:18999/,
    );
  });
});
