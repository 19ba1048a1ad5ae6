/**
 * File sets of configMap, secret, downwardAPI and projected volumes (upstream pkg/volume/{configmap,secret,
 * downwardapi,projected}): items select keys, modes come from the item, else defaultMode (0644).
 */
import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  ProjectedVolumeSource,
  Secret,
  ServiceAccountTokenProjection,
} from 'kubernetes-types/core/v1.js';
import { fieldRefValue, resourceFieldRefValue, type DownwardContext } from '../downward-api.js';
import type { Payload } from './atomic-writer.js';

export const DEFAULT_MODE = 0o644;

export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** A token for the pod's service account bound to the pod (the TokenRequest API). */
  serviceAccountToken(pod: Pod, source: ServiceAccountTokenProjection): Promise<string>;
  /** Drops what was cached for a pod that is gone. */
  forgetPod?(uid: string): void;
}

function keyData(
  all: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
  missing: (key: string) => string,
  optional: boolean,
  into: Payload,
): void {
  if (!items || items.length === 0) {
    for (const [k, data] of all) into.set(k, { data, mode });
    return;
  }
  for (const item of items) {
    const data = all.get(item.key);
    if (!data) {
      if (optional) continue;
      throw new Error(missing(item.key));
    }
    into.set(item.path, { data, mode: item.mode ?? mode });
  }
}

function configMapData(cm: ConfigMap): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

function secretData(s: Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries(s.stringData ?? {})) out.set(k, Buffer.from(v));
  return out;
}

type KeyedRef = { name?: string; items?: KeyToPath[]; optional?: boolean };

/** The files of a ConfigMap or Secret volume source (all keys, or `items`); missing and optional is empty. */
function keyedPayload(
  kind: 'configmap' | 'secret',
  data: Map<string, Buffer> | undefined,
  ref: KeyedRef,
  mode: number,
  into: Payload,
): Payload {
  if (!data) {
    if (ref.optional) return into;
    throw new Error(`${kind} "${ref.name}" not found`);
  }
  const missing = (k: string): string =>
    kind === 'configmap'
      ? `configmap references non-existent config key: ${k}`
      : `secret references non-existent secret key: ${k}`;
  keyData(data, ref.items, mode, missing, ref.optional ?? false, into);
  return into;
}

export async function configMapPayload(
  src: ObjectSource,
  ns: string,
  ref: KeyedRef,
  mode: number,
  into: Payload = new Map(),
): Promise<Payload> {
  const cm = await src.configMap(ns, ref.name ?? '');
  return keyedPayload('configmap', cm && configMapData(cm), ref, mode, into);
}

export async function secretPayload(
  src: ObjectSource,
  ns: string,
  ref: KeyedRef,
  mode: number,
  into: Payload = new Map(),
): Promise<Payload> {
  const secret = await src.secret(ns, ref.name ?? '');
  return keyedPayload('secret', secret && secretData(secret), ref, mode, into);
}

export function downwardApiPayload(
  files: DownwardAPIVolumeFile[],
  ctx: DownwardContext,
  mode: number,
  into: Payload = new Map(),
): Payload {
  for (const f of files) {
    let value: string;
    if (f.fieldRef) value = fieldRefValue(f.fieldRef, ctx);
    else if (f.resourceFieldRef) {
      const name = f.resourceFieldRef.containerName;
      const c = [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find(
        (x) => x.name === name,
      );
      if (!c) throw new Error(`container ${name ?? ''} not found in pod`);
      value = resourceFieldRefValue(f.resourceFieldRef, c, ctx);
    } else continue;
    into.set(f.path, { data: Buffer.from(value), mode: f.mode ?? mode });
  }
  return into;
}

export async function projectedPayload(
  src: ObjectSource,
  pod: Pod,
  projected: ProjectedVolumeSource,
  ctx: DownwardContext,
): Promise<Payload> {
  const ns = pod.metadata?.namespace ?? '';
  const mode = projected.defaultMode ?? DEFAULT_MODE;
  const out: Payload = new Map();
  for (const s of projected.sources ?? []) {
    if (s.configMap) await configMapPayload(src, ns, s.configMap, mode, out);
    if (s.secret) await secretPayload(src, ns, s.secret, mode, out);
    if (s.downwardAPI) downwardApiPayload(s.downwardAPI.items ?? [], ctx, mode, out);
    if (s.serviceAccountToken) {
      const token = await src.serviceAccountToken(pod, s.serviceAccountToken);
      out.set(s.serviceAccountToken.path, { data: Buffer.from(token), mode });
    }
  }
  return out;
}
