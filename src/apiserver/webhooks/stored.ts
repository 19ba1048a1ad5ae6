/**
 * Reading the admission configuration kinds the server keeps in memory: following a kind through the watch
 * cache, and the lenient field readers for stored objects (validated on write, but read without trusting
 * their shape).
 */
import type { StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import { resourcePrefix } from '../storage/keys.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
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

/**
 * Lists an admission kind, then follows it from the watch cache: `put` for each object stored or changed,
 * `remove` by name. Undefined when the kind is not served.
 */
export async function followStored(
  storage: ObjectStorage,
  registry: Registry,
  watchCache: WatchCache,
  plural: string,
  put: (o: StoredObject) => void,
  remove: (name: string) => void,
): Promise<Subscription | undefined> {
  const def = registry.get(ADMISSION_GROUP, plural);
  if (!def) return undefined;
  const page = await storage.list(def);
  for (const o of page.items) put(o);
  return watchCache.subscribe({
    prefix: resourcePrefix(def),
    fromRevision: Number(page.resourceVersion),
    onEvent: (ev) => (ev.type === 'DELETED' ? remove(ev.parsed.name) : put(ev.object)),
    onClose: () => {},
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
