/**
 * Upgrade requests of `pods/{name}/exec` and `pods/{name}/attach`: the client's WebSocket (v5 or v4
 * channel.k8s.io) is relayed frame by frame to the same request on the pod's node agent; their SPDY fallback is
 * refused with a Status kubectl prints. `pods/{name}/portforward` is served by pod-port-forward.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  ApiError,
  badRequest,
  internalError,
  isApiError,
  methodNotAllowed,
  unauthorized,
} from '../../api/errors.js';
import { CHANNEL_PROTOCOLS, offeredProtocols, pickProtocol } from '../../kubelet/server/channel.js';
import { parseRoute } from '../http/route.js';
import { admitConnect } from '../webhooks/request.js';
import { impersonatedUser, requestAttributes, type Attributes } from '../authz/index.js';
import type { AuditRecord } from '../audit/record.js';
import type { UserInfo } from '../config.js';
import { auditIdOf, decisionObserver } from '../http/handler.js';
import type { ApiContext } from '../rest/context.js';
import type { Clock } from '../../util/clock.js';
import { serveResourceProxyUpgrade } from './resource-proxy.js';
import { createTunnelServer, servePortForward } from './pod-port-forward.js';
import { agentUnreachable, rejectWithAgentAnswer } from './agent-refusal.js';
import { resolvePodNode, resolvePodTarget, type KubeletClientTls } from './pod-target.js';

const RELAYED_PARAMS = ['command', 'stdin', 'stdout', 'stderr', 'tty'];

/** An upgrade request's audit record, once the request is authenticated and the policy logs it. */
interface UpgradeAudit {
  receivedAt: number;
  record?: AuditRecord;
}

/** Audits an upgrade request; its first bytes out (the status line) mark the answer's start. */
function beginUpgradeAudit(
  ctx: ApiContext,
  req: IncomingMessage,
  socket: Socket,
  audit: UpgradeAudit,
  attrs: Attributes,
): AuditRecord | undefined {
  const record = ctx.audit?.begin({ req, auditId: auditIdOf(req), receivedAt: audit.receivedAt, attrs });
  if (!record) return undefined;
  audit.record = record;
  const write = socket.write.bind(socket);
  socket.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    socket.write = write;
    const head =
      typeof chunk === 'string' ? chunk.slice(0, 16) : Buffer.from(chunk.subarray(0, 16)).toString('latin1');
    const code = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
    if (code) record.started(Number(code));
    return write(chunk, ...rest);
  };
  return record;
}

function writeStatus(socket: Socket, err: unknown): void {
  const apiErr: ApiError = isApiError(err) ? err : internalError(err);
  const body = JSON.stringify(apiErr.status);
  const code = apiErr.status.code;
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${code} ${apiErr.status.reason ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Opens the agent's WebSocket; rejects with the agent's refusal as an API error. */
function dialAgent(url: string, protocol: string, tls: KubeletClientTls): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [protocol], { ca: tls.caPem, cert: tls.certPem, key: tls.keyPem });
    ws.once('open', () => {
      // Held until the client's side is up: output the agent sends at once must not be dropped.
      ws.pause();
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => rejectWithAgentAnswer(res, reject));
    ws.once('error', (err) => reject(agentUnreachable(err)));
  });
}

/** Codes a peer may not send in a close frame become a normal or an error close. */
function closeCode(code: number): number {
  if (code === 1005) return 1000;
  if (code === 1006 || code === 1015 || code < 1000 || code >= 5000) return 1011;
  return code;
}

function relay(client: WebSocket, agent: WebSocket): void {
  const forward = (to: WebSocket) => (data: RawData, isBinary: boolean) => {
    if (to.readyState === WebSocket.OPEN) to.send(data, { binary: isBinary });
  };
  client.on('message', forward(agent));
  agent.on('message', forward(client));
  const closeOther = (other: WebSocket) => (code: number, reason: Buffer) => {
    if (other.readyState === WebSocket.OPEN || other.readyState === WebSocket.CONNECTING)
      other.close(closeCode(code), reason);
  };
  client.on('close', closeOther(agent));
  agent.on('close', closeOther(client));
  client.on('error', () => agent.terminate());
  agent.on('error', () => client.terminate());
  agent.resume();
}

