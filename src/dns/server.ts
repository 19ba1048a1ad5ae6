/**
 * The DNS listeners: UDP and TCP on one address and port. TCP carries each message behind its 2-byte length
 * (RFC 1035 4.2.2) and a connection may send several queries, answered as each is ready (RFC 7766 allows any
 * order); idle connections close after a while.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import type { Transport } from './resolver.js';

export type QueryHandler = (message: Buffer, transport: Transport) => Promise<Buffer | undefined>;

export interface DnsListenerOptions {
  address: string;
  /** 0 picks a free port, the same for UDP and TCP. */
  port: number;
  handler: QueryHandler;
  logger: Logger;
  /** A TCP connection without a query for this long is closed (default 10 s). */
  tcpIdleMs?: number;
}

const MAX_TCP_BUFFER = 65535 + 2;
const BIND_ATTEMPTS = 5;

export class DnsListener {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly opts: DnsListenerOptions) {}

  get address(): string {
    return this.opts.address;
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<void> {
    // With port 0 the kernel picks the TCP port; the same one may be taken for UDP, so try again if needed.
    for (let attempt = 1; ; attempt++) {
      const tcp = await this.listenTcp(this.opts.port);
      const port = (tcp.address() as { port: number }).port;
      try {
        this.udp = await this.bindUdp(port);
        this.tcp = tcp;
        this.boundPort = port;
        return;
      } catch (err) {
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        if (this.opts.port !== 0 || attempt >= BIND_ATTEMPTS) throw err;
      }
    }
  }

  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.connections) c.destroy();
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
    ]);
  }

  private listenTcp(port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.serveConnection(socket));
      server.once('error', reject);
      server.listen({ host: this.opts.address, port }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.logger.warn('DNS TCP listener error', { error: err.message }));
        resolve(server);
      });
    });
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket(isIPv6(this.opts.address) ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind({ address: this.opts.address, port, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.opts.logger.warn('DNS UDP socket error', { error: err.message }));
        socket.on('message', (msg, peer) => {
          void this.answer(msg, 'udp').then((reply) => {
            if (reply && this.udp === socket) socket.send(reply, peer.port, peer.address);
          });
        });
        resolve(socket);
      });
    });
  }

  private serveConnection(socket: Socket): void {
    this.connections.add(socket);
    socket.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const size = buffered.readUInt16BE(0);
        if (buffered.length < size + 2) break;
        const message = Buffer.from(buffered.subarray(2, size + 2));
        buffered = buffered.subarray(size + 2);
        void this.answer(message, 'tcp').then((reply) => {
          if (!reply || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([length, reply]));
        });
      }
      if (buffered.length > MAX_TCP_BUFFER) socket.destroy();
    });
  }

  private async answer(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    try {
      return await this.opts.handler(message, transport);
    } catch (err) {
      // The handler answers every failure itself; this is a bug, not a reason to stop serving.
      this.opts.logger.error('DNS query failed', { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }
}
