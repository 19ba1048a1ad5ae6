/**
 * The `proxy` subresources (what `kubectl proxy` users browse and `kubectl get --raw` reaches): the API server
 * forwards a request to a pod's address, to one of a Service's ready endpoints, or to a node agent's HTTPS
 * endpoint. The name may carry a port and a scheme, `[http|https:]NAME[:PORT]`, as upstream's. The caller's
 * credentials stay here (Authorization and Impersonate-* headers are not passed on); bodies stream both ways.
 * Upgrade requests (WebSocket) arrive at the upgrade handler (pod-stream.ts), which relays them here to the
 * same targets (serveResourceProxyUpgrade), as upstream's upgrade-aware proxy does.
 */
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { badRequest, serviceUnavailable } from '../../api/errors.js';
import type { Duplex } from 'node:stream';
import { endToEndHeaders } from '../../util/hop-by-hop.js';
import { relayUpgrade } from '../../util/upgrade-relay.js';
import type { Responder } from '../http/respond.js';
import type { ApiContext } from '../rest/context.js';
import type { KubeletClientTls } from './pod-target.js';

interface ProxyTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** For node agents: the API server's client certificate and the cluster CA. */
  tls?: KubeletClientTls;
}

/** Upstream's SplitSchemeNamePort: `name`, `name:port` or `scheme:name:port`. */
export function splitSchemeNamePort(spec: string): { scheme: string; name: string; port: string } {
  const parts = spec.split(':');
  if (parts.length === 1) return { scheme: '', name: spec, port: '' };
  if (parts.length === 2) return { scheme: '', name: parts[0]!, port: parts[1]! };
  if (parts.length === 3 && (parts[0] === 'http' || parts[0] === 'https'))
    return { scheme: parts[0], name: parts[1]!, port: parts[2]! };
  throw badRequest(`invalid proxy name ${JSON.stringify(spec)}: use [scheme:]name[:port]`);
}

export interface ProxyRequest {
  resource: string;
  namespace: string | undefined;
  name: string;
  path: string;
  search: string;
}

export async function serveResourceProxy(
  ctx: ApiContext,
  p: ProxyRequest,
  req: IncomingMessage,
  out: Responder,
): Promise<void> {
  await forward(req, out, await resolveTarget(ctx, p), `${p.path}${p.search}`);
}

/** An upgrade request (WebSocket) through the proxy: relayed to the target, then bytes both ways. */
export async function serveResourceProxyUpgrade(
  ctx: ApiContext,
  p: ProxyRequest,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): Promise<void> {
  const target = await resolveTarget(ctx, p);
  const headers = forwardedHeaders(req);
  headers.connection = 'Upgrade';
  if (req.headers.upgrade) headers.upgrade = req.headers.upgrade;
  const upstream = send(target, req.method ?? 'GET', `${p.path}${p.search}`, headers);
  await new Promise<void>((resolve, reject) => {
    upstream.once('upgrade', () => resolve());
    upstream.once('response', () => resolve());
    relayUpgrade(upstream, client, head, (err) => reject(unreachable(target, err)));
    req.pipe(upstream);
  });
}

function resolveTarget(ctx: ApiContext, p: ProxyRequest): Promise<ProxyTarget> {
  const spec = splitSchemeNamePort(p.name);
  return p.resource === 'pods'
    ? podTarget(ctx, p.namespace ?? '', spec)
    : p.resource === 'services'
      ? serviceTarget(ctx, p.namespace ?? '', spec)
      : nodeTarget(ctx, spec);
}

function schemeOf(spec: { scheme: string }): 'http' | 'https' {
  return spec.scheme === 'https' ? 'https' : 'http';
}

/** Upstream: the given port (a number, or a container port's name), else the first container port, else 80. */
async function podTarget(
  ctx: ApiContext,
  namespace: string,
  spec: { scheme: string; name: string; port: string },
) {
  const pod = (await ctx.storage.mustGet(ctx.registry.mustGet('', 'pods'), namespace, spec.name)) as Pod;
  const ip = pod.status?.podIP;
  if (!ip) throw serviceUnavailable(`pod ${spec.name} has no IP address yet`);
  const ports = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  let port = 80;
  if (/^\d+$/.test(spec.port)) port = Number(spec.port);
  else if (spec.port) {
    const named = ports.find((cp) => cp.name === spec.port);
    if (!named) throw badRequest(`pod ${spec.name} has no container port named ${JSON.stringify(spec.port)}`);
    port = named.containerPort;
  } else if (ports[0]) port = ports[0].containerPort;
  return { scheme: schemeOf(spec), host: ip, port } satisfies ProxyTarget;
}

