import { badRequest, conflict, fieldErr, invalid, notFound } from '../../api/errors.js';
import { selectorFromSet, selectorString, type LabelSelectorObject } from '../../api/labels.js';
import { apiVersionOf, isPlainObject, type KubeObject, cloneJson } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import { mediaType } from '../http/body.js';
import type { ResourceDef, ScalePaths } from '../registry/types.js';
import { isDryRun, type ApiContext, type RequestScope } from './context.js';
import { deleteCanonical, parseDeleteOptions } from './delete.js';
import { takeDisruption } from './eviction-budget.js';
import {
  defaultManager,
  guaranteedUpdate,
  parsePatchBody,
  preconditionConflict,
  updateCanonical,
} from './write.js';

/** Keys that would reach an object's prototype instead of its data. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function pathKeys(path: string): string[] {
  const keys = path.split('.').slice(1);
  if (keys.some((k) => UNSAFE_KEYS.has(k))) throw badRequest(`unsupported scale path ${path}`);
  return keys;
}

/** Value at a simple JSON path such as `.spec.replicas` (the form a CRD's scale paths take). */
function valueAt(obj: KubeObject, path: string): unknown {
  let cur: unknown = obj;
  for (const key of pathKeys(path)) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function setValueAt(obj: KubeObject, path: string, value: unknown): void {
  const keys = pathKeys(path);
  let cur: Record<string, unknown> = obj;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(cur, key) ? cur[key] : undefined;
    cur = isPlainObject(next) ? next : (cur[key] = {});
  }
  cur[keys[keys.length - 1]!] = value;
}

function scaleMetadata(obj: KubeObject): Record<string, unknown> {
  const meta = obj.metadata!;
  const scaleMeta: Record<string, unknown> = {
    name: meta.name,
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
    creationTimestamp: meta.creationTimestamp,
  };
  if (meta.namespace) scaleMeta.namespace = meta.namespace;
  return scaleMeta;
}

function scaleOf(def: ResourceDef, obj: KubeObject): KubeObject {
  if (def.scalePaths) return customScaleOf(def.scalePaths, obj);
  const spec = (obj.spec ?? {}) as {
    replicas?: number;
    selector?: LabelSelectorObject | Record<string, string>;
  };
  const status = (obj.status ?? {}) as { replicas?: number };
  const isRc = def.plural === 'replicationcontrollers';
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: scaleMetadata(obj),
    spec: { replicas: spec.replicas ?? 0 },
    // ReplicationControllers select with a plain map; the apps kinds with a LabelSelector.
    status: {
      replicas: status.replicas ?? 0,
      selector: isRc
        ? selectorFromSet((spec.selector ?? {}) as Record<string, string>).toString()
        : selectorString(spec.selector),
    },
  };
}

/** A custom resource's Scale: replicas and the selector (already a string) where its CRD says they are. */
function customScaleOf(paths: ScalePaths, obj: KubeObject): KubeObject {
  const specReplicas = valueAt(obj, paths.specReplicasPath);
  const statusReplicas = valueAt(obj, paths.statusReplicasPath);
  const selector = paths.labelSelectorPath ? valueAt(obj, paths.labelSelectorPath) : undefined;
  const status: Record<string, unknown> = {
    replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
  };
  if (typeof selector === 'string' && selector !== '') status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: scaleMetadata(obj),
    spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
    status,
  };
}

export async function getScale(ctx: ApiContext, s: RequestScope): Promise<void> {
  const obj = await ctx.storage.mustGet(s.served.def, s.namespace, s.name!);
  s.out.json(200, scaleOf(s.served.def, obj));
}

