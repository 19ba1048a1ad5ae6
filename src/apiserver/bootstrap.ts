import { isIPv6 } from 'node:net';
import { hasReason } from '../api/errors.js';
import { tugboatIngressClass } from '../api/ingress-classes.js';
import { localPathStorageClass } from '../api/storage-classes.js';
import { deepEqual, type KubeObject } from '../api/meta.js';
import type { ResourceDef } from './registry/types.js';
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
 * the `kubernetes` Service (first service IP) whose Endpoints and EndpointSlice point at this API server, the
 * default `local-path` StorageClass and the default `tugboat` IngressClass (each created only when missing, so a
 * user's edits or deletion of its default annotation stay; `defaultStorageClass: false` and `ingressClass: false`
 * skip them).
 */
export async function bootstrapCluster(
  ctx: ApiContext,
  opts: {
    kubernetesServiceIp: string;
    advertiseAddress: string;
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
  await reconcileKubernetesEndpoints(ctx, opts.advertiseAddress, opts.port);
  if (opts.defaultStorageClass !== false) {
    await ensure(ctx, 'storage.k8s.io', 'storageclasses', localPathStorageClass() as unknown as KubeObject);
  }
  if (opts.ingressClass !== false) {
    await ensure(ctx, 'networking.k8s.io', 'ingressclasses', tugboatIngressClass() as KubeObject);
  }
}

/**
 * The `kubernetes` Endpoints and EndpointSlice name this API server (service proxies read the slice). The Service
 * has no selector, so no controller makes them; they are written straight to storage, as upstream's endpoint
 * reconciler does, because the address may be loopback on a single machine, which user-written endpoints may not
 * use.
 */
async function reconcileKubernetesEndpoints(ctx: ApiContext, address: string, port: number): Promise<void> {
  await reconcileOwnObject(
    ctx,
    ctx.registry.mustGet('', 'endpoints'),
    { apiVersion: 'v1', kind: 'Endpoints', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    { subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }] },
  );
  await reconcileOwnObject(
    ctx,
    ctx.registry.mustGet('discovery.k8s.io', 'endpointslices'),
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    {
      addressType: isIPv6(address) ? 'IPv6' : 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
    // addressType is immutable: a changed address family means a new slice.
    ['addressType'],
  );
}

/**
 * Keeps `default/kubernetes` of a kind with `fields` as given: created when missing, updated when a field
 * differs, replaced when one of `immutable` does.
 */
async function reconcileOwnObject(
  ctx: ApiContext,
  def: ResourceDef,
  head: { apiVersion: string; kind: string; labels: Record<string, string> },
  fields: Record<string, unknown>,
  immutable: string[] = [],
): Promise<void> {
  let old = await ctx.storage.get(def, 'default', 'kubernetes');
  if (old && immutable.some((f) => !deepEqual(old![f], fields[f]))) {
    await ctx.storage.delete(def, 'default', 'kubernetes');
    old = undefined;
  }
  if (!old) {
    await ctx.storage.create(def, {
      apiVersion: head.apiVersion,
      kind: head.kind,
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        uid: ctx.newUid(),
        creationTimestamp: rfc3339(ctx.clock.now()),
        labels: head.labels,
      },
      ...fields,
    });
  } else if (Object.keys(fields).some((f) => !deepEqual(old[f], fields[f]))) {
    await ctx.storage.update(def, { ...old, ...fields }, Number(old.metadata.resourceVersion));
  }
}
