import { presentedCredentials } from '../auth/presented.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notAcceptable,
  serviceUnavailable,
  unauthorized,
} from '../../api/errors.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  legacyApiVersions,
  legacyGroup,
  legacyGroupList,
  legacyResourceList,
} from '../discovery.js';
import type { ApiContext, RequestScope } from '../rest/context.js';
import type { UserInfo } from '../config.js';
import { getObject, listObjects } from '../rest/read.js';
import { impersonatedUser, requestAttributes } from '../authz/index.js';
import { createReview } from '../rest/reviews.js';
import { createToken } from '../serviceaccount/token-request.js';
import { bindPod, evictPod, getScale, requireObjectBody, writeScale } from '../rest/subresources.js';
import { createObject, deleteCollection, deleteObject, patchObject, updateObject } from '../rest/write.js';
import {
  METRICS_GROUP,
  METRICS_VERSION,
  metricsLegacyGroup,
  serveMetrics,
  withMetricsGroup,
} from '../metrics/index.js';
import { VERSION_INFO } from '../version.js';
import { isJoinPath, serveNodeJoin } from '../join/endpoints.js';
import { servePodLog } from '../streaming/pod-log.js';
import { serveResourceProxy } from '../streaming/resource-proxy.js';
import { serveWatch } from '../watch/serve-watch.js';
import { decodeObjectBody, readBody } from './body.js';
import { negotiateDiscovery, negotiateFormat } from './negotiate.js';
import { serveOpenApiV2 } from './openapi-v2.js';
import { Responder } from './respond.js';
import { requestTarget, type RequestTarget } from './request-target.js';
import { routeOf, type ResourceRoute } from './route.js';
import { PARTIAL_UPDATE_SUBRESOURCES } from '../registry/types.js';
import type { DecisionObserver } from '../authz/index.js';
import type { AuditRecord } from '../audit/record.js';

const NOT_FOUND_MESSAGE = 'the server could not find the requested resource';

function routeNotFound(): ApiError {
  return new ApiError(404, 'NotFound', NOT_FOUND_MESSAGE, { causes: [] });
}

export interface HandlerOptions {
  /** host:port advertised by legacy discovery. */
  serverAddress: string;
}

/** When and as what a request arrived, for its audit event. */
interface Arrival {
  auditId: string;
  /** Epoch milliseconds with a fraction; 0 when nothing is audited. */
  receivedAt: number;
}

const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const NO_USER: UserInfo = { username: '', groups: [] };

export function createRequestHandler(ctx: ApiContext, opts: HandlerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Every answer names its request's audit ID (the client's own `Audit-ID`, else a new one), as upstream's.
    const auditId = auditIdOf(req);
    const out = new Responder(res, auditId);
    const arrival: Arrival = { auditId, receivedAt: 0 };
    if (ctx.audit) {
      arrival.receivedAt = performance.timeOrigin + performance.now();
      res.once('close', () => out.audit?.complete(res.headersSent, res.statusCode));
    }
    handle(ctx, opts, req, out, arrival).catch((err: unknown) => {
      if (!(err instanceof ApiError)) {
        ctx.logger.error('request failed', { url: req.url, error: String((err as Error)?.stack ?? err) });
      }
      try {
        if (!res.headersSent) out.error(err);
        else res.destroy();
      } catch (writeErr) {
        ctx.logger.error('could not answer a failed request', { url: req.url, error: String(writeErr) });
        res.destroy();
      }
    });
  };
}

/** The request's audit ID: the client's own `Audit-ID` header, else a new one. */
export function auditIdOf(req: IncomingMessage): string {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && given !== '' ? given : randomUUID();
}

