import {
  ApiError,
  badRequest,
  fieldErr,
  invalid,
  staleConflict,
  hasReason,
  isApiError,
  methodNotAllowed,
  notFound,
  unsupportedMediaType,
} from '../../api/errors.js';
import {
  apiVersionOf,
  isPlainObject,
  type KubeObject,
  type StoredObject,
  cloneJson,
} from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import { mediaType, parseJson, parseYaml } from '../http/body.js';
import { servedView, toServedVersion } from '../registry/index.js';
import { PARTIAL_UPDATE_SUBRESOURCES, type ResourceDef, type SubresourceName } from '../registry/types.js';
import { isDryRun, type ApiContext, type RequestScope } from './context.js';
import { checkApplyConfiguration, decodeTypedBody } from './field-validation.js';
import {
  prepareMetadataForCreate,
  prepareMetadataForUpdate,
  reconcileNamespace,
  semanticallyEqual,
  throwIfInvalid,
  toCanonical,
  validateCreate,
  validateUpdate,
} from './lifecycle.js';
import { respondObject } from './read.js';
import { selectionPredicate } from './selectors.js';
import { deleteCanonical, parseDeleteOptions, type DeleteOptions } from './delete.js';
import type { WebhookAdmission } from '../webhooks/dispatcher.js';
import { isLostRace, isStoredStale } from '../storage/object-storage.js';
import { admissionAttributes, webhooksFor } from '../webhooks/request.js';
import type { Rollback } from './admission.js';
import { nodeIdentity } from '../authz/index.js';
import type { AdmissionAttributes } from '../webhooks/types.js';

export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  /** apiVersion the client used, recorded in managedFields. */
  apiVersion: string;
  subresource?: string;
  /** The client request behind the write: admission webhooks see writes that have one. */
  request?: RequestScope;
}

function writeOptions(s: RequestScope): WriteOptions {
  const o: WriteOptions = {
    dryRun: isDryRun(s.query),
    fieldManager: s.query.get('fieldManager') || defaultManager(s.userAgent),
    apiVersion: apiVersionOf(s.served.group, s.served.version),
    request: s,
  };
  if (s.subresource) o.subresource = s.subresource;
  return o;
}

/** kubectl and client-go default managers are derived from the user agent; ours is fixed per verb. */
export function defaultManager(userAgent: string | undefined): string {
  return (userAgent ?? 'unknown').split('/')[0] || 'unknown';
}

export async function createObject(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  decodeTypedBody(ctx, s, body);
  const def = s.served.def;
  const obj = toCanonical(s.served, body);
  reconcileNamespace(def, obj.metadata!, s.namespace);
  if (def.namespaced && !obj.metadata!.namespace)
    throw badRequest('namespace is required for namespaced resources');
  const created = await createCanonical(ctx, def, obj, writeOptions(s));
  respondObject(ctx, s, 201, created);
}

/**
 * The create path for an object already in the canonical version (also used by internal writers). Takes
 * ownership of `obj`: it may be changed.
 */
/**
 * Creates tried with fresh generated names before a collision is returned (upstream's count: enough for a
 * million names per generateName prefix with under 0.1% chance of a collision reaching the client).
 */
const GENERATE_NAME_ATTEMPTS = 8;

