import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { indexOfLoopback } from './node-object.js';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/**
 * One HTTP server answering `/metrics/resource` for every hollow node; the node is the socket's local
 * address (each node advertises its own 127.x.y.z InternalIP). Linux routes all of 127.0.0.0/8 to lo, but a
 * socket bound to 127.0.0.1 only accepts 127.0.0.1, so on Linux this listens on the wildcard address and drops
 * every connection that does not come from and go to a loopback address. Elsewhere only 127.0.0.1 is
 * configured and the endpoint serves node 0 only.
 */
export class KubeletEndpoint {
  private server: Server | undefined;
  port = 0;

  constructor(private readonly render: (index: number) => string | undefined) {}

  async listen(port: number): Promise<number> {
    const wildcard = process.platform === 'linux';
    const server = createServer((req, res) => {
      const index = indexOfLoopback(req.socket.localAddress ?? '') ?? (wildcard ? undefined : 0);
      const path = (req.url ?? '').split('?')[0];
      const body = index !== undefined && path === '/metrics/resource' ? this.render(index) : undefined;
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
    });
    server.on('connection', (socket) => {
      if (!isLoopback(socket.remoteAddress) || !isLoopback(socket.localAddress)) socket.destroy();
    });
    // As the kubelet's server (90 s idle timeout): longer than the metrics scraper's pause between two scrapes.
    server.keepAliveTimeout = 90_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, wildcard ? '0.0.0.0' : '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