async function handle(
  ctx: ApiContext,
  opts: HandlerOptions,
  req: IncomingMessage,
  out: Responder,
  arrival: Arrival,
): Promise<void> {
  const url = requestTarget(req.url);
  const route = routeOf(url.pathname);
  const method = req.method ?? 'GET';
  // Public as upstream's system:public-info-viewer makes them: the exact paths only (`/healthz/etcd` is not).
  const publicPath = route.type === 'version' || (route.type === 'health' && !route.subpath);
  if (publicPath) {
    // Served to anyone, as upstream serves them to system:anonymous; but credentials a request does present
    // must hold, as upstream's authentication fails a bad token before anonymous access is considered.
    let found: UserInfo | undefined;
    if (presentedCredentials(req).length > 0) {
      found = await (async () => ctx.authenticator.authenticate(req))().catch(() => undefined);
      if (!found) {
        if (ctx.audit) {
          beginAudit(ctx, req, out, arrival, requestAttributes(NO_USER, method, url, route));
          out.audit?.failedAuthentication(ctx.audit.attemptedAuthentication(req));
        }
        throw unauthorized();
      }
    }
    if (ctx.audit)
      beginAudit(ctx, req, out, arrival, requestAttributes(found ?? ANONYMOUS, method, url, route));
  }
  if (route.type === 'health' && publicPath)
    return health(ctx, out, route.check, url.searchParams.has('verbose'));
  if (route.type === 'version') return out.json(200, VERSION_INFO);
  if (ctx.closing) throw serviceUnavailable('the server is shutting down');
  if (isJoinPath(url.pathname) && (ctx.nodeJoin || ctx.replica)) {
    // An API worker process does not admit agents: they retry, on a new connection the main process may take.
    if (!ctx.nodeJoin) throw serviceUnavailable('agents join through the main server process: retry');
    return serveNodeJoin(ctx.nodeJoin, req, out, url.pathname);
  }

  let authenticated: UserInfo | undefined;
  try {
    const found = ctx.authenticator.authenticate(req);
    authenticated = found instanceof Promise ? await found : found;
    if (!authenticated) throw unauthorized();
  } catch (err) {
    if (ctx.audit) {
      beginAudit(ctx, req, out, arrival, requestAttributes(NO_USER, method, url, route));
      out.audit?.failedAuthentication(ctx.audit.attemptedAuthentication(req));
    }
    throw err;
  }
  if (ctx.audit) beginAudit(ctx, req, out, arrival, requestAttributes(authenticated, method, url, route));
  const user = impersonatedUser(ctx.authz.authorizer, authenticated, req);
  if (user !== authenticated) out.audit?.impersonated(user);
  const authorizing = ctx.authz.require(
    requestAttributes(user, method, url, route),
    out.audit && decisionObserver(out.audit),
  );
  if (authorizing) await authorizing;

  switch (route.type) {
    case 'health':
      return health(ctx, out, route.check, url.searchParams.has('verbose'));
    case 'oidc': {
      requireGet(method);
      const tokens = ctx.serviceAccountTokens;
      if (!tokens) throw routeNotFound();
      return route.doc === 'jwks'
        ? out.json(200, tokens.jwks(), 'application/jwk-set+json')
        : out.json(200, tokens.openIdConfiguration());
    }
    case 'root':
      return out.json(200, {
        paths: [
          '/api',
          '/api/v1',
          '/apis',
          '/healthz',
          '/livez',
          '/openapi/v2',
          '/openapi/v3',
          '/readyz',
          '/version',
        ],
      });
    case 'legacy-versions':
    case 'groups': {
      requireGet(method);
      const mode = negotiateDiscovery(req.headers.accept);
      const core = route.type === 'legacy-versions';
      const metrics = !core && ctx.metrics !== undefined;
      if (mode === 'legacy') {
        if (core) return out.json(200, legacyApiVersions(opts.serverAddress));
        const groups = legacyGroupList(ctx.registry);
        return out.json(200, metrics ? withMetricsGroup(groups, false) : groups);
      }
      const doc = aggregatedDiscovery(ctx.registry, core, mode);
      return out.json(200, metrics ? withMetricsGroup(doc, true) : doc, aggregatedContentType(mode));
    }
    case 'group': {
      requireGet(method);
      if (route.group === METRICS_GROUP && ctx.metrics) {
        return out.json(200, { kind: 'APIGroup', apiVersion: 'v1', ...metricsLegacyGroup() });
      }
      const g = legacyGroup(ctx.registry, route.group);
      if (!g) throw routeNotFound();
      return out.json(200, g);
    }
    case 'resource-list':
      requireGet(method);
      if (route.group === METRICS_GROUP && ctx.metrics) return metricsRoute(ctx, ctx.metrics, req, out, url);
      if (!ctx.registry.hasGroupVersion(route.group, route.version)) throw routeNotFound();
      return out.json(200, legacyResourceList(ctx.registry, route.group, route.version));
    case 'openapi-v3-index':
      if (!ctx.ext.openapi) throw routeNotFound();
      return out.json(200, ctx.ext.openapi.index());
    case 'openapi-v3-doc': {
      const doc = ctx.ext.openapi?.groupVersionDoc(route.key);
      if (!doc) throw routeNotFound();
      if (req.headers['if-none-match'] === doc.etag) {
        out.res.writeHead(304, { 'Audit-Id': out.auditId, ETag: doc.etag });
        out.res.end();
        return;
      }
      return out.send(200, doc.body, 'application/json', { ETag: doc.etag });
    }
    case 'openapi-v2': {
      requireGet(method);
      const v2 = await ctx.ext.openapi?.v2?.();
      if (!v2) throw routeNotFound();
      return serveOpenApiV2(v2, req, out);
    }
    case 'not-found':
      throw routeNotFound();
    case 'resource':
      if (route.group === METRICS_GROUP && ctx.metrics) return metricsRoute(ctx, ctx.metrics, req, out, url);
      return handleResource(ctx, req, out, route, url, user);
  }
}

