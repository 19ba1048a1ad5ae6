import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { silentLogger } from '../../util/logger.js';
import type { ApiContext } from '../rest/context.js';
import { createLazyUpgradeHandler } from './lazy-upgrade.js';

const UPGRADE =
  'GET /api/v1/namespaces/default/pods/p/exec?command=ls HTTP/1.1\r\nHost: x\r\n' +
  'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n';

/** Enough of the API context for an upgrade that fails authentication. */
const ctx = {
  closing: false,
  authenticator: { authenticate: () => undefined },
  logger: silentLogger,
} as unknown as ApiContext;

async function serve(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function send(port: number): { socket: Socket; reply: Promise<string> } {
  const socket = connect(port, '127.0.0.1', () => socket.write(UPGRADE));
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  const reply = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => {});
  return { socket, reply };
}

void test('the first upgrade loads the streaming module and is answered by it', async () => {
  const handler = createLazyUpgradeHandler(ctx, () => undefined);
  const server = createServer();
  server.on('upgrade', handler);
  const port = await serve(server);
  try {
    for (let i = 0; i < 2; i++) {
      const reply = await send(port).reply;
      assert.match(reply, /^HTTP\/1\.1 401 /, `request ${i + 1}`);
      assert.match(reply, /"reason":"Unauthorized"/);
    }
  } finally {
    handler.closeAll();
    server.close();
  }
});

void test('closeAll ends sockets still waiting for the module', async () => {
  const handler = createLazyUpgradeHandler(ctx, () => undefined);
  const server = createServer();
  let arrived!: () => void;
  const upgraded = new Promise<void>((resolve) => (arrived = resolve));
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    handler(req, socket, head);
    handler.closeAll();
    arrived();
  });
  const port = await serve(server);
  try {
    const { reply } = send(port);
    await upgraded;
    assert.equal(await reply, '');
  } finally {
    server.close();
  }
});
