import { convertFieldLabel, fieldsOf } from '../registry/fieldsets.js';
import { resourceKey } from '../registry/index.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext } from './context.js';

export type ObjectPredicate = (obj: KubeObject) => boolean;

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
  // Unsupported field names get upstream's 400 (`field label not supported: …`).
  for (const f of fields?.fields ?? []) convertFieldLabel(resourceKey(def), f);
  if (!labels && !fields) return undefined;
  return (obj) =>
    (!labels || labels.matches(obj.metadata?.labels ?? {})) &&
    (!fields || fields.matches(fieldsOf(resourceKey(def), obj)));
}

/** The fields a selection can read from a storage key alone. */
const KEY_FIELDS = new Set(['metadata.name', 'metadata.namespace']);

export type KeyPredicate = (key: { namespace?: string | undefined; name: string }) => boolean;

/**
 * When a request selects only by name and namespace (`metadata.name=x`, as controllers watching one object
 * do), the same selection over an object's key, so a watch filters events without decoding their objects.
 * Undefined when the selection needs the object, or selects everything.
 */
export function keySelectionPredicate(ctx: ApiContext, query: URLSearchParams): KeyPredicate | undefined {
  if ((query.get('labelSelector') ?? '').trim()) return undefined;
  const fieldText = (query.get('fieldSelector') ?? '').trim();
  if (!fieldText) return undefined;
  const fields = ctx.ext.parseFieldSelector(fieldText);
  if (!fields.fields?.every((f) => KEY_FIELDS.has(f))) return undefined;
  return (key) => fields.matches({ 'metadata.name': key.name, 'metadata.namespace': key.namespace ?? '' });
}