/** Upstream: the Service port by name or number (the unnamed one when none is given), then a ready endpoint of it. */
async function serviceTarget(
  ctx: ApiContext,
  namespace: string,
  spec: { scheme: string; name: string; port: string },
): Promise<ProxyTarget> {
  const svc = (await ctx.storage.mustGet(
    ctx.registry.mustGet('', 'services'),
    namespace,
    spec.name,
  )) as Service;
  const svcPort = (svc.spec?.ports ?? []).find(
    (sp) => (sp.name ?? '') === spec.port || String(sp.port) === spec.port,
  );
  if (!svcPort)
    throw serviceUnavailable(`no service port ${JSON.stringify(spec.port)} found for service "${spec.name}"`);
  const eps = (await ctx.storage.get(ctx.registry.mustGet('', 'endpoints'), namespace, spec.name)) as
    Endpoints | undefined;
  const candidates: { ip: string; port: number }[] = [];
  for (const subset of eps?.subsets ?? []) {
    const port = (subset.ports ?? []).find((ep) => (ep.name ?? '') === (svcPort.name ?? ''));
    if (!port) continue;
    for (const a of subset.addresses ?? []) candidates.push({ ip: a.ip, port: port.port });
  }
  const chosen = candidates[Math.floor(Math.random() * candidates.length)];
  if (!chosen) throw serviceUnavailable(`no endpoints available for service "${spec.name}"`);
  return { scheme: schemeOf(spec), host: chosen.ip, port: chosen.port };
}

/** The node agent's HTTPS endpoint (or the given port), with the API server's client certificate. */
async function nodeTarget(
  ctx: ApiContext,
  spec: { scheme: string; name: string; port: string },
): Promise<ProxyTarget> {
  const node = (await ctx.storage.mustGet(ctx.registry.mustGet('', 'nodes'), undefined, spec.name)) as Node;
  const addresses = node.status?.addresses ?? [];
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses[0])?.address;
  const port = spec.port ? Number(spec.port) : node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port || !Number.isInteger(port))
    throw serviceUnavailable(`node ${spec.name} reports no agent endpoint`);
  if (!ctx.kubeletClient)
    throw serviceUnavailable('this API server has no client credentials for node agents');
  return { scheme: 'https', host, port, tls: ctx.kubeletClient };
}

/** The request's headers as the target gets them: the caller's credentials are for this server, not the target. */
function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers = endToEndHeaders(
    req.headers,
    (name) => name === 'authorization' || name === 'host' || name.startsWith('impersonate-'),
  );
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  return headers;
}

function send(
  target: ProxyTarget,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
): ClientRequest {
  const options = {
    host: target.host,
    port: target.port,
    method,
    path,
    headers,
    timeout: 30_000,
    ...(target.tls
      ? { ca: target.tls.caPem, cert: target.tls.certPem, key: target.tls.keyPem }
      : // Pods and Services serve their own certificates, which the API server cannot check (as upstream).
        { rejectUnauthorized: false }),
  };
  const upstream = (target.scheme === 'https' ? httpsRequest : httpRequest)(options);
  upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
  return upstream;
}

function unreachable(target: ProxyTarget, err: Error): Error {
  return serviceUnavailable(`error trying to reach ${target.host}:${target.port}: ${err.message}`);
}

function forward(req: IncomingMessage, out: Responder, target: ProxyTarget, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const upstream = send(target, req.method ?? 'GET', path, forwardedHeaders(req));
    upstream.on('response', (answer) => {
      upstream.setTimeout(0);
      const res = out.res;
      res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (out.res.headersSent) {
        out.res.destroy();
        resolve();
      } else reject(unreachable(target, err));
    });
    out.res.on('close', () => {
      if (!out.res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
}