export async function createCanonical(
  ctx: ApiContext,
  def: ResourceDef,
  obj: KubeObject,
  opts: WriteOptions,
): Promise<KubeObject> {
  const generated = !obj.metadata?.name && !!obj.metadata?.generateName;
  const webhooks = webhooksFor(ctx, opts.request);
  for (let attempt = 0; ; attempt++) {
    // The caller hands over an object of its own. Only a generated name may need another attempt from the
    // pristine object; otherwise it is prepared in place (a clone per create was measurable).
    let candidate = generated ? cloneJson(obj) : obj;
    await prepareCreate(ctx, def, candidate, opts);
    const nodeCheck = restrictNode(ctx, opts, 'CREATE', def, candidate);
    if (nodeCheck) await nodeCheck;
    // The client's managedFields, before webhooks change anything (upstream's order).
    recordManagedFields(ctx, undefined, candidate, opts);
    const attrs = webhooks && admissionAttributes(opts.request!, 'CREATE', def, candidate, opts.dryRun);
    if (webhooks && attrs) {
      const managed = candidate.metadata!.managedFields;
      const mutated = await mutateByWebhooks(webhooks, attrs, candidate, undefined, opts);
      if (mutated !== candidate) {
        // What webhooks changed goes through the create preparation again (server-owned fields reset,
        // status dropped, the built-in mutating plugins), as upstream re-runs them after a mutation.
        candidate = mutated;
        await prepareCreate(ctx, def, candidate, opts, true);
        const nodeCheck = restrictNode(ctx, opts, 'CREATE', def, candidate);
        if (nodeCheck) await nodeCheck;
        if (managed) candidate.metadata!.managedFields = managed;
        else delete candidate.metadata!.managedFields;
      }
    }
    if (opts.request) await ctx.authz.checkWrite(opts.request.user, def, candidate, undefined);
    validateCreate(ctx, def, candidate);
    const allocation = ctx.admission.allocateCreate(def, candidate);
    const undoAllocation = allocation instanceof Promise ? await allocation : allocation;
    let undoQuota: Rollback;
    try {
      const limits = ctx.admission.validateResources(def, candidate);
      if (limits) await limits;
      const podSecurity = ctx.admission.podSecurityCheck({
        def,
        obj: candidate,
        ...userOf(opts),
        ...annotatorOf(opts),
        warn: warnerOf(opts),
      });
      if (podSecurity) await podSecurity;
      if (webhooks && attrs) await webhooks.validate(attrs, candidate, undefined, warnerOf(opts));
      undoQuota = await ctx.admission.chargeQuota(def, candidate);
    } catch (err) {
      await undoAllocation();
      throw err;
    }
    // Awaited: a dry run (or failed create) answers once what it reserved is free again.
    const rollback = async (): Promise<void> => {
      await undoQuota();
      await undoAllocation();
    };
    if (opts.dryRun) {
      await rollback();
      return candidate;
    }
    try {
      return await ctx.storage.create(def, candidate);
    } catch (err) {
      await rollback();
      if (generated && attempt + 1 < GENERATE_NAME_ATTEMPTS && hasReason(err, 'AlreadyExists')) continue;
      throw err;
    }
  }
}

/**
 * Server-owned metadata, strategy preparation, defaults and the built-in mutating admission plugins. Run again
 * after webhooks changed the object, it keeps the uid and creation time given the first time (a Job's
 * generated selector names the uid).
 */
async function prepareCreate(
  ctx: ApiContext,
  def: ResourceDef,
  obj: KubeObject,
  opts: WriteOptions,
  again = false,
): Promise<void> {
  const { uid, creationTimestamp } = obj.metadata!;
  prepareMetadataForCreate(ctx, def, obj);
  if (again) {
    obj.metadata!.uid = uid;
    obj.metadata!.creationTimestamp = creationTimestamp;
  }
  if (def.subresources?.includes('status') && !def.strategy.keepsStatusOnCreate) delete obj.status;
  def.strategy.prepareForCreate?.(obj);
  if (opts.request) def.strategy.setRequester?.(obj, opts.request.user);
  def.strategy.defaults?.(obj);
  await ctx.admission.mutateCreate(def, obj);
}

function recordManagedFields(
  ctx: ApiContext,
  old: KubeObject | undefined,
  obj: KubeObject,
  opts: WriteOptions,
): void {
  if (!ctx.ext.updateManagedFields || !opts.fieldManager) return;
  const update = {
    manager: opts.fieldManager,
    operation: 'Update' as const,
    apiVersion: opts.apiVersion,
    now: rfc3339(ctx.clock.now()),
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  };
  const entries = ctx.ext.updateManagedFields(old, obj, update);
  if (entries.length > 0) obj.metadata!.managedFields = entries;
  else delete obj.metadata!.managedFields;
}

