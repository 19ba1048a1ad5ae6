import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import http from 'node:http';
import { after, before, test } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { FakeRuntimeService } from '../cri/fake/index.js';
import { resolvePort, runProbe } from './prober.js';

let httpPort = 0;
let tcpPort = 0;
const servers: { close(cb: () => void): void }[] = [];

before(async () => {
  const h = http.createServer((req, res) => {
    if (req.url === '/healthz') res.end('ok');
    else if (req.url === '/redirect') res.writeHead(302, { Location: '/x' }).end();
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 3000).unref();
    else res.writeHead(500).end('bad');
  });
  await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
  httpPort = (h.address() as AddressInfo).port;
  const t = createServer((s) => s.end());
  await new Promise<void>((r) => t.listen(0, '127.0.0.1', r));
  tcpPort = (t.address() as AddressInfo).port;
  servers.push(h, t);
});
after(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

const container: Container = { name: 'c', ports: [{ name: 'web', containerPort: 8080 }] };

void test('named and numeric ports', () => {
  assert.equal(resolvePort('web', container), 8080);
  assert.equal(resolvePort(81, container), 81);
  assert.equal(resolvePort('82', container), 82);
  assert.throws(() => resolvePort('nope', container), /couldn't find port: nope/);
});

void test('httpGet: 2xx and 3xx succeed, others fail, timeouts fail', async () => {
  const rt = new FakeRuntimeService();
  const probe = (path: string, timeoutSeconds = 1) =>
    runProbe({ httpGet: { path, port: httpPort }, timeoutSeconds }, container, 'id', '127.0.0.1', rt);
  assert.equal((await probe('/healthz')).result, 'success');
  assert.equal((await probe('/redirect')).result, 'success');
  const bad = await probe('/other');
  assert.deepEqual(bad, { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.equal((await probe('/slow')).result, 'failure');
});

void test('tcpSocket: connect succeeds, refused fails', async () => {
  const rt = new FakeRuntimeService();
  assert.equal(
    (await runProbe({ tcpSocket: { port: tcpPort } }, container, 'id', '127.0.0.1', rt)).result,
    'success',
  );
  const closed = await runProbe({ tcpSocket: { port: 1 } }, container, 'id', '127.0.0.1', rt);
  assert.equal(closed.result, 'failure');
  assert.match(closed.output, /^dial tcp 127\.0\.0\.1:1: /);
});

void test('exec: exit code decides, via the runtime execSync', async () => {
  const rt = new FakeRuntimeService();
  const sb = await rt.runPodSandbox({
    metadata: { name: 'p', uid: 'u', namespace: 'n', attempt: 0 },
    hostname: 'p',
    logDirectory: '/tmp',
    portMappings: [],
    labels: {},
    annotations: {},
    linux: { cgroupParent: 'x', namespaceOptions: { network: 'pod', pid: 'container', ipc: 'pod' } },
  });
  const id = await rt.createContainer(
    sb,
    {
      metadata: { name: 'c', attempt: 0 },
      image: { image: 'busybox' },
      command: [],
      args: [],
      envs: [],
      mounts: [],
      labels: {},
      annotations: {},
      logPath: 'c/0.log',
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
        },
      },
    },
    (await rt.podSandboxStatus(sb)) as never,
  );
  await rt.startContainer(id);
  rt.execHandler = (_id, cmd) => ({
    stdout: Buffer.from('out'),
    stderr: Buffer.alloc(0),
    exitCode: cmd[0] === 'ok' ? 0 : 1,
    timedOut: false,
  });
  assert.deepEqual(await runProbe({ exec: { command: ['ok'] } }, container, id, '', rt), {
    result: 'success',
    output: 'out',
  });
  assert.equal((await runProbe({ exec: { command: ['no'] } }, container, id, '', rt)).result, 'failure');
  assert.deepEqual(rt.callsOf('execSync').at(-1)?.args, [id, ['no'], 1]);
});
