import { preferredResources, type ApiClient, type ResourceType } from '../../client/index.js';

/** Upstream's default --ignored resources of the garbage collector: events never own nor are owned. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

const NEEDED_VERBS = ['delete', 'list', 'watch'];

/**
 * Every resource, in its group's preferred version, that supports delete, list and watch (upstream's
 * GetDeletableResources): what the garbage collector watches and can delete.
 */
export async function deletableResources(client: ApiClient): Promise<ResourceType[]> {
  const out: ResourceType[] = [];
  for (const { group, version, resources } of await preferredResources(client)) {
    for (const r of resources) {
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