export async function updateObject(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  decodeTypedBody(ctx, s, body);
  const def = s.served.def;
  const obj = toCanonical(s.served, body);
  const meta = obj.metadata!;
  reconcileNamespace(def, meta, s.namespace);
  if (meta.name && meta.name !== s.name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${s.name})`);
  }
  meta.name = s.name;
  const load = (): Promise<StoredObject> => ctx.storage.mustGet(def, s.namespace, s.name!);
  const opts = writeOptions(s);
  let result: KubeObject;
  if (meta.resourceVersion) {
    const old = await load();
    if (meta.resourceVersion !== old.metadata.resourceVersion) {
      throw staleConflict({ group: def.group, resource: def.plural }, s.name!);
    }
    result = await updateCanonical(ctx, def, obj, old, opts);
  } else {
    // An unconditional update is retried when another writer came first, as upstream's GuaranteedUpdate.
    result = await guaranteedUpdate((old) => updateCanonical(ctx, def, cloneJson(obj), old, opts), load);
  }
  respondObject(ctx, s, 200, result);
}

/**
 * The update path for a canonical object against the stored `old` (compare-and-swap on old's resourceVersion).
 * Handles status isolation, generation, finalizer-completed deletion and no-op writes. Takes ownership of
 * `input`, which may be changed: callers pass an object of their own that shares nothing with `old`.
 */
export async function updateCanonical(
  ctx: ApiContext,
  def: ResourceDef,
  input: KubeObject,
  old: StoredObject,
  opts: WriteOptions,
): Promise<KubeObject> {
  const sub = opts.subresource as SubresourceName | undefined;
  const partial =
    sub && PARTIAL_UPDATE_SUBRESOURCES.includes(sub) ? def.strategy.partialUpdates?.[sub] : undefined;
  if (sub && PARTIAL_UPDATE_SUBRESOURCES.includes(sub) && !partial) throw methodNotAllowed();
  /** What this write may change: the status alone through `status`, everything else otherwise. */
  const isolate = (o: KubeObject): KubeObject => {
    if (partial) partial.prepareForUpdate(o, old);
    else if (opts.subresource === 'status') {
      if (def.strategy.prepareForStatusUpdate) def.strategy.prepareForStatusUpdate(o, old);
      else o = { ...cloneJson(old), status: o.status };
      if (o.status === undefined) delete o.status;
    } else if (def.subresources?.includes('status')) {
      if (old.status === undefined) delete o.status;
      else o.status = cloneJson(old.status);
    }
    // Defaults first, so a manifest that omits defaulted fields does not count as a spec change.
    def.strategy.defaults?.(o);
    return o;
  };
  let obj = isolate(input);
  const nodeCheck = restrictNode(ctx, opts, 'UPDATE', def, obj, old);
  if (nodeCheck) await nodeCheck;
  const webhooks = webhooksFor(ctx, opts.request);
  const attrs = webhooks && admissionAttributes(opts.request!, 'UPDATE', def, old, opts.dryRun);
  let managedBeforeWebhooks = false;
  if (webhooks && attrs) {
    // The client's managedFields, before webhooks change anything (upstream's order).
    recordManagedFields(ctx, old, obj, opts);
    managedBeforeWebhooks = true;
    const managed = obj.metadata?.managedFields;
    const mutated = await mutateByWebhooks(webhooks, attrs, obj, old, opts);
    if (mutated !== obj) {
      obj = isolate(mutated);
      const nodeCheck = restrictNode(ctx, opts, 'UPDATE', def, obj, old);
      if (nodeCheck) await nodeCheck;
      if (managed) obj.metadata!.managedFields = managed;
      else delete obj.metadata!.managedFields;
    }
  }
  // finalize writes spec.finalizers, which ordinary updates may not change.
  if (opts.subresource !== 'status' && opts.subresource !== 'finalize' && !partial) {
    def.strategy.prepareForUpdate?.(obj, old);
  }
  prepareMetadataForUpdate(def, obj, old);
  if (opts.request) await ctx.authz.checkWrite(opts.request.user, def, obj, old, opts.subresource);
  if (partial) throwIfInvalid(def, obj, partial.validateUpdate(obj, old));
  else validateUpdate(ctx, def, obj, old, opts.subresource);
  if (!managedBeforeWebhooks) recordManagedFields(ctx, old, obj, opts);
  obj.metadata!.resourceVersion = old.metadata.resourceVersion;
  const limits = opts.subresource ? undefined : ctx.admission.validateResources(def, obj, old);
  if (limits) await limits;
  const podSecurity = ctx.admission.podSecurityCheck({
    def,
    obj,
    old,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
    ...userOf(opts),
    ...annotatorOf(opts),
    warn: warnerOf(opts),
  });
  if (podSecurity) await podSecurity;
  if (webhooks && attrs) await webhooks.validate(attrs, obj, old, warnerOf(opts));
  const meta = obj.metadata!;
  if (meta.deletionTimestamp && !finalizersPending(def, obj) && !awaitsGracefulTermination(def, obj)) {
    if (opts.dryRun) return obj;
    const gone = await ctx.storage.delete(
      def,
      meta.namespace,
      meta.name!,
      Number(old.metadata.resourceVersion),
    );
    const released = ctx.admission.deleted(def, gone);
    if (released) await released;
    return gone;
  }
  // A value stored with a retired encryption key is written again even when nothing changes (upstream's stale read).
  if (semanticallyEqual(obj, old) && !isStoredStale(old)) return old;
  const admitted = ctx.admission.admitUpdate(def, obj, old, opts.subresource);
  const rollback = admitted instanceof Promise ? await admitted : admitted;
  if (opts.dryRun) {
    await rollback();
    return obj;
  }
  let saved: KubeObject;
  try {
    saved = await ctx.storage.update(def, obj, Number(old.metadata.resourceVersion));
  } catch (err) {
    await rollback();
    throw err;
  }
  const released = ctx.admission.updated(def, saved, old);
  if (released) await released;
  return saved;
}

/** Namespaces also wait for their spec.finalizers (the namespace lifecycle empties them). */
function finalizersPending(def: ResourceDef, obj: KubeObject): boolean {
  if ((obj.metadata?.finalizers ?? []).length > 0) return true;
  if (def.group === '' && def.plural === 'namespaces') {
    return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
  }
  return false;
}

/** A bound pod being deleted gracefully stays until its node confirms (grace 0 delete); finalizers don't decide that. */
function awaitsGracefulTermination(def: ResourceDef, obj: KubeObject): boolean {
  return def.group === '' && def.plural === 'pods' && (obj.metadata?.deletionGracePeriodSeconds ?? 0) > 0;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * A read-modify-write that retries when someone else wrote in between (upstream's GuaranteedUpdate). As upstream,
 * without a limit: each round one of the contending writers wins, so retrying ends with the contention, and the
 * store answers a lost race only once the winner's write is readable. A limit (it was 8) failed the unluckiest of
 * a dozen writers to one object with a Conflict the client had no part in.
 */
export async function guaranteedUpdate(
  attempt: (old: StoredObject) => Promise<KubeObject>,
  load: () => Promise<StoredObject>,
): Promise<KubeObject> {
  for (;;) {
    const old = await load();
    try {
      return await attempt(old);
    } catch (err) {
      if (isApiError(err) && err.status.reason === 'Conflict' && isLostRace(err)) continue;
      throw err;
    }
  }
}

/**
 * A resourceVersion the client sent that is not the stored one: answered at once, never retried by
 * guaranteedUpdate (which retries only the store's conflicts between its own read and write).
 */
export function preconditionConflict(def: ResourceDef, name: string): ApiError {
  return staleConflict({ group: def.group, resource: def.plural }, name);
}

export function parsePatchBody(type: string, raw: Buffer): unknown {
  const value = type === 'application/apply-patch+yaml' ? parseYaml(raw) : parseJson(raw);
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(value))
      throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  } else if (!isPlainObject(value)) {
    throw badRequest('json: cannot unmarshal non-object into Go value of type map[string]interface {}');
  }
  return value;
}

export async function patchObject(
  ctx: ApiContext,
  s: RequestScope,
  contentType: string | undefined,
  raw: Buffer,
): Promise<void> {
  const type = mediaType(contentType);
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(PATCH_TYPES);
  const patch = parsePatchBody(type, raw);
  const def = s.served.def;
  const opts = writeOptions(s);
  // Patch engines key their merge rules by the canonical group (extensions/v1beta1 Deployment is apps).
  const gvk = { group: def.group, version: s.served.version, kind: def.kind };
  if (type === 'application/apply-patch+yaml') {
    await applyObject(ctx, s, patch as KubeObject, opts);
    return;
  }
  const result = await guaranteedUpdate(
    async (old) => {
      // The patch engines never change the object they patch.
      const patched = ctx.ext.applyPatch(type, servedView(s.served, old), patch, gvk);
      if (!isPlainObject(patched)) throw badRequest('the patch did not produce an object');
      decodeTypedBody(ctx, s, patched);
      const obj = toCanonical(s.served, patched);
      const meta = obj.metadata!;
      if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) {
        throw preconditionConflict(def, s.name!);
      }
      if (meta.name !== s.name)
        throw badRequest(
          `the name of the object (${String(meta.name)}) does not match the name on the URL (${s.name})`,
        );
      reconcileNamespace(def, meta, s.namespace);
      return updateCanonical(ctx, def, obj, old, opts);
    },
    () => ctx.storage.mustGet(def, s.namespace, s.name!),
  );
  respondObject(ctx, s, 200, result);
}

/** Server-side apply: create when absent, else merge with field ownership (when the engine is present). */
async function applyObject(
  ctx: ApiContext,
  s: RequestScope,
  applied: KubeObject,
  opts: WriteOptions,
): Promise<void> {
  const def = s.served.def;
  if (!s.query.get('fieldManager')) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [
      fieldErr.required('fieldManager', 'is required for apply patch'),
    ]);
  }
  checkApplyConfiguration(ctx, s, applied);
  const gvk = { group: def.group, version: s.served.version, kind: def.kind };
  const force = s.query.get('force') === 'true';
  const now = rfc3339(ctx.clock.now());
  const existing = await ctx.storage.get(def, s.namespace, s.name!);
  // Only the main resource is created by an apply; a subresource of a missing object is not found, as upstream.
  if (!existing && s.subresource) throw notFound({ group: def.group, resource: def.plural }, s.name!);
  if (!existing) {
    // The request was authorized as a patch; an apply that creates must also be allowed to create.
    await ctx.authz.require({
      user: s.user,
      verb: 'create',
      resourceRequest: true,
      path: '',
      apiGroup: s.served.group,
      apiVersion: s.served.version,
      resource: def.plural,
      subresource: s.subresource ?? '',
      namespace: s.namespace ?? '',
      name: s.name ?? '',
    });
    const body = cloneJson(applied);
    body.metadata ??= {};
    if (body.metadata.name && body.metadata.name !== s.name) {
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${s.name})`,
      );
    }
    body.metadata.name = s.name;
    let obj = body;
    let managed;
    if (ctx.ext.serverSideApply) {
      const r = ctx.ext.serverSideApply(undefined, body, { manager: opts.fieldManager!, force, gvk, now });
      obj = r.object;
      managed = r.managedFields;
    }
    const canonical = toCanonical(s.served, obj);
    reconcileNamespace(def, canonical.metadata!, s.namespace);
    if (managed) canonical.metadata!.managedFields = managed;
    const created = await createCanonical(ctx, def, canonical, { ...opts, fieldManager: undefined });
    respondObject(ctx, s, 201, created);
    return;
  }
  const result = await guaranteedUpdate(
    async (old) => {
      // Neither apply engine changes the object it merges into.
      const live = servedView(s.served, old);
      let merged: KubeObject;
      let managed;
      if (ctx.ext.serverSideApply) {
        const r = ctx.ext.serverSideApply(live, applied, { manager: opts.fieldManager!, force, gvk, now });
        merged = r.object;
        managed = r.managedFields;
      } else {
        merged = ctx.ext.applyPatch('application/merge-patch+json', live, applied, gvk);
      }
      const obj = toCanonical(s.served, merged);
      obj.metadata!.name = s.name;
      reconcileNamespace(def, obj.metadata!, s.namespace);
      if (managed) obj.metadata!.managedFields = managed;
      return updateCanonical(ctx, def, obj, old, {
        ...opts,
        fieldManager: managed ? undefined : opts.fieldManager,
      });
    },
    () => ctx.storage.mustGet(def, s.namespace, s.name!),
  );
  respondObject(ctx, s, 200, result);
}

