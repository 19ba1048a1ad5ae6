/**
 * A throw-away API server that answers just enough discovery for kubectl's typed generators
 * and records every request body, so real protobuf bodies can be captured as test fixtures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { encodeProtobufObject } from '../index.js';
import { SAMPLE_POD_SPEC } from './sample-pod-spec.js';

export interface CapturedRequest {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  subresources?: { subresource: string; kind: string; group?: string; version?: string }[];
}

const RESOURCES: ResourceDef[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    subresources: [{ subresource: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io' }],
  },
  { group: '', version: 'v1', resource: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    subresources: [{ subresource: 'scale', kind: 'Scale', group: 'autoscaling' }],
  },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true },
  {
    group: 'autoscaling',
    version: 'v1',
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
  },
  {
    group: 'policy',
    version: 'v1',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    namespaced: true,
  },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'rolebindings',
    kind: 'RoleBinding',
    namespaced: true,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    namespaced: false,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true },
  {
    group: 'scheduling.k8s.io',
    version: 'v1',
    resource: 'priorityclasses',
    kind: 'PriorityClass',
    namespaced: false,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    namespaced: false,
  },
];

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function discoveryResource(r: ResourceDef): Record<string, unknown> {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.kind.toLowerCase(),
    verbs: VERBS,
    subresources: (r.subresources ?? []).map((s) => ({
      subresource: s.subresource,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: ['create', 'get', 'patch', 'update'],
    })),
  };
}

function aggregated(core: boolean): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.filter((r) => (r.group === '') === core).map((r) => r.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: core ? { creationTimestamp: null } : { name: g, creationTimestamp: null },
      versions: [
        {
          version: 'v1',
          freshness: 'Current',
          resources: RESOURCES.filter((r) => r.group === g).map(discoveryResource),
        },
      ],
    })),
  };
}

function legacyCoreV1(): Record<string, unknown> {
  const resources = RESOURCES.filter((r) => r.group === '').flatMap((r) => [
    {
      name: r.resource,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
    },
    ...(r.subresources ?? []).map((s) => ({
      name: `${r.resource}/${s.subresource}`,
      singularName: '',
      namespaced: r.namespaced,
      group: s.group ?? '',
      version: s.version ?? 'v1',
      kind: s.kind,
      verbs: ['create', 'get', 'patch', 'update'],
    })),
  ]);
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}

/** Reads typeMeta and metadata.name out of a protobuf envelope without any message declarations. */
function peekEnvelope(body: Buffer): { apiVersion: string; kind: string; name: string } {
  const out = { apiVersion: '', kind: '', name: '' };
  const fields = (
    buf: Uint8Array,
    fn: (field: number, r: protobuf.Reader, wire: number) => boolean,
  ): void => {
    const r = protobuf.Reader.create(buf);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (!fn(tag >>> 3, r, tag & 7)) r.skipType(tag & 7);
    }
  };
  try {
    fields(body.subarray(4), (f, r) => {
      if (f === 1)
        fields(r.bytes(), (g, r2) => {
          if (g === 1) out.apiVersion = r2.string();
          else if (g === 2) out.kind = r2.string();
          else return false;
          return true;
        });
      else if (f === 2)
        fields(r.bytes(), (g, r2) => {
          if (g !== 1) return false;
          fields(r2.bytes(), (h, r3) => {
            if (h !== 1) return false;
            out.name = r3.string();
            return true;
          });
          return true;
        });
      else return false;
      return true;
    });
  } catch {
    // a non-protobuf body: answer with what we have
  }
  return out;
}

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
const CANNED: Record<string, unknown> = {
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

function reviewStatus(kind: string): Record<string, unknown> {
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

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': type });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, body: Buffer, res: ServerResponse, log: CapturedRequest[]): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  log.push({
    method: req.method ?? '',
    url: req.url ?? '',
    contentType: req.headers['content-type'] ?? '',
    body,
  });
  if (req.method === 'GET') {
    if (path === '/version')
      return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    if (path === '/api') return send(res, 200, aggregated(true), AGGREGATED);
    if (path === '/apis') return send(res, 200, aggregated(false), AGGREGATED);
    if (path === '/api/v1') return send(res, 200, legacyCoreV1());
    // served as protobuf (our encoder) so that kubectl's Go decoder checks it
    if (path === `/apis/batch/v1/namespaces/default/cronjobs/${FULL_CRONJOB_PB.metadata.name}`) {
      res.writeHead(200, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
      res.end(encodeProtobufObject(FULL_CRONJOB_PB));
      return;
    }
    const canned = CANNED[path];
    if (canned) return send(res, 200, canned);
    return send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  }
  if (req.method === 'POST') {
    const { apiVersion, kind, name } = peekEnvelope(body);
    const ns = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
    const metadata: Record<string, unknown> = { name: name || 'x' };
    if (ns) metadata.namespace = ns;
    return send(res, 201, { apiVersion, kind, metadata, status: reviewStatus(kind) });
  }
  return send(res, 405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405 });
}

export async function startCaptureServer(): Promise<{ server: Server; url: string; log: CapturedRequest[] }> {
  const log: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res, log));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, log };
}
