import type { VersionAlias } from '../types.js';
import { horizontalPodAutoscalerAliases } from './autoscaling.js';
import { cronJobAliases, podDisruptionBudgetAliases } from './batch-policy.js';
import { eventsV1Alias, eventsV1beta1Alias } from './events.js';
import { ingressAliases, networkPolicyAliases } from './networking.js';
import {
  controllerRevisionAliases,
  daemonSetAliases,
  deploymentAliases,
  replicaSetAliases,
  statefulSetAliases,
} from './workloads.js';

export { HPA_ANNOTATIONS } from './autoscaling.js';
export { coreToEventsV1, eventsV1ToCore } from './events.js';

/** Kind of each canonical resource that has aliases. */
export const kindOfResource: Record<string, string> = {
  'deployments.apps': 'Deployment',
  'replicasets.apps': 'ReplicaSet',
  'daemonsets.apps': 'DaemonSet',
  'statefulsets.apps': 'StatefulSet',
  'controllerrevisions.apps': 'ControllerRevision',
  'ingresses.networking.k8s.io': 'Ingress',
  'networkpolicies.networking.k8s.io': 'NetworkPolicy',
  'cronjobs.batch': 'CronJob',
  'horizontalpodautoscalers.autoscaling': 'HorizontalPodAutoscaler',
  'poddisruptionbudgets.policy': 'PodDisruptionBudget',
  events: 'Event',
};

/** Older (or sibling) group/versions served for each canonical resource, keyed like `deployments.apps`. */
export const aliasesByResource: Record<string, VersionAlias[]> = {
  'deployments.apps': deploymentAliases,
  'replicasets.apps': replicaSetAliases,
  'daemonsets.apps': daemonSetAliases,
  'statefulsets.apps': statefulSetAliases,
  'controllerrevisions.apps': controllerRevisionAliases,
  'ingresses.networking.k8s.io': ingressAliases,
  'networkpolicies.networking.k8s.io': networkPolicyAliases,
  'cronjobs.batch': cronJobAliases,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalerAliases,
  'poddisruptionbudgets.policy': podDisruptionBudgetAliases,
  events: [eventsV1Alias, eventsV1beta1Alias],
};

/** The alias serving `apiVersion` + `kind` (as in a manifest), with its canonical resource; undefined if none. */
export function findAlias(
  apiVersion: string,
  kind: string,
): { resource: string; alias: VersionAlias } | undefined {
  for (const [resource, aliases] of Object.entries(aliasesByResource)) {
    if (kindOfResource[resource] !== kind) continue;
    const alias = aliases.find((a) => `${a.group}/${a.version}` === apiVersion);
    if (alias) return { resource, alias };
  }
  return undefined;
}
