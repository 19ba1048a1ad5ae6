import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { forwardToLocalPort } from '../runtimes/common/port-forward.js';
import { invalidStreamHeaders, requestIdOf, servePortForwardSession } from './port-forward-session.js';
import { createSpdyConnection, type SpdyConnection, type SpdyStream } from './spdy.js';

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function readAll(stream: Duplex): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
  });
}

function openStream(conn: SpdyConnection, headers: Record<string, string>): Promise<SpdyStream> {
  return new Promise((resolve, reject) => {
    conn.request({ method: 'POST', path: '/', headers }, (err, stream) =>
      err ? reject(err) : resolve(stream),
    );
  });
}

/** As kubectl does per local connection: an error stream it half-closes at once, then a data stream. */
async function openPair(conn: SpdyConnection, port: number, requestId: string) {
  const error = await openStream(conn, { streamtype: 'error', port: String(port), requestid: requestId });
  error.end();
  const data = await openStream(conn, { streamtype: 'data', port: String(port), requestid: requestId });
  return { error, data, errorText: readAll(error), dataText: readAll(data) };
}

describe('port-forward stream headers', () => {
  it('validates the port and stream type as upstream does', () => {
    assert.equal(invalidStreamHeaders({ port: '8080', streamtype: 'data' }), undefined);
    assert.equal(invalidStreamHeaders({ port: '1', streamtype: 'error' }), undefined);
    assert.equal(invalidStreamHeaders({ streamtype: 'data' }), '"port" header is required');
    assert.equal(
      invalidStreamHeaders({ port: 'http', streamtype: 'data' }),
      'unable to parse "http" as a port',
    );
    assert.equal(
      invalidStreamHeaders({ port: '70000', streamtype: 'data' }),
      'unable to parse "70000" as a port',
    );
    assert.equal(invalidStreamHeaders({ port: '0', streamtype: 'data' }), 'port "0" must be > 0');
    assert.equal(invalidStreamHeaders({ port: '80' }), '"streamType" header is required');
    assert.equal(invalidStreamHeaders({ port: '80', streamtype: 'resize' }), 'invalid stream type "resize"');
  });

  it('pairs streams by requestid, or by consecutive stream ids for old clients', () => {
    assert.equal(requestIdOf({ id: 7, headers: { requestid: '3', streamtype: 'data' } }), '3');
    assert.equal(requestIdOf({ id: 1, headers: { streamtype: 'error' } }), '1');
    assert.equal(requestIdOf({ id: 3, headers: { streamtype: 'data' } }), '1');
  });
});

describe('port-forward SPDY session', () => {
  let pod: Server;
  let podPort: number;
  let agent: Server;
  let client: SpdyConnection;
  let clientSocket: Socket;
  const podSockets = new Set<Socket>();
  let podBehaviour: (s: Socket) => void;

  beforeEach(async () => {
    podBehaviour = (s) => s.pipe(s); // echo, closing when the client half-closes
    pod = createServer({ allowHalfOpen: true }, (s) => {
      podSockets.add(s);
      s.once('close', () => podSockets.delete(s));
      podBehaviour(s);
    });
    podPort = await listen(pod);
    agent = createServer((socket) => {
      servePortForwardSession(socket, {
        forward: (port, stream) => forwardToLocalPort(port, stream),
        pod: 'default/web',
        podUid: 'uid-1',
        pairTimeoutMs: 200,
      });
    });
    const agentPort = await listen(agent);
    clientSocket = connect(agentPort, '127.0.0.1');
    await once(clientSocket, 'connect');
    client = createSpdyConnection(clientSocket, 'client');
  });

  afterEach(async () => {
    clientSocket.destroy();
    for (const s of podSockets) s.destroy();
    agent.close();
    pod.close();
    await Promise.all([once(agent, 'close'), once(pod, 'close')]);
  });

  it('forwards bytes both ways and ends both streams when the pod side closes', async () => {
    const p = await openPair(client, podPort, '0');
    p.data.write('hello ');
    p.data.end('pod');
    assert.equal(await p.dataText, 'hello pod');
    assert.equal(await p.errorText, '');
  });

  it('ends the streams when the pod closes first, while the client still has its side open', async () => {
    podBehaviour = (s) => s.end('bye\n');
    const p = await openPair(client, podPort, '0');
    assert.equal(await p.dataText, 'bye\n');
    assert.equal(await p.errorText, '');
  });

  it('writes why forwarding failed to the error stream when nothing listens on the port', async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    closed.close();
    await once(closed, 'close');
    const p = await openPair(client, closedPort, '0');
    assert.equal(
      await p.errorText,
      `error forwarding port ${closedPort} to pod default/web, uid uid-1: failed to connect to localhost:${closedPort}: ` +
        `dial tcp4 127.0.0.1:${closedPort}: connect: connection refused`,
    );
    assert.equal(await p.dataText, '');
  });

  it('serves several connections at once, their streams interleaved', async () => {
    const n = 6;
    const errors = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        openStream(client, { streamtype: 'error', port: String(podPort), requestid: String(i) }),
      ),
    );
    for (const e of errors) e.end();
    const datas = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        openStream(client, { streamtype: 'data', port: String(podPort), requestid: String(n - 1 - i) }),
      ),
    );
    const texts = datas.map((d) => readAll(d));
    const big = 'x'.repeat(200_000); // beyond the 64 KiB initial window
    datas.forEach((d, i) => d.end(`conn-${d.headers.requestid}-${i}-${big}`));
    const got = await Promise.all(texts);
    got.forEach((t, i) => assert.equal(t, `conn-${datas[i]!.headers.requestid}-${i}-${big}`));
    assert.deepEqual(await Promise.all(errors.map((e) => readAll(e))), Array(n).fill(''));
  });

  it('resets a stream with an invalid port header', async () => {
    const bad = await openStream(client, { streamtype: 'data', port: 'nope', requestid: '0' });
    const [err] = (await once(bad, 'error')) as [Error];
    assert.match(err.message, /RST: PROTOCOL_ERROR/);
  });

  it('times out a pair whose data stream never comes', async () => {
    const error = await openStream(client, { streamtype: 'error', port: String(podPort), requestid: '9' });
    error.end();
    assert.equal(await readAll(error), 'timed out waiting for streams of request 9');
  });

  it('answers pings', async () => {
    await new Promise<void>((resolve, reject) => client.ping((err) => (err ? reject(err) : resolve())));
  });

  it('closes the pod connection when the client connection drops', async () => {
    podBehaviour = (s) => s.resume(); // a pod that reads but never closes on its own
    const p = await openPair(client, podPort, '0');
    p.data.write('x');
    while (podSockets.size === 0) await new Promise((r) => setTimeout(r, 10));
    const podSide = [...podSockets][0]!;
    clientSocket.destroy();
    await once(podSide, 'end');
  });
});
