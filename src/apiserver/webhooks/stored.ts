/**
 * Reading the admission configuration kinds the server keeps in memory (followed through the watch cache
 * with `followStored`): lenient field readers for stored objects (validated on write, but read without
 * trusting their shape).
 */
import type { StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { WebhookRule } from './types.js';

export const ADMISSION_GROUP = 'admissionregistration.k8s.io';

export function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Rules with operations (webhooks') or named rules (policies'), scope defaulted to `*`. */
export function rulesOf(v: unknown): WebhookRule[] {
  return asArray<Record<string, unknown>>(v).map((r) => {
    const rule: WebhookRule = {
      operations: asArray<string>(r.operations),
      apiGroups: asArray<string>(r.apiGroups),
      apiVersions: asArray<string>(r.apiVersions),
      resources: asArray<string>(r.resources),
      scope: asString(r.scope) ?? '*',
    };
    const names = asArray<string>(r.resourceNames);
    if (names.length > 0) rule.resourceNames = names;
    return rule;
  });
}

/** The stored Namespace of that name, if any. */
export function storedNamespace(
  storage: ObjectStorage,
  registry: Registry,
  name: string,
): Promise<StoredObject | undefined> {
  return storage.get(registry.mustGet('', 'namespaces'), undefined, name);
}
