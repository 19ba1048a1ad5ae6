import { ALL_VERBS, type SubresourceName, type Verb } from './registry/types.js';
import type { Registry, ServedResource } from './registry/index.js';

interface SubresourceFacts {
  group?: string;
  version?: string;
  kind?: string;
  verbs: Verb[] | string[];
}

/** What each subresource answers with, as upstream discovery reports it. */
function subresourceFacts(name: SubresourceName, s: ServedResource): SubresourceFacts {
  const same = { group: s.group, version: s.version, kind: s.def.kind };
  switch (name) {
    case 'status':
      return { ...same, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'log':
      return { ...same, verbs: ['get'] };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'proxy':
      return {
        group: '',
        version: 'v1',
        kind: `${s.def.kind}ProxyOptions`,
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      };
    case 'ephemeralcontainers':
    case 'approval':
      return { ...same, verbs: ['get', 'patch', 'update'] };
    case 'finalize':
      return { ...same, verbs: ['update'] };
    case 'token':
      return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
  }
}

function isCanonical(s: ServedResource): boolean {
  return s.alias === undefined;
}

function shortNamesOf(s: ServedResource): string[] | undefined {
  return isCanonical(s) ? s.def.shortNames : s.alias?.shortNames;
}

function categoriesOf(s: ServedResource): string[] | undefined {
  return isCanonical(s) ? s.def.categories : undefined;
}

function aggregatedResource(s: ServedResource): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: s.def.plural,
    responseKind: { group: s.group, version: s.version, kind: s.def.kind },
    scope: s.def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: s.def.singular,
    verbs: s.def.verbs ?? ALL_VERBS,
  };
  const shortNames = shortNamesOf(s);
  if (shortNames?.length) r.shortNames = shortNames;
  const categories = categoriesOf(s);
  if (categories?.length) r.categories = categories;
  if (s.def.subresources?.length) {
    r.subresources = s.def.subresources.map((name) => {
      const f = subresourceFacts(name, s);
      return {
        subresource: name,
        responseKind: { group: f.group ?? '', version: f.version ?? '', kind: f.kind ?? '' },
        verbs: f.verbs,
      };
    });
  }
  return r;
}

function aggregatedVersion(registry: Registry, group: string, version: string): Record<string, unknown> {
  return {
    version,
    resources: registry.resourcesIn(group, version).map(aggregatedResource),
    freshness: 'Current',
  };
}

/** apidiscovery.k8s.io v2 (or v2beta1, same shape) document for /api (core) or /apis. */
export function aggregatedDiscovery(
  registry: Registry,
  core: boolean,
  apiVersion: 'v2' | 'v2beta1',
): unknown {
  const items = core
    ? [{ metadata: { creationTimestamp: null }, versions: [aggregatedVersion(registry, '', 'v1')] }]
    : registry.groups().map((g) => ({
        metadata: { name: g.group, creationTimestamp: null },
        versions: g.versions.map((v) => aggregatedVersion(registry, g.group, v)),
      }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items,
  };
}

export function aggregatedContentType(apiVersion: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${apiVersion};as=APIGroupDiscoveryList`;
}

export function legacyApiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(g: { group: string; versions: string[] }): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function legacyGroupList(registry: Registry): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().map(apiGroup) };
}

export function legacyGroup(registry: Registry, group: string): unknown {
  const g = registry.group(group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

export function legacyResourceList(registry: Registry, group: string, version: string): unknown {
  const resources: Record<string, unknown>[] = [];
  for (const s of registry.resourcesIn(group, version)) {
    const main: Record<string, unknown> = {
      name: s.def.plural,
      singularName: s.def.singular,
      namespaced: s.def.namespaced,
      kind: s.def.kind,
      verbs: s.def.verbs ?? ALL_VERBS,
    };
    const shortNames = shortNamesOf(s);
    if (shortNames?.length) main.shortNames = shortNames;
    const categories = categoriesOf(s);
    if (categories?.length) main.categories = categories;
    resources.push(main);
    for (const name of s.def.subresources ?? []) {
      const f = subresourceFacts(name, s);
      const sub: Record<string, unknown> = {
        name: `${s.def.plural}/${name}`,
        singularName: '',
        namespaced: s.def.namespaced,
        kind: f.kind,
        verbs: f.verbs,
      };
      if (f.group !== s.group || f.version !== s.version) {
        sub.group = f.group;
        sub.version = f.version;
      }
      resources.push(sub);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
