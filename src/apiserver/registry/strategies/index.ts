/**
 * Per-kind strategies, keyed by `plural.group` (core kinds bare: `pods`). Each family lives in its own map
 * so other families can be added beside it and merged into `allStrategies`.
 */
import { nameIsDNSLabel, type NameValidator } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { controllerRevisionStrategy } from './controllerrevision.js';
import { cronJobStrategy } from './cronjob.js';
import { daemonSetStrategy } from './daemonset.js';
import { deploymentStrategy } from './deployment.js';
import { horizontalPodAutoscalerStrategy } from './hpa.js';
import { jobStrategy } from './job.js';
import { podDisruptionBudgetStrategy } from './pdb.js';
import { podStrategy, podTemplateStrategy } from './pod.js';
import { replicaSetStrategy, replicationControllerStrategy } from './replicaset.js';
import { statefulSetStrategy } from './statefulset.js';

export const workloadStrategies: Record<string, Strategy> = {
  pods: podStrategy,
  podtemplates: podTemplateStrategy,
  replicationcontrollers: replicationControllerStrategy,
  'replicasets.apps': replicaSetStrategy,
  'deployments.apps': deploymentStrategy,
  'statefulsets.apps': statefulSetStrategy,
  'daemonsets.apps': daemonSetStrategy,
  'controllerrevisions.apps': controllerRevisionStrategy,
  'jobs.batch': jobStrategy,
  'cronjobs.batch': cronJobStrategy,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalerStrategy,
  'poddisruptionbudgets.policy': podDisruptionBudgetStrategy,
};

/**
 * Kinds whose metadata.name is not a DNS-1123 subdomain (upstream ValidateXName), for the handler's
 * ObjectMeta check: StatefulSet pods are named `<set>-<ordinal>` and must be DNS labels.
 */
export const workloadNameValidators: Record<string, NameValidator> = {
  'statefulsets.apps': nameIsDNSLabel,
};

/** Every strategy defined here; add other families' maps to the spread. */
export const allStrategies: Record<string, Strategy> = { ...workloadStrategies };

export function strategyFor(plural: string, group: string): Strategy | undefined {
  return allStrategies[group ? `${plural}.${group}` : plural];
}

export { makeStrategy, type KindOptions } from './common.js';
export { validatePodSpec, validatePodTemplateSpec } from './pod-validation.js';
export { defaultPodSpec, defaultPodTemplateSpec } from './pod-defaults.js';
export { podQOSClass } from './pod.js';
export { generateJobSelector } from './job.js';
export { cronScheduleError } from './cron.js';
