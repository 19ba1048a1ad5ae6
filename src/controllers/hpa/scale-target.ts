import type { CrossVersionObjectReference } from 'kubernetes-types/autoscaling/v2.js';
import { groupVersionResources, R, type ApiClient, type ResourceType } from '../../client/index.js';

/**
 * The resource a scaleTargetRef names (upstream resolves it with a RESTMapper): a built-in kind by group and
 * kind, otherwise (custom resources) the kind's resource in its group-version's discovery document, if that
 * resource has a scale subresource.
 */
export async function scaleTargetResource(
  client: ApiClient,
  ref: CrossVersionObjectReference,
): Promise<ResourceType | undefined> {
  const apiVersion = ref.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  for (const r of Object.values<ResourceType>(R)) {
    if (r.kind === ref.kind && r.group === group) return r;
  }
  if (slash === -1) return undefined;
  const resources = await groupVersionResources(client, apiVersion);
  const main = resources.find((r) => r.kind === ref.kind && !r.name.includes('/'));
  if (!main || !resources.some((r) => r.name === `${main.name}/scale`)) return undefined;
  return {
    group,
    version: apiVersion.slice(slash + 1),
    resource: main.name,
    kind: main.kind,
    namespaced: main.namespaced,
  };
}
