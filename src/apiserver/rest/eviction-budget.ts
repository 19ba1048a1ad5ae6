import { ApiError, tooManyRequests } from '../../api/errors.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/labels.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import type { ApiContext } from './context.js';
import { guaranteedUpdate } from './write.js';
import { cloneJson } from '../../api/meta.js';

/** Upstream MaxDisruptedPodSize: evictions not yet confirmed by the disruption controller. */
const MAX_DISRUPTED_PODS = 2000;

interface Pdb extends KubeObject {
  spec?: { selector?: LabelSelectorObject; unhealthyPodEvictionPolicy?: string };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptedPods?: Record<string, string>;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

interface PodLike {
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

function isReady(pod: StoredObject): boolean {
  return !!(pod as PodLike).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

function budgetError(message: string, cause: string): ApiError {
  const err = tooManyRequests(message, 0);
  err.status.details = { ...err.status.details, causes: [{ reason: 'DisruptionBudget', message: cause }] };
  return err;
}

/**
 * The PodDisruptionBudget half of pods/eviction (upstream EvictionREST): pods that are Pending, terminal or
 * being deleted ignore budgets; otherwise the one budget selecting the pod must allow a disruption, which is
 * taken from status.disruptionsAllowed and recorded in status.disruptedPods (a compare-and-swap write) before
 * the pod is deleted. Throws 429 TooManyRequests (kubectl drain retries) when the budget forbids it.
 */
export async function takeDisruption(
  ctx: ApiContext,
  namespace: string,
  pod: StoredObject,
  dryRun: boolean,
): Promise<void> {
  const phase = (pod as PodLike).status?.phase;
  if (phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp)
    return;
  const pdbDef = ctx.registry.get('policy', 'poddisruptionbudgets');
  if (!pdbDef) return;
  const selecting = (p: StoredObject): boolean =>
    labelSelectorFromObject((p as Pdb).spec?.selector).matches(pod.metadata.labels ?? {});
  const pdbs = (await ctx.storage.list(pdbDef, { namespace })).items.filter(selecting);
  if (pdbs.length === 0) return;
  if (pdbs.length > 1) {
    throw new ApiError(
      500,
      'InternalError',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const podName = pod.metadata.name;
  await guaranteedUpdate(
    async (stored) => {
      const pdb = stored as StoredObject & Pdb;
      const status = pdb.status ?? {};
      const healthyBudget =
        (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0;
      // An unready pod does not count as healthy: evicting it costs no disruption when the policy says so.
      if (!isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || healthyBudget))
        return pdb;
      if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
        throw budgetError(
          "Cannot evict pod as it would violate the pod's disruption budget.",
          `The disruption budget ${pdb.metadata.name} is still being processed by the server.`,
        );
      }
      const allowed = status.disruptionsAllowed ?? 0;
      if (allowed < 0) throw new ApiError(403, 'Forbidden', 'pdb disruptions allowed is negative');
      if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
        throw new ApiError(
          403,
          'Forbidden',
          'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
        );
      }
      if (allowed === 0) {
        throw budgetError(
          "Cannot evict pod as it would violate the pod's disruption budget.",
          `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
        );
      }
      if (dryRun) return pdb;
      const next = cloneJson(pdb);
      const nextStatus = (next.status ??= {});
      nextStatus.disruptionsAllowed = allowed - 1;
      if (nextStatus.disruptionsAllowed === 0) {
        nextStatus.conditions = (nextStatus.conditions ?? []).map((c) =>
          c.type === 'DisruptionAllowed' && c.status === 'True'
            ? {
                ...c,
                status: 'False',
                reason: 'InsufficientPods',
                lastTransitionTime: rfc3339(ctx.clock.now()),
              }
            : c,
        );
      }
      nextStatus.disruptedPods = { ...nextStatus.disruptedPods, [podName]: rfc3339(ctx.clock.now()) };
      return ctx.storage.update(pdbDef, next, Number(pdb.metadata.resourceVersion));
    },
    () => ctx.storage.mustGet(pdbDef, namespace, pdbs[0]!.metadata.name),
  );
}
