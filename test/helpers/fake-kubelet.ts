import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A kubelet's /metrics/resource on loopback that counts connections and can reset reused ones. */
export class FakeKubelet {
  connections = 0;
  /** Destroy a connection when a second request arrives on it, as a kubelet closing an idle one just then would. */
  resetReused = false;
  /** Answer each scrape this long after it arrived. */
  answerAfterMs = 0;
  /** When each scrape arrived (performance.now()). */
  readonly arrivals: number[] = [];
  private readonly requestsOn = new WeakMap<Socket, number>();
  private readonly startedMs = Date.now();
  readonly server: Server = createServer((req, res) => {
    this.arrivals.push(performance.now());
    const seen = (this.requestsOn.get(req.socket) ?? 0) + 1;
    this.requestsOn.set(req.socket, seen);
    if (this.resetReused && seen > 1) {
      req.socket.destroy();
      return;
    }
    setTimeout(() => {
      const now = Date.now();
      res.end(
        `node_cpu_usage_seconds_total ${((now - this.startedMs) / 1000) * 0.25} ${now}\n` +
          `node_memory_working_set_bytes 1048576 ${now}\n`,
      );
    }, this.answerAfterMs);
  });

  async listen(): Promise<number> {
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
