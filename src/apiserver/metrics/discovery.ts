/** Discovery entries for metrics.k8s.io/v1beta1, in the shapes src/apiserver/discovery.ts produces. */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const GROUP_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

const RESOURCES = [
  { name: 'nodes', singular: '', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', singular: '', kind: 'PodMetrics', namespaced: true },
];

export function metricsAggregatedGroup(): Record<string, unknown> {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: METRICS_VERSION,
        resources: RESOURCES.map((r) => ({
          resource: r.name,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: ['get', 'list'],
        })),
        freshness: 'Current',
      },
    ],
  };
}

export function metricsLegacyGroup(): Record<string, unknown> {
  const version = { groupVersion: GROUP_VERSION, version: METRICS_VERSION };
  return { name: METRICS_GROUP, versions: [version], preferredVersion: version };
}

export function metricsResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: RESOURCES.map((r) => ({
      name: r.name,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['get', 'list'],
    })),
  };
}

/** Adds the metrics group to a discovery document built from the registry (aggregated or legacy). */
export function withMetricsGroup(doc: unknown, aggregated: boolean): unknown {
  const d = doc as { items?: unknown[]; groups?: unknown[] };
  if (aggregated && Array.isArray(d.items)) return { ...d, items: [...d.items, metricsAggregatedGroup()] };
  if (!aggregated && Array.isArray(d.groups)) return { ...d, groups: [...d.groups, metricsLegacyGroup()] };
  return doc;
}
