import { hasReason } from '../api/errors.js';
import { localPathStorageClass } from '../api/storage-classes.js';
import type { KubeObject } from '../api/meta.js';
import type { ApiContext } from './rest/context.js';
import { rfc3339 } from '../util/clock.js';
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
    throw err;
  }
}

/**
 * State every cluster starts with: the system namespaces, the default RBAC policy (reconciled at every start),
 * the `kubernetes` Service (first service IP) whose Endpoints point at this API server, and the default
 * `local-path` StorageClass (created only when
 * missing, so a user's edits or deletion of its default annotation stay; `defaultStorageClass: false` skips it).
 */
export async function bootstrapCluster(
  ctx: ApiContext,
  opts: {
    kubernetesServiceIp: string;
    advertiseAddress: string;
    port: number;
    defaultStorageClass?: boolean;
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
  await reconcileKubernetesEndpoints(ctx, opts.advertiseAddress, opts.port);
  if (opts.defaultStorageClass !== false) {
    await ensure(ctx, 'storage.k8s.io', 'storageclasses', localPathStorageClass() as unknown as KubeObject);
  }
}

/**
 * The `kubernetes` Endpoints name this API server. Written straight to storage, as upstream's endpoint
 * reconciler does: the address may be loopback on a single machine, which user-written Endpoints may not use.
 */
async function reconcileKubernetesEndpoints(ctx: ApiContext, address: string, port: number): Promise<void> {
  const def = ctx.registry.mustGet('', 'endpoints');
  const subsets = [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  const old = await ctx.storage.get(def, 'default', 'kubernetes');
  if (!old) {
    await ctx.storage.create(def, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        uid: ctx.newUid(),
        creationTimestamp: rfc3339(ctx.clock.now()),
        labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
      },
      subsets,
    });
  } else if (JSON.stringify(old.subsets) !== JSON.stringify(subsets)) {
    await ctx.storage.update(def, { ...old, subsets }, Number(old.metadata.resourceVersion));
  }
  await reconcileKubernetesEndpointSlice(ctx, address, port);
}

/**
 * The `kubernetes` EndpointSlice beside the Endpoints, as upstream's API server writes it (service proxies
 * read slices): one ready endpoint, this server.
 */
async function reconcileKubernetesEndpointSlice(ctx: ApiContext, address: string, port: number): Promise<void> {
  const def = ctx.registry.get('discovery.k8s.io', 'endpointslices');
  if (!def) return;
  const wanted = {
    addressType: address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  const old = await ctx.storage.get(def, 'default', 'kubernetes');
  if (!old) {
    await ctx.storage.create(def, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        uid: ctx.newUid(),
        creationTimestamp: rfc3339(ctx.clock.now()),
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      ...wanted,
    });
    return;
  }
  const current = { addressType: old.addressType, endpoints: old.endpoints, ports: old.ports };
  if (JSON.stringify(current) !== JSON.stringify(wanted))
    await ctx.storage.update(def, { ...old, ...wanted }, Number(old.metadata.resourceVersion));
}
