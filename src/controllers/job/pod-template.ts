import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { newControllerRef } from '../../api/owners.js';
import { COMPLETION_INDEX_ANNOTATION } from '../../api/job-indexes.js';
import { cloneJson } from '../../api/meta.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
const MAX_GENERATE_NAME_PREFIX = 58;

function withCompletionIndexEnv(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    const env = (c.env ??= []);
    if (env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) continue;
    env.push({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } },
    });
  }
}

/**
 * A pod for the Job from its template: controller reference, the tracking finalizer and, for Indexed Jobs,
 * the completion index (annotation, label, hostname `<job>-<index>`, env JOB_COMPLETION_INDEX).
 */
export function podForJob(job: Job, index?: number, extraAnnotations?: Record<string, string>): Pod {
  const template = cloneJson(job.spec?.template ?? {});
  const jobName = job.metadata?.name ?? '';
  const labels = { ...(template.metadata?.labels ?? {}) };
  const annotations = { ...(template.metadata?.annotations ?? {}), ...extraAnnotations };
  const spec = template.spec ?? { containers: [] };
  let prefix = `${jobName}-`;
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[COMPLETION_INDEX_ANNOTATION] = String(index);
    spec.hostname ??= `${jobName}-${index}`;
    withCompletionIndexEnv(spec.initContainers);
    withCompletionIndexEnv(spec.containers);
    prefix = `${jobName}-${index}-`;
  }
  if (prefix.length > MAX_GENERATE_NAME_PREFIX) prefix = prefix.slice(0, MAX_GENERATE_NAME_PREFIX);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: prefix,
      namespace: job.metadata?.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      finalizers: [...(template.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER],
      ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
    },
    spec,
  };
}
