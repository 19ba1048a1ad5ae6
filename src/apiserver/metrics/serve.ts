import { ApiError, methodNotAllowed, notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import type { ResponseFormat } from '../http/negotiate.js';
import type { Responder } from '../http/respond.js';
import type { ApiContext } from '../rest/context.js';
import { selectionPredicate } from '../rest/selectors.js';
import { METRICS_GROUP, METRICS_VERSION, metricsResourceList } from './discovery.js';
import type { MetricsProvider, NodeUsagePoint, PodUsagePoint } from './provider.js';

const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

export interface MetricsRequest {
  method: string;
  /** Path segments after /apis/metrics.k8s.io/v1beta1 (e.g. ['namespaces', 'ns', 'pods', 'web-1']). */
  rest: string[];
  query: URLSearchParams;
  format: ResponseFormat;
  out: Responder;
}

function routeNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', { causes: [] });
}

/** Serves GET /apis/metrics.k8s.io/v1beta1/... from the provider, joined with the stored Nodes and Pods. */
export async function serveMetrics(
  ctx: ApiContext,
  provider: MetricsProvider,
  req: MetricsRequest,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
  const rest = req.rest;
  if (rest.length === 0) return req.out.json(200, metricsResourceList());
  if (req.query.get('watch') === 'true' || req.query.get('watch') === '1') throw methodNotAllowed();
  let namespace: string | undefined;
  let parts = rest;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [resource, name, ...extra] = parts;
  if (extra.length > 0) throw routeNotFound();
  if (resource === 'nodes' && namespace === undefined) return serveNodes(ctx, provider, req, name);
  if (resource === 'pods') return servePods(ctx, provider, req, namespace, name);
  throw routeNotFound();
}

const quantityCell = (q: string | undefined): string => q ?? '';

async function serveNodes(
  ctx: ApiContext,
  provider: MetricsProvider,
  req: MetricsRequest,
  name: string | undefined,
): Promise<void> {
  const def = ctx.registry.mustGet('', 'nodes');
  const gr = { group: METRICS_GROUP, resource: 'nodes' };
  if (name !== undefined) {
    const node = await ctx.storage.get(def, undefined, name);
    const point = node ? (await provider.getNodeMetrics([name]))[0] : undefined;
    if (!node || !point) throw notFound(gr, name);
    return respond(req, nodeMetrics(node, point));
  }
  const predicate = selectionPredicate(ctx, def, req.query);
  const nodes = (await ctx.storage.list(def, predicate ? { predicate } : {})).items;
  const points = await provider.getNodeMetrics(nodes.map((n) => n.metadata.name));
  const items = nodes.flatMap((n, i) => {
    const p = points[i];
    return p ? [nodeMetrics(n, p)] : [];
  });
  return respondList(req, items, 'NodeMetricsList');
}

async function servePods(
  ctx: ApiContext,
  provider: MetricsProvider,
  req: MetricsRequest,
  namespace: string | undefined,
  name: string | undefined,
): Promise<void> {
  const def = ctx.registry.mustGet('', 'pods');
  const gr = { group: METRICS_GROUP, resource: 'pods' };
  if (name !== undefined) {
    if (namespace === undefined) throw routeNotFound();
    const pod = await ctx.storage.get(def, namespace, name);
    const point = pod ? (await provider.getPodMetrics([{ namespace, name }]))[0] : undefined;
    if (!pod || !point) throw notFound(gr, name);
    return respond(req, podMetrics(pod, point));
  }
  const predicate = selectionPredicate(ctx, def, req.query);
  const pods = (
    await ctx.storage.list(def, {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(predicate ? { predicate } : {}),
    })
  ).items;
  const points = await provider.getPodMetrics(
    pods.map((p) => ({ namespace: p.metadata.namespace ?? '', name: p.metadata.name })),
  );
  const items = pods.flatMap((p, i) => {
    const point = points[i];
    return point ? [podMetrics(p, point)] : [];
  });
  return respondList(req, items, 'PodMetricsList');
}

function metadataOf(obj: KubeObject): Record<string, unknown> {
  const m = obj.metadata ?? {};
  const out: Record<string, unknown> = { name: m.name };
  if (m.namespace) out.namespace = m.namespace;
  out.creationTimestamp = m.creationTimestamp;
  if (m.labels) out.labels = m.labels;
  return out;
}

function windowText(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
}

function nodeMetrics(node: KubeObject, p: NodeUsagePoint): KubeObject {
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: metadataOf(node),
    timestamp: rfc3339(p.timestampMs),
    window: windowText(p.windowMs),
    usage: { cpu: p.usage.cpu, memory: p.usage.memory },
  };
}

function podMetrics(pod: KubeObject, p: PodUsagePoint): KubeObject {
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: metadataOf(pod),
    timestamp: rfc3339(p.timestampMs),
    window: windowText(p.windowMs),
    containers: p.containers.map((c) => ({
      name: c.name,
      usage: { cpu: c.usage.cpu, memory: c.usage.memory },
    })),
  };
}

function respond(req: MetricsRequest, obj: KubeObject): void {
  if (req.format.kind === 'table') return req.out.json(200, table([obj], req.format.version));
  if (req.format.kind === 'yaml') return req.out.yaml(200, obj);
  return req.out.json(200, obj);
}

function respondList(req: MetricsRequest, items: KubeObject[], kind: string): void {
  if (req.format.kind === 'table') return req.out.json(200, table(items, req.format.version));
  const list = { kind, apiVersion: API_VERSION, metadata: {}, items };
  if (req.format.kind === 'yaml') return req.out.yaml(200, list);
  return req.out.json(200, list);
}

/** A plain Table for `kubectl get nodemetrics/podmetrics` (kubectl top itself asks for JSON). */
function table(items: KubeObject[], version: 'v1' | 'v1beta1'): unknown {
  const usageOf = (o: KubeObject): { cpu?: string; memory?: string } => {
    const u = (o as { usage?: { cpu?: string; memory?: string } }).usage;
    if (u) return u;
    const containers = (o as { containers?: { usage?: { cpu?: string; memory?: string } }[] }).containers;
    return {
      cpu: containers?.map((c) => c.usage?.cpu).join(','),
      memory: containers?.map((c) => c.usage?.memory).join(','),
    };
  };
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: {},
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 },
      { name: 'CPU', type: 'string', format: '', description: 'CPU usage', priority: 0 },
      { name: 'Memory', type: 'string', format: '', description: 'Memory usage', priority: 0 },
      { name: 'Window', type: 'string', format: '', description: 'Sample window', priority: 0 },
    ],
    rows: items.map((o) => {
      const u = usageOf(o);
      return {
        cells: [
          o.metadata?.name,
          quantityCell(u.cpu),
          quantityCell(u.memory),
          (o as { window?: string }).window,
        ],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
      };
    }),
  };
}
