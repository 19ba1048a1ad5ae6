/** Objects the capture server answers with: GET targets of `autoscale` / `create job --from`, and review statuses. */
import { SAMPLE_POD_SPEC } from './sample-pod-spec.js';

/** A CronJob whose job template carries the full sample pod spec. */
export const FULL_CRONJOB = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'full', namespace: 'default', uid: 'c0c0c0c0-0000-4000-8000-000000000003' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: {
      metadata: { labels: { job: 'full' } },
      spec: {
        parallelism: 2,
        completions: 4,
        activeDeadlineSeconds: 0,
        backoffLimit: 3,
        ttlSecondsAfterFinished: 0,
        completionMode: 'Indexed',
        suspend: false,
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 0,
        podReplacementPolicy: 'Failed',
        podFailurePolicy: {
          rules: [
            { action: 'FailIndex', onExitCodes: { containerName: 'app', operator: 'In', values: [42, 43] } },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }] },
        template: { metadata: { labels: { job: 'full' }, annotations: { a: 'b' } }, spec: SAMPLE_POD_SPEC },
      },
    },
  },
};

/** The same CronJob, answered in protobuf. */
export const FULL_CRONJOB_PB = { ...FULL_CRONJOB, metadata: { ...FULL_CRONJOB.metadata, name: 'full-pb' } };

/** What `kubectl create job NAME --from=cronjob/X` builds from a CronJob (kubectl's createJobFromCronJob). */
export function expectedJobFromCronJob(cronJob: typeof FULL_CRONJOB, name: string): Record<string, unknown> {
  const { metadata, spec } = cronJob.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      labels: metadata.labels,
      annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cronJob.metadata.name,
          uid: cronJob.metadata.uid,
          controller: true,
        },
      ],
    },
    spec,
  };
}

/** Canned objects kubectl reads before it writes (autoscale, create job --from). */
export const CANNED: Record<string, unknown> = {
  '/apis/batch/v1/namespaces/default/cronjobs/full': FULL_CRONJOB,
  '/apis/apps/v1/namespaces/default/deployments/web': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd0d0d0d0-0000-4000-8000-000000000001' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
      },
    },
  },
  '/apis/batch/v1/namespaces/default/cronjobs/nightly': {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default', uid: 'c0c0c0c0-0000-4000-8000-000000000002' },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: {
        metadata: { labels: { job: 'nightly' }, annotations: { note: 'from-template' } },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { labels: { job: 'nightly' } },
            spec: {
              restartPolicy: 'OnFailure',
              terminationGracePeriodSeconds: 0,
              securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
              volumes: [
                { name: 'cache', emptyDir: { sizeLimit: '1Gi', medium: 'Memory' } },
                {
                  name: 'cfg',
                  configMap: { name: 'app-cfg', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] },
                },
              ],
              tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                      { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] },
                    ],
                  },
                },
              },
              containers: [
                {
                  name: 'worker',
                  image: 'busybox:1.36',
                  command: ['sh', '-c'],
                  args: ['echo hi'],
                  env: [
                    { name: 'MODE', value: 'nightly' },
                    {
                      name: 'POD',
                      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
                    },
                  ],
                  ports: [{ containerPort: 8080, protocol: 'TCP', name: 'http' }],
                  resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
                  volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
                  livenessProbe: {
                    httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
                    initialDelaySeconds: 5,
                    periodSeconds: 10,
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                },
              ],
            },
          },
        },
      },
    },
  },
};

export function reviewStatus(kind: string): Record<string, unknown> {
  switch (kind) {
    case 'SelfSubjectAccessReview':
      return { allowed: true };
    case 'SelfSubjectRulesReview':
      return {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
    case 'SelfSubjectReview':
      return { userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } };
    case 'TokenRequest':
      return { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' };
    default:
      return {};
  }
}
