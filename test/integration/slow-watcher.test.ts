import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ watchMaxPendingBytes: 4 * 1024 * 1024 });
});
after(async () => {
  await t.close();
});

test('a watcher that stops reading is cut off while a reading watcher gets every event', async () => {
  const list = await call(t.url, 'GET', '/api/v1/namespaces/default/configmaps');
  const path = `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`;
  let reader = 0;
  const readerDone = new Promise<void>((resolve, reject) => {
    request(t.url + path, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          buf = buf.slice(nl + 1);
          if (++reader === COUNT) resolve();
        }
      });
    })
      .on('error', reject)
      .end();
  });
  // This watcher stops reading; once the creates are done it reads what it was sent, until the server hangs up.
  const stalled = await new Promise<{ drain: () => Promise<number> }>((resolve, reject) => {
    const req = request(t.url + path, (res) => {
      res.pause();
      resolve({
        drain: () =>
          new Promise<number>((done) => {
            let lines = 0;
            res.on('data', (chunk: Buffer) => {
              for (const byte of chunk) if (byte === 10) lines++;
            });
            res.on('error', () => {});
            res.socket.once('close', () => done(lines));
            res.resume();
          }),
      });
    });
    req.on('error', () => {}).end();
    req.once('error', reject);
  });

  // More than loopback's socket buffers can absorb (several MiB each way), so bytes pile up in the server.
  const COUNT = 500;
  const data = { blob: 'x'.repeat(48 * 1024) };
  for (let i = 0; i < COUNT; i += 25) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `slow-${i + j}` },
          data,
        }),
      ),
    );
  }
  await readerDone;
  assert.equal(reader, COUNT);
  const received = await stalled.drain(); // ends only because the server cut the stalled watcher off
  assert.ok(received < COUNT, `the stalled watcher was cut off after ${received} of ${COUNT} events`);
  const health = await call(t.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
});
