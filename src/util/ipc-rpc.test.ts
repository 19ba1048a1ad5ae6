import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipcChannelPair } from './ipc-channel-pair.js';
import { IpcRpc } from './ipc-rpc.js';

class Refused extends Error {
  constructor(readonly why: string) {
    super(`refused: ${why}`);
    this.name = 'Refused';
  }
}

test('calls are answered with values, promises or errors; notices keep their order with answers', async () => {
  const [a, b] = ipcChannelPair();
  const server = new IpcRpc(b);
  const client = new IpcRpc(a, (e) =>
    e.name === 'Refused' ? new Refused(String(e.fields.why)) : new Error(e.message),
  );
  const order: string[] = [];
  server.handle('double', (n: number) => n * 2);
  server.handle('later', async (s: string) => {
    await new Promise((r) => setTimeout(r, 5));
    server.notify('progress', `${s} done`);
    return s.toUpperCase();
  });
  server.handle('refuse', (why: string) => {
    throw new Refused(why);
  });
  client.handle('progress', (text: string) => order.push(text));
  const [two, later] = await Promise.all([
    client.call<number>('double', 1),
    client.call<string>('later', 'x'),
  ]);
  order.push(later);
  assert.equal(two, 2);
  assert.deepEqual(order, ['x done', 'X']);
  const err = await client.call('refuse', 'full').catch((e: unknown) => e);
  assert.ok(err instanceof Refused);
  assert.equal(err.why, 'full');
  await assert.rejects(client.call('missing'), /no handler for missing/);
  server.close();
  client.close();
});

test('a closed side fails the calls still waiting, and new ones', async () => {
  const [a, b] = ipcChannelPair();
  const server = new IpcRpc(b);
  server.handle('never', () => new Promise(() => {}));
  const client = new IpcRpc(a);
  const waiting = client.call('never');
  await new Promise((r) => setTimeout(r, 5));
  client.close();
  await assert.rejects(waiting, /the other process is gone/);
  await assert.rejects(client.call('never'), /the other process is gone/);
  server.close();
});

test('messages sent in one turn travel as one IPC message', async () => {
  const [a, b] = ipcChannelPair();
  let sent = 0;
  const counting = { ...a, send: (m: unknown) => (sent++, a.send(m)) };
  const server = new IpcRpc(b);
  server.handle('echo', (v: number) => v);
  const client = new IpcRpc(counting);
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => client.call<number>('echo', i)));
  assert.deepEqual(
    answers,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(sent, 1);
  server.close();
  client.close();
});