export async function deleteObject(
  ctx: ApiContext,
  s: RequestScope,
  raw: Buffer,
  contentType?: string,
): Promise<void> {
  const def = s.served.def;
  const options = {
    ...parseDeleteOptions(raw, contentType, s.query),
    requestVersion: { group: s.served.group, version: s.served.version },
  };
  // Retried on conflicts with concurrent writers (e.g. a controller removing a finalizer).
  const result = await guaranteedUpdate(
    async (old) => {
      const nodeCheck = restrictNodeDelete(ctx, s, def, old);
      if (nodeCheck) await nodeCheck;
      await admitDeleteByWebhooks(ctx, s, def, old, options);
      return deleteCanonical(ctx, def, old, options);
    },
    () => ctx.storage.mustGet(def, s.namespace, s.name!),
  );
  respondObject(ctx, s, 200, result);
}

export async function deleteCollection(
  ctx: ApiContext,
  s: RequestScope,
  raw: Buffer,
  contentType?: string,
): Promise<void> {
  const def = s.served.def;
  const options = {
    ...parseDeleteOptions(raw, contentType, s.query),
    requestVersion: { group: s.served.group, version: s.served.version },
  };
  const predicate = selectionPredicate(ctx, def, s.query);
  const page = await ctx.storage.list(def, {
    namespace: s.namespace,
    predicate: predicate as ((o: StoredObject) => boolean) | undefined,
  });
  const deleted: KubeObject[] = [];
  for (const obj of page.items) {
    try {
      const nodeCheck = restrictNodeDelete(ctx, s, def, obj);
      if (nodeCheck) await nodeCheck;
      await admitDeleteByWebhooks(ctx, s, def, obj, options);
      deleted.push(await deleteCanonical(ctx, def, obj, { ...options, preconditions: undefined }));
    } catch (err) {
      // Gone meanwhile (another deleter came first); anything else stops the collection delete.
      if (!hasReason(err, 'NotFound') || !isLostRace(err)) throw err;
    }
  }
  s.out.json(200, {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(s.served.group, s.served.version),
    metadata: { resourceVersion: page.resourceVersion },
    items: deleted.map((o) => toServedVersion(s.served, o)),
  });
}