/** Starts the request's audit record; a long-running request's ResponseStarted goes with its header. */
function beginAudit(
  ctx: ApiContext,
  req: IncomingMessage,
  out: Responder,
  arrival: Arrival,
  attrs: ReturnType<typeof requestAttributes>,
): void {
  const record = ctx.audit?.begin({ req, auditId: arrival.auditId, receivedAt: arrival.receivedAt, attrs });
  if (!record) return;
  out.audit = record;
  if (!record.longRunning) return;
  const res = out.res;
  const writeHead = res.writeHead.bind(res);
  res.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
    record.started(args[0]);
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}

/** Passes the authorizer's decision to the request's audit record. */
export function decisionObserver(record: AuditRecord): DecisionObserver {
  return (allowed, reason) => record.authorized(allowed, reason);
}

/** /healthz, /livez, /readyz: `ok`, or with ?verbose one line per check as upstream prints them. */
async function health(ctx: ApiContext, out: Responder, check: string, verbose: boolean): Promise<void> {
  const results: [string, boolean][] = [['ping', true]];
  let storeOk = true;
  try {
    await ctx.storage.currentResourceVersion();
  } catch {
    storeOk = false;
  }
  results.push(['etcd', storeOk]);
  if (check !== 'livez') results.push(['shutdown', !ctx.closing]);
  const passed = results.every(([, ok]) => ok);
  if (!verbose) return out.text(passed ? 200 : 503, passed ? 'ok' : `${check} check failed`);
  const lines = results.map(([name, ok]) => `[${ok ? '+' : '-'}]${name} ${ok ? 'ok' : 'failed'}`);
  lines.push(`${check} check ${passed ? 'passed' : 'failed'}`);
  return out.text(passed ? 200 : 503, lines.join('\n') + '\n');
}

async function metricsRoute(
  ctx: ApiContext,
  provider: NonNullable<ApiContext['metrics']>,
  req: IncomingMessage,
  out: Responder,
  url: RequestTarget,
): Promise<void> {
  const segments = url.pathname.replace(/\/$/, '').split('/').slice(1).map(decodeURIComponent);
  // ['apis', 'metrics.k8s.io', 'v1beta1', ...rest]
  if (segments[2] !== METRICS_VERSION) throw routeNotFound();
  const format = negotiateFormat(req.headers.accept) ?? { kind: 'json' };
  return serveMetrics(ctx, provider, {
    method: req.method ?? 'GET',
    rest: segments.slice(3),
    query: url.searchParams,
    format,
    out,
  });
}

function requireGet(method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
}

const STREAMING_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

