import { badRequest, conflict, fieldErr, forbidden, invalid } from '../../api/errors.js';
import { isPlainObject, type KubeObject, type StoredObject, cloneJson } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import { mediaType, parseJson } from '../http/body.js';
import type { ResourceDef } from '../registry/types.js';
import { isDryRun, type ApiContext } from './context.js';
import { finalizersForDeletion, type PropagationPolicy, type RequestGroupVersion } from './gc-finalizers.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
  /** The group/version the request addressed; it picks the kind's default propagation policy. */
  requestVersion?: RequestGroupVersion;
}

/** DeleteOptions come from the JSON body (kubectl) or query parameters (curl-style clients). */
export function parseDeleteOptions(
  raw: Buffer,
  contentType: string | undefined,
  query: URLSearchParams,
): DeleteOptions {
  let body: Record<string, unknown> = {};
  if (raw.length > 0 && raw.toString('utf8').trim() !== '') {
    const type = mediaType(contentType);
    if (type !== '' && type !== 'application/json')
      throw badRequest(`unsupported DeleteOptions media type ${type}`);
    const parsed = parseJson(raw);
    if (!isPlainObject(parsed)) throw badRequest('DeleteOptions must be an object');
    body = parsed;
  }
  const opts: DeleteOptions = {
    dryRun: isDryRun(query) || (Array.isArray(body.dryRun) && body.dryRun.includes('All')),
  };
  const grace = body.gracePeriodSeconds ?? query.get('gracePeriodSeconds') ?? undefined;
  if (grace !== undefined && grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${JSON.stringify(grace)}`);
    opts.gracePeriodSeconds = n;
  }
  const policy = body.propagationPolicy ?? query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined && policy !== null) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw invalid('DeleteOptions', 'meta.k8s.io', '', [
        fieldErr.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']),
      ]);
    }
    opts.propagationPolicy = policy;
  }
  const orphan = body.orphanDependents ?? query.get('orphanDependents') ?? undefined;
  if (orphan !== undefined && orphan !== null) {
    if (opts.propagationPolicy) {
      throw invalid('DeleteOptions', 'meta.k8s.io', '', [
        fieldErr.invalid(
          'propagationPolicy',
          opts.propagationPolicy,
          'orphanDependents and deletionPropagation cannot be both set',
        ),
      ]);
    }
    // The deprecated flag: true orphans, false deletes dependents in the background.
    opts.propagationPolicy = orphan === true || orphan === 'true' ? 'Orphan' : 'Background';
  }
  if (isPlainObject(body.preconditions)) {
    const p = body.preconditions as { uid?: string; resourceVersion?: string };
    opts.preconditions = {};
    if (typeof p.uid === 'string') opts.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string') opts.preconditions.resourceVersion = p.resourceVersion;
  }
  return opts;
}

function checkPreconditions(def: ResourceDef, obj: StoredObject, p: DeleteOptions['preconditions']): void {
  if (!p) return;
  const gr = { group: def.group, resource: def.plural };
  if (p.uid && p.uid !== obj.metadata.uid) {
    throw conflict(
      gr,
      obj.metadata.name,
      `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
  if (p.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      gr,
      obj.metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

/** Upstream's NamespaceLifecycle admission keeps these. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

function isPods(def: ResourceDef): boolean {
  return def.group === '' && def.plural === 'pods';
}

function isNamespaces(def: ResourceDef): boolean {
  return def.group === '' && def.plural === 'namespaces';
}

function isCustomResourceDefinitions(def: ResourceDef): boolean {
  return def.group === 'apiextensions.k8s.io' && def.plural === 'customresourcedefinitions';
}

/** Held by a deleted CRD until its custom resources are gone (upstream's CustomResourceCleanupFinalizer). */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** As upstream's CRD REST delete: the cleanup finalizer and a Terminating condition. */
function startCrdCleanup(crd: KubeObject, now: number): void {
  const meta = crd.metadata!;
  if (!meta.finalizers?.includes(CRD_CLEANUP_FINALIZER))
    meta.finalizers = [...(meta.finalizers ?? []), CRD_CLEANUP_FINALIZER];
  const status = (crd.status ??= {}) as { conditions?: Record<string, unknown>[] };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'Terminating');
  conditions.push({
    type: 'Terminating',
    status: 'True',
    lastTransitionTime: rfc3339(now),
    reason: 'InstanceDeletionInProgress',
    message: 'CustomResource deletion is in progress',
  });
  status.conditions = conditions;
}

/**
 * Deletes as upstream's Store.Delete: the garbage-collection finalizers follow the propagation policy (`orphan`,
 * `foregroundDeletion`); objects with finalizers (and namespaces) get a deletionTimestamp and stay until
 * finalized; pods bound to a node are deleted gracefully; everything else is removed at once.
 */
export async function deleteCanonical(
  ctx: ApiContext,
  def: ResourceDef,
  obj: StoredObject,
  opts: DeleteOptions,
): Promise<KubeObject> {
  checkPreconditions(def, obj, opts.preconditions);
  const meta = obj.metadata;
  const now = ctx.clock.now();
  const rev = Number(meta.resourceVersion);
  const podGrace = isPods(def) ? podGracePeriod(obj, opts) : 0;
  const bound = isPods(def) && !!(obj.spec as { nodeName?: string } | undefined)?.nodeName;
  const gc = finalizersForDeletion(def, obj, opts.propagationPolicy, opts.requestVersion);
  const finalizers = gc.finalizers;
  const setFinalizers = (o: KubeObject): void => {
    if (!gc.changed) return;
    if (finalizers.length > 0) o.metadata!.finalizers = [...finalizers];
    else delete o.metadata!.finalizers;
  };

  if (meta.deletionTimestamp) {
    if (isPods(def) && (meta.deletionGracePeriodSeconds ?? 0) > 0) {
      // A graceful deletion is pending: only a shorter grace period changes anything.
      if ((podGrace === 0 || !bound) && finalizers.length === 0) return removeNow(ctx, def, obj, rev, opts);
      if (bound && podGrace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
        return markTerminating(ctx, def, obj, rev, opts, now, podGrace);
      }
      return obj;
    }
    // A terminating namespace whose spec.finalizers are done goes on a later DELETE (upstream namespace REST).
    if (isNamespaces(def) && finalizers.length === 0 && namespaceFinalized(obj)) {
      return removeNow(ctx, def, obj, rev, opts);
    }
    // Waiting for finalizers: a DELETE may still switch the propagation policy.
    if (!gc.changed) return obj;
    if (finalizers.length === 0 && !isNamespaces(def)) return removeNow(ctx, def, obj, rev, opts);
    return updateFinalizers(ctx, def, obj, rev, opts, setFinalizers);
  }
  if (isNamespaces(def)) {
    if (IMMORTAL_NAMESPACES.has(meta.name)) {
      throw forbidden({ group: '', resource: 'namespaces' }, meta.name, 'this namespace may not be deleted');
    }
    return markTerminating(ctx, def, obj, rev, opts, now, 0, (o) => {
      setFinalizers(o);
      o.status = { ...(o.status ?? {}), phase: 'Terminating' };
    });
  }
  if (isCustomResourceDefinitions(def)) {
    return markTerminating(ctx, def, obj, rev, opts, now, 0, (o) => {
      setFinalizers(o);
      startCrdCleanup(o, now);
    });
  }
  if (isPods(def) && bound && podGrace > 0) {
    return markTerminating(ctx, def, obj, rev, opts, now, podGrace, setFinalizers);
  }
  if (finalizers.length > 0) return markTerminating(ctx, def, obj, rev, opts, now, 0, setFinalizers);
  return removeNow(ctx, def, obj, rev, opts);
}

async function updateFinalizers(
  ctx: ApiContext,
  def: ResourceDef,
  obj: StoredObject,
  rev: number,
  opts: DeleteOptions,
  mutate: (o: KubeObject) => void,
): Promise<KubeObject> {
  const next = cloneJson(obj) as KubeObject;
  mutate(next);
  if (opts.dryRun) return next;
  return ctx.storage.update(def, next, rev);
}

function namespaceFinalized(ns: KubeObject): boolean {
  return ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0;
}

function podGracePeriod(pod: KubeObject, opts: DeleteOptions): number {
  if (opts.gracePeriodSeconds !== undefined) return Math.max(0, opts.gracePeriodSeconds);
  const spec = pod.spec as { terminationGracePeriodSeconds?: number } | undefined;
  return spec?.terminationGracePeriodSeconds ?? 30;
}

async function markTerminating(
  ctx: ApiContext,
  def: ResourceDef,
  obj: StoredObject,
  rev: number,
  opts: DeleteOptions,
  now: number,
  graceSeconds: number,
  mutate?: (o: KubeObject) => void,
): Promise<KubeObject> {
  const next = cloneJson(obj) as KubeObject;
  // Deleting counts as a change of intent for generation-tracked kinds (upstream bumps it once).
  if (!obj.metadata.deletionTimestamp && (obj.metadata.generation ?? 0) > 0) {
    next.metadata!.generation = (obj.metadata.generation ?? 0) + 1;
  }
  next.metadata!.deletionTimestamp = rfc3339(now + graceSeconds * 1000);
  next.metadata!.deletionGracePeriodSeconds = graceSeconds;
  mutate?.(next);
  if (opts.dryRun) return next;
  return ctx.storage.update(def, next, rev);
}

async function removeNow(
  ctx: ApiContext,
  def: ResourceDef,
  obj: StoredObject,
  rev: number,
  opts: DeleteOptions,
): Promise<KubeObject> {
  if (opts.dryRun) return obj;
  const gone = await ctx.storage.delete(def, obj.metadata.namespace, obj.metadata.name, rev);
  const released = ctx.admission.deleted(def, gone);
  if (released) await released;
  return gone;
}
