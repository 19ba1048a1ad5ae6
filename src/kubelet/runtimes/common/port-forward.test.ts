import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { forwardInNetns, forwardToLocalPort } from './port-forward.js';

/** The client's end of a forwarded stream: push() sends towards the pod, output() is what came back. */
function clientStream(): Duplex & { output(): string; finished: Promise<void> } {
  const got: Buffer[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      cb();
    },
    final(cb) {
      finish();
      cb();
    },
  });
  return Object.assign(stream, { output: () => Buffer.concat(got).toString('utf8'), finished });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const netnsSkip =
  process.getuid?.() !== 0
    ? 'nsenter needs root'
    : spawnSync('sh', ['-c', 'command -v nsenter']).status !== 0
      ? 'nsenter missing'
      : undefined;

const forwarders = [
  { name: 'forwardToLocalPort', forward: forwardToLocalPort, skip: undefined },
  {
    name: 'forwardInNetns (into the current network namespace)',
    forward: (port: number, s: Duplex) => forwardInNetns(`/proc/${process.pid}/ns/net`, port, s),
    skip: netnsSkip,
  },
];

describe('port-forward plumbing', () => {
  let echo: Server;
  let echoPort: number;
  const podSide = new Set<Socket>();

  before(async () => {
    echo = createServer({ allowHalfOpen: true }, (s) => {
      podSide.add(s);
      s.once('close', () => podSide.delete(s));
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as AddressInfo).port;
  });

  after(async () => {
    for (const s of podSide) s.destroy();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  for (const f of forwarders) {
    describe(f.name, { skip: f.skip ?? false }, () => {
      it('pipes both ways and ends the stream after the client half-closes and the pod closes', async () => {
        const s = clientStream();
        const done = f.forward(echoPort, s);
        s.push('ping ');
        s.push('pong');
        s.push(null);
        await done;
        await s.finished;
        assert.equal(s.output(), 'ping pong');
      });

      it('delivers every byte a pod writes just before it closes, to a slow reader', async () => {
        const body = Buffer.alloc(4 << 20, 'z');
        const talker = createServer((c) => c.end(body));
        await new Promise<void>((r) => talker.listen(0, '127.0.0.1', r));
        let received = 0;
        const slow = new Duplex({
          read() {},
          write(chunk: Buffer, _enc, cb) {
            received += chunk.length;
            setTimeout(cb, 1);
          },
        });
        const ended = once(slow, 'finish');
        try {
          const done = f.forward((talker.address() as AddressInfo).port, slow);
          slow.push(null);
          await done;
          await ended;
          assert.equal(received, body.length);
        } finally {
          await new Promise<void>((r) => talker.close(() => r()));
        }
      });

      it('rejects with a dial error when nothing listens', async () => {
        const port = await closedPort();
        const s = clientStream();
        await assert.rejects(f.forward(port, s), {
          message: `failed to connect to localhost:${port}: dial tcp4 127.0.0.1:${port}: connect: connection refused`,
        });
        assert.equal(s.output(), '');
      });

      it('drops the pod connection when the client stream is destroyed', async () => {
        const s = clientStream();
        const done = f.forward(echoPort, s);
        s.push('x');
        while (s.output() !== 'x') await new Promise((r) => setTimeout(r, 10));
        const [pod] = [...podSide];
        const podEnded = once(pod!, 'end');
        s.destroy();
        await podEnded;
        await done;
      });
    });
  }
});
