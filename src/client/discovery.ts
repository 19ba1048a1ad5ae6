/** Reading legacy discovery documents (`/api/v1`, `/apis`, `/apis/<group>/<version>`), for controllers. */
import type { ApiClient } from './rest.js';

/** One entry of an APIResourceList (subresources are listed as `pods/status`). */
export interface DiscoveredResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}

export interface GroupVersionResources {
  group: string;
  version: string;
  resources: DiscoveredResource[];
}

async function getJson<T>(client: ApiClient, path: string): Promise<T> {
  return JSON.parse((await client.transport.request('GET', path)).body) as T;
}

/** The resources of one group-version (`v1` or `apps/v1`). */
export async function groupVersionResources(
  client: ApiClient,
  apiVersion: string,
): Promise<DiscoveredResource[]> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return (await getJson<{ resources?: DiscoveredResource[] }>(client, path)).resources ?? [];
}

/** Every group's resources at its preferred version, core first (what upstream's discovery helpers walk). */
export async function preferredResources(client: ApiClient): Promise<GroupVersionResources[]> {
  const out: GroupVersionResources[] = [
    { group: '', version: 'v1', resources: await groupVersionResources(client, 'v1') },
  ];
  const groups = await getJson<{
    groups?: { name: string; preferredVersion?: { version: string }; versions?: { version: string }[] }[];
  }>(client, '/apis');
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (!version) continue;
    out.push({
      group: g.name,
      version,
      resources: await groupVersionResources(client, `${g.name}/${version}`),
    });
  }
  return out;
}