/** How long a refused WebSocket attempt is remembered for kubectl's SPDY retry of it. */
const REFUSAL_MEMORY_MS = 10_000;

/** Why the node agent refused recent WebSocket attempts, kept for the SPDY retry kubectl makes at once. */
class RecentRefusals {
  private readonly byAttempt = new Map<string, { err: Error; at: number }>();

  constructor(private readonly clock: Clock) {}

  remember(attempt: string, err: unknown): void {
    const now = this.clock.now();
    for (const [key, r] of this.byAttempt) if (now - r.at > REFUSAL_MEMORY_MS) this.byAttempt.delete(key);
    this.byAttempt.set(attempt, { err: err instanceof Error ? err : new Error(String(err)), at: now });
  }

  take(attempt: string): Error | undefined {
    const r = this.byAttempt.get(attempt);
    this.byAttempt.delete(attempt);
    return r && this.clock.now() - r.at <= REFUSAL_MEMORY_MS ? r.err : undefined;
  }
}

export interface UpgradeHandler {
  (req: IncomingMessage, socket: Socket, head: Buffer): void;
  /** Ends every relayed session (server shutdown): upgraded connections would keep the server open. */
  closeAll(): void;
}

export function createUpgradeHandler(
  ctx: ApiContext,
  tls: () => KubeletClientTls | undefined,
): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => pickProtocol(offered) ?? false,
  });
  const tunnels = createTunnelServer();
  const refusals = new RecentRefusals(ctx.clock);
  const upgraded = new Set<Socket>();
  const handler = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    const audit: UpgradeAudit = { receivedAt: ctx.audit ? performance.timeOrigin + performance.now() : 0 };
    socket.once('close', () => {
      upgraded.delete(socket);
      audit.record?.complete(false, 0);
    });
    handleUpgrade(ctx, tls(), { wss, tunnels, refusals }, req, socket, head, audit).catch((err: unknown) => {
      if (!isApiError(err))
        ctx.logger.error('upgrade failed', { url: req.url, error: String((err as Error)?.stack ?? err) });
      const status = (isApiError(err) ? err : internalError(err)).status;
      audit.record?.response(status.code, status);
      writeStatus(socket, err);
    });
  };
  return Object.assign(handler, {
    closeAll: () => {
      for (const socket of upgraded) socket.destroy();
    },
  });
}

