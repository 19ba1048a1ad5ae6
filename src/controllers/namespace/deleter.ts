import type { Namespace } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import {
  preferredResources,
  R,
  resourcePath,
  type ApiClient,
  type ResourceType,
} from '../../client/index.js';
import { rfc3339, type Clock } from '../../util/clock.js';
import { updateConditions, type DeletionOutcome } from './conditions.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
/** Upstream waits this long for content held by finalizers before looking again. */
const FINALIZER_ESTIMATE_SECONDS = 15;
const CONFLICT_RETRIES = 5;

interface NamespacedResource extends ResourceType {
  verbs: string[];
}

/** Every namespaced resource, in its group's preferred version, that can be deleted. */
export async function namespacedResources(client: ApiClient): Promise<NamespacedResource[]> {
  const out: NamespacedResource[] = [];
  for (const { group, version, resources } of await preferredResources(client)) {
    for (const r of resources) {
      if (r.name.includes('/') || !r.namespaced || !r.verbs?.includes('delete')) continue;
      out.push({ group, version, resource: r.name, kind: r.kind, namespaced: true, verbs: r.verbs });
    }
  }
  return out;
}

/** `pods`, `deployments.apps`: how upstream names a group resource in messages. */
function groupResource(r: ResourceType): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/**
 * Upstream's NamespacedResourcesDeleter: empties a terminating namespace, reports progress in its conditions and
 * finally removes the `kubernetes` finalizer through namespaces/<name>/finalize.
 */
export class NamespacedResourcesDeleter {
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
  ) {}

  /** Returns seconds to wait before looking again while content remains, 0 when done. */
  async delete(name: string): Promise<number> {
    const namespaces = this.client.resource<Namespace>(R.namespaces);
    let ns: Namespace;
    try {
      ns = await namespaces.get('', name);
    } catch (err) {
      if (hasReason(err, 'NotFound')) return 0;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return 0;
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) {
      // Finalized already: once no finalizer at all is left, a DELETE removes it.
      if ((ns.spec?.finalizers ?? []).length === 0) await this.deleteFinalized(ns);
      return 0;
    }

    const outcome: DeletionOutcome = { contentErrors: [], remaining: [], finalizers: [] };
    let estimate = 0;
    let resources: NamespacedResource[] = [];
    try {
      resources = await namespacedResources(this.client);
    } catch (err) {
      outcome.discoveryError = err instanceof Error ? err.message : String(err);
    }
    const finalizerCounts = new Map<string, number>();
    for (const r of resources) {
      try {
        const left = await this.deleteAllOf(r, name);
        if (left.length === 0) continue;
        outcome.remaining.push(`${groupResource(r)} has ${left.length} resource instances`);
        let held = false;
        for (const obj of left) {
          for (const f of obj.metadata?.finalizers ?? []) {
            held = true;
            finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + 1);
          }
        }
        estimate = Math.max(estimate, this.estimate(r, left, held));
      } catch (err) {
        outcome.contentErrors.push(
          `${groupResource(r)}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    for (const [f, n] of finalizerCounts) outcome.finalizers.push(`${f} in ${n} resource instances`);
    await this.writeConditions(name, outcome);
    if (outcome.discoveryError) throw new Error(`discovery failed: ${outcome.discoveryError}`);
    if (outcome.contentErrors.length > 0) throw new Error(outcome.contentErrors.join('; '));
    if (outcome.remaining.length > 0) return Math.max(1, estimate);
    await this.finalize(name);
    return 0;
  }

  /** Deletes every object of one resource in the namespace; returns what is still there. */
  private async deleteAllOf(r: NamespacedResource, namespace: string): Promise<KubeObject[]> {
    const client = this.client.resource<KubeObject>(r);
    const options = JSON.stringify({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
    });
    if (r.verbs.includes('deletecollection')) {
      await this.client.transport.request('DELETE', resourcePath(r, namespace), { body: options });
    } else {
      for (const obj of (await client.listAll(namespace)).items) {
        if (obj.metadata?.deletionTimestamp) continue;
        try {
          await client.delete(namespace, obj.metadata?.name ?? '', { propagationPolicy: 'Background' });
        } catch (err) {
          if (!hasReason(err, 'NotFound')) throw err;
        }
      }
    }
    if (!r.verbs.includes('list')) return [];
    return (await client.listAll(namespace)).items;
  }

  /** Upstream: pods may take their grace period; content held by finalizers gets a fixed estimate. */
  private estimate(r: ResourceType, left: KubeObject[], held: boolean): number {
    let seconds = held ? FINALIZER_ESTIMATE_SECONDS : 0;
    if (r.group === '' && r.resource === 'pods') {
      for (const pod of left) {
        const grace =
          pod.metadata?.deletionGracePeriodSeconds ??
          (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)
            ?.terminationGracePeriodSeconds ??
          0;
        seconds = Math.max(seconds, grace);
      }
    }
    return seconds;
  }

  private async writeConditions(name: string, outcome: DeletionOutcome): Promise<void> {
    const namespaces = this.client.resource<Namespace>(R.namespaces);
    for (let i = 0; ; i++) {
      let ns: Namespace;
      try {
        ns = await namespaces.get('', name);
      } catch (err) {
        if (hasReason(err, 'NotFound')) return;
        throw err;
      }
      const conditions = updateConditions(ns.status?.conditions, outcome, rfc3339(this.clock.now()));
      if (JSON.stringify(conditions) === JSON.stringify(ns.status?.conditions ?? [])) return;
      try {
        await namespaces.updateStatus({ ...ns, status: { ...ns.status, conditions } });
        return;
      } catch (err) {
        if (!hasReason(err, 'Conflict') || i >= CONFLICT_RETRIES) throw err;
      }
    }
  }

  private async deleteFinalized(ns: Namespace): Promise<void> {
    const uid = ns.metadata?.uid;
    try {
      await this.client
        .resource<Namespace>(R.namespaces)
        .delete('', ns.metadata?.name ?? '', uid ? { preconditions: { uid } } : {});
    } catch (err) {
      if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
    }
  }

  /** Drops the `kubernetes` finalizer; the API server removes the namespace once no finalizer is left. */
  private async finalize(name: string): Promise<void> {
    const namespaces = this.client.resource<Namespace>(R.namespaces);
    for (let i = 0; ; i++) {
      let ns: Namespace;
      try {
        ns = await namespaces.get('', name);
      } catch (err) {
        if (hasReason(err, 'NotFound')) return;
        throw err;
      }
      const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES);
      if (finalizers.length === ns.spec?.finalizers?.length) return;
      try {
        await namespaces.updateSubresource('', name, 'finalize', {
          ...ns,
          apiVersion: 'v1',
          kind: 'Namespace',
          spec: { ...ns.spec, finalizers },
        });
        return;
      } catch (err) {
        if (hasReason(err, 'NotFound')) return;
        if (!hasReason(err, 'Conflict') || i >= CONFLICT_RETRIES) throw err;
      }
    }
  }
}
