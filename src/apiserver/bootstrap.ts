import { hasReason } from '../api/errors.js';
import { tugboatIngressClass } from '../api/ingress-classes.js';
import { localPathStorageClass } from '../api/storage-classes.js';
import type { KubeObject } from '../api/meta.js';
import type { ApiContext } from './rest/context.js';
import { createCanonical } from './rest/write.js';
import { reconcileBootstrapPolicy } from './authz/reconcile-policy.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const internalWrite = { dryRun: false, apiVersion: 'v1', fieldManager: 'tugboat-apiserver' };

/** Creates an object unless it exists; returns whether it was created. */
async function ensure(ctx: ApiContext, group: string, plural: string, obj: KubeObject): Promise<boolean> {
  const def = ctx.registry.mustGet(group, plural);
  // Checked first: creating runs admission (e.g. cluster IP allocation), which would refuse an existing object
  // as a conflict before the store could answer AlreadyExists.
  if (await ctx.storage.get(def, obj.metadata?.namespace, obj.metadata!.name!)) return false;
  try {
    await createCanonical(ctx, def, obj, internalWrite);
    return true;
  } catch (err) {
    if (hasReason(err, 'AlreadyExists')) return false;
    // Another API server of the same store created it meanwhile, and its cluster IP was refused first.
    if (
      hasReason(err, 'Invalid') &&
      (await ctx.storage.get(def, obj.metadata?.namespace, obj.metadata!.name!))
    )
      return false;
    throw err;
  }
}

/**
 * State every cluster starts with: the system namespaces, the default RBAC policy (reconciled at every start),
 * the `kubernetes` Service (first service IP; `KubernetesEndpoints` keeps its Endpoints), the
 * default `local-path` StorageClass and the default `tugboat` IngressClass (each created only when missing, so a
 * user's edits or deletion of its default annotation stay; `defaultStorageClass: false` and `ingressClass: false`
 * skip them), and the `crun` and `runc` RuntimeClasses (created when missing).
 */
export async function bootstrapCluster(
  ctx: ApiContext,
  opts: {
    kubernetesServiceIp: string;
    port: number;
    defaultStorageClass?: boolean;
    ingressClass?: boolean;
  },
): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(ctx, '', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // The default RBAC policy, some of it in kube-system and kube-public.
  await reconcileBootstrapPolicy(ctx);
  await ensure(ctx, '', 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: opts.kubernetesServiceIp,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }],
      sessionAffinity: 'None',
    },
  });
  if (opts.defaultStorageClass !== false) {
    await ensure(ctx, 'storage.k8s.io', 'storageclasses', localPathStorageClass() as unknown as KubeObject);
  }
  if (opts.ingressClass !== false) {
    await ensure(ctx, 'networking.k8s.io', 'ingressclasses', tugboatIngressClass() as KubeObject);
  }
  // A RuntimeClass for each OCI binary an agent may run pods with, as k3s pre-installs those of the runtimes it
  // can detect: a node where one does not work refuses its pods.
  for (const handler of OCI_HANDLERS) {
    await ensure(ctx, 'node.k8s.io', 'runtimeclasses', {
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: { name: handler },
      handler,
    });
  }
}

/** The runtime handlers Tugboat's agents know: the OCI binaries they can run containers with. */
export const OCI_HANDLERS = ['crun', 'runc'];
