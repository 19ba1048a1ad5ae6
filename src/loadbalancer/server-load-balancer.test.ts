import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { createLogger } from '../util/logger.js';
import { waitFor } from '../util/wait.js';
import { ServerLoadBalancer } from './server-load-balancer.js';

const logger = createLogger('test', 'error');

/** A TCP server on loopback that answers every line with its name and the line; tracks its connections. */
class NamedServer {
  readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private closing: Promise<void> | undefined;
  port = 0;

  constructor(readonly name: string) {}

  async listen(port = 0): Promise<this> {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.on('data', (data) => socket.write(`${this.name}:${data.toString()}`));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Stops taking connections at once; open ones stay (a process that hangs, not one that died). */
  stopListening(): Promise<void> {
    this.closing = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server?.listening) await this.stopListening();
    await this.closing;
  }
}

/** A client connection through the balancer that sends a line and reads the answer. */
async function openClient(port: number): Promise<{ socket: Socket; ask(line: string): Promise<string> }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    ask: (line) =>
      new Promise((resolve, reject) => {
        socket.once('data', (data) => resolve(data.toString()));
        socket.once('close', () => reject(new Error('closed')));
        socket.write(line);
      }),
  };
}

const closed = (socket: Socket): Promise<void> =>
  socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function servers(...names: string[]): Promise<NamedServer[]> {
  const out = await Promise.all(names.map((n) => new NamedServer(n).listen()));
  cleanups.push(async () => {
    for (const s of out) await s.stop();
  });
  return out;
}

async function balancer(
  opts: Partial<ConstructorParameters<typeof ServerLoadBalancer>[0]> & { defaultServer: string },
): Promise<ServerLoadBalancer> {
  const lb = new ServerLoadBalancer({ logger, healthCheckIntervalMs: 60_000, dialTimeoutMs: 1000, ...opts });
  await lb.start();
  cleanups.push(() => lb.close());
  return lb;
}

void describe('ServerLoadBalancer', () => {
  test('relays connections to the default server and listens on loopback', async () => {
    const [a] = await servers('a');
    const lb = await balancer({ defaultServer: a!.address });
    assert.match(lb.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(lb.url).port);
    const client = await openClient(port);
    assert.equal(await client.ask('hello'), 'a:hello');
    assert.equal(await client.ask('again'), 'a:again');
    client.socket.destroy();
  });

  test('a server that refuses connections is passed over, and connections stay with the one that answered', async () => {
    const [a, b, c] = await servers('a', 'b', 'c');
    const lb = await balancer({ defaultServer: a!.address });
    lb.setServers([b!.address, c!.address]);
    const port = Number(new URL(lb.url).port);
    await a!.stop();
    const first = await openClient(port);
    const answer = await first.ask('x');
    assert.equal(answer, 'b:x', 'the next server in the list');
    assert.equal(lb.currentServer, b!.address);
    // b stays current even once a is back.
    await a!.listen(a!.port);
    const second = await openClient(port);
    assert.equal(await second.ask('y'), 'b:y');
    first.socket.destroy();
    second.socket.destroy();
  });

  test('a probe that finds the current server gone closes its connections; clients reconnect elsewhere', async () => {
    const [a, b] = await servers('a', 'b');
    const lb = await balancer({ defaultServer: a!.address, knownServers: [b!.address] });
    const port = Number(new URL(lb.url).port);
    const client = await openClient(port);
    assert.equal(await client.ask('1'), 'a:1');
    // a stops listening but keeps the relayed connection open, as a server whose host vanished would.
    await a!.stopListening();
    await lb.probeServers();
    await closed(client.socket);
    const again = await openClient(port);
    assert.equal(await again.ask('2'), 'b:2');
    assert.equal(lb.currentServer, b!.address);
    again.socket.destroy();
  });

  test('servers saved from before are tried when the default one is down', async () => {
    const [a, b] = await servers('a', 'b');
    await a!.stop();
    const lb = await balancer({ defaultServer: a!.address, knownServers: [b!.address, a!.address] });
    assert.deepEqual(lb.serverList, [a!.address, b!.address]);
    const client = await openClient(Number(new URL(lb.url).port));
    assert.equal(await client.ask('z'), 'b:z');
    client.socket.destroy();
  });

  test('a server left out of a new list loses its connections; the default one always stays', async () => {
    const [a, b] = await servers('a', 'b');
    const saved: string[][] = [];
    const lb = await balancer({
      defaultServer: a!.address,
      persist: (list) => {
        saved.push(list);
        return Promise.resolve();
      },
    });
    lb.setServers([b!.address]);
    await a!.stop();
    const client = await openClient(Number(new URL(lb.url).port));
    assert.equal(await client.ask('q'), 'b:q');
    await a!.listen(a!.port);
    lb.setServers([a!.address]);
    await closed(client.socket);
    assert.deepEqual(lb.serverList, [a!.address]);
    lb.setServers([a!.address]); // unchanged: not saved again
    assert.deepEqual(saved, [[a!.address, b!.address], [a!.address]]);
    assert.equal(lb.currentServer, a!.address);
  });

  test('with no server reachable the client connection is closed', async () => {
    const [a, b] = await servers('a', 'b');
    const lb = await balancer({ defaultServer: a!.address, knownServers: [b!.address] });
    await a!.stop();
    await b!.stop();
    const client = await openClient(Number(new URL(lb.url).port));
    await closed(client.socket);
    // Once one is back, connections go through again.
    await b!.listen(b!.port);
    const again = await openClient(Number(new URL(lb.url).port));
    assert.equal(await again.ask('back'), 'b:back');
    again.socket.destroy();
  });

  test('probes run on their own and notice a server that answers again', async () => {
    const [a, b] = await servers('a', 'b');
    const lb = await balancer({
      defaultServer: a!.address,
      knownServers: [b!.address],
      healthCheckIntervalMs: 50,
    });
    const port = Number(new URL(lb.url).port);
    const client = await openClient(port);
    assert.equal(await client.ask('1'), 'a:1');
    await a!.stopListening();
    await closed(client.socket);
    await a!.listen(a!.port);
    // After b took over and a answers again, a is a candidate again when b goes.
    const viaB = await openClient(port);
    assert.equal(await viaB.ask('2'), 'b:2');
    await b!.stopListening();
    await closed(viaB.socket);
    await waitFor(
      async () => {
        const c = await openClient(port);
        const answer = await c.ask('3').catch(() => '');
        c.socket.destroy();
        return answer === 'a:3' || undefined;
      },
      { timeoutMs: 5000, message: 'connections back on a' },
    );
  });

  test('refuses an address that is not host:port', () => {
    assert.throws(() => new ServerLoadBalancer({ defaultServer: 'https://x', logger }), /not a host:port/);
  });
});