/**
 * NodeRestriction over a client's create or update (internal writes have no request and are not checked).
 * Synchronous for everyone but nodes: a create's path pays no extra await for it.
 */
function restrictNode(
  ctx: ApiContext,
  opts: WriteOptions,
  operation: 'CREATE' | 'UPDATE',
  def: ResourceDef,
  obj: KubeObject,
  old?: StoredObject,
): Promise<void> | undefined {
  const s = opts.request;
  if (!s || nodeIdentity(s.user) === undefined) return undefined;
  return ctx.admission.restrictNode({
    user: s.user,
    operation,
    group: def.group,
    resource: def.plural,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
    ...(def.namespaced ? { namespace: obj.metadata?.namespace ?? '' } : {}),
    name: s.name || obj.metadata?.name || '',
    object: obj,
    ...(old ? { oldObject: old } : {}),
  });
}

function restrictNodeDelete(
  ctx: ApiContext,
  s: RequestScope,
  def: ResourceDef,
  old: StoredObject,
): Promise<void> | undefined {
  if (nodeIdentity(s.user) === undefined) return undefined;
  return ctx.admission.restrictNode({
    user: s.user,
    operation: 'DELETE',
    group: def.group,
    resource: def.plural,
    ...(def.namespaced ? { namespace: old.metadata.namespace ?? '' } : {}),
    name: old.metadata.name,
    oldObject: old,
  });
}

