import type { ApiClient, ResourceType } from '../../client/index.js';

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}

interface ApiResourceList {
  groupVersion?: string;
  resources?: ApiResource[];
}

interface ApiGroupList {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[];
}

/** Upstream's default --ignored resources of the garbage collector: events never own nor are owned. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

const NEEDED_VERBS = ['delete', 'list', 'watch'];

/**
 * Every resource, in its group's preferred version, that supports delete, list and watch (upstream's
 * GetDeletableResources): what the garbage collector watches and can delete.
 */
export async function deletableResources(client: ApiClient): Promise<ResourceType[]> {
  const get = async <T>(path: string): Promise<T> =>
    JSON.parse((await client.transport.request('GET', path)).body) as T;
  const lists: { group: string; version: string; list: ApiResourceList }[] = [
    { group: '', version: 'v1', list: await get<ApiResourceList>('/api/v1') },
  ];
  const groups = await get<ApiGroupList>('/apis');
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (!version) continue;
    lists.push({ group: g.name, version, list: await get<ApiResourceList>(`/apis/${g.name}/${version}`) });
  }
  const out: ResourceType[] = [];
  for (const { group, version, list } of lists) {
    for (const r of list.resources ?? []) {
      if (r.name.includes('/') || IGNORED.has(`${group}/${r.name}`)) continue;
      if (!NEEDED_VERBS.every((v) => r.verbs?.includes(v))) continue;
      out.push({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced });
    }
  }
  return out;
}

/** `group/Kind` of an apiVersion + kind pair: every version of a kind shares one storage. */
export function groupKind(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return `${slash === -1 ? '' : apiVersion.slice(0, slash)}/${kind}`;
}
