/**
 * Asks the upstream resolvers (the host's, from its resolv.conf): UDP first, TCP when the UDP answer is
 * truncated, each server in turn until one answers within the timeout. Every query gets its own socket and a
 * random id, as a stub resolver does; nothing waits longer than servers × timeout.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { isTruncated } from './messages.js';

export interface UpstreamServer {
  address: string;
  port: number;
}

export interface ForwarderOptions {
  servers: UpstreamServer[];
  /** How long one server gets for one query (default 2 s). */
  timeoutMs?: number;
  newId?: () => number;
}

export class UpstreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}

const MAX_MESSAGE = 65535;

export class Forwarder {
  private readonly timeoutMs: number;
  private readonly newId: () => number;

  constructor(private readonly opts: ForwarderOptions) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.newId = opts.newId ?? (() => randomInt(0x10000));
  }

  get servers(): UpstreamServer[] {
    return this.opts.servers;
  }

  /** Sends a query (any id) upstream and resolves to the reply, carrying the query's own id; throws when none answers. */
  async forward(query: Buffer): Promise<Buffer> {
    if (this.opts.servers.length === 0) throw new UpstreamError('no upstream DNS servers');
    const originalId = query.readUInt16BE(0);
    const id = this.newId();
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    const failures: string[] = [];
    for (const server of this.opts.servers) {
      try {
        let reply = await this.udp(server, out, id);
        if (isTruncated(reply)) reply = await this.tcp(server, out, id);
        reply.writeUInt16BE(originalId, 0);
        return reply;
      } catch (err) {
        failures.push(`${server.address}:${server.port}: ${(err as Error).message}`);
      }
    }
    throw new UpstreamError(`no upstream DNS server answered (${failures.join('; ')})`);
  }

  private udp(server: UpstreamServer, query: Buffer, id: number): Promise<Buffer> {
    return exchange(this.timeoutMs, 'timed out', (finish) => {
      const socket = createSocket(isIPv6(server.address) ? 'udp6' : 'udp4');
      // A connected socket hears ICMP port-unreachable as ECONNREFUSED: a server that is down fails at once.
      socket.on('error', (err) => finish(err));
      socket.on('message', (msg) => {
        // Anything but our reply (a late answer to someone else, garbage) is ignored.
        if (msg.length >= 12 && msg.readUInt16BE(0) === id && msg.readUInt16BE(2) & 0x8000)
          finish(undefined, msg);
      });
      socket.connect(server.port, server.address, () => socket.send(query));
      return () => socket.close();
    });
  }

  private tcp(server: UpstreamServer, query: Buffer, id: number): Promise<Buffer> {
    return exchange(this.timeoutMs, 'timed out over TCP', (finish) => {
      const socket = connect({ host: server.address, port: server.port });
      let buffered = Buffer.alloc(0);
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new UpstreamError('connection closed before the reply')));
      socket.on('connect', () => {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(query.length);
        socket.write(Buffer.concat([length, query]));
      });
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length > MAX_MESSAGE + 2) return finish(new UpstreamError('reply too long'));
        if (buffered.length < 2) return;
        const size = buffered.readUInt16BE(0);
        if (buffered.length < size + 2) return;
        const reply = buffered.subarray(2, size + 2);
        if (reply.length >= 12 && reply.readUInt16BE(0) === id) finish(undefined, Buffer.from(reply));
        else finish(new UpstreamError('reply with another id'));
      });
      return () => socket.destroy();
    });
  }
}

type Finish = (err?: Error, reply?: Buffer) => void;

/**
 * One query on a socket that `open` sets up, settled once: by its reply, an error or the timeout, whichever
 * comes first. `open` returns how to close the socket, which happens as it settles.
 */
function exchange(
  timeoutMs: number,
  timeoutMessage: string,
  open: (finish: Finish) => () => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let done = false;
    let close = (): void => {};
    const finish: Finish = (err, reply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new UpstreamError(timeoutMessage)), timeoutMs);
    try {
      close = open(finish);
    } catch (err) {
      finish(err as Error);
    }
  });
}
