import { badRequest, conflict, fieldErr, forbidden, invalid } from '../../api/errors.js';
import { isPlainObject, type KubeObject, type StoredObject } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import { mediaType, parseJson } from '../http/body.js';
import type { ResourceDef } from '../registry/types.js';
import { isDryRun, type ApiContext } from './context.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
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
  if (body.orphanDependents === true && !opts.propagationPolicy) opts.propagationPolicy = 'Orphan';
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

/**
 * Deletes as upstream: objects with finalizers (and namespaces) get a deletionTimestamp and stay until
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
  const finalizers = meta.finalizers ?? [];

  if (meta.deletionTimestamp) {
    // Already terminating: only a shorter grace period for a pod changes anything.
    if (isPods(def) && (podGrace === 0 || !bound) && finalizers.length === 0)
      return removeNow(ctx, def, obj, rev, opts);
    if (isPods(def) && bound && podGrace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
      return markTerminating(ctx, def, obj, rev, opts, now, podGrace);
    }
    return obj;
  }
  if (isNamespaces(def)) {
    if (IMMORTAL_NAMESPACES.has(meta.name)) {
      throw forbidden({ group: '', resource: 'namespaces' }, meta.name, 'this namespace may not be deleted');
    }
    return markTerminating(ctx, def, obj, rev, opts, now, 0, (o) => {
      o.status = { ...(o.status ?? {}), phase: 'Terminating' };
    });
  }
  if (finalizers.length > 0) return markTerminating(ctx, def, obj, rev, opts, now, 0);
  if (isPods(def) && bound && podGrace > 0) return markTerminating(ctx, def, obj, rev, opts, now, podGrace);
  return removeNow(ctx, def, obj, rev, opts);
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
  const next = structuredClone(obj) as KubeObject;
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
  ctx.admission.deleted(def, gone);
  return gone;
}
