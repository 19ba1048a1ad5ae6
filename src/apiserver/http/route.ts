/** Parses request paths into what they address, without knowing which resources exist. */

export type Route =
  | { type: 'root' }
  | { type: 'health'; check: 'healthz' | 'livez' | 'readyz'; subpath?: boolean }
  | { type: 'version' }
  | { type: 'oidc'; doc: 'openid-configuration' | 'jwks' }
  | { type: 'openapi-v3-index' }
  | { type: 'openapi-v3-doc'; key: string }
  | { type: 'openapi-v2' }
  | { type: 'legacy-versions' }
  | { type: 'groups' }
  | { type: 'group'; group: string }
  | { type: 'resource-list'; group: string; version: string }
  | ResourceRoute
  | { type: 'not-found' };

export interface ResourceRoute {
  type: 'resource';
  group: string;
  version: string;
  /** Namespace from the path; undefined for cluster-scoped paths and all-namespace lists. */
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` path prefix. */
  watchPrefix: boolean;
  /** For the `proxy` subresource of pods, services and nodes: the path after `/proxy`, raw (`/` when none). */
  proxyPath?: string;
}

/** `/api/v1/[namespaces/NS/](pods|services|nodes)/NAME/proxy[/PATH]`: the tail is the target's, untouched. */
const PROXY_ROUTE = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(pods|services|nodes)\/([^/]+)\/proxy(\/.*)?$/;

/** Parsed routes by path: clients repeat the same few paths (an object, its collection, a watch). */
const parsedRoutes = new Map<string, Readonly<Route>>();
const PARSED_ROUTES_LIMIT = 2048;

/** parseRoute for a request: the same result, shared between requests for one path (callers must not change it). */
export function routeOf(pathname: string): Readonly<Route> {
  let route = parsedRoutes.get(pathname);
  if (route === undefined) {
    // Paths naming objects are many; starting over when full keeps the cache small and the lookup one get.
    if (parsedRoutes.size >= PARSED_ROUTES_LIMIT) parsedRoutes.clear();
    route = parseRoute(pathname);
    parsedRoutes.set(pathname, route);
  }
  return route;
}

export function parseRoute(pathname: string): Route {
  const proxy = PROXY_ROUTE.exec(pathname);
  if (proxy) return proxyRoute(proxy);
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const parts = trimmed.split('/').slice(1).map(safeDecode);
  if (parts.some((p) => p === undefined)) return { type: 'not-found' };
  const seg = parts as string[];
  if (trimmed === '/' || trimmed === '') return { type: 'root' };
  const first = seg[0];
  if (seg.length === 1 && (first === 'healthz' || first === 'livez' || first === 'readyz')) {
    return { type: 'health', check: first };
  }
  if (seg.length >= 2 && (first === 'healthz' || first === 'livez' || first === 'readyz')) {
    return { type: 'health', check: first, subpath: true };
  }
  if (first === 'version' && seg.length === 1) return { type: 'version' };
  if (trimmed === '/.well-known/openid-configuration') return { type: 'oidc', doc: 'openid-configuration' };
  if (trimmed === '/openid/v1/jwks') return { type: 'oidc', doc: 'jwks' };
  if (first === 'openapi') {
    if (seg[1] === 'v2' && seg.length === 2) return { type: 'openapi-v2' };
    if (seg[1] === 'v3') {
      if (seg.length === 2) return { type: 'openapi-v3-index' };
      return { type: 'openapi-v3-doc', key: seg.slice(2).join('/') };
    }
    return { type: 'not-found' };
  }
  if (first === 'api') {
    if (seg.length === 1) return { type: 'legacy-versions' };
    const version = seg[1] as string;
    if (seg.length === 2) return { type: 'resource-list', group: '', version };
    return resourceRoute('', version, seg.slice(2));
  }
  if (first === 'apis') {
    if (seg.length === 1) return { type: 'groups' };
    const group = seg[1] as string;
    if (seg.length === 2) return { type: 'group', group };
    const version = seg[2] as string;
    if (seg.length === 3) return { type: 'resource-list', group, version };
    return resourceRoute(group, version, seg.slice(3));
  }
  return { type: 'not-found' };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let at = 0;
  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) at = 1;
  // /namespaces/{ns}/{resource}[/{name}[/{sub}]] addresses namespaced objects;
  // /namespaces[/{name}[/{sub}]] addresses Namespace objects themselves.
  const count = rest.length - at;
  let namespace: string | undefined;
  if (rest[at] === 'namespaces' && count >= 3 && !(count === 3 && isNamespaceSubresource(rest[at + 2]))) {
    namespace = rest[at + 1];
    at += 2;
  }
  const resource = rest[at];
  if (!resource || rest.length - at > 3) return { type: 'not-found' };
  const route: ResourceRoute = { type: 'resource', group, version, resource, watchPrefix };
  if (namespace !== undefined) route.namespace = namespace;
  const name = rest[at + 1];
  if (name !== undefined) route.name = name;
  const subresource = rest[at + 2];
  if (subresource !== undefined) route.subresource = subresource;
  return route;
}

function proxyRoute(m: RegExpExecArray): Route {
  const [, namespace, resource, name, tail] = m;
  const decodedName = safeDecode(name!);
  const decodedNamespace = namespace === undefined ? undefined : safeDecode(namespace);
  if (decodedName === undefined || (namespace !== undefined) !== (resource !== 'nodes'))
    return { type: 'not-found' };
  if (namespace !== undefined && decodedNamespace === undefined) return { type: 'not-found' };
  const route: ResourceRoute = {
    type: 'resource',
    group: '',
    version: 'v1',
    resource: resource!,
    name: decodedName,
    subresource: 'proxy',
    watchPrefix: false,
    proxyPath: tail ?? '/',
  };
  if (decodedNamespace !== undefined) route.namespace = decodedNamespace;
  return route;
}

function isNamespaceSubresource(s: string | undefined): boolean {
  return s === 'status' || s === 'finalize';
}

function safeDecode(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
