import { connect, createServer, type Server, type Socket } from 'node:net';
import { PeriodicTask } from '../util/periodic-task.js';
import type { Logger } from '../util/logger.js';
import { formatHostPort, parseHostPort } from './host-port.js';

export interface ServerLoadBalancerOptions {
  /** The server the agent was started with (`host:port`): always kept, and the first one tried. */
  defaultServer: string;
  /** Servers known from before (a restart): tried after the default one. */
  knownServers?: string[];
  /** Loopback port to listen on; 0 (the default) takes a free one. */
  port?: number;
  /** Called with the server list whenever it changes, to keep it across restarts. */
  persist?: (servers: string[]) => Promise<void>;
  logger: Logger;
  /** How long a connection to a server may take before the next server is tried (default 5 s). */
  dialTimeoutMs?: number;
  /** How often every server is probed (default 5 s). */
  healthCheckIntervalMs?: number;
}

const DEFAULT_DIAL_TIMEOUT_MS = 5000;
const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 5000;

/**
 * The agent's way to the API servers, as k3s's agent load balancer: a TCP listener on loopback whose connections
 * are relayed to one of the cluster's servers. Connections stick to the server that last answered; when it
 * cannot be reached the next one is tried, and when a probe finds it gone its connections are closed, so clients
 * (watches included) reconnect through another server. TLS passes through untouched: clients verify each
 * server's certificate against the name `127.0.0.1`, which every server certificate carries.
 */
export class ServerLoadBalancer {
  private readonly server: Server;
  private servers: string[];
  private current: string;
  /** Servers whose last probe or connection attempt failed: tried only when no other one answers. */
  private readonly failed = new Set<string>();
  private readonly relayed = new Map<string, Set<Socket>>();
  private readonly healthChecks: HealthChecks;
  private readonly dialTimeoutMs: number;
  private listenPort = 0;
  private closed = false;

  constructor(private readonly opts: ServerLoadBalancerOptions) {
    parseHostPort(opts.defaultServer);
    this.servers = uniqueServers(opts.defaultServer, opts.knownServers ?? []);
    this.current = opts.defaultServer;
    this.dialTimeoutMs = opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
    this.server = createServer({ noDelay: true }, (socket) => void this.relay(socket));
    this.healthChecks = new HealthChecks(
      this,
      opts.healthCheckIntervalMs ?? DEFAULT_HEALTH_CHECK_INTERVAL_MS,
    );
  }

  /** Listens on 127.0.0.1 and starts probing the servers; resolves to the port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port: this.opts.port ?? 0 }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    this.listenPort = typeof address === 'object' && address ? address.port : 0;
    this.healthChecks.start();
    this.opts.logger.info('relaying API connections', {
      listen: `127.0.0.1:${this.listenPort}`,
      servers: this.servers,
    });
    return this.listenPort;
  }

  /** The URL the agent's clients use: https://127.0.0.1:PORT. */
  get url(): string {
    return `https://127.0.0.1:${this.listenPort}`;
  }

  /** The servers connections may go to, the default one first. */
  get serverList(): readonly string[] {
    return this.servers;
  }

  /** The server new connections go to while it answers. */
  get currentServer(): string {
    return this.current;
  }

  /**
   * The cluster's servers as they are now (the `kubernetes` Endpoints). The default server stays; servers no
   * longer named lose their connections.
   */
  setServers(addresses: string[]): void {
    for (const a of addresses) parseHostPort(a);
    const next = uniqueServers(this.opts.defaultServer, addresses);
    if (sameList(next, this.servers)) return;
    const removed = this.servers.filter((s) => !next.includes(s));
    this.servers = next;
    this.opts.logger.info('API servers changed', { servers: next });
    for (const s of removed) {
      this.failed.delete(s);
      this.closeConnections(s, 'the server left the cluster');
    }
    if (!next.includes(this.current)) this.current = this.opts.defaultServer;
    void this.opts
      .persist?.(next)
      .catch((err: unknown) =>
        this.opts.logger.warn('cannot save the server list', { error: (err as Error).message }),
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.healthChecks.stop();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const server of [...this.relayed.keys()]) this.closeConnections(server);
    await closing;
  }

  /** Probes every server once; a server that does not answer loses its connections. */
  async probeServers(): Promise<void> {
    await Promise.all(
      this.servers.map(async (server) => {
        const socket = await this.dial(server).catch(() => undefined);
        if (socket) {
          socket.destroy();
          if (this.failed.delete(server)) this.opts.logger.info('API server answers again', { server });
          return;
        }
        if (!this.failed.has(server)) this.opts.logger.warn('API server does not answer', { server });
        this.failed.add(server);
        this.closeConnections(server, 'the server does not answer');
      }),
    );
  }

  /** The order in which servers are tried: the current one, the others that answer, then those that did not. */
  private candidates(): string[] {
    const start = Math.max(0, this.servers.indexOf(this.current));
    const rotated = [...this.servers.slice(start), ...this.servers.slice(0, start)];
    return [...rotated.filter((s) => !this.failed.has(s)), ...rotated.filter((s) => this.failed.has(s))];
  }

  private async relay(client: Socket): Promise<void> {
    client.on('error', () => client.destroy());
    for (const server of this.candidates()) {
      if (client.destroyed || this.closed) return;
      let upstream: Socket;
      try {
        upstream = await this.dial(server);
      } catch (err) {
        if (!this.failed.has(server)) {
          this.opts.logger.warn('cannot reach API server, trying the next', {
            server,
            error: (err as Error).message,
          });
        }
        this.failed.add(server);
        continue;
      }
      if (client.destroyed || this.closed) {
        upstream.destroy();
        return;
      }
      this.failed.delete(server);
      if (server !== this.current) {
        this.opts.logger.info('connections now go to another API server', { from: this.current, to: server });
        this.current = server;
      }
      this.track(server, client, upstream);
      return;
    }
    this.opts.logger.warn('no API server can be reached', { servers: this.servers });
    client.destroy();
  }

  private dial(server: string): Promise<Socket> {
    const { host, port } = parseHostPort(server);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const fail = (err: Error): void => {
        socket.destroy();
        reject(err);
      };
      socket.setTimeout(this.dialTimeoutMs, () =>
        fail(new Error(`no connection within ${this.dialTimeoutMs} ms`)),
      );
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', fail);
        resolve(socket);
      });
    });
  }

  private track(server: string, client: Socket, upstream: Socket): void {
    let sockets = this.relayed.get(server);
    if (!sockets) this.relayed.set(server, (sockets = new Set()));
    sockets.add(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      if (sockets.size === 0 && this.relayed.get(server) === sockets) this.relayed.delete(server);
    };
    upstream.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private closeConnections(server: string, why?: string): void {
    const sockets = this.relayed.get(server);
    if (!sockets?.size) return;
    if (why) this.opts.logger.info(`closing ${sockets.size} connection(s): ${why}`, { server });
    for (const socket of [...sockets]) socket.destroy();
  }
}

class HealthChecks extends PeriodicTask {
  constructor(
    private readonly balancer: ServerLoadBalancer,
    periodMs: number,
  ) {
    super(periodMs);
  }

  protected runTask(): Promise<void> {
    return this.balancer.probeServers();
  }
}

function uniqueServers(first: string, rest: string[]): string[] {
  const canonical = (s: string): string => formatHostPort(parseHostPort(s));
  return [...new Set([canonical(first), ...rest.map(canonical)])];
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
