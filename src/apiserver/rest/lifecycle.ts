import { badRequest, invalid, type FieldError } from '../../api/errors.js';
import { apiVersionOf, deepEqual, type KubeObject, type ObjectMeta } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import type { ServedResource } from '../registry/index.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext } from './context.js';

/** Checks apiVersion/kind of a request body against the endpoint and converts it to the canonical version. */
export function toCanonical(served: ServedResource, body: KubeObject): KubeObject {
  const expectedApiVersion = apiVersionOf(served.group, served.version);
  if (body.apiVersion !== undefined && body.apiVersion !== expectedApiVersion) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
  if (body.kind !== undefined && body.kind !== served.def.kind) {
    const kind = typeof body.kind === 'string' ? body.kind : JSON.stringify(body.kind);
    throw badRequest(
      `${kind} in version "${served.version}" cannot be handled as a ${served.def.kind}: the object provided is unrecognized (must be of type ${served.def.kind})`,
    );
  }
  const obj = served.alias ? served.alias.toCanonical(body) : body;
  obj.apiVersion = apiVersionOf(served.def.group, served.def.version);
  obj.kind = served.def.kind;
  if (obj.metadata === null || obj.metadata === undefined) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw badRequest('metadata must be an object');
  }
  return obj;
}

/** Namespace in the body must agree with the URL; cluster-scoped objects carry none. */
export function reconcileNamespace(
  def: ResourceDef,
  meta: ObjectMeta,
  urlNamespace: string | undefined,
): void {
  if (!def.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && urlNamespace && meta.namespace !== urlNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (urlNamespace) meta.namespace = urlNamespace;
}

/** Server-owned metadata for a new object (as upstream's rest.BeforeCreate). */
export function prepareMetadataForCreate(ctx: ApiContext, def: ResourceDef, obj: KubeObject): void {
  const meta = obj.metadata!;
  if (!meta.name && meta.generateName) meta.name = meta.generateName + ctx.randomSuffix();
  meta.uid = ctx.newUid();
  meta.creationTimestamp = rfc3339(ctx.clock.now());
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (def.generationTracked) meta.generation = 1;
  else delete meta.generation;
}

/** Keep the immutable server-owned metadata of the stored object on update. */
export function prepareMetadataForUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata!;
  const oldMeta = old.metadata!;
  meta.uid = oldMeta.uid;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds !== undefined) {
    meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  } else delete meta.deletionGracePeriodSeconds;
  if (def.generationTracked) {
    meta.generation = (oldMeta.generation ?? 1) + (specChanged(obj, old) ? 1 : 0);
  } else if (oldMeta.generation !== undefined) {
    meta.generation = oldMeta.generation;
  } else delete meta.generation;
}

/** Anything outside metadata and status counts as spec for generation purposes. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  return !semanticallyEqual(withoutMetaStatus(a), withoutMetaStatus(b));
}

/**
 * Equality as upstream's semantic DeepEqual of typed objects: key order never counts, and a member set to null
 * is the same as an absent one (a nil pointer). Allocates nothing, unlike comparing serializations.
 */
export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return deepEqual(a, b);
}

function withoutMetaStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export function validateCreate(ctx: ApiContext, def: ResourceDef, obj: KubeObject): void {
  const errors: FieldError[] = [
    ...ctx.ext.validateObjectMeta(obj, def),
    ...(def.strategy.validate?.(obj) ?? []),
  ];
  throwIfInvalid(def, obj, errors);
}

/**
 * A status write keeps the stored spec (prepareForStatusUpdate), so as upstream's status strategies it is not
 * validated again: re-checking an unchanged spec costs every status write (a pod's several, a node's every
 * few seconds) and would refuse status writes of objects stored before a validation rule was added.
 */
export function validateUpdate(
  ctx: ApiContext,
  def: ResourceDef,
  obj: KubeObject,
  old: KubeObject,
  subresource?: string,
): void {
  const specKept = subresource === 'status' && !def.strategy.validatesStatus;
  const errors: FieldError[] = [
    ...ctx.ext.validateObjectMeta(obj, def),
    ...ctx.ext.validateObjectMetaUpdate(obj, old),
    ...(specKept ? [] : newProblems(def, obj, old)),
    ...(specKept ? [] : (def.strategy.validateUpdate?.(obj, old) ?? [])),
  ];
  throwIfInvalid(def, obj, errors);
}

/**
 * The object's validation errors that the stored object did not already have. An object stored before a rule
 * existed (an older server) stays updatable as long as the update does not make it worse, which is what
 * upstream's validation ratcheting gives the rules it added over time.
 */
function newProblems(def: ResourceDef, obj: KubeObject, old: KubeObject): FieldError[] {
  const errors = def.strategy.validate?.(obj) ?? [];
  if (errors.length === 0) return errors;
  const known = new Set((def.strategy.validate?.(old) ?? []).map((e) => `${e.field}\u0000${e.message}`));
  return errors.filter((e) => !known.has(`${e.field}\u0000${e.message}`));
}

export function throwIfInvalid(def: ResourceDef, obj: KubeObject, errors: FieldError[]): void {
  if (errors.length > 0) throw invalid(def.kind, def.group, obj.metadata?.name ?? '', dedupe(errors));
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.field}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
