import { isIPv6 } from 'node:net';
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
 * the `kubernetes` Service (first service IP) whose Endpoints and EndpointSlice point at this API server, and
 * the default `local-path` StorageClass (created only when missing, so a user's edits or deletion of its
 * default annotation stay; `defaultStorageClass: false` skips it).
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
  await reconcileKubernetesEndpointSlice(ctx, opts.advertiseAddress, opts.port);
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
}

/**
 * The `kubernetes` EndpointSlice, which service proxies read (upstream's endpoint reconciler writes it beside
 * the Endpoints). The Service has no selector, so no controller makes it; written straight to storage for the
 * same reason as the Endpoints.
 */
async function reconcileKubernetesEndpointSlice(
  ctx: ApiContext,
  address: string,
  port: number,
): Promise<void> {
  const def = ctx.registry.mustGet('discovery.k8s.io', 'endpointslices');
  const addressType = isIPv6(address) ? 'IPv6' : 'IPv4';
  const endpoints = [{ addresses: [address], conditions: { ready: true } }];
  const ports = [{ name: 'https', port, protocol: 'TCP' }];
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
      addressType,
      endpoints,
      ports,
    });
  } else if (
    old.addressType !== addressType ||
    JSON.stringify([old.endpoints, old.ports]) !== JSON.stringify([endpoints, ports])
  ) {
    // addressType is immutable: a changed family means a new slice.
    if (old.addressType !== addressType) {
      await ctx.storage.delete(def, 'default', 'kubernetes');
      return reconcileKubernetesEndpointSlice(ctx, address, port);
    }
    await ctx.storage.update(def, { ...old, endpoints, ports }, Number(old.metadata.resourceVersion));
  }
}
