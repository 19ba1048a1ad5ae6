import type { StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import { resourcePrefix } from '../storage/keys.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from './watch-cache.js';

/**
 * Lists a kind, then follows it from the watch cache: `put` for each object stored or changed, `remove` by
 * name (and namespace, for namespaced kinds). Undefined when the kind is not served. For the server's own
 * in-memory views of configuration kinds (admission webhooks and policies, RBAC).
 */
export async function followStored(
  storage: ObjectStorage,
  registry: Registry,
  watchCache: WatchCache,
  kind: { group: string; plural: string },
  put: (o: StoredObject) => void,
  remove: (name: string, namespace: string | undefined) => void,
  /** Called when the watch cache ends the subscription for a reason other than our own close. */
  lost: () => void = () => {},
): Promise<Subscription | undefined> {
  const def = registry.get(kind.group, kind.plural);
  if (!def) return undefined;
  const page = await storage.list(def);
  for (const o of page.items) put(o);
  return watchCache.subscribe({
    prefix: resourcePrefix(def),
    fromRevision: Number(page.resourceVersion),
    onEvent: (ev) => (ev.type === 'DELETED' ? remove(ev.parsed.name, ev.parsed.namespace) : put(ev.object)),
    onClose: (err) => {
      if (err) lost();
    },
  });
}
