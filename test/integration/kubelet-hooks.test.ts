import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { waitFor } from '../../src/util/wait.js';
import { cond, cstatus, startKubeletHarness, type KubeletHarness } from './kubelet-harness.js';

let h: KubeletHarness;
let server: http.Server;
let port = 0;
const hits: string[] = [];
let healthy = true;
before(async () => {
  h = await startKubeletHarness();
  h.images.addImage('docker.io/library/busybox:1.36');
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(req.url === '/healthz' && !healthy ? 503 : 200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await h.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const events = async (name: string): Promise<string[]> =>
  (await h.client.resource<Event>(R.events).list('default')).items
    .filter((e) => e.involvedObject.name === name)
    .map((e) => `${e.reason}: ${e.message}`);

void test('postStart httpGet runs after the start; an httpGet readiness probe gates Ready', async () => {
  await h.createPod('hooked', {
    containers: [
      {
        name: 'app',
        image: 'busybox:1.36',
        lifecycle: { postStart: { httpGet: { host: '127.0.0.1', port, path: '/started' } } },
        readinessProbe: { httpGet: { host: '127.0.0.1', port, path: '/healthz' }, periodSeconds: 1 },
      },
    ],
  });
  await h.waitPod('hooked', (x) => cond(x, 'Ready')?.status === 'True');
  assert.ok(hits.includes('/started'));
  healthy = false;
  await h.waitPod('hooked', (x) => cond(x, 'Ready')?.status === 'False', 'unready after 503', 15_000);
  healthy = true;
});

void test('a failing postStart exec hook kills the container and it is restarted', async () => {
  let first = true;
  h.runtime.execHandler = (_id, cmd) => {
    const fail = cmd[0] === 'setup' && first;
    if (cmd[0] === 'setup') first = false;
    return {
      stdout: Buffer.from(fail ? 'nope' : ''),
      stderr: Buffer.alloc(0),
      exitCode: fail ? 2 : 0,
      timedOut: false,
    };
  };
  await h.createPod('badhook', {
    containers: [
      { name: 'app', image: 'busybox:1.36', lifecycle: { postStart: { exec: { command: ['setup'] } } } },
    ],
  });
  const p = await h.waitPod(
    'badhook',
    (x) => cstatus(x, 'app')?.restartCount === 1 && Boolean(cstatus(x, 'app')?.state?.running),
  );
  assert.equal(p.status?.phase, 'Running');
  const list = await waitFor(async () => {
    const e = await events('badhook');
    return e.some((m) => m.startsWith('FailedPostStartHook: ')) ? e : undefined;
  });
  const msg = list.find((m) => m.startsWith('FailedPostStartHook: '))!;
  assert.match(
    msg,
    /Exec lifecycle hook \(\[setup\]\) for Container "app" in Pod "badhook_default\(.*\)" failed - error: command 'setup' exited with 2: nope/,
  );
});