/** The requesting user's name, for admission that exempts users. */
function userOf(opts: WriteOptions): { user?: string } {
  return opts.request ? { user: opts.request.user.username } : {};
}

function warnerOf(opts: WriteOptions): (message: string) => void {
  return (message) => opts.request?.out.warn(message);
}

/** The request's audit annotations, when its event is recorded. */
function annotatorOf(opts: WriteOptions): { annotate?: (key: string, value: string) => void } {
  const record = opts.request?.out.audit;
  return record ? { annotate: (key, value) => record.annotate(key, value) } : {};
}

/**
 * Mutating webhooks over a create or update; a changed object keeps the server-owned identity the webhook may
 * not change (callers prepare and default it again, as upstream after a mutation).
 */
async function mutateByWebhooks(
  webhooks: WebhookAdmission,
  attrs: AdmissionAttributes,
  obj: KubeObject,
  old: KubeObject | undefined,
  opts: WriteOptions,
): Promise<KubeObject> {
  const mutated = await webhooks.mutate(attrs, obj, old, warnerOf(opts));
  if (mutated === obj) return obj;
  const meta = (mutated.metadata ??= {});
  const before = obj.metadata!;
  meta.name = before.name;
  if (before.namespace !== undefined) meta.namespace = before.namespace;
  else delete meta.namespace;
  meta.uid = before.uid;
  meta.creationTimestamp = before.creationTimestamp;
  return mutated;
}

/** Webhooks see a DELETE with the stored object as oldObject and the DeleteOptions; they may only refuse. */
async function admitDeleteByWebhooks(
  ctx: ApiContext,
  s: RequestScope,
  def: ResourceDef,
  old: StoredObject,
  options: DeleteOptions,
): Promise<void> {
  const webhooks = webhooksFor(ctx, s);
  if (!webhooks) return;
  const extra: Record<string, unknown> = {};
  if (options.gracePeriodSeconds !== undefined) extra.gracePeriodSeconds = options.gracePeriodSeconds;
  if (options.propagationPolicy) extra.propagationPolicy = options.propagationPolicy;
  const attrs = admissionAttributes(s, 'DELETE', def, old, options.dryRun, extra);
  await webhooks.admitDelete(attrs, old, (message) => s.out.warn(message));
}