/** PUT or PATCH of …/scale: only spec.replicas of the parent changes. */
export async function writeScale(
  ctx: ApiContext,
  s: RequestScope,
  method: 'PUT' | 'PATCH',
  contentType: string | undefined,
  raw: Buffer,
): Promise<void> {
  const def = s.served.def;
  const type = mediaType(contentType);
  const body = method === 'PUT' ? parsePatchBody('application/json', raw) : parsePatchBody(type, raw);
  const result = await guaranteedUpdate(
    async (old) => {
      const current = scaleOf(def, old);
      let desired: KubeObject;
      if (method === 'PUT') desired = body as KubeObject;
      else {
        const patchType =
          type === 'application/strategic-merge-patch+json' ? 'application/merge-patch+json' : type;
        desired = ctx.ext.applyPatch(patchType, current, body, {
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
        });
      }
      const rv = desired.metadata?.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) {
        throw preconditionConflict(def, s.name!);
      }
      const replicas = (desired.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', s.name!, [
          fieldErr.invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0'),
        ]);
      }
      const next = cloneJson(old) as KubeObject;
      if (def.scalePaths) setValueAt(next, def.scalePaths.specReplicasPath, replicas);
      else next.spec = { ...(next.spec ?? {}), replicas };
      return updateCanonical(ctx, def, next, old, {
        dryRun: isDryRun(s.query),
        apiVersion: apiVersionOf(s.served.group, s.served.version),
        subresource: 'scale',
        fieldManager: s.query.get('fieldManager') || defaultManager(s.userAgent),
      });
    },
    () => ctx.storage.mustGet(def, s.namespace, s.name!),
  );
  s.out.json(200, scaleOf(def, result));
}

function successStatus(code = 201): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

/** POST pods/{name}/binding: assigns the pod to a node once. */
export async function bindPod(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  const def = s.served.def;
  const target = (body as { target?: { name?: string; kind?: string } }).target;
  if (!target?.name) throw invalid('Binding', '', s.name!, [fieldErr.required('target.name')]);
  await ctx.admission.restrictNode({
    user: s.user,
    operation: 'CREATE',
    group: '',
    resource: 'pods',
    subresource: 'binding',
    namespace: s.namespace ?? '',
    name: s.name!,
    object: body,
  });
  await guaranteedUpdate(
    async (old) => {
      const spec = (old.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
      if (spec.nodeName) {
        throw conflict(
          { group: '', resource: 'pods/binding' },
          s.name!,
          `pod ${s.name} is already assigned to node "${spec.nodeName}"`,
        );
      }
      if (old.metadata.deletionTimestamp) {
        throw conflict(
          { group: '', resource: 'pods/binding' },
          s.name!,
          `pod ${s.name} is being deleted, cannot be assigned to a host`,
        );
      }
      if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
        throw conflict(
          { group: '', resource: 'pods/binding' },
          s.name!,
          `pod ${s.name} has non-empty .spec.schedulingGates`,
        );
      }
      // Each attempt reads the pod afresh: it is this write's own copy.
      const next = old as KubeObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };
      next.spec ??= {};
      next.spec.nodeName = target.name;
      const status = (next.status ??= {});
      const conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter(
        (c) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: rfc3339(ctx.clock.now()),
      });
      status.conditions = conditions;
      // Binding changes spec and status together, which neither the main resource nor status may do alone.
      if (isDryRun(s.query)) return next;
      return ctx.storage.update(def, next, Number(old.metadata.resourceVersion));
    },
    () => ctx.storage.mustGet(def, s.namespace, s.name!),
  );
  s.out.json(201, successStatus());
}

/** POST pods/{name}/eviction: deletes the pod unless a PodDisruptionBudget forbids it (429, kubectl drain retries). */
export async function evictPod(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  const def = s.served.def;
  const pod = await ctx.storage.get(def, s.namespace, s.name!);
  if (!pod) throw notFound({ group: '', resource: 'pods' }, s.name!);
  await ctx.admission.restrictNode({
    user: s.user,
    operation: 'CREATE',
    group: '',
    resource: 'pods',
    subresource: 'eviction',
    namespace: s.namespace ?? '',
    name: s.name!,
    object: body,
    oldObject: pod,
  });
  await takeDisruption(ctx, s.namespace ?? '', pod, isDryRun(s.query));
  const deleteOptions = (body as { deleteOptions?: unknown }).deleteOptions;
  const options = parseDeleteOptions(
    Buffer.from(isPlainObject(deleteOptions) ? JSON.stringify(deleteOptions) : ''),
    'application/json',
    s.query,
  );
  await deleteCanonical(ctx, def, pod, options);
  s.out.json(201, successStatus());
}

export function requireObjectBody(body: unknown): KubeObject {
  if (!isPlainObject(body)) throw badRequest('request body must be an object');
  return body;
}
