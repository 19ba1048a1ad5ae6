import { badRequest } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext } from './context.js';

export type ObjectPredicate = (obj: KubeObject) => boolean;

const supportedCache = new WeakMap<ResourceDef, Set<string>>();

/** Field names a kind can be selected by: metadata.name/namespace plus the strategy's field set. */
function supportedFields(def: ResourceDef): Set<string> {
  let set = supportedCache.get(def);
  if (!set) {
    set = new Set(['metadata.name', 'metadata.namespace']);
    try {
      for (const k of Object.keys(def.strategy.fieldSet?.({ metadata: { name: '', namespace: '' } }) ?? {}))
        set.add(k);
    } catch {
      // a field set that needs a fuller object still works per object; only the upfront check is skipped
    }
    supportedCache.set(def, set);
  }
  return set;
}

export function objectFields(def: ResourceDef, obj: KubeObject): Record<string, string> {
  const base: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (def.namespaced) base['metadata.namespace'] = obj.metadata?.namespace ?? '';
  else base['metadata.namespace'] = '';
  return { ...base, ...(def.strategy.fieldSet?.(obj) ?? {}) };
}

/** Builds the label+field predicate of a list or watch request; undefined when it selects everything. */
export function selectionPredicate(
  ctx: ApiContext,
  def: ResourceDef,
  query: URLSearchParams,
): ObjectPredicate | undefined {
  const labelText = query.get('labelSelector') ?? '';
  const fieldText = query.get('fieldSelector') ?? '';
  const labels = labelText.trim() ? ctx.ext.parseLabelSelector(labelText) : undefined;
  const fields = fieldText.trim() ? ctx.ext.parseFieldSelector(fieldText) : undefined;
  if (fields?.fields) {
    const supported = supportedFields(def);
    for (const f of fields.fields) {
      if (!supported.has(f)) {
        throw badRequest(`field label not supported: ${f}`);
      }
    }
  }
  if (!labels && !fields) return undefined;
  return (obj) =>
    (!labels || labels.matches(obj.metadata?.labels ?? {})) &&
    (!fields || fields.matches(objectFields(def, obj)));
}

export function matchesAll(_obj: StoredObject): boolean {
  return true;
}
