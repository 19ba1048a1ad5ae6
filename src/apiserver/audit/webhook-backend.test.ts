import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../util/logger.js';
import {
  AuditWebhookBackend,
  DEFAULT_WEBHOOK_SETTINGS,
  type AuditWebhookSettings,
} from './webhook-backend.js';

interface Received {
  body: { kind: string; apiVersion: string; items: { auditID: string }[] };
  authorization: string | undefined;
  contentType: string | undefined;
}

const received: Received[] = [];
/** Status codes to answer with, in turn; 200 once they run out. */
let answers: number[] = [];
let server: Server;
let url = '';

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const code = answers.shift() ?? 200;
      if (code === 200) {
        received.push({
          body: JSON.parse(text) as Received['body'],
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
        });
      }
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  received.length = 0;
  answers = [];
});

const logger = createLogger('test', 'error');
const event = (id: string): string =>
  JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id });
const backend = (settings: Partial<AuditWebhookSettings>): AuditWebhookBackend =>
  new AuditWebhookBackend(
    { server: url, token: 't0k3n' },
    { ...DEFAULT_WEBHOOK_SETTINGS, ...settings },
    logger,
  );

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
}

test('batch mode: full batches go at once, the rest after the wait, as EventLists with the token', async () => {
  const hook = backend({ batchMaxSize: 3, batchMaxWaitMs: 200 });
  for (let i = 0; i < 4; i++) hook.write(event(`e${i}`));
  await until(() => received.length >= 1);
  assert.deepEqual(
    received[0]!.body.items.map((e) => e.auditID),
    ['e0', 'e1', 'e2'],
  );
  assert.equal(received[0]!.body.kind, 'EventList');
  assert.equal(received[0]!.body.apiVersion, 'audit.k8s.io/v1');
  assert.equal(received[0]!.authorization, 'Bearer t0k3n');
  assert.equal(received[0]!.contentType, 'application/json');
  assert.equal(received.length, 1, 'the fourth waits for its batch');
  await until(() => received.length >= 2);
  assert.deepEqual(
    received[1]!.body.items.map((e) => e.auditID),
    ['e3'],
  );
  await hook.close();
});

test('blocking mode sends each event alone; close sends what is buffered', async () => {
  const blocking = backend({ mode: 'blocking' });
  blocking.write(event('a'));
  blocking.write(event('b'));
  await until(() => received.length >= 2);
  assert.deepEqual(received.map((r) => r.body.items.length).sort(), [1, 1]);
  await blocking.close();

  received.length = 0;
  const batched = backend({ batchMaxWaitMs: 60_000 });
  batched.write(event('late'));
  await batched.close();
  assert.deepEqual(
    received.map((r) => r.body.items[0]!.auditID),
    ['late'],
  );
});

test('5xx answers are retried with backoff; 4xx answers are not', async () => {
  const hook = backend({ mode: 'blocking', initialBackoffMs: 20 });
  answers = [503, 500];
  hook.write(event('retried'));
  await until(() => received.length >= 1);
  assert.equal(received[0]!.body.items[0]!.auditID, 'retried');
  assert.equal(answers.length, 0, 'both failures were answered first');

  received.length = 0;
  answers = [400];
  hook.write(event('refused'));
  await sleep(100);
  hook.write(event('next'));
  await until(() => received.length >= 1);
  await sleep(100);
  assert.deepEqual(
    received.map((r) => r.body.items[0]!.auditID),
    ['next'],
  );
  await hook.close();
});

test('a full buffer drops events rather than growing', async () => {
  const hook = backend({ bufferSize: 2, batchMaxSize: 10, batchMaxWaitMs: 60_000 });
  for (let i = 0; i < 5; i++) hook.write(event(`x${i}`));
  await hook.close();
  assert.deepEqual(
    received.flatMap((r) => r.body.items.map((e) => e.auditID)),
    ['x0', 'x1'],
  );
});