async function handleUpgrade(
  ctx: ApiContext,
  tls: KubeletClientTls | undefined,
  { wss, tunnels, refusals }: { wss: WebSocketServer; tunnels: WebSocketServer; refusals: RecentRefusals },
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  audit: UpgradeAudit,
): Promise<void> {
  const url = new URL(`http://localhost${req.url?.startsWith('/') ? req.url : '/'}`);
  const route = parseRoute(url.pathname);
  if (ctx.closing)
    throw new ApiError(503, 'ServiceUnavailable', 'the server is shutting down', { causes: [] });
  // Only GET (WebSocket) and POST (SPDY) start a stream, as upstream; others would dodge the create check.
  if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
  const startAudit = (who: UserInfo): AuditRecord | undefined =>
    beginUpgradeAudit(ctx, req, socket, audit, requestAttributes(who, req.method ?? 'GET', url, route));
  let authenticated: UserInfo | undefined;
  try {
    authenticated = await ctx.authenticator.authenticate(req);
    if (!authenticated) throw unauthorized();
  } catch (err) {
    startAudit({ username: '', groups: [] })?.failedAuthentication(ctx.audit!.attemptedAuthentication(req));
    throw err;
  }
  const record = startAudit(authenticated);
  const user = impersonatedUser(ctx.authz.authorizer, authenticated, req);
  if (user !== authenticated) record?.impersonated(user);
  const attrs = requestAttributes(user, req.method ?? 'GET', url, route);
  await ctx.authz.require(attrs, record && decisionObserver(record));
  if (route.type === 'resource' && route.subresource === 'proxy' && route.proxyPath !== undefined) {
    return serveResourceProxyUpgrade(
      ctx,
      {
        resource: route.resource,
        namespace: route.namespace,
        name: route.name ?? '',
        path: route.proxyPath,
        // The query as the client wrote it: the target reads it, not us.
        search: req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '',
      },
      req,
      socket,
      head,
    );
  }
  // A WebSocket handshake is a GET, but what it starts is what SPDY's POST (create) starts: it needs create
  // too (upstream's AuthorizePodWebsocketUpgradeCreatePermission, on by default from 1.35).
  if (attrs.verb === 'get') await ctx.authz.require({ ...attrs, verb: 'create' });
  if (
    route.type !== 'resource' ||
    route.group !== '' ||
    route.resource !== 'pods' ||
    !route.namespace ||
    !route.name ||
    !route.subresource
  )
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', { causes: [] });
  const sub = route.subresource;
  await admitConnect(ctx, user, route.namespace, route.name, sub, url.searchParams);
  if (sub === 'portforward') {
    const target = await resolvePodNode(ctx, route.namespace, route.name);
    if (target.hollow || !tls)
      throw badRequest(`the node of pod ${route.name} runs no containers to forward ports to`);
    return servePortForward(tunnels, tls, target, req, socket, head);
  }
  if (sub !== 'exec' && sub !== 'attach') throw badRequest(`upgrade requests are not served for pods/${sub}`);
  const target = await resolvePodTarget(ctx, route.namespace, route.name, url.searchParams.get('container'));
  if (target.hollow || !tls)
    throw badRequest(`the node of pod ${route.name} runs no containers to ${sub} into`);
  const st = target.pod.status;
  const status = [
    ...(st?.containerStatuses ?? []),
    ...(st?.initContainerStatuses ?? []),
    ...(st?.ephemeralContainerStatuses ?? []),
  ].find((s) => s.name === target.container);
  if (!status?.state?.running)
    throw badRequest(`unable to upgrade connection: container not found ("${target.container}")`);
  // kubectl retries over SPDY after a refused WebSocket: checked after the pod so both attempts say the same,
  // and a refusal after that (by the node agent) is what the retry answers too, or kubectl would print only
  // that SPDY is not supported.
  const attempt = `${user.username}\n${route.namespace}/${route.name}/${target.container}/${sub}`;
  const isWebSocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!isWebSocket) {
    throw (
      refusals.take(attempt) ??
      badRequest(`${sub} needs a WebSocket (${CHANNEL_PROTOCOLS.join(' or ')}); SPDY is not supported`)
    );
  }
  const protocol = pickProtocol(offeredProtocols(req));
  if (!protocol) throw badRequest(`${sub} needs one of the subprotocols ${CHANNEL_PROTOCOLS.join(', ')}`);
  const params = new URLSearchParams();
  for (const p of RELAYED_PARAMS) for (const v of url.searchParams.getAll(p)) params.append(p, v);
  const path = [route.namespace, route.name, target.container].map(encodeURIComponent).join('/');
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  let agent: WebSocket;
  try {
    agent = await dialAgent(`wss://${host}:${target.port}/${sub}/${path}?${params}`, protocol, tls);
  } catch (err) {
    ctx.logger.warn('the node agent refused a stream', {
      pod: `${route.namespace}/${route.name}`,
      container: target.container,
      subresource: sub,
      error: err instanceof Error ? err.message : String(err),
    });
    refusals.remember(attempt, err);
    throw err;
  }
  if (socket.destroyed) {
    agent.terminate();
    return;
  }
  wss.handleUpgrade(req, socket, head, (client) => relay(client, agent));
}