async function handleResource(
  ctx: ApiContext,
  req: IncomingMessage,
  out: Responder,
  route: ResourceRoute,
  url: RequestTarget,
  user: UserInfo,
): Promise<void> {
  const served = ctx.registry.lookup(route.group, route.version, route.resource);
  if (!served) throw routeNotFound();
  const def = served.def;
  if (route.namespace !== undefined && !def.namespaced) throw routeNotFound();
  if (route.subresource && !def.subresources?.includes(route.subresource as never)) throw routeNotFound();
  if (served.alias?.warning) {
    out.warn(served.alias.warning);
    out.audit?.annotate('k8s.io/deprecated', 'true');
    if (served.alias.removedRelease)
      out.audit?.annotate('k8s.io/removed-release', served.alias.removedRelease);
  }

  const format = negotiateFormat(req.headers.accept);
  if (!format)
    throw notAcceptable(
      'only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io',
    );
  const query = url.searchParams;
  const scope: RequestScope = { served, query, user, out, format };
  if (req.headers['user-agent']) scope.userAgent = req.headers['user-agent'];
  if (route.namespace !== undefined) scope.namespace = route.namespace;
  if (route.name !== undefined) scope.name = route.name;
  if (route.subresource !== undefined) scope.subresource = route.subresource;
  const method = req.method ?? 'GET';
  const verbs = def.verbs;

  if (verbs && !verbs.includes('get')) {
    // create-only review kinds
    if (method !== 'POST' || route.name) throw methodNotAllowed();
    const body = await decodeObjectBody(
      req.headers['content-type'],
      await readBody(req),
      ctx.ext.decodeProtobuf,
      def.kind,
    );
    out.audit?.requestObject(body);
    return createReview(ctx, scope, body);
  }

  if (route.subresource && STREAMING_SUBRESOURCES.has(route.subresource)) {
    if (route.subresource === 'proxy' && route.proxyPath !== undefined && route.name !== undefined) {
      // The query as the client wrote it: the target reads it, not us.
      const rawUrl = req.url ?? '';
      const search = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?')) : '';
      return serveResourceProxy(
        ctx,
        {
          resource: route.resource,
          namespace: route.namespace,
          name: route.name,
          path: route.proxyPath,
          search,
        },
        req,
        out,
      );
    }
    if (
      route.subresource === 'log' &&
      route.namespace !== undefined &&
      (method === 'GET' || method === 'HEAD')
    )
      return servePodLog(ctx, ctx.kubeletClient, route.namespace, route.name!, query, req, out);
    const pod = await ctx.storage.mustGet(def, route.namespace, route.name!);
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!node) throw badRequest(`pod ${route.name} does not have a host assigned`);
    if (['exec', 'attach', 'portforward'].includes(route.subresource))
      throw badRequest('Upgrade request required');
    throw serviceUnavailable(`no node agent serves ${route.subresource} for pods on node ${node} yet`);
  }

  const isWatch = route.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
  if (def.strategy.beforeWrite && method !== 'GET' && method !== 'HEAD') await def.strategy.beforeWrite();
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatch) {
        if (route.subresource) throw methodNotAllowed();
        return serveWatch(ctx, scope, req);
      }
      if (!route.name) {
        if (route.subresource) throw routeNotFound();
        return listObjects(ctx, scope);
      }
      if (route.subresource === 'scale') return getScale(ctx, scope);
      return getObject(ctx, scope);
    case 'POST': {
      const raw = await readBody(req);
      if (route.name) {
        const body = requireObjectBody(
          await decodeObjectBody(req.headers['content-type'], raw, ctx.ext.decodeProtobuf, def.kind),
        );
        out.audit?.requestObject(body);
        if (route.subresource === 'binding') return bindPod(ctx, scope, body);
        if (route.subresource === 'eviction') return evictPod(ctx, scope, body);
        if (route.subresource === 'token') return createToken(ctx, scope, body);
        throw methodNotAllowed();
      }
      if (def.namespaced && route.namespace === undefined) throw routeNotFound();
      const body = await decodeObjectBody(req.headers['content-type'], raw, ctx.ext.decodeProtobuf, def.kind);
      out.audit?.requestObject(body);
      return createObject(ctx, scope, body);
    }
    case 'PUT': {
      if (!route.name) throw methodNotAllowed();
      const raw = await readBody(req);
      if (route.subresource === 'scale') {
        out.audit?.requestBody(raw, req.headers['content-type']);
        return writeScale(ctx, scope, 'PUT', req.headers['content-type'], raw);
      }
      if (
        route.subresource &&
        !['status', 'finalize', ...PARTIAL_UPDATE_SUBRESOURCES].includes(route.subresource)
      )
        throw methodNotAllowed();
      const body = await decodeObjectBody(req.headers['content-type'], raw, ctx.ext.decodeProtobuf, def.kind);
      out.audit?.requestObject(body);
      return updateObject(ctx, scope, body);
    }
    case 'PATCH': {
      if (!route.name) throw methodNotAllowed();
      const raw = await readBody(req);
      out.audit?.requestPatch(raw, req.headers['content-type']);
      if (route.subresource === 'scale')
        return writeScale(ctx, scope, 'PATCH', req.headers['content-type'], raw);
      if (route.subresource && !['status', ...PARTIAL_UPDATE_SUBRESOURCES].includes(route.subresource))
        throw methodNotAllowed();
      return patchObject(ctx, scope, req.headers['content-type'], raw);
    }
    case 'DELETE': {
      const raw = await readBody(req);
      if (raw.length > 0) out.audit?.requestBody(raw, req.headers['content-type']);
      if (route.subresource) throw methodNotAllowed();
      if (route.name) return deleteObject(ctx, scope, raw, req.headers['content-type']);
      return deleteCollection(ctx, scope, raw, req.headers['content-type']);
    }
    default:
      throw methodNotAllowed();
  }
}
