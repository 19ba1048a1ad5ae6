/**
 * The routing table of the ingresses one controller serves, merged across Ingress objects. Pure.
 *
 * A request is routed by its host first: rules of its exact host, then of the wildcard host that covers it
 * (`*.example.com` covers one label: `a.example.com`, not `example.com` nor `a.b.example.com`), then rules
 * without a host. Within each, the longest matching path wins, `Exact` before `Prefix` at equal length; a host
 * whose paths do not match falls through to the next group (as Traefik, k3s's ingress controller, orders its
 * routers), and last comes the oldest Ingress's `defaultBackend`. Between Ingresses claiming the same host and
 * path, and the same TLS host, the oldest wins.
 */
import type { Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js';
import { normalizeRulePath, pathMatches, type PathKind } from './paths.js';

/** Where a matched request goes: a Service port of the Ingress's namespace, or nowhere we can serve. */
export interface RouteTarget {
  /** `namespace/name` of the Ingress the route came from. */
  ingress: string;
  namespace: string;
  /** Undefined for resource backends, which this controller does not serve. */
  service?: { name: string; port: { number?: number; name?: string } };
}

/** A `spec.tls` entry: the Secret holding the certificate for some hosts. */
export interface TlsRef {
  namespace: string;
  secretName: string;
}

interface PathRoute {
  path: string;
  kind: PathKind;
  target: RouteTarget;
}

export class RouteTable {
  constructor(
    private readonly exact: ReadonlyMap<string, PathRoute[]>,
    private readonly wildcard: ReadonlyMap<string, PathRoute[]>,
    private readonly anyHost: readonly PathRoute[],
    private readonly fallback: RouteTarget | undefined,
    private readonly tls: { exact: Map<string, TlsRef>; wildcard: Map<string, TlsRef>; anyHost?: TlsRef },
    /** Every Service the table routes to, as `namespace/name`. */
    readonly services: ReadonlySet<string>,
  ) {}

  /** The target of a request, by its Host header (any case, port and trailing dot allowed) and path. */
  route(hostHeader: string | undefined, path: string): RouteTarget | undefined {
    const host = normalizeHost(hostHeader ?? '');
    const groups = [this.exact.get(host), this.wildcard.get(parentDomain(host)), this.anyHost];
    for (const routes of groups) {
      const hit = routes?.find((r) => pathMatches(r.path, r.kind, path));
      if (hit) return hit.target;
    }
    return this.fallback;
  }

  /** The certificate a TLS client naming `serverName` gets, if an Ingress names one for it. */
  tlsFor(serverName: string): TlsRef | undefined {
    const host = normalizeHost(serverName);
    return this.tls.exact.get(host) ?? this.tls.wildcard.get(parentDomain(host)) ?? this.tls.anyHost;
  }

  /** Every Secret the table's TLS entries name, as `namespace/name`. */
  tlsSecrets(): Set<string> {
    const refs = [...this.tls.exact.values(), ...this.tls.wildcard.values()];
    if (this.tls.anyHost) refs.push(this.tls.anyHost);
    return new Set(refs.map((r) => `${r.namespace}/${r.secretName}`));
  }
}

/** Lower case, without a port or a trailing dot; `[::1]:80` → `::1`. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end < 0 ? h : h.slice(1, end);
  } else if (h.indexOf(':') === h.lastIndexOf(':')) {
    h = h.replace(/:\d*$/, '');
  }
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** `a.example.com` → `example.com`: the key of the wildcard `*.example.com`. */
function parentDomain(host: string): string {
  const dot = host.indexOf('.');
  return dot < 0 ? '' : host.slice(dot + 1);
}

/** Oldest first, then by namespace/name: who keeps a contested host and path. */
function byAge(a: Ingress, b: Ingress): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function keyOf(ing: Ingress): string {
  return `${ing.metadata?.namespace ?? ''}/${ing.metadata?.name ?? ''}`;
}

function targetOf(ing: Ingress, backend: IngressBackend): RouteTarget {
  const namespace = ing.metadata?.namespace ?? '';
  const svc = backend.service;
  if (!svc?.name) return { ingress: keyOf(ing), namespace };
  const port: { number?: number; name?: string } = {};
  if (svc.port?.number !== undefined) port.number = svc.port.number;
  if (svc.port?.name !== undefined) port.name = svc.port.name;
  return { ingress: keyOf(ing), namespace, service: { name: svc.name, port } };
}

/** Longest path first; Exact before Prefix at equal length; otherwise the order of insertion (oldest first). */
function byPrecedence(a: PathRoute, b: PathRoute): number {
  if (a.path.length !== b.path.length) return b.path.length - a.path.length;
  if (a.kind !== b.kind) return a.kind === 'Exact' ? -1 : 1;
  return 0;
}

/** The table of the given (served) Ingresses. */
export function buildRouteTable(ingresses: readonly Ingress[]): RouteTable {
  const exact = new Map<string, PathRoute[]>();
  const wildcard = new Map<string, PathRoute[]>();
  const anyHost: PathRoute[] = [];
  const tlsExact = new Map<string, TlsRef>();
  const tlsWildcard = new Map<string, TlsRef>();
  let tlsAnyHost: TlsRef | undefined;
  let fallback: RouteTarget | undefined;
  const services = new Set<string>();
  const note = (t: RouteTarget): RouteTarget => {
    if (t.service) services.add(`${t.namespace}/${t.service.name}`);
    return t;
  };
  for (const ing of [...ingresses].sort(byAge)) {
    const namespace = ing.metadata?.namespace ?? '';
    if (ing.spec?.defaultBackend && !fallback) fallback = note(targetOf(ing, ing.spec.defaultBackend));
    for (const rule of ing.spec?.rules ?? []) {
      const host = rule.host ? normalizeHost(rule.host) : '';
      let group = anyHost;
      if (host.startsWith('*.')) group = getOrAdd(wildcard, host.slice(2));
      else if (host) group = getOrAdd(exact, host);
      for (const p of rule.http?.paths ?? []) {
        const kind: PathKind = p.pathType === 'Exact' ? 'Exact' : 'Prefix';
        group.push({
          path: normalizeRulePath(p.path ?? '/', kind),
          kind,
          target: note(targetOf(ing, p.backend)),
        });
      }
    }
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const ref = { namespace, secretName: tls.secretName };
      if (!tls.hosts?.length) tlsAnyHost ??= ref;
      for (const h of tls.hosts ?? []) {
        const host = normalizeHost(h);
        if (host.startsWith('*.')) {
          if (!tlsWildcard.has(host.slice(2))) tlsWildcard.set(host.slice(2), ref);
        } else if (!tlsExact.has(host)) tlsExact.set(host, ref);
      }
    }
  }
  // A stable sort keeps the oldest Ingress first among equal paths.
  for (const routes of [...exact.values(), ...wildcard.values(), anyHost]) routes.sort(byPrecedence);
  const tls = { exact: tlsExact, wildcard: tlsWildcard, ...(tlsAnyHost ? { anyHost: tlsAnyHost } : {}) };
  return new RouteTable(exact, wildcard, anyHost, fallback, tls, services);
}

function getOrAdd<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
