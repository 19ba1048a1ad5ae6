/**
 * The node agent's HTTPS endpoint (the kubelet's port 10250): container logs, exec and attach over WebSocket
 * channel.k8s.io, port-forward over SPDY/3.1, and /metrics/resource. Only clients with a certificate from the
 * cluster CA whose common name is allowed (the API server's kubelet client) get in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { RuntimeService } from '../cri/services.js';
import type { ContainerStatus } from '../cri/types.js';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from '../labels.js';
import { realClock, type Clock } from '../../util/clock.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { offeredProtocols, pickProtocol } from './channel.js';
import { PORT_FORWARD_PROTOCOL, servePortForwardSession } from './port-forward-session.js';
import { runStreamSession, type StreamRequest } from './stream-session.js';
import { LogOptionsError, parseLogOptions, readLogs } from './log-reader.js';
import { collectResourceMetrics, readNodeUsage, type NodeUsage } from './resource-metrics.js';

/** The common name of the API server's client certificate for node agents (kubeadm's name). */
export const KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';

export interface AgentServerOptions {
  runtime: RuntimeService;
  tls: { certPem: string; keyPem: string; caPem: string };
  /** Client certificate common names let in; default the API server's kubelet client. */
  allowedClients?: string[];
  port: number;
  bindAddress?: string;
  clock?: Clock;
  logger?: Logger;
  nodeUsage?: () => Promise<NodeUsage>;
  logPollMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** `/{kind}/{ns}/{pod}/{container}` → its parts. */
function podPath(
  path: string,
  kind: string,
): { namespace: string; pod: string; container: string } | undefined {
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  if (parts.length !== 4 || parts[0] !== kind || parts.some((p) => p === '')) return undefined;
  return { namespace: parts[1]!, pod: parts[2]!, container: parts[3]! };
}

/** `/portForward/{ns}/{pod}` → its parts (upstream's kubelet path). */
function portForwardPath(path: string): { namespace: string; pod: string } | undefined {
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  if (parts.length !== 3 || parts[0] !== 'portForward' || parts.some((p) => p === '')) return undefined;
  return { namespace: parts[1]!, pod: parts[2]! };
}

/** The instances of a container, for a log line. */
function describeInstances(target: object, instances: ContainerStatus[]): Record<string, unknown> {
  return {
    ...target,
    instances: instances.map((c) => ({
      id: c.id,
      state: c.state,
      attempt: c.metadata.attempt,
      createdAt: c.createdAt,
      ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
      podUid: c.labels[POD_UID_LABEL],
    })),
  };
}

export class AgentServer {
  private readonly server: Server;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => pickProtocol(offered) ?? false,
  });
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly allowed: Set<string>;
  private readonly aborts = new Set<AbortController>();
  private readonly forwardSockets = new Set<Socket>();
  port = 0;

  constructor(private readonly opts: AgentServerOptions) {
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.allowed = new Set(opts.allowedClients ?? [KUBELET_CLIENT_CN]);
    this.server = createServer({
      cert: opts.tls.certPem,
      key: opts.tls.keyPem,
      ca: opts.tls.caPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    // The kubelet's idle timeout: the metrics scraper's connection (one TLS handshake) outlives its 15 s pause.
    this.server.keepAliveTimeout = 90_000;
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.upgrade(req, socket, head).catch((err: unknown) => {
        const code = err instanceof HttpError ? err.code : 500;
        const msg = err instanceof Error ? err.message : String(err);
        socket.end(
          `HTTP/1.1 ${code} Error\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(msg)}\r\nConnection: close\r\n\r\n${msg}`,
        );
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.bindAddress ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const a of this.aborts) a.abort();
    for (const ws of this.wss.clients) ws.terminate();
    for (const s of this.forwardSockets) s.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private authorize(req: IncomingMessage): void {
    const socket = req.socket as TLSSocket;
    const cn = socket.authorized ? socket.getPeerCertificate()?.subject?.CN : undefined;
    const name = Array.isArray(cn) ? cn[0] : cn;
    if (!name || !this.allowed.has(name))
      throw new HttpError(403, 'Forbidden: client certificate not allowed');
  }

  private fail(res: ServerResponse, err: unknown): void {
    const code = err instanceof HttpError ? err.code : 500;
    if (code === 500)
      this.logger.warn('agent request failed', { error: String((err as Error)?.stack ?? err) });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .writeHead(code, { 'content-type': 'text/plain; charset=utf-8' })
      .end(err instanceof Error ? err.message : String(err));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.authorize(req);
    const url = new URL(`http://agent${req.url ?? '/'}`);
    if (req.method !== 'GET') throw new HttpError(405, 'Method Not Allowed');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/metrics/resource') {
      const body = await collectResourceMetrics(
        this.opts.runtime,
        this.opts.nodeUsage ?? readNodeUsage,
        this.clock.now(),
      );
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      return;
    }
    const logTarget = podPath(url.pathname, 'containerLogs');
    if (logTarget) return this.containerLogs(logTarget, url.searchParams, req, res);
    if (podPath(url.pathname, 'exec') || podPath(url.pathname, 'attach') || portForwardPath(url.pathname))
      throw new HttpError(400, 'Upgrade request required');
    throw new HttpError(404, '404 page not found');
  }

  /** The pod's instances of the container, newest first. */
  private async containers(t: {
    namespace: string;
    pod: string;
    container: string;
  }): Promise<ContainerStatus[]> {
    const list = await this.opts.runtime.listContainers({
      labelSelector: {
        [POD_NAMESPACE_LABEL]: t.namespace,
        [POD_NAME_LABEL]: t.pod,
        [CONTAINER_NAME_LABEL]: t.container,
      },
    });
    list.sort((a, b) => b.createdAt - a.createdAt);
    const out: ContainerStatus[] = [];
    for (const c of list) {
      const s = await this.opts.runtime.containerStatus(c.id).catch(() => undefined);
      if (s) out.push(s);
    }
    return out;
  }

  private async containerLogs(
    t: { namespace: string; pod: string; container: string },
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let opts;
    try {
      opts = parseLogOptions(query, this.clock.now());
    } catch (err) {
      if (err instanceof LogOptionsError) throw new HttpError(400, err.message);
      throw err;
    }
    const previous = query.get('previous') === 'true' || query.get('previous') === '1';
    const instances = await this.containers(t);
    // The API server names the instance it read from the pod status; without it, newest (or the one before).
    const wanted = query.get('containerID');
    const target = wanted ? instances.find((c) => c.id === wanted) : previous ? instances[1] : instances[0];
    if (!target) {
      throw new HttpError(
        404,
        previous
          ? `previous terminated container "${t.container}" in pod "${t.pod}" not found`
          : `container "${t.container}" in pod "${t.pod}" is not available`,
      );
    }
    const abort = new AbortController();
    this.aborts.add(abort);
    req.on('close', () => abort.abort());
    try {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'transfer-encoding': 'chunked' });
      // A follow request's headers go out at once: the client waits for them before any line arrives.
      res.flushHeaders();
      const follow = opts.follow && !previous;
      await readLogs(target.logPath, { ...opts, follow }, (chunk) => res.write(chunk), {
        running: async () => {
          const s = await this.opts.runtime.containerStatus(target.id).catch(() => undefined);
          return s?.state === 'running' || s?.state === 'created';
        },
        signal: abort.signal,
        ...(this.opts.logPollMs ? { pollMs: this.opts.logPollMs } : {}),
      }).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      });
      res.end();
    } finally {
      this.aborts.delete(abort);
    }
  }

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    this.authorize(req);
    const url = new URL(`http://agent${req.url ?? '/'}`);
    if (url.pathname.startsWith('/portForward/')) return this.portForward(req, socket, head, url);
    const kind = url.pathname.startsWith('/exec/')
      ? 'exec'
      : url.pathname.startsWith('/attach/')
        ? 'attach'
        : undefined;
    const target = kind ? podPath(url.pathname, kind) : undefined;
    if (!kind || !target) throw new HttpError(404, '404 page not found');
    if (!pickProtocol(offeredProtocols(req)))
      throw new HttpError(
        400,
        'unsupported streaming protocol: offer v5.channel.k8s.io or v4.channel.k8s.io',
      );
    const q = url.searchParams;
    const flag = (name: string): boolean => q.get(name) === 'true' || q.get(name) === '1';
    const request: StreamRequest = {
      kind,
      command: q.getAll('command'),
      stdin: flag('stdin'),
      stdout: flag('stdout'),
      stderr: flag('stderr'),
      tty: flag('tty'),
    };
    if (kind === 'exec' && request.command.length === 0)
      throw new HttpError(400, 'you must specify at least one command for the container');
    if (!request.stdin && !request.stdout && !request.stderr)
      throw new HttpError(400, 'you must specify at least one of stdin, stdout, stderr');
    const instances = await this.containers(target);
    // As upstream (the kubelet looks among running containers only): the newest running instance, so a newer
    // one that is being created or has exited does not hide it; none running, the newest tells why.
    const current = instances.find((c) => c.state === 'running') ?? instances[0];
    if (!current)
      throw new HttpError(404, `container "${target.container}" in pod "${target.pod}" not found`);
    if (current.state !== 'running') {
      this.logger.warn(
        'refused a stream: the container is not running',
        describeInstances(target, instances),
      );
      throw new HttpError(400, `container ${target.container} is not running (state: ${current.state})`);
    }
    if (current !== instances[0]) {
      this.logger.warn(
        'a newer instance of the container is not running',
        describeInstances(target, instances),
      );
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void runStreamSession(ws, this.opts.runtime, current.id, request, this.logger);
    });
  }

  /** Plain SPDY/3.1 upgrade (the API server relays kubectl's tunnel or its own SPDY connection here). */
  private async portForward(req: IncomingMessage, socket: Socket, head: Buffer, url: URL): Promise<void> {
    const target = portForwardPath(url.pathname);
    if (!target) throw new HttpError(404, '404 page not found');
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1')
      throw new HttpError(400, 'port-forward needs an Upgrade: SPDY/3.1 request');
    const offered = String(req.headers['x-stream-protocol-version'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (!offered.includes(PORT_FORWARD_PROTOCOL))
      throw new HttpError(
        403,
        `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`,
      );
    const uid = url.searchParams.get('uid');
    const sandboxes = await this.opts.runtime.listPodSandbox({
      state: 'ready',
      labelSelector: {
        [POD_NAMESPACE_LABEL]: target.namespace,
        [POD_NAME_LABEL]: target.pod,
        ...(uid ? { [POD_UID_LABEL]: uid } : {}),
      },
    });
    const sandbox = sandboxes.sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!sandbox)
      throw new HttpError(404, `pod "${target.pod}" in namespace "${target.namespace}" not found`);
    if (socket.destroyed) return;
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    if (head.length > 0) socket.unshift(head);
    socket.setNoDelay(true);
    this.forwardSockets.add(socket);
    socket.once('close', () => this.forwardSockets.delete(socket));
    const runtime = this.opts.runtime;
    servePortForwardSession(socket, {
      forward: (port, stream) => runtime.portForward(sandbox.id, port, stream),
      pod: `${target.namespace}/${target.pod}`,
      podUid: sandbox.labels[POD_UID_LABEL] ?? '',
      logger: this.logger,
    });
  }
}
